package storetest

import (
	"sync"
	"time"

	"github.com/storekeep/storekeep"
)

var multipassRules = []rule{
	{"MultipassSecretRoundTripsSealedAndCanBeRemoved", func(f fixture) {
		a, b := f.shop("a.example"), f.shop("b.example")
		got, err := f.s.MultipassSecret(f.ctx, a.ID)
		f.must(err)
		if got != "" {
			f.Fatalf("a new shop's secret = %q, want none", got)
		}
		secret := "multipass-secret-3f9c2a7e51d04b86"
		f.must(f.s.UpdateShop(f.ctx, a, storekeep.ShopSecrets{Multipass: &secret}))
		if got, err = f.s.MultipassSecret(f.ctx, a.ID); err != nil || got != secret {
			f.Fatalf("MultipassSecret = %q, %v; want %q", got, err, secret)
		}
		if got, _ := f.s.MultipassSecret(f.ctx, b.ID); got != "" {
			f.Fatalf("another shop's secret = %q, want none", got)
		}
		if r, ok := f.s.(Raw); ok {
			found, err := r.ContainsRaw(f.ctx, []byte(secret))
			f.must(err)
			if found {
				f.Fatal("the Multipass secret is stored in the clear")
			}
		}
		f.must(f.s.UpdateShop(f.ctx, a, storekeep.ShopSecrets{Multipass: new(string)}))
		if got, err = f.s.MultipassSecret(f.ctx, a.ID); err != nil || got != "" {
			f.Fatalf("MultipassSecret after removal = %q, %v; want none", got, err)
		}
		unknown := b
		unknown.ID += 1000
		f.is(f.s.UpdateShop(f.ctx, unknown, storekeep.ShopSecrets{Multipass: &secret}), storekeep.ErrNotFound,
			"UpdateShop of an unknown shop with a Multipass secret")
		_, err = f.s.MultipassSecret(f.ctx, b.ID+1000)
		f.is(err, storekeep.ErrNotFound, "MultipassSecret of an unknown shop")
	}},
	{"MultipassTokenIsSpentOnceUnderAnyKeyUntilItExpires", func(f fixture) {
		s := f.shop("a.example")
		rotated := keyring(f.T, 2, 1)
		token := f.token()
		f.must(f.s.SpendMultipassToken(f.ctx, s.ID, f.keys.Hashes(token), t0.Add(15*time.Minute), t0))
		f.is(f.s.SpendMultipassToken(f.ctx, s.ID, f.keys.Hashes(token), t0.Add(15*time.Minute), t0.Add(time.Minute)),
			storekeep.ErrTokenSpent, "second spend")
		f.is(f.s.SpendMultipassToken(f.ctx, s.ID, rotated.Hashes(token), t0.Add(15*time.Minute), t0.Add(time.Minute)),
			storekeep.ErrTokenSpent, "spend after a key rotation")
		f.must(f.s.SpendMultipassToken(f.ctx, s.ID, f.keys.Hashes(f.token()), t0.Add(15*time.Minute), t0))
		f.must(f.s.SpendMultipassToken(f.ctx, s.ID, f.keys.Hashes(token), t0.Add(30*time.Minute), t0.Add(15*time.Minute)))
	}},
	{"MultipassTokenSpentUnderANewKeyIsSpentForANodeWithoutIt", func(f fixture) {
		s := f.shop("a.example")
		rotated := keyring(f.T, 2, 1)
		token := f.token()
		f.must(f.s.SpendMultipassToken(f.ctx, s.ID, rotated.Hashes(token), t0.Add(15*time.Minute), t0))
		f.is(f.s.SpendMultipassToken(f.ctx, s.ID, f.keys.Hashes(token), t0.Add(15*time.Minute), t0.Add(time.Minute)),
			storekeep.ErrTokenSpent, "spend on a node that has only the old key")
	}},
	{"MultipassTokenIsSpentUntilItsExpiryToTheNanosecond", func(f fixture) {
		s := f.shop("a.example")
		token := f.token()
		expires := t0.Add(15*time.Minute + 500*time.Nanosecond)
		f.must(f.s.SpendMultipassToken(f.ctx, s.ID, f.keys.Hashes(token), expires, t0))
		f.is(f.s.SpendMultipassToken(f.ctx, s.ID, f.keys.Hashes(token), expires, expires.Add(-time.Nanosecond)),
			storekeep.ErrTokenSpent, "spend a nanosecond before the expiry")
	}},
	{"ConcurrentSpendsOfOneMultipassTokenHaveOneWinner", func(f fixture) {
		s := f.shop("a.example")
		hashes := f.keys.Hashes(f.token())
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { errs[i] = f.s.SpendMultipassToken(f.ctx, s.ID, hashes, t0.Add(time.Hour), t0) })
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case err != storekeep.ErrTokenSpent:
				f.Fatalf("a losing spend: %v, want ErrTokenSpent", err)
			}
		}
		if won != 1 {
			f.Fatalf("%d of %d concurrent spends succeeded, want 1", won, n)
		}
	}},
	{"MultipassIdentifiersAreUniquePerShopAndOnePerCustomer", func(f fixture) {
		a, b := f.shop("a.example"), f.shop("b.example")
		ada, bob := f.customer(a, "ada@example.com"), f.customer(a, "bob@example.com")
		other := f.customer(b, "ada@example.com")
		_, err := f.s.CustomerByMultipassIdentifier(f.ctx, a.ID, "user-42")
		f.is(err, storekeep.ErrNotFound, "an identifier nobody has")
		if id, err := f.s.MultipassIdentifier(f.ctx, a.ID, ada.ID); err != nil || id != "" {
			f.Fatalf("MultipassIdentifier of a customer without one = %q, %v", id, err)
		}
		f.must(f.s.SetMultipassIdentifier(f.ctx, a.ID, ada.ID, "user-42"))
		got, err := f.s.CustomerByMultipassIdentifier(f.ctx, a.ID, "user-42")
		f.must(err)
		same(f, "CustomerByMultipassIdentifier", got, ada)
		if id, err := f.s.MultipassIdentifier(f.ctx, a.ID, ada.ID); err != nil || id != "user-42" {
			f.Fatalf("MultipassIdentifier = %q, %v", id, err)
		}
		_, err = f.s.CustomerByMultipassIdentifier(f.ctx, b.ID, "user-42")
		f.is(err, storekeep.ErrNotFound, "another shop's identifier")
		f.is(f.s.SetMultipassIdentifier(f.ctx, a.ID, bob.ID, "user-42"), storekeep.ErrConflict, "a second customer with the identifier")
		if id, _ := f.s.MultipassIdentifier(f.ctx, a.ID, bob.ID); id != "" {
			f.Fatalf("a refused identifier was kept: %q", id)
		}
		f.must(f.s.SetMultipassIdentifier(f.ctx, b.ID, other.ID, "user-42"))
		f.is(f.s.SetMultipassIdentifier(f.ctx, a.ID, other.ID, "user-7"), storekeep.ErrNotFound, "another shop's customer")
		f.must(f.s.SetMultipassIdentifier(f.ctx, a.ID, ada.ID, "user-43"))
		_, err = f.s.CustomerByMultipassIdentifier(f.ctx, a.ID, "user-42")
		f.is(err, storekeep.ErrNotFound, "a replaced identifier")
		f.must(f.s.SetMultipassIdentifier(f.ctx, a.ID, bob.ID, "user-42"))
		f.must(f.s.SetMultipassIdentifier(f.ctx, a.ID, ada.ID, ""))
		_, err = f.s.CustomerByMultipassIdentifier(f.ctx, a.ID, "user-43")
		f.is(err, storekeep.ErrNotFound, "a removed identifier")
	}},
}
