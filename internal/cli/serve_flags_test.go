package cli

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// recoverOnce sends one customerRecover to base and returns the error code
// of its answer: a user error's, a top-level error's, or "" when accepted.
func recoverOnce(t *testing.T, base, token, email string) string {
	t.Helper()
	body := strings.NewReader(`{"query":"mutation { customerRecover(email: \"` + email + `\") { customerUserErrors { code } } }"}`)
	req, _ := http.NewRequest("POST", base+"/api/2026-10/graphql.json", body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Storefront-Access-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Data struct {
			CustomerRecover *struct {
				CustomerUserErrors []struct{ Code string }
			}
		}
		Errors []struct {
			Extensions struct{ Code string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, err)
	}
	switch {
	case len(got.Errors) > 0:
		return got.Errors[0].Extensions.Code
	case got.Data.CustomerRecover != nil && len(got.Data.CustomerRecover.CustomerUserErrors) > 0:
		return got.Data.CustomerRecover.CustomerUserErrors[0].Code
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

func TestServeRefusesBadThrottleAndConnectionFlags(t *testing.T) {
	env := map[string]string{"STOREKEEP_DB": filepath.Join(t.TempDir(), "sk.db"), "STOREKEEP_ADDR": "127.0.0.1:0"}
	for _, args := range [][]string{
		{"serve", "--recover-per-shop", "lots"},
		{"serve", "--recover-per-ip", "0/1h"},
		{"serve", "--smtp-conns", "0"},
		{"serve", "--limiter-keys", "0"},
		{"serve", "--audit-retention", "0s"},
	} {
		if code, _, errOut := runCLI(t, env, args...); code == 0 || !strings.Contains(errOut, args[1]) {
			t.Errorf("%v: exit %d, stderr %q; want a failure naming the flag", args, code, errOut)
		}
	}
}
