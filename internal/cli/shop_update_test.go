package cli

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
)

// openStore opens the store of db as the commands do, logging nowhere.
func openStore(t *testing.T, db string) app.Store {
	t.Helper()
	d := dbFlags{db: db}
	store, _, err := d.open(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// shopOf reads the shop of domain from db.
func shopOf(t *testing.T, db, domain string) storekeep.Shop {
	t.Helper()
	store := openStore(t, db)
	defer store.Close()
	shop, err := store.ShopByDomain(context.Background(), domain)
	if err != nil {
		t.Fatal(err)
	}
	return shop
}

func TestShopUpdateChangesOnlyTheSettingsItIsGiven(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sk.db")
	env := map[string]string{"STOREKEEP_DB": db}
	if code, _, errOut := runCLI(t, env, "shop", "create", "--domain", "shop.example", "--name", "Example",
		"--storefront-url", "https://shop.example"); code != 0 {
		t.Fatalf("shop create: %d %s", code, errOut)
	}
	before := shopOf(t, db, "shop.example")
	code, out, errOut := runCLI(t, env, "shop", "update", "--domain", "Shop.Example",
		"--mail-from", `"Bob's Shop" <hello@shop.example>`, "--reply-to", "care@shop.example", "--locale", "fr")
	if code != 0 || !strings.Contains(out, "shop.example") {
		t.Fatalf("shop update: %d %q %q", code, out, errOut)
	}
	want := before
	want.MailFrom, want.ReplyTo, want.Locale = `"Bob's Shop" <hello@shop.example>`, "care@shop.example", "fr"
	if got := shopOf(t, db, "shop.example"); got != want {
		t.Fatalf("after the mail settings: %+v, want %+v", got, want)
	}

	code, _, errOut = runCLI(t, env, "shop", "update", "--domain", "shop.example", "--name", "Renamed",
		"--storefront-url", "https://www.shop.example", "--enumeration", "shopify", "--reply-to", "")
	if code != 0 {
		t.Fatalf("shop update: %d %q", code, errOut)
	}
	want.Name, want.StorefrontURL, want.Enumeration, want.ReplyTo = "Renamed", "https://www.shop.example", storekeep.EnumerationShopify, ""
	if got := shopOf(t, db, "shop.example"); got != want {
		t.Fatalf("after the name, URL, mode and cleared reply-to: %+v, want %+v", got, want)
	}

	for _, args := range [][]string{
		{"--mail-from", "not an address"},
		{"--reply-to", "care@"},
		{"--reply-to", "care@shop.example\r\nBcc: x@evil.example"},
		{"--mail-from", "=?utf-8?q?Bob=0D=0ABcc=3A_x=40evil.example?= <hello@shop.example>"},
		{"--reply-to", "=?utf-8?q?Care=00?= <care@shop.example>"},
		{"--locale", "not a locale!"},
		{"--enumeration", "open"},
		{"--storefront-url", "javascript:alert(1)"},
		{"--name", ""},
		{"--name", "   "},
		{"--name", "Shop\nName"},
		{"--name", strings.Repeat("é", 128)},
	} {
		code, _, errOut := runCLI(t, env, append([]string{"shop", "update", "--domain", "shop.example", "--locale", "de"}, args...)...)
		if code == 0 || !strings.Contains(errOut, args[0]) {
			t.Errorf("%v: exit %d, %q; want a failure naming the flag", args, code, errOut)
		}
	}
	if got := shopOf(t, db, "shop.example"); got != want {
		t.Fatalf("a refused update changed the shop: %+v, want %+v", got, want)
	}
	if code, _, errOut := runCLI(t, env, "shop", "update", "--domain", "nowhere.example", "--locale", "fr"); code == 0 || !strings.Contains(errOut, "nowhere.example") {
		t.Errorf("update of an unknown shop: %d %q", code, errOut)
	}
}
