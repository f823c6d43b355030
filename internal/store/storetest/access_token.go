package storetest

import (
	"time"

	"github.com/storekeep/storekeep"
)

var accessTokenRules = []rule{
	{"ARevokedAccessTokenLeavesNothingStored", func(f fixture) {
		shop := f.shop("a.example")
		c := f.customer(shop, "ada@example.com")
		signedOut := f.accessToken(c, t0.Add(time.Hour))
		f.must(f.s.RevokeAccessToken(f.ctx, signedOut.ID))
		replaced := f.accessToken(c, t0.Add(time.Hour))
		read, err := f.s.CustomerByID(f.ctx, shop.ID, c.ID)
		f.must(err)
		next := storekeep.AccessToken{Hash: f.keys.Hash(f.token()), ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}
		_, err = f.s.UpdateCustomer(f.ctx, storekeep.CustomerUpdate{Customer: read, Read: read, AccessToken: &next})
		f.must(err)
		for what, tok := range map[string]storekeep.AccessToken{"signed out": signedOut, "replaced": replaced} {
			found, err := f.raw().ContainsRaw(f.ctx, tok.Hash)
			f.must(err)
			if found {
				f.Errorf("a token %s is still stored: signing in and out again and again would leave a row each time", what)
			}
		}
	}},
	{"ACustomerKeepsAtMostMaxAccessTokensTheNewest", func(f fixture) {
		shop := f.shop("a.example")
		c, other := f.customer(shop, "ada@example.com"), f.customer(shop, "bob@example.com")
		kept := f.accessToken(other, t0.Add(time.Hour))
		var tokens []storekeep.AccessToken
		for range storekeep.MaxAccessTokensPerCustomer + 5 {
			tokens = append(tokens, f.accessToken(c, t0.Add(time.Hour)))
		}
		for i, tok := range tokens {
			if want := i >= 5; f.live(tok, t0) != want {
				f.Errorf("token %d of %d: live %v, want %v", i+1, len(tokens), !want, want)
			}
		}
		if !f.live(kept, t0) {
			f.Error("another customer's token went with them")
		}
	}},
	{"AccessTokenIsFoundByAnyOfItsHashesInItsShop", func(f fixture) {
		a, b := f.shop("a.example"), f.shop("b.example")
		c := f.customer(a, "ada@example.com")
		old, rotated := keyring(f.T, 1), keyring(f.T, 2, 1)
		want := storekeep.AccessToken{ShopID: a.ID, CustomerID: c.ID, Hash: old.Hash("access"), ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}
		created, err := f.s.CreateAccessToken(f.ctx, want, "")
		f.must(err)
		if created.ID <= 0 {
			f.Fatalf("CreateAccessToken ID = %d", created.ID)
		}
		want.ID = created.ID
		got, err := f.s.AccessTokenByHash(f.ctx, a.ID, rotated.Hashes("access"), t0)
		f.must(err)
		same(f, "AccessTokenByHash", got, want)
		_, err = f.s.AccessTokenByHash(f.ctx, b.ID, rotated.Hashes("access"), t0)
		f.is(err, storekeep.ErrNotFound, "token looked up in another shop")
		_, err = f.s.AccessTokenByHash(f.ctx, a.ID, rotated.Hashes("other"), t0)
		f.is(err, storekeep.ErrNotFound, "unknown token")
		_, err = f.s.AccessTokenByHash(f.ctx, a.ID, nil, t0)
		f.is(err, storekeep.ErrNotFound, "no hashes")
	}},
	{"AccessTokenExpiresAtItsExpiry", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		expires := t0.Add(time.Hour)
		t := f.accessToken(c, expires)
		for _, tc := range []struct {
			now  time.Time
			live bool
		}{
			{t0, true},
			{expires.Add(-time.Microsecond), true},
			{expires, false},
			{expires.Add(time.Hour), false},
		} {
			if got := f.live(t, tc.now); got != tc.live {
				f.Errorf("live %v after expiry = %v, want %v", tc.now.Sub(expires), got, tc.live)
			}
		}
	}},
	{"RevokedAccessTokenIsNotFound", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		t, other := f.accessToken(c, t0.Add(time.Hour)), f.accessToken(c, t0.Add(time.Hour))
		f.must(f.s.RevokeAccessToken(f.ctx, t.ID))
		if f.live(t, t0) {
			f.Error("revoked token still found")
		}
		if !f.live(other, t0) {
			f.Error("revoking one token revoked another")
		}
		f.is(f.s.RevokeAccessToken(f.ctx, t.ID), storekeep.ErrNotFound, "revoking twice")
		f.is(f.s.RevokeAccessToken(f.ctx, other.ID+1000), storekeep.ErrNotFound, "revoking an unknown token")
	}},
	{"RenewMovesALiveTokensExpiry", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		t := f.accessToken(c, t0.Add(time.Hour))
		renewed := t0.Add(48 * time.Hour)
		f.must(f.s.RenewAccessToken(f.ctx, t.ID, renewed, t0.Add(30*time.Minute)))
		got, err := f.s.AccessTokenByHash(f.ctx, t.ShopID, [][]byte{t.Hash}, t0.Add(2*time.Hour))
		f.must(err)
		if !got.ExpiresAt.Equal(renewed) {
			f.Errorf("ExpiresAt = %v, want %v", got.ExpiresAt, renewed)
		}
	}},
	{"RenewIsRefusedForExpiredRevokedOrUnknownTokens", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		expires := t0.Add(time.Hour)
		expired, revoked := f.accessToken(c, expires), f.accessToken(c, expires)
		f.must(f.s.RevokeAccessToken(f.ctx, revoked.ID))
		for _, tc := range []struct {
			what string
			id   int64
			now  time.Time
		}{
			{"expired at its expiry", expired.ID, expires},
			{"expired an hour ago", expired.ID, expires.Add(time.Hour)},
			{"revoked", revoked.ID, t0},
			{"unknown", revoked.ID + 1000, t0},
		} {
			f.is(f.s.RenewAccessToken(f.ctx, tc.id, expires.Add(48*time.Hour), tc.now), storekeep.ErrNotFound, "renew "+tc.what)
		}
		got, err := f.s.AccessTokenByHash(f.ctx, expired.ShopID, [][]byte{expired.Hash}, t0)
		f.must(err)
		if !got.ExpiresAt.Equal(expires) {
			f.Errorf("refused renewal moved expiry to %v", got.ExpiresAt)
		}
		if f.live(revoked, t0) {
			f.Error("refused renewal revived a revoked token")
		}
	}},
	{"AnAccessTokenForAPasswordIsStoredOnlyWhileItIsTheCustomers", func(f fixture) {
		shop := f.shop("a.example")
		c := f.customer(shop, "ada@example.com")
		for i, hash := range []string{"$argon2id$the-old-one", "$argon2id$the-new-one"} {
			c.PasswordHash, c.UpdatedAt = hash, t0.Add(time.Duration(i+1)*time.Second)
			_, err := f.updateCustomer(storekeep.CustomerUpdate{Customer: c})
			f.must(err)
		}
		stale := storekeep.AccessToken{ShopID: shop.ID, CustomerID: c.ID, Hash: f.keys.Hash(f.token()), ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}
		_, err := f.s.CreateAccessToken(f.ctx, stale, "$argon2id$the-old-one")
		f.is(err, storekeep.ErrStale, "a token for the password the customer had before a change")
		if f.live(stale, t0) {
			f.Fatal("a token for a replaced password was stored")
		}
		current := storekeep.AccessToken{ShopID: shop.ID, CustomerID: c.ID, Hash: f.keys.Hash(f.token()), ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}
		_, err = f.s.CreateAccessToken(f.ctx, current, c.PasswordHash)
		f.must(err)
		if !f.live(current, t0) {
			f.Error("a token for the customer's current password was not stored")
		}
	}},
	{"AccessTokenHashIsUnique", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		t := f.accessToken(c, t0.Add(time.Hour))
		t.ID = 0
		_, err := f.s.CreateAccessToken(f.ctx, t, "")
		f.is(err, storekeep.ErrConflict, "same hash again")
	}},
}
