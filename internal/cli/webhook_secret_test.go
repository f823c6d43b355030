package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// A delivery is verified under the secret of the shop its
// X-Shopify-Shop-Domain names, which is not signed: with one secret given
// to two shops, a captured delivery of one is taken by the other under
// its domain. shop create and shop update refuse a webhook secret another
// shop holds, naming it, and change nothing.
func TestAWebhookSecretIsOneShopsOnly(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sk.db")
	env := map[string]string{"STOREKEEP_DB": db}
	const shared, own = "shpss_shared-0123456789abcdef", "shpss_own-0123456789abcdef"
	secretOf := func(domain string) string {
		t.Helper()
		store := openStore(t, db)
		defer store.Close()
		_, secret, err := store.WebhookSecret(context.Background(), domain)
		if err != nil {
			t.Fatal(err)
		}
		return string(secret)
	}
	if code, _, errOut := runCLI(t, env, "shop", "create", "--domain", "a.myshopify.com", "--webhook-secret", shared); code != 0 {
		t.Fatalf("shop create: %d %s", code, errOut)
	}
	code, _, errOut := runCLI(t, env, "shop", "create", "--domain", "b.myshopify.com", "--webhook-secret", shared)
	if code != 1 || !strings.Contains(errOut, "--webhook-secret") || !strings.Contains(errOut, "a.myshopify.com") {
		t.Fatalf("a second shop with the first's secret: %d %q, want a refusal naming the flag and the shop", code, errOut)
	}
	if code, _, _ := runCLI(t, env, "shop", "update", "--domain", "b.myshopify.com", "--name", "B"); code == 0 {
		t.Fatal("the refused shop create made the shop")
	}
	if code, _, errOut := runCLI(t, env, "shop", "create", "--domain", "b.myshopify.com", "--webhook-secret", own); code != 0 {
		t.Fatalf("shop create with its own secret: %d %s", code, errOut)
	}
	code, _, errOut = runCLI(t, env, "shop", "update", "--domain", "b.myshopify.com", "--name", "B", "--webhook-secret", shared)
	if code != 1 || !strings.Contains(errOut, "a.myshopify.com") {
		t.Fatalf("shop update to another shop's secret: %d %q, want a refusal naming the shop", code, errOut)
	}
	if got := secretOf("b.myshopify.com"); got != own {
		t.Fatalf("after the refused update the secret is %q, want %q", got, own)
	}
	if got := shopOf(t, db, "b.myshopify.com"); got.Name != "b.myshopify.com" {
		t.Fatalf("the refused update renamed the shop to %q", got.Name)
	}
	if code, _, errOut := runCLI(t, env, "shop", "update", "--domain", "a.myshopify.com", "--webhook-secret", shared); code != 0 {
		t.Fatalf("a shop given its own secret again: %d %s", code, errOut)
	}
}
