package cli

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
)

// newToken runs token create and returns the token it prints.
func newToken(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	code, out, errOut := runCLI(t, env, append([]string{"token", "create"}, args...)...)
	if code != 0 {
		t.Fatalf("token create %q: %d %s", args, code, errOut)
	}
	return strings.TrimSpace(out)
}

// apiStatus sends `{ __typename }` to the node at base with token in
// header and returns the answer's status.
func apiStatus(t *testing.T, base, header, token string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/api/2026-10/graphql.json", strings.NewReader(`{"query":"{ __typename }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(header, token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// tokenLive reports whether the database still knows the token value, as
// a node looking it up would.
func tokenLive(t *testing.T, db, value string) bool {
	t.Helper()
	store, keys, err := (&dbFlags{db: db}).open(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	_, _, err = store.APITokenByHash(context.Background(), keys.Hashes(value))
	if err != nil && !errors.Is(err, storekeep.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// tokenIDs runs token list for domain and returns the ID of each row, by
// kind and scopes, failing unless every row has exactly the listing's
// columns.
func tokenIDs(t *testing.T, env map[string]string, domain string) map[string]string {
	t.Helper()
	code, out, errOut := runCLI(t, env, "token", "list", "--shop", domain)
	if code != 0 {
		t.Fatalf("token list: %d %s", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if !regexp.MustCompile(`^ID +KIND +SCOPES +CREATED$`).MatchString(lines[0]) {
		t.Fatalf("token list header:\n%s", out)
	}
	row := regexp.MustCompile(`^(\d+) +(public|private) +([a-z_,]+) +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
	ids := map[string]string{}
	for _, line := range lines[1:] {
		m := row.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("token list row %q is not ID, kind, scopes and time alone:\n%s", line, out)
		}
		ids[m[2]+" "+m[3]] = m[1]
	}
	return ids
}

func TestTokenListShowsEachTokenOfTheShopButNeverItsValue(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sk.db")
	env := map[string]string{"STOREKEEP_DB": db}
	for _, domain := range []string{"a.example", "b.example"} {
		if code, _, errOut := runCLI(t, env, "shop", "create", "--domain", domain); code != 0 {
			t.Fatal(errOut)
		}
	}
	values := []string{
		newToken(t, env, "--shop", "a.example", "--public", "--scopes", "unauthenticated_read_customers"),
		newToken(t, env, "--shop", "b.example", "--private"),
		newToken(t, env, "--shop", "A.example.", "--private"),
	}
	code, out, errOut := runCLI(t, env, "token", "list", "--shop", "a.example")
	if code != 0 {
		t.Fatalf("token list: %d %s", code, errOut)
	}
	for _, v := range values {
		if strings.Contains(out, v) {
			t.Fatalf("token list shows a token's value:\n%s", out)
		}
	}
	ids := tokenIDs(t, env, "a.example")
	public, private := ids["public unauthenticated_read_customers"], ids["private "+strings.Join(strings.Split(storekeep.ScopeList(), ", "), ",")]
	if len(ids) != 2 || public == "" || private == "" {
		t.Fatalf("a.example's tokens by kind and scopes: %v\n%s", ids, out)
	}
	if !strings.Contains(out, "\n"+public+" ") || strings.Index(out, "\n"+public+" ") > strings.Index(out, "\n"+private+" ") {
		t.Fatalf("want the oldest token first:\n%s", out)
	}
	if other := tokenIDs(t, env, "b.example"); len(other) != 1 {
		t.Fatalf("b.example's tokens: %v", other)
	}
	if code, _, errOut := runCLI(t, env, "token", "list", "--shop", "nope.example"); code != 1 || !strings.Contains(errOut, "nope.example") {
		t.Errorf("unknown shop: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, env, "token", "list"); code != 2 || !strings.Contains(errOut, "--shop is required") {
		t.Errorf("no --shop: %d %s", code, errOut)
	}
}

func TestTokenRevokeDeletesOnlyThatShopsTokenAndAuditsIt(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sk.db")
	env := map[string]string{"STOREKEEP_DB": db}
	for _, domain := range []string{"a.example", "b.example"} {
		if code, _, errOut := runCLI(t, env, "shop", "create", "--domain", domain); code != 0 {
			t.Fatal(errOut)
		}
	}
	kept := newToken(t, env, "--shop", "a.example", "--public")
	leaked := newToken(t, env, "--shop", "a.example", "--private", "--scopes", "unauthenticated_write_customers")
	theirs := newToken(t, env, "--shop", "b.example", "--private", "--scopes", "unauthenticated_read_customers")
	leakedID := tokenIDs(t, env, "a.example")["private unauthenticated_write_customers"]
	theirID := tokenIDs(t, env, "b.example")["private unauthenticated_read_customers"]
	if leakedID == "" || theirID == "" {
		t.Fatal("token list does not show the tokens just made")
	}

	unchanged := func(what string) {
		t.Helper()
		for _, v := range []string{kept, leaked, theirs} {
			if !tokenLive(t, db, v) {
				t.Fatalf("%s: a token was deleted", what)
			}
		}
		if _, out, _ := runCLI(t, env, "audit", "list"); strings.Contains(out, string(storekeep.AuditAPITokenRevoked)) {
			t.Fatalf("%s: a revocation was audited:\n%s", what, out)
		}
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--shop", "a.example", theirID}, 1, "a.example has no token " + theirID},
		{[]string{"--shop", "b.example", "--id", leakedID}, 1, "b.example has no token " + leakedID},
		{[]string{"--shop", "a.example", "987654"}, 1, "a.example has no token 987654"},
		{[]string{"--shop", "a.example", "9223372036854775807"}, 1, "a.example has no token 9223372036854775807"},
		{[]string{"--shop", "a.example", "99999999999999999999"}, 1, "a positive number"},
		{[]string{"--shop", "a.example", "0"}, 1, "a positive number"},
		{[]string{"--shop", "a.example", "abc"}, 1, "a positive number"},
		{[]string{"--shop", "a.example", leakedID + ".0"}, 1, "a positive number"},
		{[]string{"--shop", "a.example", "+" + leakedID}, 1, "a positive number"},
		{[]string{"--shop", "a.example", "--id", "-" + leakedID}, 1, "a positive number"},
		{[]string{"--shop", "a.example", "--", "-" + leakedID}, 1, "a positive number"},
		{[]string{"--shop", "a.example", "--id", "abc"}, 1, "a positive number"},
		{[]string{"--shop", "a.example", "--id", "0x" + leakedID}, 1, "a positive number"},
		{[]string{"--shop", "a.example", "0" + leakedID}, 1, "a positive number"},
		{[]string{"--shop", "nope.example", leakedID}, 1, "nope.example"},
		{[]string{"--shop", "a.example"}, 2, "ID is required"},
		{[]string{leakedID}, 2, "--shop is required"},
		{[]string{"--shop", "a.example", leakedID, "--id", theirID}, 2, "two IDs"},
	} {
		code, out, errOut := runCLI(t, env, append([]string{"token", "revoke"}, c.args...)...)
		if code != c.code || out != "" || !strings.Contains(errOut, c.want) {
			t.Errorf("token revoke %q: exit %d, stdout %q, stderr %q; want %d and %q", c.args, code, out, errOut, c.code, c.want)
		}
		unchanged(strings.Join(c.args, " "))
	}

	code, out, errOut := runCLI(t, env, "token", "revoke", "--shop", "A.Example", leakedID)
	if code != 0 || !strings.Contains(out, "revoked private token "+leakedID+" of a.example") {
		t.Fatalf("token revoke: %d %q %s", code, out, errOut)
	}
	if tokenLive(t, db, leaked) || !tokenLive(t, db, kept) || !tokenLive(t, db, theirs) {
		t.Fatal("want the revoked token gone and every other token kept")
	}
	if ids := tokenIDs(t, env, "a.example"); len(ids) != 1 || ids["public "+strings.Join(strings.Split(storekeep.ScopeList(), ", "), ",")] == "" {
		t.Fatalf("a.example's tokens after the revocation: %v", ids)
	}
	_, out, _ = runCLI(t, env, "audit", "list", "--shop", "a.example")
	row := regexp.MustCompile(`(?m)^\S+ +- +1 +a\.example +- +api_token_revoked +cli +- +private token ` + leakedID + `$`)
	if !row.MatchString(out) || strings.Count(out, "api_token_revoked") != 1 {
		t.Fatalf("audit list lacks the one revocation:\n%s", out)
	}
	if code, _, errOut := runCLI(t, env, "token", "revoke", "--shop", "a.example", "--id", leakedID); code != 1 || !strings.Contains(errOut, "a.example has no token "+leakedID) {
		t.Fatalf("revoking twice: %d %s", code, errOut)
	}
	if _, out, _ := runCLI(t, env, "audit", "list"); strings.Count(out, "api_token_revoked") != 1 {
		t.Fatalf("revoking twice was audited twice:\n%s", out)
	}
}

// A running node refuses a revoked token within the 1 s it keeps a token
// it has found, and goes on serving the shop's other tokens.
func TestARunningServerRefusesARevokedToken(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sk.db")
	env := map[string]string{"STOREKEEP_DB": db, "STOREKEEP_ADDR": "127.0.0.1:0", "STOREKEEP_LOG_LEVEL": "warn"}
	runCLI(t, env, "shop", "create", "--domain", "shop.example")
	kept := newToken(t, env, "--shop", "shop.example", "--public")
	leaked := newToken(t, env, "--shop", "shop.example", "--private")
	base := serveInProcess(t, env)
	status := func(header, token string) int { return apiStatus(t, base, header, token) }
	if got := status("Shopify-Storefront-Private-Token", leaked); got != http.StatusOK {
		t.Fatalf("the token before its revocation: %d", got)
	}
	id := tokenIDs(t, env, "shop.example")["private "+strings.Join(strings.Split(storekeep.ScopeList(), ", "), ",")]
	if code, _, errOut := runCLI(t, env, "token", "revoke", "--shop", "shop.example", id); code != 0 {
		t.Fatalf("token revoke %s: %d %s", id, code, errOut)
	}
	revoked := time.Now()
	for status("Shopify-Storefront-Private-Token", leaked) != http.StatusUnauthorized {
		if time.Since(revoked) > 3*time.Second {
			t.Fatal("the revoked token is still accepted 3 s later")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := status("X-Shopify-Storefront-Access-Token", kept); got != http.StatusOK {
		t.Fatalf("the shop's other token after the revocation: %d", got)
	}
}
