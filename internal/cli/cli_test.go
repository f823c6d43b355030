package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// runCLI runs storekeep with args and env, returning exit code and output.
func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestHelpListsCommandsAndFlagsWithTheirEnvironmentVariables(t *testing.T) {
	code, out, _ := runCLI(t, nil, "--help")
	if code != 0 || !strings.Contains(out, "token create") || !strings.Contains(out, "STOREKEEP_") {
		t.Fatalf("%d %s", code, out)
	}
	for _, cmd := range []string{"serve", "migrate", "shop create", "token create", "customer create"} {
		code, out, _ := runCLI(t, nil, append(strings.Fields(cmd), "--help")...)
		if code != 0 || !strings.Contains(out, "--db") || !strings.Contains(out, "STOREKEEP_DB") {
			t.Errorf("%s --help: %d %s", cmd, code, out)
		}
	}
	if code, _, errOut := runCLI(t, nil, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Fatalf("unknown command: %d %s", code, errOut)
	}
	if code, _, _ := runCLI(t, nil, "shop", "create", "--nope"); code != 2 {
		t.Fatalf("unknown flag: %d", code)
	}
}

// TestAMissingFlagOrArgumentOrAContradictionIsAUsageError: these exit 2,
// as a flag that does not parse does, and show the command's usage;
// exit 1 is left to failures of what the command does.
func TestAMissingFlagOrArgumentOrAContradictionIsAUsageError(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"STOREKEEP_DB": filepath.Join(dir, "sk.db")}
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("5f4dcc3b5aa765d61d8327deb882cf99"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"shop", "create"}, "--domain is required"},
		{[]string{"shop", "update"}, "--domain is required"},
		{[]string{"token", "create", "--public"}, "--shop is required"},
		{[]string{"token", "create", "--shop", "shop.example"}, "exactly one of --public and --private"},
		{[]string{"token", "create", "--shop", "shop.example", "--public", "--private"}, "exactly one of --public and --private"},
		{[]string{"customer", "create", "--shop", "shop.example"}, "--email is required"},
		{[]string{"customer", "import", "--shop", "shop.example"}, "give the export to read"},
		{[]string{"customer", "import", "customers_export.csv"}, "--shop is required"},
		{[]string{"order", "import", "--shop", "shop.example"}, "give the FILE"},
		{[]string{"mail", "retry"}, "ID is required"},
		{[]string{"mail", "retry", "3", "--id", "4"}, "two IDs"},
		{[]string{"shop", "create", "--domain", "a.example", "--multipass-secret", "5f4dcc3b5aa765d61d8327deb882cf99", "--multipass-secret-file", secret}, "not both"},
		{[]string{"serve", "--dkim-key", "key.pem"}, "--dkim-selector is required"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--smtp", "smtp://u:inline@127.0.0.1:1", "--smtp-password-file", secret}, "not both"},
	} {
		code, out, errOut := runCLI(t, env, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) || !strings.Contains(errOut, "usage: storekeep") || out != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 2 and %q with the usage", strings.Join(c.args, " "), code, out, errOut, c.want)
		}
	}
}

func TestAdminCommandsCreateAShopATokenAndCustomers(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sk.db")
	env := map[string]string{"STOREKEEP_DB": db}
	if code, out, errOut := runCLI(t, env, "shop", "create", "--domain", "Shop.Example", "--name", "Example"); code != 0 || !strings.Contains(out, "shop.example") {
		t.Fatalf("shop create: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, env, "shop", "create", "--domain", "shop.example"); code != 1 || !strings.Contains(errOut, "exists") {
		t.Fatalf("duplicate shop: %d %s", code, errOut)
	}
	code, out, errOut := runCLI(t, env, "token", "create", "--shop", "shop.example", "--private", "--scopes", "unauthenticated_write_customers")
	if code != 0 || !regexp.MustCompile(`^[A-Za-z0-9_-]{43}\n$`).MatchString(out) {
		t.Fatalf("token create must print the token alone: %d %q %s", code, out, errOut)
	}
	if code, _, _ := runCLI(t, env, "token", "create", "--shop", "shop.example"); code != 2 {
		t.Fatalf("neither --public nor --private: %d", code)
	}
	if code, out, errOut := runCLI(t, env, "customer", "create", "--shop", "shop.example", "--email", "ada@example.com", "--password", "first-secret-1"); code != 0 || !strings.Contains(out, "gid://shopify/Customer/") || !strings.Contains(out, "enabled") {
		t.Fatalf("customer create: %d %s %s", code, out, errOut)
	}
	if code, out, _ := runCLI(t, env, "customer", "create", "--shop", " SHOP.example ", "--email", "bo@example.com"); code != 0 || !strings.Contains(out, "invited") {
		t.Fatalf("invite: %d %s", code, out)
	}
	if code, _, errOut := runCLI(t, env, "token", "create", "--shop", "Shop.Example.", "--public", "--scopes", "unauthenticated_read_customers"); code != 0 {
		t.Fatalf("--shop with a final dot, as shop create takes it: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, env, "customer", "create", "--shop", "https://shop.example/", "--email", "cy@example.com"); code != 1 || !strings.Contains(errOut, "not a URL") {
		t.Fatalf("--shop given as a URL: %d %s; want the reason shop create gives", code, errOut)
	}
	if code, _, errOut := runCLI(t, env, "customer", "create", "--shop", "shop.example", "--email", "cy@example.com", "--password", "abc"); code != 1 || !strings.Contains(errOut, "TOO_SHORT") {
		t.Fatalf("bad password: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, env, "customer", "create", "--shop", "shop.example", "--email", "ADA@example.com", "--password", "other-secret-1"); code != 1 || !strings.Contains(errOut, "TAKEN") {
		t.Fatalf("an address with an account, in a private shop: %d %s; an administrator is told TAKEN", code, errOut)
	}
}

func TestServeAnswersUntilCancelled(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sk.db")
	env := map[string]string{"STOREKEEP_DB": db, "STOREKEEP_ADDR": "127.0.0.1:0", "STOREKEEP_ADMIN_ADDR": "127.0.0.1:0", "STOREKEEP_LOG_LEVEL": "warn"}
	runCLI(t, env, "shop", "create", "--domain", "shop.example")
	_, token, _ := runCLI(t, env, "token", "create", "--shop", "shop.example", "--public")
	token = strings.TrimSpace(token)

	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"serve"}, func(k string) string { return env[k] }, pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	base := strings.TrimSpace(strings.TrimPrefix(line, "storekeep listening on "))
	body := strings.NewReader(`{"query":"mutation { customerRecover(email: \"x@example.com\") { customerUserErrors { code } } }"}`)
	req, _ := http.NewRequest("POST", base+"/api/2026-10/graphql.json", body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Storefront-Access-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if resp.StatusCode != 200 || got["data"] == nil {
		t.Fatalf("%d %v", resp.StatusCode, got)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after its context ended")
	}
}

func TestAdminCommandsRefuseUnknownScopesAndMalformedShops(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sk.db")
	env := map[string]string{"STOREKEEP_DB": db}
	for _, args := range [][]string{
		{"shop", "create", "--domain", "https://shop.example/"},
		{"shop", "create", "--domain", "not a domain"},
		{"shop", "create", "--domain", "shop.example", "--storefront-url", "not a domain"},
		{"shop", "create", "--domain", "shop.example", "--storefront-url", "https://shop.example/?x=1"},
		{"shop", "create", "--domain", "shop.example", "--storefront-url", "https://shop.example/a/../store"},
		{"shop", "create", "--domain", "shop.example", "--name", "Shop\r\nBcc: x@evil.example"},
		{"shop", "create", "--domain", "shop.example", "--name", strings.Repeat("A", 256)},
		{"shop", "create", "--domain", "shop.example", "--name", "Bad\xffUTF-8"},
	} {
		if code, _, errOut := runCLI(t, env, args...); code != 1 || !strings.Contains(errOut, args[len(args)-2]) {
			t.Errorf("%q: exit %d, %q; want a refusal naming %s", args, code, errOut, args[len(args)-2])
		}
	}
	if code, out, errOut := runCLI(t, env, "shop", "create", "--domain", "Shop.Example.", "--storefront-url", "http://127.0.0.1:8080/"); code != 0 || !strings.Contains(out, "created shop shop.example") || !strings.Contains(out, "links go to http://127.0.0.1:8080\n") {
		t.Fatalf("shop create: %d %q %q", code, out, errOut)
	}
	code, out, errOut := runCLI(t, env, "token", "create", "--shop", "shop.example", "--public", "--scopes", "unauthenticated_read_customers,bogus_scope")
	if code != 1 || out != "" || !strings.Contains(errOut, `"bogus_scope"`) || !strings.Contains(errOut, "unauthenticated_write_customers, unauthenticated_read_customers") {
		t.Fatalf("bogus scope: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
