package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/internal/app"
)

// adminApp opens the database and assembles a node without serving it,
// for commands that act on accounts.
func adminApp(ctx context.Context, d dbFlags, log *slog.Logger) (*app.App, error) {
	keys, err := d.keys(log)
	if err != nil {
		return nil, err
	}
	cfg := app.DefaultConfig()
	cfg.DB, cfg.SecretKeys, cfg.Logger = d.db, keys, log
	return app.New(ctx, cfg)
}

func quietLogger(env *environment) *slog.Logger {
	return slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func required(name, value string) error {
	if strings.TrimSpace(value) == "" {
		return usagef("--%s is required", name)
	}
	return nil
}

func setupShopCreate(fs *flag.FlagSet, env *environment) func(context.Context) error {
	var d dbFlags
	d.define(fs)
	domain := fs.String("domain", "", "the shop's domain, e.g. shop.example (required)")
	name := fs.String("name", "", "the shop's name, shown in mail (default: the domain)")
	storefront := fs.String("storefront-url", "", "base URL of links in mail (default: https://<domain>, or the server's own address while it sends mail to the dev mailbox)")
	enumeration := fs.String("enumeration", string(storekeep.EnumerationPrivate), "what customerRecover says of unknown emails: private or shopify")
	webhook := defineWebhookSecret(fs)
	mp := defineMultipassSecret(fs)
	return func(ctx context.Context) error {
		if err := required("domain", *domain); err != nil {
			return err
		}
		webhookSecret, withWebhook, err := webhook.value()
		if err != nil {
			return err
		}
		multipassSecret, withMultipass, err := mp.value()
		if err != nil {
			return err
		}
		mode := storekeep.Enumeration(*enumeration)
		if mode != storekeep.EnumerationPrivate && mode != storekeep.EnumerationShopify {
			return fmt.Errorf("--enumeration must be private or shopify, not %q", *enumeration)
		}
		shopDomain, err := storekeep.NormalizeShopDomain(*domain)
		if err != nil {
			return fmt.Errorf("--domain: %w", err)
		}
		shopName := shopDomain
		if *name != "" {
			if shopName, err = storekeep.NormalizeShopName(*name); err != nil {
				return fmt.Errorf("--name: %w", err)
			}
		}
		var storefrontURL string
		if *storefront != "" {
			if storefrontURL, err = storekeep.NormalizeStorefrontURL(*storefront); err != nil {
				return fmt.Errorf("--storefront-url: %w", err)
			}
		}
		store, _, err := d.open(ctx, quietLogger(env))
		if err != nil {
			return err
		}
		defer store.Close()
		shop := storekeep.Shop{
			Domain:        shopDomain,
			Name:          shopName,
			StorefrontURL: storefrontURL,
			Enumeration:   mode,
			CreatedAt:     time.Now().UTC(),
		}
		secrets := storekeep.ShopSecrets{
			Webhook:   secretChange(webhookSecret, withWebhook),
			Multipass: secretChange(multipassSecret, withMultipass),
		}
		if err := ownWebhookSecret(ctx, store, 0, secrets.Webhook); err != nil {
			return err
		}
		created, err := store.CreateShop(ctx, shop, secrets)
		if errors.Is(err, storekeep.ErrConflict) {
			return fmt.Errorf("a shop with domain %q exists", shop.Domain)
		}
		if err != nil {
			return err
		}
		links := created.LinkBase("")
		if created.StorefrontURL == "" {
			links += ", or to the server itself while it sends mail to its dev mailbox (no --smtp)"
		}
		fmt.Fprintf(env.stdout, "created shop %s (%s), links go to %s\n", created.Domain, created.Name, links)
		if withMultipass {
			fmt.Fprintln(env.stdout, "Multipass sign-in is on")
		}
		return nil
	}
}

func setupTokenCreate(fs *flag.FlagSet, env *environment) func(context.Context) error {
	var d dbFlags
	d.define(fs)
	shopDomain := fs.String("shop", "", "the shop's domain (required)")
	public := fs.Bool("public", false, "a public token, for browsers (X-Shopify-Storefront-Access-Token)")
	private := fs.Bool("private", false, "a private token, for servers (Shopify-Storefront-Private-Token); may name the buyer's IP")
	scopes := fs.String("scopes", storekeep.ScopeList(), "access scopes, comma-separated")
	return func(ctx context.Context) error {
		if err := required("shop", *shopDomain); err != nil {
			return err
		}
		if *public == *private {
			return usagef("give exactly one of --public and --private")
		}
		kind := storekeep.APITokenPublic
		if *private {
			kind = storekeep.APITokenPrivate
		}
		list, err := storekeep.ParseScopes(*scopes)
		if err != nil {
			return fmt.Errorf("--scopes: %w", err)
		}
		store, keys, shop, err := d.openShop(ctx, env, *shopDomain)
		if err != nil {
			return err
		}
		defer store.Close()
		value, err := keys.NewToken()
		if err != nil {
			return err
		}
		_, err = store.CreateAPIToken(ctx, storekeep.APIToken{
			ShopID: shop.ID, Kind: kind, Scopes: list, Hash: keys.Hash(value), CreatedAt: time.Now().UTC(),
		})
		if err != nil {
			return err
		}
		fmt.Fprintln(env.stdout, value)
		return nil
	}
}

func setupCustomerCreate(fs *flag.FlagSet, env *environment) func(context.Context) error {
	var d dbFlags
	d.define(fs)
	shopDomain := fs.String("shop", "", "the shop's domain (required)")
	email := fs.String("email", "", "the customer's email (required)")
	pass := fs.String("password", "", "the password; without it the customer is invited and an activation mail is queued")
	first := fs.String("first-name", "", "first name")
	last := fs.String("last-name", "", "last name")
	return func(ctx context.Context) error {
		if err := errors.Join(required("shop", *shopDomain), required("email", *email)); err != nil {
			return err
		}
		a, err := adminApp(ctx, d, quietLogger(env))
		if err != nil {
			return err
		}
		defer a.Close()
		shop, err := shopByDomain(ctx, a.Store, *shopDomain)
		if err != nil {
			return err
		}
		in := account.CreateInput{Email: *email, Password: *pass, FirstName: first, LastName: last}
		var c storekeep.Customer
		if *pass != "" {
			c, err = a.Accounts.CreateByAdmin(ctx, shop, in)
		} else if c, err = a.Accounts.CreateInvited(ctx, shop, in); err == nil {
			err = a.Recovery.Invite(ctx, shop, c, storekeep.Caller{IP: "cli"})
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "created customer %s (%s), %s\n", c.GID(), c.Email, c.State)
		return nil
	}
}

// shopByDomain finds the shop --shop names, its domain normalised as
// shop create stores it (storekeep.NormalizeShopDomain).
func shopByDomain(ctx context.Context, shops storekeep.ShopStore, domain string) (storekeep.Shop, error) {
	d, err := storekeep.NormalizeShopDomain(domain)
	if err != nil {
		return storekeep.Shop{}, fmt.Errorf("--shop: %w", err)
	}
	shop, err := shops.ShopByDomain(ctx, d)
	if err != nil {
		return storekeep.Shop{}, fmt.Errorf("shop %q: %w", domain, err)
	}
	return shop, nil
}
