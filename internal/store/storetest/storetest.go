// Package storetest is the one conformance suite that every
// storekeep.Store backend runs. Each rule of the contract in store.go is a
// subtest named after it, run on a fresh store.
package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
)

// Raw is implemented by a store under test that can show what it keeps.
// With it the suite checks that mail data is sealed at rest and erased once
// the mail is done with; a store without it skips those rules.
type Raw interface {
	// ContainsRaw reports whether needle occurs in any value of any column
	// of any table, as stored.
	ContainsRaw(ctx context.Context, needle []byte) (bool, error)
	// RawMailData returns an outbox row's data as stored, nil once erased.
	RawMailData(ctx context.Context, id int64) ([]byte, error)
}

// Reopener is implemented by a store under test that can open its database
// again with another Sealer, as a node restarted with a changed key ring
// would. With it the suite checks how mail sealed under a lost key fares;
// a store without it skips that rule.
type Reopener interface {
	// Reopen opens the store's database again, already migrated, with
	// sealer; the suite closes what it returns.
	Reopen(ctx context.Context, sealer storekeep.Sealer) (storekeep.Store, error)
}

type rule struct {
	name string
	run  func(f fixture)
}

// Run holds a backend to the storekeep.Store contract. open returns a
// fresh, empty, migrated store whose Sealer is a real *secret.Keyring; the
// suite closes it.
func Run(t *testing.T, open func(t *testing.T) storekeep.Store) {
	var rules []rule
	for _, group := range [][]rule{shopRules, apiTokenRules, customerRules, addressRules, multipassRules, accessTokenRules, customerTokenRules,
		outboxRules, enqueueRules, inviteRules, outboxAdminRules, mailboxRules, auditRules, listingRules, pingRules, orderRules, verifiedRules, cancelRules,
		staleRules} {
		rules = append(rules, group...)
	}
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			r.run(newFixture(t, s))
		})
	}
}

var pingRules = []rule{
	{"PingAnswersOnAMigratedStore", func(f fixture) {
		f.must(f.s.Ping(f.ctx))
	}},
	{"KeyChecksAreKeptOnceEachOldestFirst", func(f fixture) {
		checks, err := f.s.KeyChecks(f.ctx)
		f.must(err)
		if len(checks) != 0 {
			f.Fatalf("a fresh store has %d key checks", len(checks))
		}
		now := time.Now().UTC()
		first, second := []byte("check-1\x00\xff"), []byte("check-2")
		f.must(f.s.AddKeyCheck(f.ctx, first, now))
		f.must(f.s.AddKeyCheck(f.ctx, second, now.Add(time.Second)))
		f.must(f.s.AddKeyCheck(f.ctx, first, now.Add(2*time.Second)))
		checks, err = f.s.KeyChecks(f.ctx)
		f.must(err)
		if len(checks) != 2 || !bytes.Equal(checks[0], first) || !bytes.Equal(checks[1], second) {
			f.Fatalf("key checks %q, want %q then %q, once each", checks, first, second)
		}
	}},
}
