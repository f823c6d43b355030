package cli

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/secret"
)

// openApp builds a node on db with keys, without serving it.
func openApp(t *testing.T, db string, keys ...[]byte) (*app.App, error) {
	t.Helper()
	cfg := app.DefaultConfig()
	cfg.DB, cfg.SecretKeys = db, keys
	return app.New(context.Background(), cfg)
}

func TestALostKeyFileIsNotSilentlyReplaced(t *testing.T) {
	db := filepath.Join(t.TempDir(), "storekeep.db")
	keys, generated, err := loadKeys(db, "")
	if err != nil || !generated {
		t.Fatalf("first use: generated %v, %v", generated, err)
	}
	a, err := openApp(t, db, keys...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Store.CreateShop(context.Background(), storekeep.Shop{Domain: "shop.example", Name: "Shop", StorefrontURL: "https://shop.example", Enumeration: storekeep.EnumerationPrivate}, storekeep.ShopSecrets{}); err != nil {
		t.Fatal(err)
	}
	a.Close()

	if err := os.Remove(keyFile(db)); err != nil {
		t.Fatal(err)
	}
	_, generated, err = loadKeys(db, "")
	if err == nil || generated {
		t.Fatalf("key file gone: generated %v, err %v; want a refusal", generated, err)
	}
	for _, want := range []string{keyFile(db), "Restore", "--secret-key"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if _, err := os.Stat(keyFile(db)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a key file was written for the existing database: %v", err)
	}

	other, err := secret.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile(db), []byte(base64.RawURLEncoding.EncodeToString(other)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wrong, _, err := loadKeys(db, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openApp(t, db, wrong...); !errors.Is(err, app.ErrWrongKey) {
		t.Fatalf("another key in the key file: %v, want ErrWrongKey", err)
	}
	if err := os.WriteFile(keyFile(db), []byte(base64.RawURLEncoding.EncodeToString(keys[0])+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	restored, _, err := loadKeys(db, "")
	if err != nil {
		t.Fatal(err)
	}
	a, err = openApp(t, db, restored...)
	if err != nil {
		t.Fatalf("restored key file: %v", err)
	}
	a.Close()
}

// TestMigrateSealsTheShopsSecretsUnderTheNewKeySoTheOldCanLeave: after a
// rotation the old key leaves only once migrate, run with both, has sealed
// the shop's Multipass secret under the new key.
func TestMigrateSealsTheShopsSecretsUnderTheNewKeySoTheOldCanLeave(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sk.db")
	keyArg := func(keys ...string) map[string]string {
		return map[string]string{"STOREKEEP_DB": db, "STOREKEEP_SECRET_KEY": strings.Join(keys, ",")}
	}
	newKey := func() string {
		k, err := secret.NewKey()
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(k)
	}
	old, rotated := newKey(), newKey()
	if code, _, errOut := runCLI(t, keyArg(old), "shop", "create", "--domain", "shop.example",
		"--multipass-secret", "5f4dcc3b5aa765d61d8327deb882cf99"); code != 0 {
		t.Fatalf("shop create: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, keyArg(rotated, old), "token", "create", "--shop", "shop.example", "--public"); code != 0 {
		t.Fatalf("token create with the new key first: %d %s", code, errOut)
	}
	code, _, errOut := runCLI(t, keyArg(rotated), "migrate")
	if code != 1 || !strings.Contains(errOut, "shop 1: multipass_secret") || !strings.Contains(errOut, "storekeep migrate") {
		t.Fatalf("migrate without the key the secret is sealed under: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, keyArg(rotated, old), "migrate"); code != 0 || !strings.Contains(errOut, "sealed under the newest key") {
		t.Fatalf("migrate with both keys: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, keyArg(rotated), "migrate"); code != 0 {
		t.Fatalf("migrate without the old key once the secret was sealed again: %d %s", code, errOut)
	}
}
