package storekeep

import (
	"strings"
	"testing"
)

func TestParseEmailFoldsTheDomainWithIDNAAndRefusesLookAlikeLocalParts(t *testing.T) {
	tests := []struct {
		email, sendTo, key string
	}{
		{"Victim@Gmail.COM", "Victim@gmail.com", "victim@gmail.com"},
		{"  victim@gmail.com ", "victim@gmail.com", "victim@gmail.com"},
		{"victim@ｇｍａｉｌ.com", "victim@gmail.com", "victim@gmail.com"},
		{"kate@example.\u212Aom", "kate@example.kom", "kate@example.kom"},
		{"victim@gmaİl.com", "victim@xn--gmail-bgd.com", "victim@xn--gmail-bgd.com"},
		{"victim@gmaıl.com", "victim@xn--gmal-nza.com", "victim@xn--gmal-nza.com"},
		{"victim@gm\u200bail.com", "victim@gmail.com", "victim@gmail.com"},
		{"user@straße.de", "user@xn--strae-oqa.de", "user@xn--strae-oqa.de"},
		{"user@XN--STRAE-OQA.DE", "user@xn--strae-oqa.de", "user@xn--strae-oqa.de"},
		{"a.b+tag@example.com", "a.b+tag@example.com", "a.b+tag@example.com"},
		{"o'hara@example.ie", "o'hara@example.ie", "o'hara@example.ie"},
	}
	for _, tt := range tests {
		a, ok := ParseEmail(tt.email)
		if !ok || a.String() != tt.sendTo || a.Key() != tt.key || NormalizeEmail(tt.email) != tt.key {
			t.Errorf("ParseEmail(%q) = %q key %q, %v; want %q key %q", tt.email, a.String(), a.Key(), ok, tt.sendTo, tt.key)
		}
	}
	for _, email := range []string{
		"\u212Aate@example.com", "ｖictim@gmail.com", "vic\u200btim@gmail.com", "vıctim@gmail.com",
		"vİctim@gmail.com", "straße@example.com", "a\x00b@example.com",
		"a@example.com\x00", "a\r\nb@example.com", "\xff@example.com", "a@ex\xffample.com", "a@b",
		// A control character or line separator is refused around an
		// address too, not trimmed away as a space.
		"a@example.com\n", "\ta@example.com", "a@example.com\r\n", "a@example.com\u0085", "\va@example.com\f",
		"a@example.com\u2028",
		"a@example.com.", ".a@example.com", "a..b@example.com", `"a b"@example.com`, "a@[127.0.0.1]",
		"a@@example.com", "Ann <a@example.com>", "a@exa mple.com", "", "@example.com", "a@",
		// Its ASCII form, 0@0.xn--0-5hc, breaks the bidi rule: U+2138 maps to
		// a Hebrew letter, which a label starting with a digit may not
		// accompany.
		"0@0.\u21380", "0@0.xn--0-5hc",
	} {
		if a, ok := ParseEmail(email); ok {
			t.Errorf("ParseEmail(%q) accepted it as %q", email, a)
		}
	}
}

// Converting a domain costs time that grows with the square of a label's
// length (Punycode): a request body's worth of distinct CJK characters
// took 20 s of CPU to be refused, on every field that names an address,
// before any throttle. Nothing longer than MaxTypedEmailLength is
// converted, so an address padded past it with characters IDNA ignores is
// refused, though it would convert to a short one.
func TestParseEmailRefusesWhatIsTooLongToConvertToAnAddress(t *testing.T) {
	padded := func(n int) string { return "a@gm" + strings.Repeat("\u00ad", n) + "ail.com" }
	if len(padded(500)) > MaxTypedEmailLength {
		t.Fatal("the accepted case is over the bound")
	}
	if a, ok := ParseEmail(padded(500)); !ok || a.Key() != "a@gmail.com" {
		t.Fatalf("ParseEmail(padded under the bound) = %q, %v", a, ok)
	}
	var cjk strings.Builder
	cjk.WriteString("a@")
	for i := 0; cjk.Len() < 64<<10; i++ {
		cjk.WriteRune(rune(0x4e00 + i))
	}
	for _, email := range []string{padded(510), cjk.String() + ".com"} {
		if len(email) <= MaxTypedEmailLength {
			t.Fatalf("%d bytes is not over the bound", len(email))
		}
		if a, ok := ParseEmail(email); ok {
			t.Errorf("ParseEmail of %d bytes accepted it as %q", len(email), a)
		}
	}
}

func TestRekeyEmailsMovesKeysToTheNewRules(t *testing.T) {
	changes, err := RekeyEmails([]StoredEmail{
		{CustomerID: 1, ShopID: 1, Email: "Ann@ＥＸＡＭＰＬＥ.com", Key: "ann@ｅｘａｍｐｌｅ.com"},
		{CustomerID: 2, ShopID: 1, Email: "bob@example.com", Key: "bob@example.com"},
		{CustomerID: 3, ShopID: 1, Email: "victim@gmaİl.com", Key: "victim@gmai̇l.com"},
		{CustomerID: 4, ShopID: 2, Email: "ann@example.com", Key: "ann@example.com"},
	})
	want := []StoredEmail{
		{CustomerID: 1, ShopID: 1, Email: "Ann@example.com", Key: "ann@example.com"},
		{CustomerID: 3, ShopID: 1, Email: "victim@xn--gmail-bgd.com", Key: "victim@xn--gmail-bgd.com"},
	}
	if err != nil || len(changes) != len(want) || changes[0] != want[0] || changes[1] != want[1] {
		t.Fatalf("RekeyEmails = %+v, %v; want %+v", changes, err, want)
	}
}

func TestRekeyEmailsFailsOnCollisionsAndRefusedAddresses(t *testing.T) {
	_, err := RekeyEmails([]StoredEmail{
		{CustomerID: 7, ShopID: 1, Email: "victim@gmail.com", Key: "victim@gmail.com"},
		{CustomerID: 9, ShopID: 1, Email: "Victim@ｇｍａｉｌ.com", Key: "victim@ｇｍａｉｌ.com"},
		{CustomerID: 11, ShopID: 1, Email: "\u212Aate@example.com", Key: "kate@example.com"},
	})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"customers 7 (\"victim@gmail.com\") and 9", "customer 11", "victim@gmail.com"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}

// BenchmarkNormalizeEmail times the key of an ASCII address as IDNA
// gives it back, of one in capitals and of an internationalised one, as
// each recover makes it.
func BenchmarkNormalizeEmail(b *testing.B) {
	for _, email := range []string{"victim+tag@example.com", "Victim+tag@Example.COM", "user@straße.de"} {
		b.Run(email, func(b *testing.B) {
			for range b.N {
				NormalizeEmail(email)
			}
		})
	}
}
