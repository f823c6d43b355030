package loadtest

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseResetMailFindsTheLinkInAnyTextPart(t *testing.T) {
	raw := strings.ReplaceAll(`From: Shop <no-reply@shop.example>
To: "Ada" <Ada@Example.com>
Subject: Reset your password
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary=b1

--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Choose a new password: https://shop.example/en-ca/account/reset/42/AbC_d=
eF-123
--b1
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<a href=3D"https://shop.example/en-ca/account/reset/42/AbC_deF-123">Reset</a>
--b1--
`, "\n", "\r\n")
	m, ok, err := parseResetMail([]byte(raw))
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if m.To != "ada@example.com" || m.CustomerID != 42 || m.Token != "AbC_deF-123" || m.URL != "https://shop.example/en-ca/account/reset/42/AbC_deF-123" {
		t.Fatalf("%+v", m)
	}
	eightBit := strings.NewReplacer("quoted-printable", "8bit", "d=\r\neF", "deF", "=3D", "=").Replace(raw)
	if strings.Contains(eightBit, "=3D") || !strings.Contains(eightBit, "reset/42/AbC_deF-123\r\n") {
		t.Fatalf("8bit copy still encoded:\n%s", eightBit)
	}
	if m8, ok, err := parseResetMail([]byte(eightBit)); err != nil || !ok || m8 != m {
		t.Fatalf("8bit parts: %+v %v %v, want %+v", m8, ok, err, m)
	}
	htmlOnly := strings.Replace(raw, "Choose a new password: https://shop.example/en-ca/account/reset/42/AbC_d=\r\neF-123", "See below.", 1)
	if strings.Count(htmlOnly, "/account/reset/") != 1 {
		t.Fatalf("the text part still holds the link:\n%s", htmlOnly)
	}
	if mh, ok, err := parseResetMail([]byte(htmlOnly)); err != nil || !ok || mh != m {
		t.Fatalf("link in the HTML part alone: %+v %v %v, want %+v", mh, ok, err, m)
	}
	notice := "From: a@shop.example\r\nTo: ada@example.com\r\nSubject: Your password was changed\r\n\r\nYour password was changed.\r\n"
	if _, ok, err := parseResetMail([]byte(notice)); ok || err != nil {
		t.Fatalf("a notice without a link: %v %v", ok, err)
	}
}

func TestBuyerIPsAreDistinctPerClientAndRotate(t *testing.T) {
	a, b := newBuyerIPs(0, 3), newBuyerIPs(1, 3)
	got := []string{a.Next(), a.Next(), a.Next(), a.Next(), b.Next()}
	want := []string{"10.77.0.0", "10.77.0.1", "10.77.0.2", "10.77.0.0", "10.77.0.3"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("%v, want %v", got, want)
	}
	last := newBuyerIPs(0, maxBuyerIPs)
	last.next = maxBuyerIPs - 1
	if ip := last.Next(); ip != "10.255.255.255" {
		t.Fatalf("last address %s", ip)
	}
}

func FuzzFindLinkMatchesTheWholeSearch(f *testing.F) {
	for _, s := range []string{
		"",
		"no link here",
		"https://shop.example/account/reset/7/tok",
		"open https://shop.example/fr/account/reset/7/tok_-9 now",
		`<a href="https://shop.example/account/reset/12/abc">x</a>`,
		"https://x.example/?next=http://y.example/account/reset/1/t",
		"/account/reset/1/t then https://z.example/account/reset/2/u",
		"https://a.example/account/reset/x/ https://b.example/account/reset/3/v",
		"'https://q.example/account/reset/4/w'",
		"http:/account/reset/5/z",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, want := findLink(data), resetLink.FindSubmatch(data)
		if len(got) != len(want) {
			t.Fatalf("%q: found %q, the whole search %q", data, got, want)
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("%q: found %q, the whole search %q", data, got, want)
			}
		}
	})
}
