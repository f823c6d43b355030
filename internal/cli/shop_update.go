package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/mail"

	"golang.org/x/text/language"

	"github.com/storekeep/storekeep"
)

// setupShopUpdate changes the settings of a shop that its flags name; the
// others stay. An empty --mail-from, --reply-to, --locale or
// --storefront-url clears that setting; an empty --multipass-secret turns
// Multipass sign-in off.
func setupShopUpdate(fs *flag.FlagSet, env *environment) func(context.Context) error {
	var d dbFlags
	d.define(fs)
	domain := fs.String("domain", "", "the domain of the shop to change (required)")
	name := fs.String("name", "", "the shop's name, shown in mail")
	storefront := fs.String("storefront-url", "", "base URL of links in mail; empty: https://<domain>")
	enumeration := fs.String("enumeration", "", "what customerRecover says of unknown emails: private or shopify")
	mailFrom := fs.String("mail-from", "", `the shop's sender address, such as "Bob's Shop" <hello@bob.example>; empty: serve's --mail-from`)
	replyTo := fs.String("reply-to", "", "the address replies to the shop's mail go to; empty: none")
	locale := fs.String("locale", "", "the shop's mail locale when a request names none it has, such as fr; empty: English")
	webhook := defineWebhookSecret(fs)
	mp := defineMultipassSecret(fs)
	return func(ctx context.Context) error {
		if err := required("domain", *domain); err != nil {
			return err
		}
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		webhookSecret, withWebhook, err := webhook.value()
		if err != nil {
			return err
		}
		withWebhook = withWebhook || set["webhook-secret"]
		multipassSecret, withMultipass, err := mp.value()
		if err != nil {
			return err
		}
		withMultipass = withMultipass || set["multipass-secret"]
		shopDomain, err := storekeep.NormalizeShopDomain(*domain)
		if err != nil {
			return fmt.Errorf("--domain: %w", err)
		}
		store, _, err := d.open(ctx, quietLogger(env))
		if err != nil {
			return err
		}
		defer store.Close()
		shop, err := store.ShopByDomain(ctx, shopDomain)
		if errors.Is(err, storekeep.ErrNotFound) {
			return fmt.Errorf("no shop has the domain %q", shopDomain)
		}
		if err != nil {
			return err
		}
		if err := applyShopFlags(&shop, set, shopFlags{*name, *storefront, *enumeration, *mailFrom, *replyTo, *locale}); err != nil {
			return err
		}
		secrets := storekeep.ShopSecrets{
			Webhook:   secretChange(webhookSecret, withWebhook),
			Multipass: secretChange(multipassSecret, withMultipass),
		}
		if err := ownWebhookSecret(ctx, store, shop.ID, secrets.Webhook); err != nil {
			return err
		}
		if err := store.UpdateShop(ctx, shop, secrets); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "updated shop %s (%s)\n", shop.Domain, shop.Name)
		switch {
		case withMultipass && multipassSecret != "":
			fmt.Fprintln(env.stdout, "Multipass sign-in is on, with the new secret")
		case withMultipass:
			fmt.Fprintln(env.stdout, "Multipass sign-in is off")
		}
		return nil
	}
}

// shopFlags are the values of shop update's setting flags.
type shopFlags struct{ name, storefront, enumeration, mailFrom, replyTo, locale string }

// applyShopFlags sets on shop the settings whose flags are in set, and
// refuses a value that cannot work, naming its flag.
func applyShopFlags(shop *storekeep.Shop, set map[string]bool, f shopFlags) error {
	var errs []error
	if set["name"] {
		n, err := storekeep.NormalizeShopName(f.name)
		if err != nil {
			errs = append(errs, fmt.Errorf("--name: %w", err))
		}
		shop.Name = n
	}
	if set["storefront-url"] {
		shop.StorefrontURL = ""
		if f.storefront != "" {
			u, err := storekeep.NormalizeStorefrontURL(f.storefront)
			if err != nil {
				errs = append(errs, fmt.Errorf("--storefront-url: %w", err))
			}
			shop.StorefrontURL = u
		}
	}
	if set["enumeration"] {
		mode := storekeep.Enumeration(f.enumeration)
		if mode != storekeep.EnumerationPrivate && mode != storekeep.EnumerationShopify {
			errs = append(errs, fmt.Errorf("--enumeration must be private or shopify, not %q", f.enumeration))
		}
		shop.Enumeration = mode
	}
	for _, a := range []struct {
		flag, value string
		field       *string
	}{{"mail-from", f.mailFrom, &shop.MailFrom}, {"reply-to", f.replyTo, &shop.ReplyTo}} {
		if !set[a.flag] {
			continue
		}
		if a.value != "" {
			// The name is checked decoded too: an RFC 2047 encoded word
			// can hide a line break or a NUL.
			if addr, err := mail.ParseAddress(a.value); err != nil || !storekeep.PlainLine(a.value) || !storekeep.PlainLine(addr.Name) {
				errs = append(errs, fmt.Errorf("--%s: %q is not a mail address on one line", a.flag, a.value))
			}
		}
		*a.field = a.value
	}
	if set["locale"] {
		if f.locale != "" {
			if _, err := language.Parse(f.locale); err != nil || !storekeep.PlainLine(f.locale) {
				errs = append(errs, fmt.Errorf("--locale: %q is not a language tag such as fr or pt-BR", f.locale))
			}
		}
		shop.Locale = f.locale
	}
	return errors.Join(errs...)
}
