package multipass_test

import (
	"testing"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/multipass"
	"github.com/storekeep/storekeep/multipass/multipasstest"
)

// notices lists the queued email_changed mails.
func (f *fixture) notices() []storekeep.MailRecord {
	f.t.Helper()
	queued, err := f.store.ListMail(f.ctx, "", 0)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []storekeep.MailRecord
	for _, m := range queued {
		if m.Template == storekeep.TemplateEmailChanged {
			out = append(out, m)
		}
	}
	return out
}

// A sign-in that moves a customer to another address tells the former
// one; a sign-in that keeps the address, or a token refused for another
// identifier's address, sends nothing.
func TestASignInThatMovesACustomerTellsTheFormerAddress(t *testing.T) {
	f := newFixture(t, multipass.Config{})
	mint := func(email, id string) string {
		return multipasstest.Mint(t, shopSecret, f.data(email, map[string]any{"identifier": id}))
	}
	f.mustSignIn(mint("ada@example.com", "u-1"))
	f.mustSignIn(mint("ada@example.com", "u-1"))
	f.mustSignIn(mint("bob@example.com", "u-2"))
	if n := len(f.notices()); n != 0 {
		t.Fatalf("sign-ins that move nobody queued %d notices", n)
	}
	_, err := f.signIn(mint("bob@example.com", "u-1"))
	refused(t, err)
	if n := len(f.notices()); n != 0 {
		t.Fatalf("a refused move queued %d notices", n)
	}
	f.mustSignIn(mint("Ada@New.example", "u-1"))
	got := f.notices()
	if len(got) != 1 || got[0].To != "ada@example.com" {
		t.Fatalf("notices after the move = %+v, want one to ada@example.com", got)
	}
}
