package storetest

import (
	"github.com/storekeep/storekeep"
)

var shopRules = []rule{
	{"CreateShopSetsIDAndCreatedAt", func(f fixture) {
		want := storekeep.Shop{
			Domain: "a.example", Name: "A", StorefrontURL: "https://a.example", Enumeration: storekeep.EnumerationShopify,
			MailFrom: "A <hello@a.example>", ReplyTo: "care@a.example", Locale: "fr-CA",
		}
		s, err := f.s.CreateShop(f.ctx, want, storekeep.ShopSecrets{})
		f.must(err)
		if s.ID <= 0 || s.CreatedAt.IsZero() {
			f.Fatalf("CreateShop = %+v, want ID and CreatedAt set", s)
		}
		want.ID, want.CreatedAt = s.ID, s.CreatedAt
		same(f, "returned shop", s, want)
		got, err := f.s.ShopByDomain(f.ctx, "a.example")
		f.must(err)
		same(f, "ShopByDomain", got, want)
		got, err = f.s.ShopByID(f.ctx, s.ID)
		f.must(err)
		same(f, "ShopByID", got, want)
	}},
	{"ShopDomainIsUnique", func(f fixture) {
		f.shop("a.example")
		_, err := f.s.CreateShop(f.ctx, storekeep.Shop{Domain: "a.example", Name: "again", CreatedAt: t0}, storekeep.ShopSecrets{})
		f.is(err, storekeep.ErrConflict, "second shop on a.example")
		f.shop("b.example")
	}},
	{"UnknownShopIsNotFound", func(f fixture) {
		s := f.shop("a.example")
		_, err := f.s.ShopByDomain(f.ctx, "b.example")
		f.is(err, storekeep.ErrNotFound, "ShopByDomain(b.example)")
		_, err = f.s.ShopByID(f.ctx, s.ID+1000)
		f.is(err, storekeep.ErrNotFound, "ShopByID of an unknown id")
	}},
	{"UpdateShopReplacesEveryFieldButDomainAndID", func(f fixture) {
		s := f.shop("a.example")
		other := f.shop("b.example")
		update := s
		update.Name, update.StorefrontURL, update.Enumeration = "New name", "http://localhost:3000", storekeep.EnumerationShopify
		update.MailFrom, update.ReplyTo, update.Locale = "New <new@a.example>", "help@a.example", "de"
		update.Domain = "c.example"
		f.must(f.s.UpdateShop(f.ctx, update, storekeep.ShopSecrets{}))
		want := update
		want.Domain = s.Domain
		got, err := f.s.ShopByID(f.ctx, s.ID)
		f.must(err)
		same(f, "updated shop", got, want)
		_, err = f.s.ShopByDomain(f.ctx, "c.example")
		f.is(err, storekeep.ErrNotFound, "shop by the domain UpdateShop was given")
		got, err = f.s.ShopByDomain(f.ctx, "b.example")
		f.must(err)
		same(f, "other shop", got, other)

		update.MailFrom, update.ReplyTo, update.Locale = "", "", ""
		f.must(f.s.UpdateShop(f.ctx, update, storekeep.ShopSecrets{}))
		want.MailFrom, want.ReplyTo, want.Locale = "", "", ""
		got, err = f.s.ShopByDomain(f.ctx, "a.example")
		f.must(err)
		same(f, "shop with its mail settings cleared", got, want)
	}},
	{"ShopSecretsAreWrittenWithTheShopAndKeptUnlessNamed", func(f fixture) {
		webhook, multipass := "shpss_webhook-0123456789abcdef", "multipass-secret-0123456789abcdef"
		s, err := f.s.CreateShop(f.ctx, storekeep.Shop{Domain: "a.example", Name: "A", CreatedAt: t0},
			storekeep.ShopSecrets{Webhook: &webhook, Multipass: &multipass})
		f.must(err)
		secrets := func(what, wantWebhook, wantMultipass string) {
			f.Helper()
			_, gotWebhook, err := f.s.WebhookSecret(f.ctx, "a.example")
			f.must(err)
			gotMultipass, err := f.s.MultipassSecret(f.ctx, s.ID)
			f.must(err)
			if string(gotWebhook) != wantWebhook || gotMultipass != wantMultipass {
				f.Fatalf("%s: secrets %q and %q, want %q and %q", what, gotWebhook, gotMultipass, wantWebhook, wantMultipass)
			}
		}
		secrets("created with both", webhook, multipass)
		s.Name = "Renamed"
		f.must(f.s.UpdateShop(f.ctx, s, storekeep.ShopSecrets{}))
		secrets("updated naming none", webhook, multipass)
		rotated := "multipass-secret-rotated-0123456789"
		f.must(f.s.UpdateShop(f.ctx, s, storekeep.ShopSecrets{Multipass: &rotated}))
		secrets("updated naming the Multipass secret", webhook, rotated)
		f.must(f.s.UpdateShop(f.ctx, s, storekeep.ShopSecrets{Webhook: new(string), Multipass: new(string)}))
		secrets("updated removing both", "", "")
		got, err := f.s.ShopByID(f.ctx, s.ID)
		f.must(err)
		same(f, "the shop after its secrets changed", got, s)
	}},
	{"UpdateUnknownShopIsNotFound", func(f fixture) {
		s := f.shop("a.example")
		s.ID += 1000
		f.is(f.s.UpdateShop(f.ctx, s, storekeep.ShopSecrets{}), storekeep.ErrNotFound, "UpdateShop of unknown id")
	}},
	{"ShopOfCustomerIsTheShopTheCustomerBelongsTo", func(f fixture) {
		a, b := f.shop("a.example"), f.shop("b.example")
		b.Locale = "fr"
		f.must(f.s.UpdateShop(f.ctx, b, storekeep.ShopSecrets{}))
		ca, cb := f.customer(a, "ada@example.com"), f.customer(b, "ada@example.com")
		for _, tc := range []struct {
			customer storekeep.Customer
			want     storekeep.Shop
		}{{ca, a}, {cb, b}} {
			got, err := f.s.ShopOfCustomer(f.ctx, tc.customer.ID)
			f.must(err)
			same(f, "ShopOfCustomer", got, tc.want)
		}
		_, err := f.s.ShopOfCustomer(f.ctx, cb.ID+1000)
		f.is(err, storekeep.ErrNotFound, "ShopOfCustomer of an unknown customer")
	}},
	{"APITokenIsFoundByAnyOfItsHashesWithItsShop", func(f fixture) {
		s := f.shop("a.example")
		f.shop("b.example")
		old, rotated := keyring(f.T, 1), keyring(f.T, 2, 1)
		want := storekeep.APIToken{
			ShopID: s.ID, Kind: storekeep.APITokenPrivate, Hash: old.Hash("storefront-token"), CreatedAt: t0,
			Scopes: []storekeep.Scope{storekeep.ScopeWriteCustomers, storekeep.ScopeReadCustomers},
		}
		created, err := f.s.CreateAPIToken(f.ctx, want)
		f.must(err)
		if created.ID <= 0 {
			f.Fatalf("CreateAPIToken ID = %d", created.ID)
		}
		want.ID = created.ID
		got, shop, err := f.s.APITokenByHash(f.ctx, rotated.Hashes("storefront-token"))
		f.must(err)
		same(f, "token", got, want)
		same(f, "shop", shop, s)
		if !got.HasScope(storekeep.ScopeReadCustomers) {
			f.Error("scopes lost")
		}
	}},
	{"UnknownAPITokenIsNotFound", func(f fixture) {
		s := f.shop("a.example")
		_, err := f.s.CreateAPIToken(f.ctx, storekeep.APIToken{ShopID: s.ID, Kind: storekeep.APITokenPublic, Hash: f.keys.Hash("known"), CreatedAt: t0})
		f.must(err)
		_, _, err = f.s.APITokenByHash(f.ctx, f.keys.Hashes("unknown"))
		f.is(err, storekeep.ErrNotFound, "unknown token")
		_, _, err = f.s.APITokenByHash(f.ctx, nil)
		f.is(err, storekeep.ErrNotFound, "no hashes")
	}},
	{"APITokenHashIsUnique", func(f fixture) {
		s := f.shop("a.example")
		t := storekeep.APIToken{ShopID: s.ID, Kind: storekeep.APITokenPublic, Hash: f.keys.Hash("tok"), CreatedAt: t0}
		_, err := f.s.CreateAPIToken(f.ctx, t)
		f.must(err)
		_, err = f.s.CreateAPIToken(f.ctx, t)
		f.is(err, storekeep.ErrConflict, "same hash again")
	}},
}
