package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/storekeep/storekeep"
)

func setupTokenList(fs *flag.FlagSet, env *environment) func(context.Context) error {
	var d dbFlags
	d.define(fs)
	shopDomain := fs.String("shop", "", "the shop's domain (required)")
	return func(ctx context.Context) error {
		if err := required("shop", *shopDomain); err != nil {
			return err
		}
		store, _, shop, err := d.openShop(ctx, env, *shopDomain)
		if err != nil {
			return err
		}
		defer store.Close()
		tokens, err := store.APITokens(ctx, shop.ID)
		if err != nil {
			return err
		}
		w := newTable(env.stdout)
		fmt.Fprintln(w, "ID\tKIND\tSCOPES\tCREATED")
		for _, t := range tokens {
			scopes := make([]string, len(t.Scopes))
			for i, s := range t.Scopes {
				scopes[i] = string(s)
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", t.ID, cell(string(t.Kind)), cell(strings.Join(scopes, ",")),
				t.CreatedAt.UTC().Format(time.RFC3339))
		}
		return w.Flush()
	}
}

func setupTokenRevoke(fs *flag.FlagSet, env *environment) func(context.Context) error {
	var d dbFlags
	d.define(fs)
	shopDomain := fs.String("shop", "", "the shop the token belongs to (required)")
	ids := defineID(fs, "token", "the token to revoke, as listed by 'storekeep token list'; or give it as the argument",
		"storekeep token revoke --shop DOMAIN ID")
	return func(ctx context.Context) error {
		if err := required("shop", *shopDomain); err != nil {
			return err
		}
		id, err := ids.value(env.arg)
		if err != nil {
			return err
		}
		store, _, shop, err := d.openShop(ctx, env, *shopDomain)
		if err != nil {
			return err
		}
		defer store.Close()
		ev := storekeep.AuditEvent{ShopID: shop.ID, Kind: storekeep.AuditAPITokenRevoked, IP: "cli", At: time.Now().UTC()}
		t, err := store.DeleteAPIToken(ctx, shop.ID, id, ev)
		if errors.Is(err, storekeep.ErrNotFound) {
			return fmt.Errorf("%s has no token %d (see storekeep token list --shop %s)", shop.Domain, id, shop.Domain)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "revoked %s of %s; running servers refuse it within 1 s\n", t.Label(), shop.Domain)
		return nil
	}
}
