package cli

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/storekeep/storekeep/internal/cli/clitest"
	"github.com/storekeep/storekeep/internal/mail/smtptest"
	"github.com/storekeep/storekeep/internal/store/postgres/pgtest"
)

// A reset link sent at once to two nodes on one database, many times
// over, sets the password once: the token is single-use across nodes, not
// only within one.
func TestAResetLinkRacedAcrossTwoNodesIsRedeemedOnce(t *testing.T) {
	redis := redisURL(t)
	db := pgtest.URL(t)
	bin := clitest.Binary(t)
	sink := smtptest.Start(t)
	key := make([]byte, 32)
	rand.Read(key)
	env := map[string]string{
		"STOREKEEP_DB":           db,
		"STOREKEEP_SECRET_KEY":   base64.RawURLEncoding.EncodeToString(key),
		"STOREKEEP_REDIS":        redis,
		"STOREKEEP_REDIS_PREFIX": "race-" + randomHex(6) + ":",
		"STOREKEEP_SMTP":         sink.URL(),
	}
	getenv := func(k string) string { return env[k] }
	token := shopWithPublicToken(t, getenv)
	var list []string
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	nodes := []*clusterNode{startServe(t, bin, list), startServe(t, bin, list)}

	nodes[0].gql(t, token, `mutation { customerCreate(input: {email: "race@example.com", password: "cluster-secret-1"}) { customerUserErrors { code } } }`, nil)
	nodes[1].gql(t, token, `mutation { customerRecover(email: "race@example.com") { customerUserErrors { code } } }`, nil)
	msgs := sink.WaitFor(t, 1, 30*time.Second)
	link := regexp.MustCompile(`https://shop\.example/account/reset/[0-9]+/[A-Za-z0-9_-]+`).FindString(msgs[0].Text)
	if link == "" {
		t.Fatalf("no reset link in %q", msgs[0].Text)
	}

	const racers = 8
	reset := `mutation($u: URL!, $p: String!) { customerResetByUrl(resetUrl: $u, password: $p) { customer { id } customerUserErrors { code } } }`
	results := make([]map[string]any, racers)
	errs := make([]error, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			<-start
			results[i], errs[i] = postReset(nodes[i%2].base, token, reset, map[string]any{"u": link, "p": "cluster-secret-" + randomHex(4)})
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for i, r := range results {
		if errs[i] != nil {
			t.Fatalf("racer %d: %v", i, errs[i])
		}
		if r["customer"] != nil {
			won++
			continue
		}
		if errs := r["customerUserErrors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["code"] != "TOKEN_INVALID" {
			t.Errorf("racer %d on node %d: %v, want the password set or TOKEN_INVALID", i, i%2, r)
		}
	}
	if won != 1 {
		t.Fatalf("%d of %d racers on two nodes set the password, want 1", won, racers)
	}
}

// postReset sends query to the node at base and returns its
// customerResetByUrl payload; it may run off the test's goroutine.
func postReset(base, token, query string, vars map[string]any) (map[string]any, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest("POST", base+"/api/2026-10/graphql.json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Storefront-Access-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			CustomerResetByURL map[string]any `json:"customerResetByUrl"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || out.Data.CustomerResetByURL == nil {
		return nil, fmt.Errorf("status %d, payload %v: %v", resp.StatusCode, out.Data.CustomerResetByURL, err)
	}
	return out.Data.CustomerResetByURL, nil
}
