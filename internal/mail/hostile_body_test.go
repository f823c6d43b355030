package mail_test

import (
	"strings"
	"testing"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/mail"
)

var everyTemplate = []storekeep.Template{
	storekeep.TemplateReset, storekeep.TemplateActivation, storekeep.TemplatePasswordChanged,
	storekeep.TemplateEmailChanged, storekeep.TemplateAccountExists, storekeep.TemplateOrdersWaiting,
}

// Every value a template shows (the customer's names and addresses, the
// shop's name) is text: in the HTML part of every mail in every embedded
// locale, markup in it is escaped, so it opens no element, attribute or
// link a mail client would follow.
func TestEveryTemplateEscapesWhatItShows(t *testing.T) {
	const markup = `<a href="https://evil.example/">x</a><img src=x onerror=alert(1)>"'`
	shop := testShop
	shop.Name = "Shop " + markup
	for _, locale := range []string{"en", "fr"} {
		for _, tmpl := range everyTemplate {
			m := testMail(tmpl, locale)
			m.Data.FirstName, m.Data.NewEmail, m.Data.Email = markup, "new"+markup, "ana"+markup
			msg := render(t, newRenderer(t, ""), shop, m)
			for _, raw := range []string{"<a href=\"https://evil", "<img", "'\"", "\"'"} {
				if strings.Contains(msg.HTML, raw) {
					t.Errorf("%s/%s: the HTML part holds %s unescaped", locale, tmpl, raw)
				}
			}
		}
	}
}

// A mail's link is built from the shop's storefront URL, which storekeep
// checks when it is set; one stored otherwise (by hand, or before the
// check) must not put a javascript:, data: or relative link into a mail,
// where the text part would show it whole: such a mail is refused.
func TestALinkThatIsNotAnAbsoluteWebURLIsNeverMailed(t *testing.T) {
	for _, url := range []string{
		"javascript:alert(document.cookie)//account/reset/1/tok",
		"data:text/html,<script>alert(1)</script>/account/reset/1/tok",
		"//evil.example/account/reset/1/tok",
		"/account/reset/1/tok",
		"https:///account/reset/1/tok",
		"ftp://shop.example/account/reset/1/tok",
		"https://shop.example@evil.example/account/reset/1/tok",
		"https://shop.example/account/reset/1/tok\u202e",
	} {
		for _, tmpl := range []storekeep.Template{storekeep.TemplateReset, storekeep.TemplateAccountExists} {
			m := testMail(tmpl, "en")
			m.Data.URL = url
			msg, err := newRenderer(t, "").Render(testShop, m, "no-reply@shop.example")
			if err == nil {
				t.Errorf("%s with %q rendered:\n%s", tmpl, url, msg.Text)
			} else if !mail.IsPermanent(err) {
				t.Errorf("%s with %q: %v, want a permanent error", tmpl, url, err)
			}
		}
	}
}
