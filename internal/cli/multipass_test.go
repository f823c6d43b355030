package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestShopCreateTurnsMultipassOnWithASealedSecret(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "sk.db")
	env := map[string]string{"STOREKEEP_DB": db}
	const secret = "5f4dcc3b5aa765d61d8327deb882cf99"
	code, out, errOut := runCLI(t, env, "shop", "create", "--domain", "a.example", "--multipass-secret", secret)
	if code != 0 || !strings.Contains(out, "Multipass sign-in is on") || strings.Contains(out+errOut, secret) {
		t.Fatalf("shop create: %d %q %q", code, out, errOut)
	}
	file := filepath.Join(dir, "multipass.secret")
	if err := os.WriteFile(file, []byte(strings.ToUpper(secret)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, env, "shop", "create", "--domain", "b.example", "--multipass-secret-file", file); code != 0 {
		t.Fatalf("shop create --multipass-secret-file: %d %s", code, errOut)
	}
	runCLI(t, env, "shop", "create", "--domain", "c.example")
	for domain, want := range map[string]string{"a.example": secret, "b.example": strings.ToUpper(secret), "c.example": ""} {
		store, shop := openShop(t, db, domain)
		got, err := store.MultipassSecret(context.Background(), shop.ID)
		if err != nil || got != want {
			t.Errorf("%s: secret %q, %v; want %q", domain, got, err, want)
		}
	}
	stored, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(stored, []byte(secret)) {
		t.Fatal("the Multipass secret is in the database file in the clear")
	}
}

func TestShopCreateRefusesAWeakOrAmbiguousMultipassSecret(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"STOREKEEP_DB": filepath.Join(dir, "sk.db")}
	file := filepath.Join(dir, "secret")
	os.WriteFile(file, []byte("5f4dcc3b5aa765d61d8327deb882cf99"), 0o600)
	for _, args := range [][]string{
		{"--multipass-secret", "short"},
		{"--multipass-secret", "has a space in it, sixteen+"},
		{"--multipass-secret", "tab\tseparated-secret-value"},
		{"--multipass-secret", strings.Repeat("x", 1025)},
		{"--multipass-secret-file", filepath.Join(dir, "missing")},
	} {
		code, _, errOut := runCLI(t, env, append([]string{"shop", "create", "--domain", "a.example"}, args...)...)
		if code != 1 || !strings.Contains(errOut, "multipass-secret") {
			t.Errorf("%q: %d %s", args, code, errOut)
		}
	}
	if code, _, errOut := runCLI(t, env, "shop", "create", "--domain", "a.example"); code != 0 {
		t.Fatalf("a refused command created the shop: %d %s", code, errOut)
	}
}

func TestShopUpdateTurnsMultipassOnRotatesItsSecretAndTurnsItOff(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "sk.db")
	env := map[string]string{"STOREKEEP_DB": db}
	if code, _, errOut := runCLI(t, env, "shop", "create", "--domain", "a.example"); code != 0 {
		t.Fatalf("shop create: %d %s", code, errOut)
	}
	secretOf := func() string {
		t.Helper()
		store, shop := openShop(t, db, "a.example")
		got, err := store.MultipassSecret(context.Background(), shop.ID)
		if err != nil {
			t.Fatal(err)
		}
		store.Close()
		return got
	}
	const first, second = "5f4dcc3b5aa765d61d8327deb882cf99", "0123456789abcdef0123456789abcdef"
	code, out, errOut := runCLI(t, env, "shop", "update", "--domain", "a.example", "--multipass-secret", first)
	if code != 0 || !strings.Contains(out, "Multipass sign-in is on") || strings.Contains(out+errOut, first) || secretOf() != first {
		t.Fatalf("turning Multipass on: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, env, "shop", "update", "--domain", "a.example", "--name", "A"); code != 0 || secretOf() != first {
		t.Fatalf("an update without the flag changed the secret: %d %s", code, errOut)
	}
	for _, c := range []struct {
		args []string
		code int
	}{{[]string{"--multipass-secret", "short"}, 1}, {[]string{"--multipass-secret", second, "--multipass-secret-file", db}, 2}} {
		code, _, errOut := runCLI(t, env, append([]string{"shop", "update", "--domain", "a.example", "--name", "B"}, c.args...)...)
		if code != c.code || !strings.Contains(errOut, "multipass-secret") || secretOf() != first {
			t.Fatalf("%q: %d %s; want %d", c.args, code, errOut, c.code)
		}
	}
	file := filepath.Join(dir, "secret")
	os.WriteFile(file, []byte(second+"\n"), 0o600)
	if code, _, errOut := runCLI(t, env, "shop", "update", "--domain", "a.example", "--multipass-secret-file", file); code != 0 || secretOf() != second {
		t.Fatalf("rotating the secret: %d %s", code, errOut)
	}
	code, out, errOut = runCLI(t, env, "shop", "update", "--domain", "a.example", "--multipass-secret", "")
	if code != 0 || !strings.Contains(out, "Multipass sign-in is off") || secretOf() != "" {
		t.Fatalf("turning Multipass off: %d %q %q", code, out, errOut)
	}
}
