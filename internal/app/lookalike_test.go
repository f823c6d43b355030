package app_test

import (
	"strings"
	"testing"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
)

// TestLookAlikeAddressesCannotCaptureAnAccountOrItsReset registers an
// internationalised look-alike of a victim's address first, then the
// victim's. Each keeps its own account, spellings of the same mailbox share
// one account, look-alike local parts are refused, and every reset mail goes
// to the mailbox of the account it resets. The shop answers as Shopify does,
// so that a second sign-up for one mailbox shows as TAKEN.
func TestLookAlikeAddressesCannotCaptureAnAccountOrItsReset(t *testing.T) {
	n := startNode(t, func(_ *app.Config, s *storekeep.Shop) { s.Enumeration = storekeep.EnumerationShopify })
	n.signUp("victim@gmaİl.com", "lookalike-secret-1")
	n.signUp("victim@gmail.com", "victim-secret-1")

	signUp := func(email string) payload {
		var p payload
		n.post(createMutation, map[string]any{"input": map[string]any{"email": email, "password": "another-secret-1"}}).field(t, "customerCreate", &p)
		return p
	}
	for _, same := range []string{"VICTIM@GMAIL.COM", "victim@ｇｍａｉｌ.com", "victim@GMAIL.com", "victim@gm\u200bail.com", "victim@xn--gmail-bgd.com"} {
		if p := signUp(same); !hasUserError(p, "TAKEN", []string{"input", "email"}) {
			t.Errorf("%q, the same mailbox as an account's, got %+v", same, p)
		}
	}
	for _, lookAlike := range []string{"ｖictim@gmail.com", "vic\u200btim@gmail.com", "vıctim@gmail.com", "vİctim@gmail.com", "\u212Aate@gmail.com", "victim\u00ad@gmail.com"} {
		if p := signUp(lookAlike); !hasUserError(p, "INVALID", []string{"input", "email"}) {
			t.Errorf("look-alike %q got %+v", lookAlike, p)
		}
	}
	n.login("VICTIM@ｇｍａｉｌ.COM", "victim-secret-1")

	n.recover("victim@gmail.com")
	n.resetURL("victim@gmail.com", 1)
	n.recover("Victim@ＧＭＡＩＬ.com")
	n.resetURL("victim@gmail.com", 2)
	n.recover("victim@gmaİl.com")
	n.resetURL("victim@xn--gmail-bgd.com", 1)
	n.stop()
	for _, m := range n.smtp.Messages() {
		for _, rcpt := range append(m.Recipients, m.To) {
			if rcpt != "victim@gmail.com" && rcpt != "victim@xn--gmail-bgd.com" {
				t.Errorf("a mail went to %q", rcpt)
			}
		}
		if strings.Contains(m.Text, "gmaİl") {
			t.Errorf("mail names the Unicode spelling:\n%s", m.Text)
		}
	}
	if got := len(n.smtp.Messages()); got != 3 {
		t.Errorf("%d mails, want 3", got)
	}
}
