package account_test

import (
	"fmt"
	"testing"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
)

// passwordNotices counts the queued password_changed mails to to.
func (f *fixture) passwordNotices(to string) int {
	f.t.Helper()
	queued, err := f.store.ListMail(f.ctx, "", 0)
	if err != nil {
		f.t.Fatal(err)
	}
	n := 0
	for _, m := range queued {
		if m.Template == storekeep.TemplatePasswordChanged && m.To == to {
			n++
		}
	}
	return n
}

// The allowance of password_changed notices to an address is meant to bound
// what accounts opened under that address can send it. A customerUpdate of
// another account that asks for the victim's address (already taken) and a
// new password fails with TAKEN and changes nothing, sends nothing: it must
// not spend the victim's allowance, or anyone can make the real owner's
// next password change (say, by a thief holding a stolen access token)
// go unannounced.
func TestAFailedUpdateToATakenAddressSpendsNoPasswordNoticeOfIt(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationShopify, account.Config{})
	const victim = "victim@example.com"
	f.signUp(victim, "the victim's passphrase")
	f.signUp("eve@example.com", "eve's passphrase")
	tok := f.login("eve@example.com", "eve's passphrase").Token
	for i := range account.DefaultConfig().PasswordChangedPerEmail.Count {
		email, pw := victim, fmt.Sprintf("eve's passphrase %d", i)
		_, _, err := f.svc.Update(f.ctx, f.shop, tok, account.UpdateInput{Email: &email, Password: &pw}, caller)
		if code(err) != storekeep.CodeTaken {
			t.Fatalf("attempt %d to take the victim's address: %v, want TAKEN", i+1, err)
		}
	}
	if n := f.passwordNotices(victim); n != 0 {
		t.Fatalf("failed updates queued %d notices to the victim", n)
	}
	vt := f.login(victim, "the victim's passphrase").Token
	pw := "a thief's new passphrase"
	if _, _, err := f.svc.Update(f.ctx, f.shop, vt, account.UpdateInput{Password: &pw}, caller); err != nil {
		t.Fatal(err)
	}
	if n := f.passwordNotices(victim); n != 1 {
		t.Errorf("the victim's password was changed and %d notices went to the victim, want 1 (another account's failed updates spent its allowance)", n)
	}
}
