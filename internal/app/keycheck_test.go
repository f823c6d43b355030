package app_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/secret"
)

func newKey(t *testing.T) []byte {
	t.Helper()
	k, err := secret.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// openApp builds a node on db with keys, without serving it.
func openApp(db string, keys ...[]byte) (*app.App, error) {
	cfg := app.DefaultConfig()
	cfg.DB, cfg.SecretKeys, cfg.HashParams = db, keys, fastHashing
	return app.New(context.Background(), cfg)
}

func TestAWrongSecretKeyIsRefusedAndRotationIsNot(t *testing.T) {
	var old []byte
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) { old = c.SecretKeys[0] })
	n.signUp("key@example.com", "first-secret-1")
	n.stop()

	wrong := newKey(t)
	_, err := openApp(n.db, wrong)
	if !errors.Is(err, app.ErrWrongKey) {
		t.Fatalf("--secret-key with another key: %v, want ErrWrongKey", err)
	}
	for _, want := range []string{"different server key", "Restore", "--secret-key NEW,OLD"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}

	rotated := newKey(t)
	a, err := openApp(n.db, rotated, old)
	if err != nil {
		t.Fatalf("rotation (new key first, old kept): %v", err)
	}
	a.Close()
	for _, keys := range [][][]byte{{old}, {rotated}} {
		a, err := openApp(n.db, keys...)
		if err != nil {
			t.Fatalf("a key that wrote to the database: %v", err)
		}
		a.Close()
	}
	if _, err := openApp(n.db, wrong, newKey(t)); !errors.Is(err, app.ErrWrongKey) {
		t.Fatalf("two keys that never wrote: %v, want ErrWrongKey", err)
	}
}

func TestReadyzIsNotReadyWhenTheKeysCannotReadTheDatabase(t *testing.T) {
	n := startNode(t)
	if code, _ := get(t, n.base+"/readyz"); code != 200 {
		t.Fatalf("readyz: %d", code)
	}
	// The node writes to its file meanwhile (its outbox worker, its jobs):
	// this second writer waits for the lock as the node's own does.
	driver, dsn := "sqlite", n.db+"?_busy_timeout=5000"
	overwrite, restore := `UPDATE key_checks SET check_value = randomblob(32)`, `UPDATE key_checks SET check_value = ?`
	if backend == "postgres" {
		driver, dsn = "pgx", n.db
		overwrite = `UPDATE key_checks SET check_value = decode(md5(random()::text) || md5(random()::text), 'hex')`
		restore = `UPDATE key_checks SET check_value = $1`
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var kept []byte
	if err := db.QueryRow(`SELECT check_value FROM key_checks`).Scan(&kept); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(overwrite); err != nil {
		t.Fatal(err)
	}
	n.clock.Advance(app.KeyCheckTTL - time.Second)
	if code, _ := get(t, n.base+"/readyz"); code != 200 {
		t.Fatalf("readyz within %v of a passing key check: %d, want 200 without reading the checks again", app.KeyCheckTTL, code)
	}
	n.clock.Advance(time.Second)
	if code, _ := get(t, n.base+"/readyz"); code != 503 {
		t.Fatalf("readyz with a database written under another key: %d, want 503", code)
	}
	if !strings.Contains(n.logs.String(), "different server key") {
		t.Fatal("the reason is not logged")
	}
	if _, err := db.Exec(restore, kept); err != nil {
		t.Fatal(err)
	}
	if code, _ := get(t, n.base+"/readyz"); code != 200 {
		t.Fatalf("readyz once the checks are back, at the same instant: %d, want 200 (a failure is not kept)", code)
	}
	if _, err := db.Exec(overwrite); err != nil {
		t.Fatal(err)
	}
	if code, _ := get(t, n.base+"/readyz"); code != 200 {
		t.Fatalf("readyz just after a passing check: %d, want 200", code)
	}
}

func TestABadRedisURLIsRefusedBeforeTheDatabaseIsTouched(t *testing.T) {
	cfg := app.DefaultConfig()
	cfg.DB, cfg.SecretKeys, cfg.HashParams = filepath.Join(t.TempDir(), "sk.db"), [][]byte{newKey(t)}, fastHashing
	cfg.Redis = "http://127.0.0.1:6379"
	if _, err := app.New(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "--redis") {
		t.Fatalf("New with an http:// Redis URL: %v, want an error naming --redis", err)
	}
	if _, err := os.Stat(cfg.DB); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the database was created: %v", err)
	}
}

// TestRotationKeepsTheShopsSecretsAndDroppingAKeyStillInUseIsRefused: a
// node started with a new key before the old one leaves the shops' secrets
// to the old key (a node not yet given the new one still opens them) until
// ResealShopSecrets (storekeep migrate) seals them under the new key; a
// ring without the key a secret is sealed under is refused, not run with a
// shop whose webhooks and Multipass sign-ins fail.
func TestRotationKeepsTheShopsSecretsAndDroppingAKeyStillInUseIsRefused(t *testing.T) {
	ctx := context.Background()
	var old []byte
	n := startMultipassNode(t, func(c *app.Config, _ *storekeep.Shop) { old = c.SecretKeys[0] })
	n.setWebhookSecret()
	shopID := n.shop.ID
	n.stop()

	rotated := newKey(t)
	a, err := openApp(n.db, rotated, old)
	if err != nil {
		t.Fatalf("rotation: %v", err)
	}
	a.Close()
	_, err = openApp(n.db, rotated)
	if !errors.Is(err, app.ErrKeyStillInUse) {
		t.Fatalf("the old key left out before the secrets were sealed again: %v, want ErrKeyStillInUse", err)
	}
	for _, want := range []string{"shop " + strconv.FormatInt(shopID, 10) + ": webhook_secret", "multipass_secret", "--secret-key NEW,OLD", "storekeep migrate"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	a, err = openApp(n.db, old)
	if err != nil {
		t.Fatalf("a node not yet given the new key: %v", err)
	}
	a.Close()

	a, err = openApp(n.db, rotated, old)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := a.Store.ResealShopSecrets(ctx); err != nil || got != 2 {
		t.Fatalf("ResealShopSecrets = %d, %v; want 2", got, err)
	}
	if got, err := a.Store.ResealShopSecrets(ctx); err != nil || got != 0 {
		t.Fatalf("ResealShopSecrets again = %d, %v; want 0", got, err)
	}
	a.Close()

	if _, err = openApp(n.db, old); !errors.Is(err, app.ErrKeyStillInUse) {
		t.Fatalf("the new key left out once it sealed the secrets: %v, want ErrKeyStillInUse", err)
	}
	a, err = openApp(n.db, rotated)
	if err != nil {
		t.Fatalf("the old key left out once the secrets were sealed again: %v", err)
	}
	defer a.Close()
	if got, err := a.Store.MultipassSecret(ctx, shopID); err != nil || got != multipassSecret {
		t.Errorf("Multipass secret after the old key left: %q, %v", got, err)
	}
	if _, got, err := a.Store.WebhookSecret(ctx, n.shop.Domain); err != nil || string(got) != webhookSecret {
		t.Errorf("webhook secret after the old key left: %q, %v", got, err)
	}
}
