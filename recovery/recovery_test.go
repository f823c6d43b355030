package recovery_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/recovery"
)

func TestRecoverMailsAKnownCustomerALinkToTheStorefront(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationShopify, recovery.Config{})
	c := f.customer("ada@example.com", storekeep.CustomerEnabled)
	link := f.resetURL("  Ada@Example.com ")
	id, token, ok := recovery.ParseAccountURL(link, "", "reset")
	if !ok || id != c.ID || token == "" || !strings.HasPrefix(link, "https://shop.example/account/reset/") {
		t.Fatalf("link %q, want a reset link for customer %d on the storefront", link, c.ID)
	}
	if _, err := f.store.CustomerTokenByHash(f.ctx, f.shop.ID, c.ID, storekeep.PurposeReset, f.keys.Hashes(token)); err != nil {
		t.Errorf("the link's token is not stored by its hash: %v", err)
	}
	events := f.audits()
	if len(events) != 1 || events[0].Kind != storekeep.AuditRecoverRequested || events[0].CustomerID != c.ID {
		t.Errorf("audit %+v, want one recover_requested for the customer", events)
	}
}

func TestRecoverInShopifyModeNamesUnknownAndDisabledAddressesAndQueuesNothing(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationShopify, recovery.Config{})
	f.customer("off@example.com", storekeep.CustomerDisabled)
	for email, want := range map[string]storekeep.Code{
		"nobody@example.com": storekeep.CodeUnidentifiedCustomer,
		"off@example.com":    storekeep.CodeCustomerDisabled,
		"":                   storekeep.CodeBlank,
		"not an address":     storekeep.CodeInvalid,
	} {
		if err := f.svc.Recover(f.ctx, f.shop, email, caller); code(err) != want {
			t.Errorf("Recover(%q) = %v, want %s", email, err, want)
		}
	}
	if n := f.claim().Len(); n != 0 {
		t.Errorf("%d outbox rows queued, want none", n)
	}
}

func TestPrivateRecoverQueuesOneJobWhoeverTheAddressBelongsTo(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationPrivate, recovery.Config{})
	c := f.customer("ada@example.com", storekeep.CustomerEnabled)
	f.customer("off@example.com", storekeep.CustomerDisabled)
	for _, email := range []string{"ada@example.com", "nobody@example.com", "off@example.com"} {
		if err := f.svc.Recover(f.ctx, f.shop, email, caller); err != nil {
			t.Fatalf("Recover(%q) = %v, want the same nil answer for every address", email, err)
		}
	}
	claimed := f.claim()
	if len(claimed.Mail) != 0 || len(claimed.Jobs) != 3 {
		t.Fatalf("claimed %d mails and %d jobs, want three jobs and no mail", len(claimed.Mail), len(claimed.Jobs))
	}
	for _, job := range claimed.Jobs {
		if job.Recover.IP != caller.IP || job.Recover.UserAgent != caller.UserAgent || job.Locale != caller.Locale {
			t.Errorf("job %+v does not carry the caller", job)
		}
		done, err := f.svc.ProcessRecoverRequest(f.ctx, job)
		known := job.Recover.Email == c.EmailKey
		if err != nil || done != known {
			t.Errorf("job for %s: done %v, %v; want done only for the enabled customer", job.Recover.Email, done, err)
		}
	}
	mails := f.claim().Mail
	if len(mails) != 1 || mails[0].To != c.Email || mails[0].Template != storekeep.TemplateReset {
		t.Fatalf("mail after the jobs: %+v, want one reset mail to %s", mails, c.Email)
	}
}

func TestARecoverJobRunTwiceIssuesOneLink(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationPrivate, recovery.Config{})
	f.customer("ada@example.com", storekeep.CustomerEnabled)
	if err := f.svc.Recover(f.ctx, f.shop, "ada@example.com", caller); err != nil {
		t.Fatal(err)
	}
	jobs := f.claim().Jobs
	if len(jobs) != 1 {
		t.Fatalf("%d jobs, want 1", len(jobs))
	}
	for i := range 2 {
		if done, err := f.svc.ProcessRecoverRequest(f.ctx, jobs[0]); err != nil || !done {
			t.Fatalf("run %d: done %v, %v; want done", i+1, done, err)
		}
	}
	if n := len(f.claim().Mail); n != 1 {
		t.Fatalf("%d reset mails, want 1", n)
	}
}

func TestRecoverPerEmailThrottlesKnownAndUnknownAddressesAlikeAndAudits(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationPrivate, recovery.Config{
		RecoverPerEmail: storekeep.Limit{Count: 1, Per: time.Hour}})
	f.customer("ada@example.com", storekeep.CustomerEnabled)
	for _, email := range []string{"ada@example.com", "nobody@example.com"} {
		if err := f.svc.Recover(f.ctx, f.shop, email, caller); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Recover(f.ctx, f.shop, strings.ToUpper(email), caller); code(err) != storekeep.CodeThrottled {
			t.Errorf("second Recover(%q) = %v, want THROTTLED", email, err)
		}
	}
	throttled := 0
	for _, e := range f.audits() {
		if e.Kind == storekeep.AuditThrottled {
			throttled += e.Count
		}
	}
	if throttled != 2 {
		t.Errorf("%d throttled events audited, want 2", throttled)
	}
	f.now = f.now.Add(time.Hour)
	if err := f.svc.Recover(f.ctx, f.shop, "ada@example.com", caller); err != nil {
		t.Errorf("Recover an hour later = %v", err)
	}
}

func TestResetByURLSetsThePasswordOnceAndQueuesTheNotice(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationShopify, recovery.Config{})
	c := f.customer("ada@example.com", storekeep.CustomerInvited)
	link := f.resetURL(c.Email)
	got, access, err := f.svc.ResetByURL(f.ctx, f.shop, link, "a new passphrase", caller)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != c.ID || got.State != storekeep.CustomerEnabled || got.PasswordHash == "" || access.Token == "" {
		t.Fatalf("reset gave %+v and token %q, want the customer enabled with a password and a token", got, access.Token)
	}
	mails := f.claim().Mail
	if len(mails) != 1 || mails[0].Template != storekeep.TemplatePasswordChanged {
		t.Errorf("queued %+v, want the password-changed notice", mails)
	}
	if _, _, err := f.svc.ResetByURL(f.ctx, f.shop, link, "another passphrase", caller); code(err) == "" {
		t.Fatalf("second reset with one link = %v, want a user error", err)
	}
	after, err := f.store.CustomerByID(f.ctx, f.shop.ID, c.ID)
	if err != nil || after.PasswordHash != got.PasswordHash {
		t.Errorf("the second reset changed the password (%v)", err)
	}
}

func TestResetWithAPasswordThePolicyRefusesKeepsTheLink(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationShopify, recovery.Config{})
	f.customer("ada@example.com", storekeep.CustomerEnabled)
	link := f.resetURL("ada@example.com")
	if _, _, err := f.svc.ResetByURL(f.ctx, f.shop, link, "abc", caller); code(err) != storekeep.CodeTooShort {
		t.Fatalf("reset with a short password = %v, want TOO_SHORT", err)
	}
	if _, _, err := f.svc.ResetByURL(f.ctx, f.shop, link, "a new passphrase", caller); err != nil {
		t.Fatalf("the link no longer works after a refused password: %v", err)
	}
}

func TestResetLinksExpire(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationShopify, recovery.Config{ResetTokenTTL: time.Hour})
	f.customer("ada@example.com", storekeep.CustomerEnabled)
	link := f.resetURL("ada@example.com")
	f.now = f.now.Add(time.Hour)
	if _, _, err := f.svc.ResetByURL(f.ctx, f.shop, link, "a new passphrase", caller); code(err) == "" {
		t.Fatalf("reset with an expired link = %v, want a user error", err)
	}
}

// tokenInvalid reports whether err is exactly one TOKEN_INVALID user error.
func tokenInvalid(err error) bool {
	list, ok := storekeep.UserErrors(err)
	return ok && len(list) == 1 && list[0].Code == storekeep.CodeTokenInvalid
}

func TestResetTokenExpiresAfter24Hours(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationShopify, recovery.Config{})
	f.customer("di@example.com", storekeep.CustomerEnabled)
	link := f.resetURL("di@example.com")
	f.now = f.now.Add(24*time.Hour + time.Second)
	if _, _, err := f.svc.ResetByURL(f.ctx, f.shop, link, "good-secret-9", caller); !tokenInvalid(err) {
		t.Fatalf("expired token accepted: %v", err)
	}
}

func TestNewResetTokenVoidsTheEarlierOne(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationShopify, recovery.Config{})
	f.customer("ed@example.com", storekeep.CustomerEnabled)
	first := f.resetURL("ed@example.com")
	second := f.resetURL("ed@example.com")
	if _, _, err := f.svc.ResetByURL(f.ctx, f.shop, first, "good-secret-9", caller); !tokenInvalid(err) {
		t.Fatalf("voided token accepted: %v", err)
	}
	if c, _, err := f.svc.ResetByURL(f.ctx, f.shop, second, "good-secret-9", caller); err != nil || c.ID == 0 {
		t.Fatalf("newest token refused: %v", err)
	}
}

func TestAnotherCustomersTokenIsInvalid(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationShopify, recovery.Config{})
	f.customer("fa@example.com", storekeep.CustomerEnabled)
	other := f.customer("go@example.com", storekeep.CustomerEnabled)
	link := f.resetURL("fa@example.com")
	token := link[strings.LastIndex(link, "/")+1:]
	crossed := "https://shop.example/account/reset/" + strconv.FormatInt(other.ID, 10) + "/" + token
	if _, _, err := f.svc.ResetByURL(f.ctx, f.shop, crossed, "good-secret-9", caller); !tokenInvalid(err) {
		t.Fatalf("cross-customer token accepted: %v", err)
	}
	if c, _, err := f.svc.ResetByURL(f.ctx, f.shop, link, "good-secret-9", caller); err != nil || c.ID == 0 {
		t.Fatalf("the right pairing was refused after the wrong one: %v", err)
	}
}
