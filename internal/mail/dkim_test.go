package mail_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/storekeep/storekeep"

	"github.com/storekeep/storekeep/internal/mail"
	"github.com/storekeep/storekeep/internal/mail/smtptest"
)

// dkimKey is a private key as a PEM file and its DNS TXT record.
type dkimKey struct {
	pem    []byte
	record string
}

func rsaDKIMKey(t *testing.T, bits int, pkcs8 bool) dkimKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	block := &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}
	if pkcs8 {
		block = pkcs8Block(t, key)
	}
	return dkimKey{pem: pem.EncodeToMemory(block), record: "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(pub)}
}

func ed25519DKIMKey(t *testing.T) dkimKey {
	t.Helper()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return dkimKey{pem: pem.EncodeToMemory(pkcs8Block(t, key)), record: "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)}
}

func pkcs8Block(t *testing.T, key crypto.Signer) *pem.Block {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return &pem.Block{Type: "PRIVATE KEY", Bytes: der}
}

// verifyDKIM checks raw's signatures against records, a fake DNS.
func verifyDKIM(t *testing.T, raw []byte, records map[string]string) []*dkim.Verification {
	t.Helper()
	verifications, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
		LookupTXT: func(name string) ([]string, error) {
			if r, ok := records[name]; ok {
				return []string{r}, nil
			}
			return nil, errors.New("no such record: " + name)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return verifications
}

func sendSigned(t *testing.T, keyPEM []byte, selector, domain string, m mail.Message, opts ...smtptest.Option) smtptest.Received {
	t.Helper()
	file := filepath.Join(t.TempDir(), "dkim.pem")
	if err := os.WriteFile(file, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := mail.LoadDKIM(mail.DKIMConfig{KeyFile: file, Selector: selector, Domain: domain})
	if err != nil {
		t.Fatal(err)
	}
	srv := smtptest.Start(t, opts...)
	s, err := mail.NewSMTPSender(srv.URL(), mail.WithDKIM(d))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return srv.WaitFor(t, 1, wait)[0]
}

func TestDKIMSignatureVerifies(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  dkimKey
	}{
		{"RSA PKCS #1", rsaDKIMKey(t, 2048, false)},
		{"RSA PKCS #8", rsaDKIMKey(t, 2048, true)},
		{"Ed25519", ed25519DKIMKey(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testMessage("ana@example.com")
			m.ReplyTo, m.ReplyToName = "care@shop.example", "Service client"
			got := sendSigned(t, tc.key.pem, "sk2026", "", m)
			if n := strings.Count(string(got.Raw), "DKIM-Signature:"); n != 1 {
				t.Fatalf("%d DKIM-Signature fields, want 1", n)
			}
			v := verifyDKIM(t, got.Raw, map[string]string{"sk2026._domainkey.shop.example": tc.key.record})
			if len(v) != 1 || v[0].Err != nil {
				t.Fatalf("%d signatures, first: %+v\n%s", len(v), *v[0], got.Raw)
			}
			if v[0].Domain != "shop.example" {
				t.Errorf("signed for %q, want the From domain", v[0].Domain)
			}
			signed := strings.ToLower(strings.Join(v[0].HeaderKeys, ":"))
			for _, h := range []string{"from", "to", "subject", "date", "message-id", "reply-to", "content-type"} {
				if !strings.Contains(":"+signed+":", ":"+h+":") {
					t.Errorf("%s is not signed (h=%s)", h, signed)
				}
			}
			if r, err := got.Header.AddressList("Reply-To"); err != nil || len(r) != 1 || r[0].Name != "Service client" || r[0].Address != "care@shop.example" {
				t.Errorf("Reply-To = %q", got.Header.Get("Reply-To"))
			}
		})
	}
}

// TestDKIMSignatureVerifiesInEitherTransferEncoding signs a mail whose
// parts go as 8bit to one server and quoted-printable to another: the
// signature covers the parts as sent either way.
func TestDKIMSignatureVerifiesInEitherTransferEncoding(t *testing.T) {
	key := ed25519DKIMKey(t)
	for _, tc := range []struct {
		name string
		opts []smtptest.Option
		want string
	}{
		{"8bit", nil, "8bit"},
		{"quoted-printable", []smtptest.Option{smtptest.Without8BITMIME()}, "quoted-printable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testMessage("ana@example.com")
			m.Text = "Réinitialisez votre mot de passe — ça prend une minute : https://shop.example/account/reset/1/abc?x=1\n"
			got := sendSigned(t, key.pem, "sk", "", m, tc.opts...)
			if got.TextEncoding != tc.want || got.HTMLEncoding != tc.want {
				t.Fatalf("parts went as %q and %q, want %q", got.TextEncoding, got.HTMLEncoding, tc.want)
			}
			v := verifyDKIM(t, got.Raw, map[string]string{"sk._domainkey.shop.example": key.record})
			if len(v) != 1 || v[0].Err != nil {
				t.Fatalf("%d signatures, first: %+v\n%s", len(v), *v[0], got.Raw)
			}
		})
	}
}

func TestDKIMSignatureBreaksWhenTheMessageChanges(t *testing.T) {
	key := rsaDKIMKey(t, 2048, false)
	records := map[string]string{"sk._domainkey.shop.example": key.record}
	got := sendSigned(t, key.pem, "sk", "", testMessage("ana@example.com"))
	if v := verifyDKIM(t, got.Raw, records); len(v) != 1 || v[0].Err != nil {
		t.Fatalf("untouched message: %+v", v)
	}
	for name, tamper := range map[string]func(string) string{
		"body": func(raw string) string {
			return strings.Replace(raw, "Ouvrez https://shop.example", "Ouvrez https://evil.example", 1)
		},
		"subject": func(raw string) string {
			return strings.Replace(raw, "\r\nSubject: ", "\r\nSubject: Re: ", 1)
		},
		"added From": func(raw string) string {
			return "From: evil@evil.example\r\n" + raw
		},
	} {
		changed := tamper(string(got.Raw))
		if changed == string(got.Raw) {
			t.Fatalf("%s: tampering changed nothing", name)
		}
		if v := verifyDKIM(t, []byte(changed), records); len(v) != 1 || v[0].Err == nil {
			t.Errorf("%s changed, yet the signature verifies", name)
		}
	}
}

func TestDKIMDomainOverridesTheFromDomain(t *testing.T) {
	key := ed25519DKIMKey(t)
	got := sendSigned(t, key.pem, "mail", "Mailer.Example", testMessage("ana@example.com"))
	v := verifyDKIM(t, got.Raw, map[string]string{"mail._domainkey.mailer.example": key.record})
	if len(v) != 1 || v[0].Err != nil || v[0].Domain != "mailer.example" {
		t.Fatalf("verifications: %+v", v)
	}
}

func TestNewDKIMRejectsBadConfiguration(t *testing.T) {
	good := ed25519DKIMKey(t).pem
	for name, tc := range map[string]struct {
		pem              []byte
		selector, domain string
	}{
		"no selector":       {good, "", ""},
		"selector with dot": {good, "a b", ""},
		"bad domain":        {good, "sk", "shop example"},
		"not PEM":           {[]byte("secret"), "sk", ""},
		"public key":        {pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1}}), "sk", ""},
	} {
		if _, err := mail.NewDKIM(tc.pem, tc.selector, tc.domain); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := mail.LoadDKIM(mail.DKIMConfig{KeyFile: filepath.Join(t.TempDir(), "missing.pem"), Selector: "sk"}); err == nil {
		t.Error("missing key file accepted")
	}
}

// TestSMTPSenderKeepsEveryHeaderLineWithin998Octets renders mail for shops
// whose name, or sender display name, is one long word, and sends it
// signed: no line of the message may pass RFC 5322's 998 octets (a relay
// that breaks such a line, as Postfix does at smtp_line_length_limit,
// changes the signed header and breaks the signature), and the name is
// still shown.
func TestSMTPSenderKeepsEveryHeaderLineWithin998Octets(t *testing.T) {
	key := ed25519DKIMKey(t)
	long := strings.Repeat("A", 1200)
	for _, tc := range []struct {
		name string
		shop storekeep.Shop
	}{
		{"shop name in Subject and From", storekeep.Shop{ID: 7, Domain: "shop.example", Name: long}},
		{"sender display name", storekeep.Shop{ID: 7, Domain: "shop.example", Name: "Bob's Shop",
			MailFrom: `"` + strings.Repeat(`\"`, 600) + `" <hello@shop.example>`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := mail.NewRenderer("")
			if err != nil {
				t.Fatal(err)
			}
			m, err := r.Render(tc.shop, storekeep.Mail{ID: 1, ShopID: 7, To: "ana@example.com",
				Template: storekeep.TemplateReset, MessageID: "<r1@shop.example>",
				Data: storekeep.MailData{URL: "https://shop.example/account/reset/1/tok"}}, "no-reply@shop.example")
			if err != nil {
				t.Fatal(err)
			}
			got := sendSigned(t, key.pem, "sk", "", m)
			for i, line := range strings.Split(string(got.Raw), "\r\n") {
				if len(line) > 998 {
					t.Errorf("line %d is %d octets: %.60q...", i+1, len(line), line)
				}
			}
			v := verifyDKIM(t, got.Raw, map[string]string{"sk._domainkey.shop.example": key.record})
			if len(v) != 1 || v[0].Err != nil {
				t.Errorf("signature: %+v", v)
			}
			if !strings.Contains(got.Subject, strings.Repeat("A", 100)) && tc.shop.MailFrom == "" {
				t.Errorf("Subject = %.60q, want the shop's name in it", got.Subject)
			}
			if from, err := got.Header.AddressList("From"); err != nil || len(from) != 1 || len(from[0].Name) < 600 {
				t.Errorf("From = %.80q (%v), want the display name", got.Header.Get("From"), err)
			}
		})
	}
}
