package mail_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/mail"
)

const resetURL = "https://shop.example/account/reset/42/tok_abc?x=1&y=2"

var testShop = storekeep.Shop{ID: 7, Domain: "shop.example", Name: "Bob's Shop", StorefrontURL: "https://shop.example"}

func testMail(tmpl storekeep.Template, locale string) storekeep.Mail {
	return storekeep.Mail{
		ID:        3,
		ShopID:    testShop.ID,
		To:        "ana@example.com",
		Template:  tmpl,
		Locale:    locale,
		MessageID: "<reset.3@shop.example>",
		Data: storekeep.MailData{
			URL:          resetURL,
			FirstName:    "Ana",
			Email:        "ana@example.com",
			ExpiresHours: "24",
			NewEmail:     "new@example.com",
		},
	}
}

func newRenderer(t *testing.T, dir string) *mail.Renderer {
	t.Helper()
	r, err := mail.NewRenderer(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func render(t *testing.T, r *mail.Renderer, shop storekeep.Shop, m storekeep.Mail) mail.Message {
	t.Helper()
	msg, err := r.Render(shop, m, "no-reply@shop.example")
	if err != nil {
		t.Fatalf("render %s/%s: %v", m.Locale, m.Template, err)
	}
	return msg
}

func TestRenderEnglishResetText(t *testing.T) {
	msg := render(t, newRenderer(t, ""), testShop, testMail(storekeep.TemplateReset, "en"))
	want := `Hi Ana,

We received a request to reset the password of your Bob's Shop account (ana@example.com).

To choose a new password, open this link:

https://shop.example/account/reset/42/tok_abc?x=1&y=2

This link expires in 24 hours and works only once.

If you did not ask for this, you can ignore this email: your password stays the same.

— Bob's Shop
`
	if msg.Text != want {
		t.Errorf("text part:\n%s\nwant:\n%s", msg.Text, want)
	}
	if msg.Subject != "Reset your Bob's Shop password" {
		t.Errorf("subject = %q", msg.Subject)
	}
	if msg.From != "no-reply@shop.example" || msg.FromName != "Bob's Shop" || msg.To != "ana@example.com" {
		t.Errorf("from %q <%s> to %s", msg.FromName, msg.From, msg.To)
	}
	if msg.MessageID != "reset.3@shop.example" {
		t.Errorf("Message-ID = %q", msg.MessageID)
	}
	if msg.ShopID != testShop.ID {
		t.Errorf("ShopID = %d", msg.ShopID)
	}
}

func TestRenderEveryTemplateInEveryLocale(t *testing.T) {
	r := newRenderer(t, "")
	expiry := map[string]string{"en": "expires in 24 hours", "fr": "expire dans 24 heures"}
	for _, tmpl := range []storekeep.Template{storekeep.TemplateReset, storekeep.TemplateActivation, storekeep.TemplatePasswordChanged, storekeep.TemplateEmailChanged, storekeep.TemplateAccountExists, storekeep.TemplateOrdersWaiting} {
		subjects := map[string]string{}
		for _, locale := range []string{"en", "fr"} {
			msg := render(t, r, testShop, testMail(tmpl, locale))
			name := string(tmpl) + "/" + locale
			subjects[locale] = msg.Subject
			if got := msg.Headers["Content-Language"]; got != locale {
				t.Errorf("%s: rendered in %q", name, got)
			}
			if !strings.Contains(msg.Subject, "Bob's Shop") || strings.Contains(msg.Subject, "\n") {
				t.Errorf("%s: subject %q", name, msg.Subject)
			}
			for part, body := range map[string]string{"text": msg.Text, "HTML": msg.HTML} {
				// orders_waiting goes to an address whose account someone else may have made: it greets nobody by
				// the name that account was given.
				if has := strings.Contains(body, "Ana"); has != (tmpl != storekeep.TemplateOrdersWaiting) {
					t.Errorf("%s: %s part names the customer: %v", name, part, has)
				}
			}
			if !strings.Contains(msg.Text, "Bob's Shop") || !strings.Contains(msg.HTML, "Bob&#39;s Shop") {
				t.Errorf("%s: a part lacks the shop name", name)
			}
			if !strings.HasPrefix(msg.HTML, "<!DOCTYPE html>") || !strings.Contains(msg.HTML, `<html lang="`+locale+`">`) {
				t.Errorf("%s: HTML part is not a %s document", name, locale)
			}
			if strings.Contains(msg.HTML, "{{") || strings.Contains(msg.Text, "{{") {
				t.Errorf("%s: template syntax left in output", name)
			}
			if tmpl == storekeep.TemplateEmailChanged {
				for part, body := range map[string]string{"text": msg.Text, "HTML": msg.HTML} {
					if !strings.Contains(body, "ana@example.com") || !strings.Contains(body, "new@example.com") {
						t.Errorf("%s: %s part does not name the former and the new address", name, part)
					}
				}
			}
			if tmpl == storekeep.TemplatePasswordChanged || tmpl == storekeep.TemplateEmailChanged || tmpl == storekeep.TemplateAccountExists {
				continue
			}
			if !strings.Contains(msg.Text, resetURL) {
				t.Errorf("%s: text part lacks the link", name)
			}
			if !strings.Contains(msg.HTML, `href="https://shop.example/account/reset/42/tok_abc?x=1&amp;y=2"`) {
				t.Errorf("%s: HTML part lacks the link", name)
			}
			if !strings.Contains(msg.Text, expiry[locale]) || !strings.Contains(msg.HTML, expiry[locale]) {
				t.Errorf("%s: a part lacks the expiry line %q", name, expiry[locale])
			}
		}
		if subjects["en"] == subjects["fr"] {
			t.Errorf("%s: French subject is the English one", tmpl)
		}
	}
}

func TestRenderEscapesShopNameInHTML(t *testing.T) {
	shop := testShop
	shop.Name = `Bob <b>"Best"</b> & Co`
	msg := render(t, newRenderer(t, ""), shop, testMail(storekeep.TemplateReset, "en"))
	if strings.Contains(msg.HTML, "<b>") {
		t.Error("HTML part carries the shop name's markup")
	}
	if !strings.Contains(msg.HTML, "Bob &lt;b&gt;&#34;Best&#34;&lt;/b&gt; &amp; Co") {
		t.Error("HTML part lacks the escaped shop name")
	}
	if !strings.Contains(msg.Text, shop.Name) || !strings.Contains(msg.Subject, shop.Name) {
		t.Error("text part or subject lacks the shop name as is")
	}
}

func TestRenderShopNameFromData(t *testing.T) {
	m := testMail(storekeep.TemplateReset, "en")
	m.Data.ShopName = "Bob's Boutique"
	msg := render(t, newRenderer(t, ""), testShop, m)
	if msg.Subject != "Reset your Bob's Boutique password" || msg.FromName != "Bob's Boutique" {
		t.Errorf("subject %q from %q", msg.Subject, msg.FromName)
	}
	shop := testShop
	shop.Name = ""
	msg = render(t, newRenderer(t, ""), shop, testMail(storekeep.TemplateReset, "en"))
	if msg.FromName != "shop.example" {
		t.Errorf("nameless shop: from %q, want its domain", msg.FromName)
	}
}

func TestRenderLeavesOutMissingOptionalData(t *testing.T) {
	m := testMail(storekeep.TemplateReset, "en")
	m.Data.FirstName = ""
	m.Data.ExpiresHours = ""
	m.Data.Email = ""
	msg := render(t, newRenderer(t, ""), testShop, m)
	if !strings.HasPrefix(msg.Text, "Hi,\n") {
		t.Errorf("greeting without a name: %q", strings.SplitN(msg.Text, "\n", 2)[0])
	}
	if strings.Contains(msg.Text, "expires") || strings.Contains(msg.HTML, "expires") {
		t.Error("expiry line without expires_hours")
	}
	if strings.Contains(msg.Text, "\n\n\n") || strings.Contains(msg.Text, "()") {
		t.Errorf("leftovers of missing data:\n%s", msg.Text)
	}
}

func TestRenderLocaleFallback(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "fr-CA/customer_reset.txt", "québécois {{.URL}}\n")
	writeFile(t, dir, "fr-CA/customer_reset.subject.txt", "Sujet québécois\n")
	for _, tc := range []struct {
		locale, defaultLocale, dir, want string
	}{
		{"fr", "", "", "fr"},
		{"fr-CA", "", "", "fr"},
		{"fr_CA", "", "", "fr"},
		{"FR-be", "", "", "fr"},
		{"fr-CA", "", dir, "fr-CA"},
		{"fr-ca", "", dir, "fr-CA"},
		{"fr-BE", "", dir, "fr"},
		{"de-DE", "", "", "en"},
		{"de-DE", "fr", "", "fr"},
		{"", "fr", "", "fr"},
		{"", "fr-CA", dir, "fr-CA"},
		{"de", "es", "", "en"},
		{"en-GB", "fr", "", "en"},
		{"../../etc", "", dir, "en"},
		{"", "", "", "en"},
	} {
		r := newRenderer(t, tc.dir)
		r.DefaultLocale = tc.defaultLocale
		msg := render(t, r, testShop, testMail(storekeep.TemplateReset, tc.locale))
		if got := msg.Headers["Content-Language"]; got != tc.want {
			t.Errorf("locale %q, default %q, override %v: rendered in %q, want %q",
				tc.locale, tc.defaultLocale, tc.dir != "", got, tc.want)
		}
	}
}

func TestRenderOverrideDirWins(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "en/customer_reset.subject.txt", "Password help from {{.ShopName}}\n")
	writeFile(t, dir, "layout.html", `{{define "layout"}}<html lang="{{.Locale}}"><body class="custom">{{template "content" .}}</body></html>{{end}}`)
	writeFile(t, dir, "shops/other.example/en/customer_reset.txt", "Other shop: {{.URL}}\n")
	r := newRenderer(t, dir)

	msg := render(t, r, testShop, testMail(storekeep.TemplateReset, "en"))
	if msg.Subject != "Password help from Bob's Shop" {
		t.Errorf("subject = %q, want the override", msg.Subject)
	}
	if !strings.HasPrefix(msg.Text, "Hi Ana,") {
		t.Errorf("text part = %q, want the embedded one", msg.Text)
	}
	if !strings.Contains(msg.HTML, `<body class="custom">`) || !strings.Contains(msg.HTML, "Reset your password") {
		t.Errorf("HTML part does not use the override layout around the embedded content:\n%s", msg.HTML)
	}

	other := testShop
	other.Domain = "Other.example"
	msg = render(t, r, other, testMail(storekeep.TemplateReset, "en"))
	if msg.Text != "Other shop: "+resetURL+"\n" {
		t.Errorf("per-shop override: text part = %q", msg.Text)
	}
	if msg.Subject != "Password help from Bob's Shop" {
		t.Errorf("per-shop override: subject = %q, want the directory's", msg.Subject)
	}
}

func TestRenderOverrideEditAppliesAtOnce(t *testing.T) {
	dir := t.TempDir()
	r := newRenderer(t, dir)
	before := render(t, r, testShop, testMail(storekeep.TemplateReset, "en"))
	writeFile(t, dir, "en/customer_reset.subject.txt", "Edited\n")
	after := render(t, r, testShop, testMail(storekeep.TemplateReset, "en"))
	if before.Subject == "Edited" || after.Subject != "Edited" {
		t.Errorf("subject before %q, after %q", before.Subject, after.Subject)
	}
}

func TestRenderBrokenOverrideIsTemporary(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "en/customer_reset.txt", "{{.URL")
	r := newRenderer(t, dir)
	_, err := r.Render(testShop, testMail(storekeep.TemplateReset, "en"), "no-reply@shop.example")
	if err == nil || mail.IsPermanent(err) {
		t.Errorf("broken template: err = %v, want temporary so a fix can still send it", err)
	}
}

func TestRenderPermanentFailures(t *testing.T) {
	r := newRenderer(t, "")
	unknown := testMail("no_such_template", "en")
	noURL := testMail(storekeep.TemplateActivation, "fr")
	noURL.Data.URL = ""
	for name, m := range map[string]storekeep.Mail{"unknown template": unknown, "activation without url": noURL} {
		if _, err := r.Render(testShop, m, "no-reply@shop.example"); !mail.IsPermanent(err) {
			t.Errorf("%s: err = %v, want permanent", name, err)
		}
	}
	if _, err := r.Render(testShop, testMail(storekeep.TemplateReset, "en"), ""); err == nil {
		t.Error("rendered without a from address")
	}
}

func TestNewRendererNeedsADirectory(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "file.txt", "x")
	for _, d := range []string{filepath.Join(dir, "missing"), file} {
		if _, err := mail.NewRenderer(d); err == nil {
			t.Errorf("%s accepted as template directory", d)
		}
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRenderKeepsEachDataValueOnItsLine(t *testing.T) {
	m := testMail(storekeep.TemplateReset, "en")
	m.Data.FirstName = "Ada\r\n\r\nOur link changed: https://evil.example/reset\r\n"
	m.Data.Email = "ada@example.com\nBcc: x@evil.example"
	m.Data.ShopName = "Shop\u2028Call +1 555 0100\x00"
	msg := render(t, newRenderer(t, ""), testShop, m)
	for _, line := range strings.Split(msg.Text, "\n") {
		line = strings.TrimRight(line, "\r")
		for _, injected := range []string{"Our link changed", "Bcc:", "Call +1"} {
			if strings.HasPrefix(strings.TrimSpace(line), injected) {
				t.Errorf("a data value started the line %q:\n%s", line, msg.Text)
			}
		}
		if !storekeep.PlainLine(line) {
			t.Errorf("line %q holds a control character", line)
		}
	}
	if !strings.Contains(msg.Text, "Hi Ada Our link changed: https://evil.example/reset,") {
		t.Errorf("first name not flattened onto its line:\n%s", msg.Text)
	}
	if strings.ContainsAny(msg.Subject, "\r\n\u2028\x00") {
		t.Errorf("subject %q", msg.Subject)
	}
}

func TestTrimLinesEndsTheTrimmedTextWithOneLineFeed(t *testing.T) {
	for _, s := range []string{
		"", " ", "\n", " \n\n", "a", "a\n", "a\n\n", "  a  \n\n", "\n a \n b \n", "\t<p>x</p>\r\n",
		"a\u00a0\n", "\u00a0a", "a b", "é\n ",
	} {
		if got, want := mail.TrimLines(s), strings.TrimSpace(s)+"\n"; got != want {
			t.Errorf("trimLines(%q) = %q, want %q", s, got, want)
		}
	}
}
