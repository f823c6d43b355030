package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/secret"
)

// serveInProcess runs `storekeep serve` with env and flags until the test
// ends and returns its base URL.
func serveInProcess(t *testing.T, env map[string]string, flags ...string) string {
	t.Helper()
	base, stop := serveUntilStopped(t, env, flags...)
	t.Cleanup(stop)
	return base
}

// serveUntilStopped runs serve as serveInProcess does and returns its
// base URL and a function that stops it and waits for it to return.
func serveUntilStopped(t *testing.T, env map[string]string, flags ...string) (base string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, append([]string{"serve", "--admin-addr", "127.0.0.1:0"}, flags...), func(k string) string { return env[k] }, pw, io.Discard)
		pw.Close()
	}()
	stop = sync.OnceFunc(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		stop()
		t.Fatalf("serve exited before listening: %v", err)
	}
	go io.Copy(io.Discard, pr)
	return strings.TrimSpace(strings.TrimPrefix(line, "storekeep listening on ")), stop
}

// openShop opens db with the key file beside it, as the commands do, and
// returns the store, closed when t ends, and the shop of domain.
func openShop(t *testing.T, db, domain string) (app.Store, storekeep.Shop) {
	t.Helper()
	keys, _, err := loadKeys(db, "")
	if err != nil {
		t.Fatal(err)
	}
	ring, err := secret.New(keys...)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store, err := app.OpenStore(ctx, db, ring)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	shop, err := store.ShopByDomain(ctx, domain)
	if err != nil {
		t.Fatal(err)
	}
	return store, shop
}

// storedHash reads the password hash of a customer straight from db.
func storedHash(t *testing.T, db, domain, email string) string {
	t.Helper()
	ctx := context.Background()
	store, shop := openShop(t, db, domain)
	c, err := store.CustomerByEmail(ctx, shop.ID, storekeep.NormalizeEmail(email))
	if err != nil {
		t.Fatal(err)
	}
	return c.PasswordHash
}

func TestHashCalibrateSuggestsFlagsThatServeApplies(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "hash", "calibrate", "--target", "1ms", "--max-memory", "8192")
	if code != 0 {
		t.Fatalf("calibrate: %d %s", code, errOut)
	}
	suggested := regexp.MustCompile(`--hash-memory (\d+) --hash-time (\d+) --hash-threads (\d+)`).FindStringSubmatch(out)
	if suggested == nil || suggested[1] != "8192" || suggested[2] != "1" || suggested[3] != "1" || !strings.Contains(out, "cannot be met") {
		t.Fatalf("an unreachable target must suggest the floor, m=8192 t=1 p=1:\n%s", out)
	}

	db := filepath.Join(t.TempDir(), "sk.db")
	env := map[string]string{"STOREKEEP_DB": db, "STOREKEEP_ADDR": "127.0.0.1:0", "STOREKEEP_LOG_LEVEL": "warn"}
	runCLI(t, env, "shop", "create", "--domain", "shop.example")
	_, token, _ := runCLI(t, env, "token", "create", "--shop", "shop.example", "--public")
	base := serveInProcess(t, env, strings.Fields(suggested[0])...)
	body := strings.NewReader(`{"query":"mutation { customerCreate(input: {email: \"ann@example.com\", password: \"calibrated-1\"}) { customer { id } } }"}`)
	req, _ := http.NewRequest("POST", base+"/api/2026-10/graphql.json", body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Storefront-Access-Token", strings.TrimSpace(token))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Data struct {
			CustomerCreate struct{ Customer *struct{ ID string } }
		}
	}
	json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if got.Data.CustomerCreate.Customer == nil {
		t.Fatal("customerCreate failed")
	}
	if h := storedHash(t, db, "shop.example", "ann@example.com"); !strings.HasPrefix(h, "$argon2id$v=19$m=8192,t=1,p=1$") {
		t.Fatalf("serve ignored the suggested flags: stored %s", h)
	}
}

func TestHashFlagsAreChecked(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sk.db")
	env := map[string]string{"STOREKEEP_DB": db, "STOREKEEP_ADDR": "127.0.0.1:0"}
	for _, args := range [][]string{
		{"serve", "--hash-memory", "1024"},
		{"serve", "--hash-time", "0"},
		{"serve", "--hash-threads", "300"},
		{"serve", "--hash-memory", "99999999999"},
		{"hash", "calibrate", "--max-memory", "10"},
		{"hash", "calibrate", "--target", "0s"},
	} {
		if code, _, errOut := runCLI(t, env, args...); code == 0 || !strings.Contains(errOut, "storekeep") {
			t.Errorf("%v: exit %d, %s", args, code, errOut)
		}
	}
	if code, _, errOut := runCLI(t, map[string]string{"STOREKEEP_DB": db, "STOREKEEP_HASH_MEMORY": "42"}, "serve"); code != 1 || !strings.Contains(errOut, "hash-memory") {
		t.Errorf("STOREKEEP_HASH_MEMORY=42: exit %d, %s", code, errOut)
	}
}
