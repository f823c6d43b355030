package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/multipass"
	"github.com/storekeep/storekeep/order"
)

// secretFlags are a secret's two flags: --<name> on the command line
// or, to keep it out of process lists and shell history, --<name>-file.
type secretFlags struct {
	name         string
	secret, file string
	check        func(string) error
}

// defineSecret defines --<name> and --<name>-file; check, when not nil,
// judges the value.
func defineSecret(fs *flag.FlagSet, name, usage string, check func(string) error) *secretFlags {
	f := &secretFlags{}
	f.define(fs, name, usage, check)
	return f
}

// define defines f's flags, --<name> and --<name>-file, on fs.
func (f *secretFlags) define(fs *flag.FlagSet, name, usage string, check func(string) error) {
	f.name, f.check = name, check
	fs.StringVar(&f.secret, name, "", usage)
	fs.StringVar(&f.file, name+"-file", "", "a file holding the --"+name+" value")
}

// value returns the secret given, checked; given is false when neither
// flag was.
func (f *secretFlags) value() (secret string, given bool, err error) {
	switch {
	case f.secret != "" && f.file != "":
		return "", false, usagef("give --%s or --%s-file, not both", f.name, f.name)
	case f.file != "":
		if secret, err = secretFile("--"+f.name+"-file", f.file); err != nil {
			return "", false, err
		}
	case f.secret == "":
		return "", false, nil
	default:
		secret = f.secret
	}
	if f.check == nil {
		return secret, true, nil
	}
	if err := f.check(secret); err != nil {
		return "", false, fmt.Errorf("--%s: %w", f.name, err)
	}
	return secret, true, nil
}

// secretChange is the change a secret flag asks of a shop: none when it
// was not given, else the secret ("" removing it).
func secretChange(secret string, given bool) *string {
	if !given {
		return nil
	}
	return &secret
}

// ownWebhookSecret refuses, naming it, a webhook secret that a shop other
// than shopID (0 for one not yet made) holds (order.ShopHoldingSecret).
func ownWebhookSecret(ctx context.Context, store storekeep.OrderStore, shopID int64, secret *string) error {
	if secret == nil || *secret == "" {
		return nil
	}
	other, err := order.ShopHoldingSecret(ctx, store, shopID, *secret)
	if err != nil {
		return err
	}
	if other != "" {
		return fmt.Errorf("--webhook-secret: the shop %s has this secret; each shop has its own (Shopify shows it under "+
			"Settings > Notifications > Webhooks)", other)
	}
	return nil
}

// A webhook secret's length, in bytes: at least 16, so that a signature
// cannot be forged by guessing it (Shopify's are 64 hexadecimal digits),
// at most 256.
const (
	minWebhookSecret = 16
	maxWebhookSecret = 256
)

// checkWebhookSecret refuses a secret shorter than minWebhookSecret or
// longer than maxWebhookSecret bytes, or with anything but printable
// ASCII without spaces in it.
func checkWebhookSecret(s string) error {
	if len(s) < minWebhookSecret || len(s) > maxWebhookSecret {
		return fmt.Errorf("must be %d to %d bytes, not %d", minWebhookSecret, maxWebhookSecret, len(s))
	}
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f {
			return errors.New("must be printable ASCII without spaces")
		}
	}
	return nil
}

func defineWebhookSecret(fs *flag.FlagSet) *secretFlags {
	return defineSecret(fs, "webhook-secret", "the secret Shopify signs the shop's order webhooks with (Settings > "+
		"Notifications > Webhooks in the Shopify admin; stored sealed with the server keys)", checkWebhookSecret)
}

func defineMultipassSecret(fs *flag.FlagSet) *secretFlags {
	return defineSecret(fs, "multipass-secret", "the shop's Multipass secret, which turns Multipass sign-in on "+
		"(stored sealed with the server keys)", multipass.CheckSecret)
}
