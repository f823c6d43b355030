package mail_test

import (
	"strings"
	"testing"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/mail"
)

func TestRenderFrenchResetTextAndHTML(t *testing.T) {
	msg := render(t, newRenderer(t, ""), testShop, testMail(storekeep.TemplateReset, "fr"))
	want := `Bonjour Ana,

Nous avons reçu une demande de réinitialisation du mot de passe de votre compte Bob's Shop (ana@example.com).

Pour choisir un nouveau mot de passe, ouvrez ce lien :

https://shop.example/account/reset/42/tok_abc?x=1&y=2

Ce lien expire dans 24 heures et ne fonctionne qu'une seule fois.

Si vous n'êtes pas à l'origine de cette demande, ignorez cet e-mail : votre mot de passe reste inchangé.

— Bob's Shop
`
	if msg.Text != want {
		t.Errorf("text part:\n%s\nwant:\n%s", msg.Text, want)
	}
	if msg.Subject != "Réinitialisez votre mot de passe Bob's Shop" {
		t.Errorf("subject = %q", msg.Subject)
	}
	for _, frag := range []string{
		`<html lang="fr">`,
		`<title>Réinitialisez votre mot de passe Bob&#39;s Shop</title>`,
		`<p style="margin:0 0 16px;">Bonjour Ana,</p>`,
		`<a href="https://shop.example/account/reset/42/tok_abc?x=1&amp;y=2" target="_blank"`,
		`>Choisir un nouveau mot de passe</a>`,
		`Ce lien expire dans 24 heures et ne fonctionne qu'une seule fois.`,
		`Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur :<br>`,
	} {
		if !strings.Contains(msg.HTML, frag) {
			t.Errorf("HTML part lacks %s", frag)
		}
	}
}

func TestRenderFallsBackToTheShopLocale(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "fr-CA/customer_reset.txt", "québécois {{.URL}}\n")
	writeFile(t, dir, "fr-CA/customer_reset.subject.txt", "Sujet québécois\n")
	for _, tc := range []struct {
		mailLocale, shopLocale, defaultLocale, dir, want string
	}{
		{"", "fr", "", "", "fr"},
		{"de-DE", "fr", "", "", "fr"},
		{"de", "fr-BE", "", "", "fr"},
		{"", "fr-CA", "", dir, "fr-CA"},
		{"en", "fr", "", "", "en"},
		{"de", "es", "fr", "", "fr"},
		{"de", "fr", "en", "", "fr"},
		{"", "", "fr", "", "fr"},
		{"", "xx-not a locale", "", "", "en"},
	} {
		shop := testShop
		shop.Locale = tc.shopLocale
		r := newRenderer(t, tc.dir)
		r.DefaultLocale = tc.defaultLocale
		msg := render(t, r, shop, testMail(storekeep.TemplateReset, tc.mailLocale))
		if got := msg.Headers["Content-Language"]; got != tc.want {
			t.Errorf("mail %q, shop %q, default %q: rendered in %q, want %q",
				tc.mailLocale, tc.shopLocale, tc.defaultLocale, got, tc.want)
		}
	}
}

func TestRenderSenderAndReplyToPerShop(t *testing.T) {
	r := newRenderer(t, "")
	for _, tc := range []struct {
		name                  string
		shopFrom, shopReplyTo string
		server                string
		fromName, from        string
		replyToName, replyTo  string
	}{
		{"server default", "", "", "no-reply@shop.example", "Bob's Shop", "no-reply@shop.example", "", ""},
		{"server default with a name", "", "", "Storekeep <mailer@host.example>", "Storekeep", "mailer@host.example", "", ""},
		{"shop sender", "hello@bob.example", "", "no-reply@shop.example", "Bob's Shop", "hello@bob.example", "", ""},
		{"shop sender with a name", `"Bob, the shop" <hello@bob.example>`, "", "no-reply@shop.example", "Bob, the shop", "hello@bob.example", "", ""},
		{"shop reply-to", "", "care@bob.example", "no-reply@shop.example", "Bob's Shop", "no-reply@shop.example", "", "care@bob.example"},
		{"shop reply-to with a name", "hello@bob.example", "Care <care@bob.example>", "", "Bob's Shop", "hello@bob.example", "Care", "care@bob.example"},
	} {
		shop := testShop
		shop.MailFrom, shop.ReplyTo = tc.shopFrom, tc.shopReplyTo
		msg, err := r.Render(shop, testMail(storekeep.TemplateReset, "en"), tc.server)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if msg.FromName != tc.fromName || msg.From != tc.from {
			t.Errorf("%s: from %q <%s>, want %q <%s>", tc.name, msg.FromName, msg.From, tc.fromName, tc.from)
		}
		if msg.ReplyToName != tc.replyToName || msg.ReplyTo != tc.replyTo {
			t.Errorf("%s: reply-to %q <%s>, want %q <%s>", tc.name, msg.ReplyToName, msg.ReplyTo, tc.replyToName, tc.replyTo)
		}
	}
}

func TestRenderBadShopAddressIsTemporary(t *testing.T) {
	r := newRenderer(t, "")
	for _, shop := range []storekeep.Shop{
		{ID: 1, Domain: "a.example", MailFrom: "not an address"},
		{ID: 2, Domain: "b.example", ReplyTo: "care@"},
	} {
		_, err := r.Render(shop, testMail(storekeep.TemplateReset, "en"), "no-reply@shop.example")
		if err == nil || mail.IsPermanent(err) {
			t.Errorf("shop %s: err = %v, want temporary so that fixing the shop still sends the mail", shop.Domain, err)
		}
	}
}
