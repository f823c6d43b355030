package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// recoverOnce sends one customerRecover to base and returns the error code
// of its answer (see errorCode).
func recoverOnce(t *testing.T, base, token, email string) string {
	t.Helper()
	query := `mutation { customerRecover(email: "` + email + `") { customerUserErrors { code } } }`
	return errorCode(t, base, map[string]string{"X-Shopify-Storefront-Access-Token": token}, query, "customerRecover")
}

// errorCode posts query to base with headers and returns the error code of
// the answer's field: a top-level error's, a user error's, or "" when
// accepted.
func errorCode(t *testing.T, base string, headers map[string]string, query, field string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, _ := http.NewRequest("POST", base+"/api/2026-10/graphql.json", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Data   map[string]*struct{ CustomerUserErrors []struct{ Code string } }
		Errors []struct {
			Extensions struct{ Code string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, err)
	}
	switch p := got.Data[field]; {
	case len(got.Errors) > 0:
		return got.Errors[0].Extensions.Code
	case p != nil && len(p.CustomerUserErrors) > 0:
		return p.CustomerUserErrors[0].Code
	}
	return ""
}

func TestServeTakesItsRecoverThrottlesFromFlagsAndEnvironment(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sk.db")
	env := map[string]string{"STOREKEEP_DB": db, "STOREKEEP_ADDR": "127.0.0.1:0", "STOREKEEP_LOG_LEVEL": "warn",
		"STOREKEEP_RECOVER_PER_IP": "3/1h"}
	runCLI(t, env, "shop", "create", "--domain", "shop.example")
	_, token, _ := runCLI(t, env, "token", "create", "--shop", "shop.example", "--public")
	token = strings.TrimSpace(token)
	base := serveInProcess(t, env, "--recover-per-email", "1/1h")

	if code := recoverOnce(t, base, token, "ada@example.com"); code != "" {
		t.Fatalf("first recover for ada: %q", code)
	}
	if code := recoverOnce(t, base, token, "ada@example.com"); code != "THROTTLED" {
		t.Fatalf("second recover for ada under --recover-per-email 1/1h: %q, want THROTTLED", code)
	}
	if code := recoverOnce(t, base, token, "bo@example.com"); code != "" {
		t.Fatalf("third request from this IP, first for bo: %q", code)
	}
	if code := recoverOnce(t, base, token, "cy@example.com"); code != "THROTTLED" {
		t.Fatalf("fourth request from this IP under STOREKEEP_RECOVER_PER_IP=3/1h: %q, want THROTTLED", code)
	}
}

// createOnce sends one customerCreate for email to base over a private
// token on behalf of buyerIP and returns the error code of its answer.
func createOnce(t *testing.T, base, token, buyerIP, email string) string {
	t.Helper()
	query := `mutation { customerCreate(input: {email: "` + email + `", password: "create-secret-1"}) { customer { id } customerUserErrors { code } } }`
	headers := map[string]string{"Shopify-Storefront-Private-Token": token, "Shopify-Storefront-Buyer-IP": buyerIP}
	return errorCode(t, base, headers, query, "customerCreate")
}

func TestServeTakesItsCreateThrottlesFromFlagsAndEnvironment(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sk.db")
	env := map[string]string{"STOREKEEP_DB": db, "STOREKEEP_ADDR": "127.0.0.1:0", "STOREKEEP_LOG_LEVEL": "warn",
		"STOREKEEP_CREATE_PER_IP": "2/1h"}
	runCLI(t, env, "shop", "create", "--domain", "shop.example")
	_, token, _ := runCLI(t, env, "token", "create", "--shop", "shop.example", "--private")
	token = strings.TrimSpace(token)
	base := serveInProcess(t, env, "--create-per-shop", "3/1h")

	for i, want := range []string{"", "", "THROTTLED"} {
		if code := createOnce(t, base, token, "203.0.113.1", fmt.Sprintf("a%d@example.com", i)); code != want {
			t.Fatalf("create %d from one IP under STOREKEEP_CREATE_PER_IP=2/1h: %q, want %q", i+1, code, want)
		}
	}
	if code := createOnce(t, base, token, "203.0.113.2", "b0@example.com"); code != "" {
		t.Fatalf("third create of the shop, first of another IP: %q", code)
	}
	if code := createOnce(t, base, token, "203.0.113.3", "c0@example.com"); code != "THROTTLED" {
		t.Fatalf("fourth create of the shop under --create-per-shop 3/1h: %q, want THROTTLED", code)
	}
}

func TestServeRefusesBadThrottleAndConnectionFlags(t *testing.T) {
	env := map[string]string{"STOREKEEP_DB": filepath.Join(t.TempDir(), "sk.db"), "STOREKEEP_ADDR": "127.0.0.1:0"}
	for _, args := range [][]string{
		{"serve", "--recover-per-shop", "lots"},
		{"serve", "--recover-per-ip", "0/1h"},
		{"serve", "--create-per-ip", "10"},
		{"serve", "--create-per-shop", "5/never"},
		{"serve", "--smtp-conns", "0"},
		{"serve", "--recover-pace", "-1s"},
		{"serve", "--recover-pace", "soon"},
		{"serve", "--limiter-keys", "0"},
		{"serve", "--conns-per-ip", "0"},
		{"serve", "--conns-per-ip", "-5"},
		{"serve", "--max-conns", "0"},
		{"serve", "--requests-per-ip", "0/1m"},
		{"serve", "--requests-per-ip", "100"},
		{"serve", "--body-mib-per-ip", "0"},
		{"serve", "--body-mib-per-ip", "1.5"},
		{"serve", "--body-mib", "lots"},
		{"serve", "--body-mib", "2097152"},
		{"serve", "--body-mib", "8", "--body-mib-per-ip", "16"},
		{"serve", "--audit-retention", "0s"},
		{"serve", "--sqlite-cache-size", "0"},
		{"serve", "--sqlite-cache-size", "1025"},
		{"serve", "--sqlite-cache-size", "64MiB"},
		{"serve", "--memory-limit", "-1"},
		{"serve", "--memory-limit", "2097152"},
		{"serve", "--memory-limit", "40MiB"},
	} {
		if code, _, errOut := runCLI(t, env, args...); code == 0 || !strings.Contains(errOut, args[1]) {
			t.Errorf("%v: exit %d, stderr %q; want a failure naming the flag", args, code, errOut)
		}
	}
}

func TestServeTakesTheSQLiteCacheSizeFromTheEnvironmentAndRefusesABadOne(t *testing.T) {
	env := map[string]string{"STOREKEEP_DB": filepath.Join(t.TempDir(), "sk.db"), "STOREKEEP_ADDR": "127.0.0.1:0",
		"STOREKEEP_ADMIN_ADDR": "off", "STOREKEEP_SQLITE_CACHE_SIZE": "0"}
	if code, _, errOut := runCLI(t, env, "serve"); code == 0 || !strings.Contains(errOut, "--sqlite-cache-size") {
		t.Errorf("STOREKEEP_SQLITE_CACHE_SIZE=0: exit %d, stderr %q; want a failure naming the flag", code, errOut)
	}
	env["STOREKEEP_SQLITE_CACHE_SIZE"] = "lots"
	if code, _, errOut := runCLI(t, env, "serve"); code == 0 || !strings.Contains(errOut, "STOREKEEP_SQLITE_CACHE_SIZE") {
		t.Errorf("STOREKEEP_SQLITE_CACHE_SIZE=lots: exit %d, stderr %q; want a failure naming the variable", code, errOut)
	}
	env["STOREKEEP_SQLITE_CACHE_SIZE"] = "8"
	if base := serveInProcess(t, env); !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Errorf("serve with STOREKEEP_SQLITE_CACHE_SIZE=8: %q", base)
	}
}

func TestServeKeepsMetricsAndProfilesOnTheAdminAddress(t *testing.T) {
	env := map[string]string{"STOREKEEP_DB": filepath.Join(t.TempDir(), "sk.db"), "STOREKEEP_ADDR": "127.0.0.1:0", "STOREKEEP_LOG_LEVEL": "warn"}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"serve", "--admin-addr", "127.0.0.1:0", "--pprof"}, func(k string) string { return env[k] }, pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	lines := bufio.NewReader(pr)
	first, err := lines.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	second, err := lines.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	api := strings.TrimSpace(strings.TrimPrefix(first, "storekeep listening on "))
	admin := strings.TrimSpace(strings.TrimPrefix(second, "storekeep admin on "))
	status := func(url string) int {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status(api + "/metrics"); got != 404 {
		t.Errorf("/metrics on --addr: %d, want 404", got)
	}
	if got := status(admin + "/metrics"); got != 200 {
		t.Errorf("/metrics on --admin-addr: %d, want 200", got)
	}
	if got := status(admin + "/debug/pprof/"); got != 200 {
		t.Errorf("--pprof on --admin-addr: %d, want 200", got)
	}
	if got := status(api + "/debug/pprof/"); got != 404 {
		t.Errorf("pprof on --addr: %d, want 404", got)
	}
	if code, _, errOut := runCLI(t, env, "serve", "--admin-addr", "off", "--pprof"); code == 0 || !strings.Contains(errOut, "--pprof") {
		t.Errorf("--pprof without an admin listener: exit %d, %q", code, errOut)
	}
}

func TestServeRefusesDurationsAndCountsThatCannotWork(t *testing.T) {
	env := map[string]string{"STOREKEEP_DB": filepath.Join(t.TempDir(), "sk.db"), "STOREKEEP_ADDR": "127.0.0.1:0"}
	for _, args := range [][]string{
		{"serve", "--reset-token-ttl", "-1h"},
		{"serve", "--reset-token-ttl", "0s"},
		{"serve", "--reset-token-ttl", "30m"},
		{"serve", "--reset-token-ttl", "90m"},
		{"serve", "--mail-poll", "0s"},
		{"serve", "--mail-poll", "-1s"},
		{"serve", "--mail-max-attempts", "0"},
		{"serve", "--mail-retention", "-1h"},
		{"serve", "--mail-lease", "1s"},
		{"serve", "--mail-backoff", "0s"},
		{"serve", "--redis", "http://127.0.0.1:6379"},
	} {
		if code, _, errOut := runCLI(t, env, args...); code == 0 || !strings.Contains(errOut, args[1]) {
			t.Errorf("%v: exit %d, stderr %q; want a failure naming the flag", args, code, errOut)
		}
	}
}

func TestServeBoundsAClientsConnectionsByItsFlag(t *testing.T) {
	env := map[string]string{"STOREKEEP_DB": filepath.Join(t.TempDir(), "sk.db"), "STOREKEEP_ADDR": "127.0.0.1:0", "STOREKEEP_LOG_LEVEL": "error"}
	base := serveInProcess(t, env, "--conns-per-ip", "1")
	healthz := func(c net.Conn) bool {
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")); err != nil {
			return false
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	var conns []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	if !healthz(conns[0]) {
		t.Fatal("the first connection was not served")
	}
	if healthz(conns[1]) {
		t.Fatal("a second connection was served under --conns-per-ip 1")
	}
}

func TestServeBoundsAClientsRequestBodiesByItsFlag(t *testing.T) {
	env := map[string]string{"STOREKEEP_DB": filepath.Join(t.TempDir(), "sk.db"), "STOREKEEP_ADDR": "127.0.0.1:0", "STOREKEEP_LOG_LEVEL": "error"}
	base := serveInProcess(t, env, "--body-mib-per-ip", "1")
	send := func() int {
		c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		head := fmt.Sprintf("POST /webhooks/shopify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"+
			"X-Shopify-Topic: orders/create\r\nContent-Length: %d\r\n\r\n", 1<<20)
		if _, err := c.Write([]byte(head + strings.Repeat(" ", 600<<10))); err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
			return 0
		}
		if err != nil {
			return -1
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := send(); got != 0 {
		t.Fatalf("a first body of 600 KiB under --body-mib-per-ip 1 was answered %d before it was whole", got)
	}
	// The node answers 429 and closes the connection with the rest of the
	// body unread; the close may reach the client as a reset before it
	// reads the answer (-1). Either is a refusal; 0 is a body still read.
	if got := send(); got != http.StatusTooManyRequests && got != -1 {
		t.Fatalf("a second body of 600 KiB under --body-mib-per-ip 1: status %d, want 429 (or the connection closed)", got)
	}
}

func TestServeBoundsAClientsRequestsByItsFlag(t *testing.T) {
	env := map[string]string{"STOREKEEP_DB": filepath.Join(t.TempDir(), "sk.db"), "STOREKEEP_ADDR": "127.0.0.1:0", "STOREKEEP_LOG_LEVEL": "error"}
	runCLI(t, env, "shop", "create", "--domain", "shop.example")
	token := newToken(t, env, "--shop", "shop.example", "--public")
	base := serveInProcess(t, env, "--requests-per-ip", "2/1h")
	for i, want := range []int{http.StatusOK, http.StatusOK, http.StatusTooManyRequests} {
		if got := apiStatus(t, base, "X-Shopify-Storefront-Access-Token", token); got != want {
			t.Fatalf("request %d under --requests-per-ip 2/1h: status %d, want %d", i+1, got, want)
		}
	}
}
