package storetest

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/storekeep/storekeep"
)

// redemption exchanges t for passwordHash at now, with a new access token,
// a password-changed mail and an audit event.
func (f fixture) redemption(t issued, passwordHash string, now time.Time) storekeep.Redemption {
	c := storekeep.Customer{ID: t.CustomerID, ShopID: t.ShopID, Email: "owner@example.com"}
	m := f.mail(c, storekeep.TemplatePasswordChanged, f.token())
	return storekeep.Redemption{
		Token:        t.CustomerToken,
		PasswordHash: passwordHash,
		Now:          now,
		AccessToken: storekeep.AccessToken{
			ShopID: t.ShopID, CustomerID: t.CustomerID, Hash: f.keys.Hash(f.token()),
			ExpiresAt: now.Add(30 * 24 * time.Hour), CreatedAt: now,
		},
		Mail:  &m,
		Audit: f.audit(c, storekeep.AuditResetSucceeded, now),
	}
}

var customerTokenRules = []rule{
	{"IssueStoresTheTokenQueuesItsMailAndRecordsAudit", func(f fixture) {
		s := f.shop("a.example")
		c := f.customer(s, "ada@example.com")
		tok := f.issue(c, storekeep.PurposeReset)
		same(f, "issued token", tok.CustomerToken, storekeep.CustomerToken{
			ID: tok.ID, ShopID: s.ID, CustomerID: c.ID, Purpose: storekeep.PurposeReset,
			Hash: f.keys.Hash(tok.clear), ExpiresAt: t0.Add(24 * time.Hour), CreatedAt: t0,
		})
		mails := f.claimAll(t0)
		if len(mails) != 1 {
			f.Fatalf("%d mails queued, want 1", len(mails))
		}
		want := tok.mail
		want.ID, want.Attempts = mails[0].ID, 1
		same(f, "queued mail", mails[0], want)
		audits := f.audits(s.ID)
		if len(audits) != 1 {
			f.Fatalf("%d audit events, want 1", len(audits))
		}
		wantAudit := f.audit(c, storekeep.AuditRecoverRequested, t0)
		wantAudit.ID = audits[0].ID
		same(f, "audit event", audits[0], wantAudit)
	}},
	{"IssueVoidsTheCustomersEarlierTokensOfThatPurposeOnly", func(f fixture) {
		s := f.shop("a.example")
		c, other := f.customer(s, "ada@example.com"), f.customer(s, "bob@example.com")
		earlier := f.issue(c, storekeep.PurposeReset)
		activation := f.issue(c, storekeep.PurposeActivation)
		others := f.issue(other, storekeep.PurposeReset)
		newer := f.issue(c, storekeep.PurposeReset)
		for _, tc := range []struct {
			what   string
			tok    issued
			unused bool
		}{
			{"earlier reset token", earlier, false},
			{"activation token", activation, true},
			{"another customer's reset token", others, true},
			{"new reset token", newer, true},
		} {
			if got := f.unused(tc.tok); got != tc.unused {
				f.Errorf("%s unused = %v, want %v", tc.what, got, tc.unused)
			}
		}
		_, err := f.s.RedeemCustomerToken(f.ctx, f.redemption(earlier, "$argon2id$x", t0))
		f.is(err, storekeep.ErrTokenSpent, "redeeming a voided token")
	}},
	{"AnActivationSpendsTheCustomersResetLinks", func(f fixture) {
		s := f.shop("a.example")
		c, other := f.customer(s, "ada@example.com"), f.customer(s, "bob@example.com")
		reset, activation, others := f.issue(c, storekeep.PurposeReset), f.issue(c, storekeep.PurposeActivation), f.issue(other, storekeep.PurposeReset)
		_, err := f.s.RedeemCustomerToken(f.ctx, f.redemption(activation, "$argon2id$chosen", t0))
		f.must(err)
		if f.unused(reset) {
			f.Error("activating left the reset link mailed before it unused")
		}
		if !f.unused(others) {
			f.Error("activating spent another customer's reset link")
		}
		_, err = f.s.RedeemCustomerToken(f.ctx, f.redemption(reset, "$argon2id$attacker", t0.Add(time.Minute)))
		f.is(err, storekeep.ErrTokenSpent, "redeeming the reset link mailed before the activation")
	}},
	{"ConcurrentIssuesLeaveOneUnusedToken", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		const n = 16
		clears := make([]string, n)
		errs := make([]error, n)
		for i := range clears {
			clears[i] = f.token()
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range clears {
			wg.Go(func() {
				<-start
				tok := storekeep.CustomerToken{
					ShopID: c.ShopID, CustomerID: c.ID, Purpose: storekeep.PurposeReset, Hash: f.keys.Hash(clears[i]),
					ExpiresAt: t0.Add(time.Hour), CreatedAt: t0,
				}
				errs[i] = f.s.IssueCustomerToken(f.ctx, tok, f.mail(c, storekeep.TemplateReset, clears[i]), f.audit(c, storekeep.AuditRecoverRequested, t0), 0)

			})
		}
		close(start)
		wg.Wait()
		unused := 0
		for i, err := range errs {
			f.must(err)
			_, err := f.s.CustomerTokenByHash(f.ctx, c.ShopID, c.ID, storekeep.PurposeReset, [][]byte{f.keys.Hash(clears[i])})
			if err == nil {
				unused++
			} else if !errors.Is(err, storekeep.ErrNotFound) {
				f.Fatal(err)
			}
		}
		if unused != 1 {
			f.Errorf("%d of %d concurrently issued tokens are unused, want 1", unused, n)
		}
	}},
	{"RedeemRacingAnIssueForTheSameCustomerNeitherDeadlocksNorFails", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		for round := range 20 {
			r := f.redemption(f.issue(c, storekeep.PurposeReset), "$argon2id$race", t0)
			clear := f.token()
			next := storekeep.CustomerToken{
				ShopID: c.ShopID, CustomerID: c.ID, Purpose: storekeep.PurposeReset, Hash: f.keys.Hash(clear),
				ExpiresAt: t0.Add(time.Hour), CreatedAt: t0,
			}
			m, a := f.mail(c, storekeep.TemplateReset, clear), f.audit(c, storekeep.AuditRecoverRequested, t0)
			var redeemErr, issueErr error
			start := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				<-start
				_, redeemErr = f.s.RedeemCustomerToken(f.ctx, r)
			})
			wg.Go(func() {
				<-start
				issueErr = f.s.IssueCustomerToken(f.ctx, next, m, a, 0)
			})
			close(start)
			wg.Wait()
			if redeemErr != nil && !errors.Is(redeemErr, storekeep.ErrTokenSpent) {
				f.Errorf("round %d: redeem: %v", round, redeemErr)
			}
			if issueErr != nil {
				f.Errorf("round %d: issue: %v", round, issueErr)
			}
		}
	}},
	{"IssueIsAllOrNothing", func(f fixture) {
		s := f.shop("a.example")
		c := f.customer(s, "ada@example.com")
		first := f.issue(c, storekeep.PurposeReset)
		clear := f.token()
		next := storekeep.CustomerToken{ShopID: s.ID, CustomerID: c.ID, Purpose: storekeep.PurposeReset,
			Hash: f.keys.Hash(clear), ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}
		orphan := f.mail(c, storekeep.TemplateReset, clear)
		orphan.ShopID = s.ID + 1000
		err := f.s.IssueCustomerToken(f.ctx, next, orphan, f.audit(c, storekeep.AuditRecoverRequested, t0), 0)
		if err == nil {
			f.Fatal("issuing with a mail of no shop succeeded")
		}
		if _, err := f.s.CustomerTokenByHash(f.ctx, s.ID, c.ID, storekeep.PurposeReset, [][]byte{next.Hash}); !errors.Is(err, storekeep.ErrNotFound) {
			f.Errorf("the failed issue stored its token: %v", err)
		}
		if !f.unused(first) {
			f.Error("failed issue voided the earlier token")
		}
		if n := f.pending(); n != 1 {
			f.Errorf("%d mails queued, want only the first issue's", n)
		}
		if n := len(f.audits(s.ID)); n != 1 {
			f.Errorf("%d audit events, want only the first issue's", n)
		}
	}},
	{"IssueCompletesItsJobOnceAndOnlyOnce", func(f fixture) {
		s := f.shop("a.example")
		c := f.customer(s, "ada@example.com")
		job := f.job(c)
		jobs := f.claimIDs(t0, time.Minute, 1000)
		if len(jobs) != 1 || jobs[0] != job {
			f.Fatalf("claimed %+v, want the job %d", jobs, job)
		}
		issueFor := func() (string, error) {
			clear := f.token()
			tok := storekeep.CustomerToken{ShopID: s.ID, CustomerID: c.ID, Purpose: storekeep.PurposeReset,
				Hash: f.keys.Hash(clear), ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}
			return clear, f.s.IssueCustomerToken(f.ctx, tok, f.mail(c, storekeep.TemplateReset, clear),
				f.audit(c, storekeep.AuditRecoverRequested, t0), job)
		}
		first, err := issueFor()
		f.must(err)
		sent := f.listMail(storekeep.MailSent, 0)
		if len(sent) != 1 || sent[0].ID != job {
			f.Fatalf("sent rows after the issue: %+v, want the job %d", sent, job)
		}
		second, err := issueFor()
		f.is(err, storekeep.ErrJobDone, "issue for a job already done")
		if _, err := f.s.CustomerTokenByHash(f.ctx, s.ID, c.ID, storekeep.PurposeReset, [][]byte{f.keys.Hash(second)}); !errors.Is(err, storekeep.ErrNotFound) {
			f.Errorf("the second issue stored its token: %v", err)
		}
		if _, err := f.s.CustomerTokenByHash(f.ctx, s.ID, c.ID, storekeep.PurposeReset, [][]byte{f.keys.Hash(first)}); err != nil {
			f.Errorf("the second issue voided the first token: %v", err)
		}
		if n := f.pending(); n != 1 {
			f.Errorf("%d mails pending, want the first issue's only", n)
		}
		if n := len(f.audits(s.ID)); n != 1 {
			f.Errorf("%d audit events, want the first issue's only", n)
		}
	}},
	{"CustomerTokenIsFoundByAnyOfItsHashesForItsShopCustomerAndPurpose", func(f fixture) {
		a, b := f.shop("a.example"), f.shop("b.example")
		ada := f.customer(a, "ada@example.com")
		bob := f.customer(a, "bob@example.com")
		other := f.customer(b, "ada@example.com")
		tok := f.issue(ada, storekeep.PurposeReset)
		bobs := f.issue(bob, storekeep.PurposeReset)
		hashes := keyring(f.T, 2, 1).Hashes(tok.clear)
		got, err := f.s.CustomerTokenByHash(f.ctx, a.ID, ada.ID, storekeep.PurposeReset, hashes)
		f.must(err)
		same(f, "by rotated hashes", got, tok.CustomerToken)
		for _, tc := range []struct {
			what           string
			shop, customer int64
			purpose        storekeep.TokenPurpose
			hashes         [][]byte
		}{
			{"other purpose", a.ID, ada.ID, storekeep.PurposeActivation, hashes},
			{"other shop", b.ID, ada.ID, storekeep.PurposeReset, hashes},
			{"other shop's customer", b.ID, other.ID, storekeep.PurposeReset, hashes},
			{"another customer with an open token", a.ID, bob.ID, storekeep.PurposeReset, hashes},
			{"another customer's token", a.ID, ada.ID, storekeep.PurposeReset, [][]byte{bobs.Hash}},
			{"unknown customer", a.ID, bob.ID + 1000, storekeep.PurposeReset, hashes},
			{"unknown token", a.ID, ada.ID, storekeep.PurposeReset, f.keys.Hashes("unknown")},
			{"no hashes", a.ID, ada.ID, storekeep.PurposeReset, nil},
		} {
			_, err := f.s.CustomerTokenByHash(f.ctx, tc.shop, tc.customer, tc.purpose, tc.hashes)
			f.is(err, storekeep.ErrNotFound, tc.what)
		}
	}},
	{"CustomerTokenByHashReturnsExpiredTokens", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		tok := f.issueExpiring(c, storekeep.PurposeReset, t0.Add(-time.Hour))
		if !tok.ExpiresAt.Equal(t0.Add(-time.Hour)) {
			f.Errorf("ExpiresAt = %v", tok.ExpiresAt)
		}
	}},
	{"CustomerTokenByHashIgnoresUsedTokens", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		tok := f.issue(c, storekeep.PurposeReset)
		_, err := f.s.RedeemCustomerToken(f.ctx, f.redemption(tok, "$argon2id$x", t0))
		f.must(err)
		if f.unused(tok) {
			f.Error("used token still found")
		}
	}},
	{"RedeemSetsPasswordEnablesRevokesAccessTokensQueuesMailAndAudits", func(f fixture) {
		s := f.shop("a.example")
		c, other := f.customer(s, "ada@example.com"), f.customer(s, "bob@example.com")
		earlier := []storekeep.AccessToken{f.accessToken(c, t0.Add(48*time.Hour)), f.accessToken(c, t0.Add(72*time.Hour))}
		kept := f.accessToken(other, t0.Add(48*time.Hour))
		tok := f.issue(c, storekeep.PurposeReset)
		activation := f.issue(c, storekeep.PurposeActivation)
		pending, audits := f.pending(), len(f.audits(s.ID))

		now := t0.Add(time.Hour)
		r := f.redemption(tok, "$argon2id$v=19$new", now)
		got, err := f.s.RedeemCustomerToken(f.ctx, r)
		f.must(err)
		want := c
		want.PasswordHash, want.State, want.UpdatedAt = r.PasswordHash, storekeep.CustomerEnabled, got.UpdatedAt
		want.EmailVerifiedAt, want.Version = got.UpdatedAt, c.Version+1
		same(f, "redeemed customer", got, want)
		stored, err := f.s.CustomerByID(f.ctx, s.ID, c.ID)
		f.must(err)
		same(f, "stored customer", stored, got)

		for _, t := range earlier {
			if f.live(t, now) {
				f.Errorf("access token %d issued before the reset is live", t.ID)
			}
		}
		if !f.live(r.AccessToken, now) {
			f.Error("new access token not stored")
		}
		if !f.live(kept, now) {
			f.Error("another customer's access token revoked")
		}
		if f.unused(tok) {
			f.Error("redeemed token still unused")
		}
		if !f.unused(activation) {
			f.Error("token of another purpose spent")
		}
		if n := f.pending(); n != pending+1 {
			f.Errorf("pending mails = %d, want %d", n, pending+1)
		}
		list := f.audits(s.ID)
		if len(list) != audits+1 || list[0].Kind != storekeep.AuditResetSucceeded {
			f.Errorf("audit events = %+v, want a reset_succeeded on top", list)
		}
	}},
	{"RedeemWithoutMailQueuesNone", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		tok := f.issue(c, storekeep.PurposeReset)
		pending := f.pending()
		r := f.redemption(tok, "$argon2id$x", t0)
		r.Mail = nil
		_, err := f.s.RedeemCustomerToken(f.ctx, r)
		f.must(err)
		if n := f.pending(); n != pending {
			f.Errorf("pending mails = %d, want %d", n, pending)
		}
	}},
	{"RedeemOfASpentTokenChangesNothing", func(f fixture) {
		s := f.shop("a.example")
		for i, tc := range []struct {
			what  string
			spend func(c storekeep.Customer) (issued, time.Time)
		}{
			{"used", func(c storekeep.Customer) (issued, time.Time) {
				tok := f.issue(c, storekeep.PurposeReset)
				_, err := f.s.RedeemCustomerToken(f.ctx, f.redemption(tok, "$argon2id$first", t0))
				f.must(err)
				return tok, t0.Add(time.Minute)
			}},
			{"voided by a newer token", func(c storekeep.Customer) (issued, time.Time) {
				tok := f.issue(c, storekeep.PurposeReset)
				f.issue(c, storekeep.PurposeReset)
				return tok, t0
			}},
			{"expiring now", func(c storekeep.Customer) (issued, time.Time) {
				tok := f.issue(c, storekeep.PurposeReset)
				return tok, tok.ExpiresAt
			}},
			{"expired long ago", func(c storekeep.Customer) (issued, time.Time) {
				tok := f.issue(c, storekeep.PurposeReset)
				return tok, tok.ExpiresAt.Add(30 * 24 * time.Hour)
			}},
			{"of a customer disabled since", func(c storekeep.Customer) (issued, time.Time) {
				tok := f.issue(c, storekeep.PurposeReset)
				c.State = storekeep.CustomerDisabled
				_, err := f.updateCustomer(storekeep.CustomerUpdate{Customer: c})
				f.must(err)
				return tok, t0
			}},
		} {
			c := f.customer(s, fmt.Sprintf("c%d@example.com", i))
			tok, now := tc.spend(c)
			before, err := f.s.CustomerByID(f.ctx, s.ID, c.ID)
			f.must(err)
			live := f.accessToken(c, now.Add(time.Hour))
			unused, pending, audits := f.unused(tok), f.pending(), len(f.audits(0))

			r := f.redemption(tok, "$argon2id$second", now)
			_, err = f.s.RedeemCustomerToken(f.ctx, r)
			f.is(err, storekeep.ErrTokenSpent, "redeeming a token "+tc.what)

			after, err := f.s.CustomerByID(f.ctx, s.ID, c.ID)
			f.must(err)
			same(f, tc.what+": customer", after, before)
			if !f.live(live, now) {
				f.Errorf("%s: access token revoked", tc.what)
			}
			if f.live(r.AccessToken, now) {
				f.Errorf("%s: new access token stored", tc.what)
			}
			if got := f.unused(tok); got != unused {
				f.Errorf("%s: token unused = %v, was %v", tc.what, got, unused)
			}
			if n := f.pending(); n != pending {
				f.Errorf("%s: pending mails = %d, was %d", tc.what, n, pending)
			}
			if n := len(f.audits(0)); n != audits {
				f.Errorf("%s: audit events = %d, were %d", tc.what, n, audits)
			}
		}
	}},
	{"RedeemRefusesATokenPresentedForAnotherCustomer", func(f fixture) {
		s := f.shop("a.example")
		c, victim := f.customer(s, "ada@example.com"), f.customer(s, "bob@example.com")
		tok := f.issue(c, storekeep.PurposeReset)
		forged := tok
		forged.CustomerID = victim.ID
		_, err := f.s.RedeemCustomerToken(f.ctx, f.redemption(forged, "$argon2id$evil", t0))
		f.is(err, storekeep.ErrTokenSpent, "token of one customer redeemed for another")
		got, err := f.s.CustomerByID(f.ctx, s.ID, victim.ID)
		f.must(err)
		same(f, "other customer", got, victim)
		if !f.unused(tok) {
			f.Error("refused redemption spent the token")
		}
	}},
	{"RedeemIsSingleUseUnderConcurrency", func(f fixture) {
		s := f.shop("a.example")
		c := f.customer(s, "ada@example.com")
		tok := f.issue(c, storekeep.PurposeReset)
		pending := f.pending()
		const n = 24
		now := t0.Add(time.Minute)
		rs := make([]storekeep.Redemption, n)
		for i := range rs {
			rs[i] = f.redemption(tok, fmt.Sprintf("$argon2id$%d", i), now)
		}
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range rs {
			wg.Go(func() {
				<-start
				_, errs[i] = f.s.RedeemCustomerToken(f.ctx, rs[i])
			})
		}
		close(start)
		wg.Wait()

		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				f.Errorf("redemptions %d and %d both succeeded", winner, i)
			case err == nil:
				winner = i
			case !errors.Is(err, storekeep.ErrTokenSpent):
				f.Errorf("redemption %d: %v, want ErrTokenSpent", i, err)
			}
		}
		if winner < 0 {
			f.Fatal("no redemption succeeded")
		}
		got, err := f.s.CustomerByID(f.ctx, s.ID, c.ID)
		f.must(err)
		if got.PasswordHash != rs[winner].PasswordHash {
			f.Errorf("password = %q, want the winner's %q", got.PasswordHash, rs[winner].PasswordHash)
		}
		for i, r := range rs {
			if live := f.live(r.AccessToken, now); live != (i == winner) {
				f.Errorf("access token of redemption %d live = %v", i, live)
			}
		}
		if got := f.pending(); got != pending+1 {
			f.Errorf("pending mails = %d, want %d", got, pending+1)
		}
		resets := 0
		for _, e := range f.audits(s.ID) {
			if e.Kind == storekeep.AuditResetSucceeded {
				resets++
			}
		}
		if resets != 1 {
			f.Errorf("%d reset_succeeded events, want 1", resets)
		}
	}},
	{"PruneTokensDeletesExpiredAccessThenCustomerTokensInBatches", func(f fixture) {
		s := f.shop("a.example")
		ada, bob := f.customer(s, "ada@example.com"), f.customer(s, "bob@example.com")
		cutoff := t0.Add(time.Hour)
		for range 3 {
			f.accessToken(ada, cutoff.Add(-time.Minute))
		}
		liveAccess := f.accessToken(ada, cutoff)
		old := f.issueExpiring(bob, storekeep.PurposeReset, cutoff.Add(-time.Minute))
		open := f.issueExpiring(ada, storekeep.PurposeActivation, cutoff)
		for i, want := range []int{2, 2, 0} {
			n, err := f.s.PruneTokens(f.ctx, cutoff, 2)
			f.must(err)
			if n != want {
				f.Fatalf("prune %d in batches of 2 deleted %d tokens, want %d", i+1, n, want)
			}
		}
		if f.unused(old) {
			f.Errorf("a reset token expired before the cutoff is still found")
		}
		if !f.unused(open) || !f.live(liveAccess, t0) {
			f.Errorf("tokens expiring at the cutoff were deleted")
		}
	}},
}
