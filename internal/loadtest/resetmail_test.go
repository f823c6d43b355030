package loadtest

import (
	"strings"
	"testing"
)

func TestParseResetMailDecodesQuotedPrintableLinks(t *testing.T) {
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
