package storetest

import (
	"math"
	"time"

	"github.com/storekeep/storekeep"
)

// apiToken stores a Storefront API token of shop and returns it as stored.
func (f fixture) apiToken(shop storekeep.Shop, kind storekeep.APITokenKind, at time.Time, scopes ...storekeep.Scope) storekeep.APIToken {
	f.Helper()
	t, err := f.s.CreateAPIToken(f.ctx, storekeep.APIToken{
		ShopID: shop.ID, Kind: kind, Scopes: scopes, Hash: f.keys.Hash(f.token()), CreatedAt: at,
	})
	f.must(err)
	return t
}

// revokeAudit is the audit event an operator's revocation records.
func revokeAudit(shop storekeep.Shop) storekeep.AuditEvent {
	return storekeep.AuditEvent{ShopID: shop.ID, Kind: storekeep.AuditAPITokenRevoked, IP: "cli", At: t0.Add(time.Hour)}
}

// withoutHash is t as listings return it.
func withoutHash(t storekeep.APIToken) storekeep.APIToken {
	t.Hash = nil
	return t
}

var apiTokenRules = []rule{
	{"APITokenHashesHoldsEveryShopsTokensAndNoRevokedOne", func(f fixture) {
		a, b := f.shop("a.example"), f.shop("b.example")
		first := f.apiToken(a, storekeep.APITokenPublic, t0)
		second := f.apiToken(b, storekeep.APITokenPrivate, t0, storekeep.ScopeWriteCustomers)
		gone := f.apiToken(a, storekeep.APITokenPrivate, t0)
		_, err := f.s.DeleteAPIToken(f.ctx, a.ID, gone.ID, revokeAudit(a))
		f.must(err)
		hashes, err := f.s.APITokenHashes(f.ctx)
		f.must(err)
		got := map[string]bool{}
		for _, h := range hashes {
			got[string(h)] = true
		}
		if len(hashes) != 2 || !got[string(first.Hash)] || !got[string(second.Hash)] {
			f.Fatalf("APITokenHashes = %x, want the two live tokens' hashes", hashes)
		}
	}},
	{"APITokensListsOnlyTheShopsTokensOldestFirstWithoutHashes", func(f fixture) {
		a, b := f.shop("a.example"), f.shop("b.example")
		first := f.apiToken(a, storekeep.APITokenPublic, t0, storekeep.ScopeReadCustomers)
		other := f.apiToken(b, storekeep.APITokenPrivate, t0)
		second := f.apiToken(a, storekeep.APITokenPrivate, t0.Add(time.Second), storekeep.ScopeWriteCustomers, storekeep.ScopeReadCustomerTags)
		list, err := f.s.APITokens(f.ctx, a.ID)
		f.must(err)
		if len(list) != 2 {
			f.Fatalf("APITokens(a) = %+v, want a's two tokens", list)
		}
		same(f, "first token", list[0], withoutHash(first))
		same(f, "second token", list[1], withoutHash(second))
		list, err = f.s.APITokens(f.ctx, b.ID)
		f.must(err)
		if len(list) != 1 {
			f.Fatalf("APITokens(b) = %+v, want b's one token", list)
		}
		same(f, "other shop's token", list[0], withoutHash(other))
		list, err = f.s.APITokens(f.ctx, b.ID+1000)
		f.must(err)
		if len(list) != 0 {
			f.Fatalf("APITokens of an unknown shop = %+v, want none", list)
		}
	}},
	{"DeleteAPITokenDeletesTheShopsTokenAndAuditsIt", func(f fixture) {
		a := f.shop("a.example")
		kept := f.apiToken(a, storekeep.APITokenPublic, t0)
		gone := f.apiToken(a, storekeep.APITokenPrivate, t0, storekeep.ScopeWriteCustomers)
		got, err := f.s.DeleteAPIToken(f.ctx, a.ID, gone.ID, revokeAudit(a))
		f.must(err)
		same(f, "deleted token", got, withoutHash(gone))
		_, _, err = f.s.APITokenByHash(f.ctx, [][]byte{gone.Hash})
		f.is(err, storekeep.ErrNotFound, "the deleted token by its hash")
		if _, _, err := f.s.APITokenByHash(f.ctx, [][]byte{kept.Hash}); err != nil {
			f.Fatalf("the shop's other token: %v", err)
		}
		events := f.audits(a.ID)
		if len(events) != 1 || events[0].Kind != storekeep.AuditAPITokenRevoked || events[0].Detail != gone.Label() ||
			events[0].IP != "cli" || events[0].CustomerID != 0 {
			f.Fatalf("audit events %+v, want one %s with detail %q", events, storekeep.AuditAPITokenRevoked, gone.Label())
		}
		_, err = f.s.DeleteAPIToken(f.ctx, a.ID, gone.ID, revokeAudit(a))
		f.is(err, storekeep.ErrNotFound, "deleting it again")
		if n := len(f.audits(a.ID)); n != 1 {
			f.Fatalf("%d audit events after a second delete, want still 1", n)
		}
	}},
	{"DeleteAPITokenOfAnotherShopOrUnknownChangesNothing", func(f fixture) {
		a, b := f.shop("a.example"), f.shop("b.example")
		mine := f.apiToken(a, storekeep.APITokenPublic, t0)
		theirs := f.apiToken(b, storekeep.APITokenPrivate, t0)
		for _, id := range []int64{theirs.ID, theirs.ID + 1000, 0, -1, -mine.ID, math.MaxInt64, math.MinInt64} {
			_, err := f.s.DeleteAPIToken(f.ctx, a.ID, id, revokeAudit(a))
			f.is(err, storekeep.ErrNotFound, "DeleteAPIToken of a foreign or unknown id")
		}
		_, err := f.s.DeleteAPIToken(f.ctx, b.ID+1000, theirs.ID, revokeAudit(b))
		f.is(err, storekeep.ErrNotFound, "DeleteAPIToken with an unknown shop")
		for _, t := range []storekeep.APIToken{mine, theirs} {
			if _, _, err := f.s.APITokenByHash(f.ctx, [][]byte{t.Hash}); err != nil {
				f.Fatalf("token %d after refused deletes: %v", t.ID, err)
			}
		}
		if n := len(f.audits(0)); n != 0 {
			f.Fatalf("%d audit events after refused deletes, want none", n)
		}
	}},
}
