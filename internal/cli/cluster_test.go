package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep/internal/cli/clitest"
	"github.com/storekeep/storekeep/internal/mail/smtptest"
	"github.com/storekeep/storekeep/internal/store/postgres/pgtest"
)

func TestMain(m *testing.M) { clitest.Main(m) }

// redisURL is the Redis the cluster shares, by the same rules as the
// PostgreSQL tests: STOREKEEP_TEST_REDIS, or the local one under CI.
func redisURL(t *testing.T) string {
	if u := os.Getenv("STOREKEEP_TEST_REDIS"); u != "" {
		return u
	}
	if os.Getenv("CI") != "" {
		return "redis://127.0.0.1:6379/0"
	}
	t.Skip("set STOREKEEP_TEST_REDIS (or CI) to run the multi-node test")
	return ""
}

type clusterNode struct {
	base string
	cmd  *exec.Cmd
}

func startServe(t *testing.T, bin string, env []string) *clusterNode {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0", "--log-level", "warn")
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		if t.Failed() {
			t.Logf("node stderr:\n%s", stderr.String())
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("serve did not start: %v\n%s", err, stderr.String())
	}
	go io.Copy(io.Discard, stdout)
	return &clusterNode{base: strings.TrimSpace(strings.TrimPrefix(line, "storekeep listening on ")), cmd: cmd}
}

func (n *clusterNode) gql(t *testing.T, token, query string, vars map[string]any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", n.base+"/api/2026-10/graphql.json", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Storefront-Access-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d: %v", resp.StatusCode, err)
	}
	return out
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// TestThreeNodesShareThrottlesMailAndTokens runs three storekeep
// processes on one PostgreSQL database and one Redis.
func TestThreeNodesShareThrottlesMailAndTokens(t *testing.T) {
	redis := redisURL(t)
	db := pgtest.URL(t)
	bin := clitest.Binary(t)
	sink := smtptest.Start(t)
	key := make([]byte, 32)
	rand.Read(key)
	env := []string{
		"STOREKEEP_DB=" + db,
		"STOREKEEP_SECRET_KEY=" + base64.RawURLEncoding.EncodeToString(key),
		"STOREKEEP_REDIS=" + redis,
		"STOREKEEP_REDIS_PREFIX=cluster-" + randomHex(6) + ":",
		"STOREKEEP_SMTP=" + sink.URL(),
		"STOREKEEP_CREATE_PER_IP=100/1h",
	}
	getenv := func(k string) string {
		for _, kv := range env {
			if name, v, _ := strings.Cut(kv, "="); name == k {
				return v
			}
		}
		return ""
	}
	token := shopWithPublicToken(t, getenv)

	nodes := []*clusterNode{startServe(t, bin, env), startServe(t, bin, env), startServe(t, bin, env)}
	const customers = 30
	emails := make([]string, customers)
	for i := range emails {
		emails[i] = fmt.Sprintf("c%02d@example.com", i)
		r := nodes[i%3].gql(t, token, `mutation($e: String!) { customerCreate(input: {email: $e, password: "cluster-secret-1"}) { customerUserErrors { code } } }`, map[string]any{"e": emails[i]})
		if errs := r["data"].(map[string]any)["customerCreate"].(map[string]any)["customerUserErrors"].([]any); len(errs) != 0 {
			t.Fatalf("customerCreate: %v", errs)
		}
	}

	accepted := map[string]bool{}
	for i, email := range emails {
		r := nodes[i%3].gql(t, token, `mutation($e: String!) { customerRecover(email: $e) { customerUserErrors { code } } }`, map[string]any{"e": email})
		if r["data"].(map[string]any)["customerRecover"] != nil {
			accepted[email] = true
		}
	}
	if len(accepted) != 20 {
		t.Fatalf("%d of 30 recover requests from one IP spread over three nodes were accepted; the shared per-IP limit is 20", len(accepted))
	}

	msgs := sink.WaitFor(t, len(accepted), 30*time.Second)
	time.Sleep(2 * time.Second)
	perRecipient := map[string]int{}
	for _, m := range sink.Messages() {
		perRecipient[m.To]++
	}
	for email := range accepted {
		if perRecipient[email] != 1 {
			t.Errorf("%s got %d mails, want exactly 1", email, perRecipient[email])
		}
	}
	if len(sink.Messages()) != len(accepted) {
		t.Errorf("%d mails for %d accepted requests", len(sink.Messages()), len(accepted))
	}

	link := regexp.MustCompile(`https://shop\.example/account/reset/[0-9]+/[A-Za-z0-9_-]+`).FindString(msgs[0].Text)
	reset := `mutation($u: URL!) { customerResetByUrl(resetUrl: $u, password: "cluster-secret-2") { customer { id } customerUserErrors { code } } }`
	first := nodes[1].gql(t, token, reset, map[string]any{"u": link})["data"].(map[string]any)["customerResetByUrl"].(map[string]any)
	if first["customer"] == nil {
		t.Fatalf("reset on another node: %v", first)
	}
	second := nodes[2].gql(t, token, reset, map[string]any{"u": link})["data"].(map[string]any)["customerResetByUrl"].(map[string]any)
	if errs := second["customerUserErrors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["code"] != "TOKEN_INVALID" {
		t.Fatalf("reuse on a third node: %v", second)
	}
}

// shopWithPublicToken creates the shop shop.example in the database getenv
// names and returns a public Storefront token of it.
func shopWithPublicToken(t *testing.T, getenv func(string) string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), []string{"shop", "create", "--domain", "shop.example"}, getenv, &out, &errOut); code != 0 {
		t.Fatalf("shop create: %s", errOut.String())
	}
	out.Reset()
	if code := Run(context.Background(), []string{"token", "create", "--shop", "shop.example", "--public"}, getenv, &out, &errOut); code != 0 {
		t.Fatalf("token create: %s", errOut.String())
	}
	return strings.TrimSpace(out.String())
}
