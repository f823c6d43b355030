package app_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/mail/smtptest"
	"github.com/storekeep/storekeep/internal/secret"
	"github.com/storekeep/storekeep/internal/server"
	"github.com/storekeep/storekeep/internal/store/postgres/pgtest"
	"github.com/storekeep/storekeep/password"
)

// testClock is the node's injectable clock; tests move it forward.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// backend is the store every node of this run uses: "sqlite" (the
// default) or "postgres", from STOREKEEP_TEST_BACKEND. On postgres each
// node gets a fresh schema of the database pgtest finds.
var backend = cmp.Or(os.Getenv("STOREKEEP_TEST_BACKEND"), "sqlite")

// nodeDB returns the database a new node opens on the current backend.
func nodeDB(t testing.TB) string {
	t.Helper()
	switch backend {
	case "sqlite":
		return filepath.Join(t.TempDir(), "storekeep.db")
	case "postgres":
		return pgtest.URL(t)
	}
	t.Fatalf("STOREKEEP_TEST_BACKEND=%q: want sqlite or postgres", backend)
	return ""
}

// node is a storekeep server on a real port over a real database (see
// backend), with its mail going to a real SMTP server.
type node struct {
	t       testing.TB
	app     *app.App
	base    string
	admin   string // base URL of the admin listener
	db      string // SQLite file path or PostgreSQL URL
	clock   *testClock
	smtp    *smtptest.Server
	logs    *syncBuffer
	shop    storekeep.Shop
	public  string
	private string
	stop    func()
	// serveErrorExpected is set by tests that break the node on purpose.
	serveErrorExpected bool
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fastHashing keeps argon2id real but cheap enough for many resets.
var fastHashing = password.Params{Memory: 8 * 1024, Time: 1, Threads: 1}

func startNode(t testing.TB, configure ...func(*app.Config, *storekeep.Shop)) *node {
	t.Helper()
	n := &node{
		t:     t,
		db:    nodeDB(t),
		clock: &testClock{now: time.Now().UTC().Truncate(time.Second)},
		smtp:  smtptest.Start(t),
		logs:  &syncBuffer{},
	}
	key, err := secret.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg := app.DefaultConfig()
	cfg.DB, cfg.SecretKeys, cfg.SMTP, cfg.HashParams, cfg.Now = n.db, [][]byte{key}, n.smtp.URL(), fastHashing, n.clock.Now
	cfg.Logger = slog.New(slog.NewJSONHandler(n.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg.Outbox.PollInterval = 50 * time.Millisecond
	shop := storekeep.Shop{
		Domain:        "shop.example",
		Name:          "Example & Co",
		StorefrontURL: "https://shop.example",
		Enumeration:   storekeep.EnumerationPrivate,
	}
	for _, c := range configure {
		c(&cfg, &shop)
	}
	ctx := context.Background()
	a, err := app.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	n.app = a
	n.shop, err = a.Store.CreateShop(ctx, shop, storekeep.ShopSecrets{})
	if err != nil {
		t.Fatal(err)
	}
	n.public = n.apiToken(storekeep.APITokenPublic, storekeep.KnownScopes...)
	n.private = n.apiToken(storekeep.APITokenPrivate, storekeep.KnownScopes...)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	adminLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n.base = "http://" + ln.Addr().String()
	n.admin = "http://" + adminLn.Addr().String()
	serveCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Serve(serveCtx, ln, adminLn) }()
	var once sync.Once
	n.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil && !n.serveErrorExpected {
				t.Errorf("serve: %v", err)
			}
			a.Close()
		})
	}
	t.Cleanup(n.stop)
	return n
}

// apiToken creates a Storefront token with the given scopes.
func (n *node) apiToken(kind storekeep.APITokenKind, scopes ...storekeep.Scope) string {
	n.t.Helper()
	value, err := n.app.Keys.NewToken()
	if err != nil {
		n.t.Fatal(err)
	}
	_, err = n.app.Store.CreateAPIToken(context.Background(), storekeep.APIToken{
		ShopID: n.shop.ID, Kind: kind, Scopes: scopes, Hash: n.app.Keys.Hash(value), CreatedAt: time.Now(),
	})
	if err != nil {
		n.t.Fatal(err)
	}
	return value
}

// gqlResponse is a decoded GraphQL answer plus its HTTP envelope.
type gqlResponse struct {
	Status int
	Header http.Header
	Raw    []byte
	Data   map[string]json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

type request struct {
	version string
	headers map[string]string
	// added are header lines sent after headers, each as a line of its own.
	added [][2]string
}

// post sends a GraphQL request authenticated with the public token unless
// headers say otherwise.
func (n *node) post(query string, vars map[string]any, opts ...func(*request)) gqlResponse {
	n.t.Helper()
	r := request{version: "2026-10", headers: map[string]string{server.PublicTokenHeader: n.public}}
	for _, o := range opts {
		o(&r)
	}
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest("POST", n.base+"/api/"+r.version+"/graphql.json", bytes.NewReader(body))
	if err != nil {
		n.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range r.headers {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	for _, kv := range r.added {
		req.Header.Add(kv[0], kv[1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	out := gqlResponse{Status: resp.StatusCode, Header: resp.Header}
	out.Raw, _ = io.ReadAll(resp.Body)
	if err := json.Unmarshal(out.Raw, &out); err != nil {
		n.t.Fatalf("status %d, body %s: %v", resp.StatusCode, out.Raw, err)
	}
	return out
}

func withHeaders(h map[string]string) func(*request) {
	return func(r *request) {
		for k, v := range h {
			r.headers[k] = v
		}
	}
}

func privateAs(n *node, buyerIP string) func(*request) {
	return withHeaders(map[string]string{
		server.PublicTokenHeader:  "",
		server.PrivateTokenHeader: n.private,
		server.BuyerIPHeader:      buyerIP,
	})
}

// field decodes data[name] into v.
func (r gqlResponse) field(t testing.TB, name string, v any) {
	t.Helper()
	raw, ok := r.Data[name]
	if !ok {
		t.Fatalf("no data.%s in %s", name, r.Raw)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("data.%s: %v in %s", name, err, r.Raw)
	}
}

// userError is a CustomerUserError as JSON.
type userError struct {
	Code    string   `json:"code"`
	Field   []string `json:"field"`
	Message string   `json:"message"`
}

type plainError struct {
	Field   []string `json:"field"`
	Message string   `json:"message"`
}

type customerJSON struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	FirstName   string `json:"firstName"`
	DisplayName string `json:"displayName"`
}

type accessTokenJSON struct {
	AccessToken string `json:"accessToken"`
	ExpiresAt   string `json:"expiresAt"`
}

// payload is the common shape of the customer mutations' payloads.
type payload struct {
	Customer            *customerJSON    `json:"customer"`
	CustomerAccessToken *accessTokenJSON `json:"customerAccessToken"`
	CustomerUserErrors  []userError      `json:"customerUserErrors"`
	UserErrors          []plainError     `json:"userErrors"`
}

const payloadFields = `customer { id email firstName displayName } customerAccessToken { accessToken expiresAt } customerUserErrors { code field message } userErrors { field message }`

const (
	createMutation  = `mutation($input: CustomerCreateInput!) { customerCreate(input: $input) { customer { id email firstName displayName } customerUserErrors { code field message } userErrors { field message } } }`
	loginMutation   = `mutation($input: CustomerAccessTokenCreateInput!) { customerAccessTokenCreate(input: $input) { customerAccessToken { accessToken expiresAt } customerUserErrors { code field message } userErrors { field message } } }`
	recoverMutation = `mutation($email: String!) { customerRecover(email: $email) { customerUserErrors { code field message } userErrors { field message } } }`
	resetByURL      = `mutation($url: URL!, $password: String!) { customerResetByUrl(resetUrl: $url, password: $password) { ` + payloadFields + ` } }`
	resetByID       = `mutation($id: ID!, $input: CustomerResetInput!) { customerReset(id: $id, input: $input) { ` + payloadFields + ` } }`
	customerQuery   = `query($token: String!) { customer(customerAccessToken: $token) { id email displayName } }`
)

// signUp creates a customer through customerCreate and returns its id.
func (n *node) signUp(email, pw string) string {
	n.t.Helper()
	var p payload
	n.post(createMutation, map[string]any{"input": map[string]any{"email": email, "password": pw, "firstName": "Ada"}}).field(n.t, "customerCreate", &p)
	if len(p.CustomerUserErrors) > 0 || p.Customer == nil {
		n.t.Fatalf("customerCreate: %+v", p)
	}
	return p.Customer.ID
}

// login returns an access token, failing the test on any error.
func (n *node) login(email, pw string) string {
	n.t.Helper()
	var p payload
	n.post(loginMutation, map[string]any{"input": map[string]any{"email": email, "password": pw}}).field(n.t, "customerAccessTokenCreate", &p)
	if p.CustomerAccessToken == nil {
		n.t.Fatalf("login %s: %+v", email, p)
	}
	return p.CustomerAccessToken.AccessToken
}

// recover calls customerRecover and returns its payload.
func (n *node) recover(email string, opts ...func(*request)) (gqlResponse, payload) {
	n.t.Helper()
	r := n.post(recoverMutation, map[string]any{"email": email}, opts...)
	var p payload
	if string(r.Data["customerRecover"]) != "null" {
		r.field(n.t, "customerRecover", &p)
	}
	return r, p
}

var resetLink = regexp.MustCompile(`https://shop\.example/account/reset/[0-9]+/[A-Za-z0-9_-]+`)

// resetURL waits for the count-th reset mail to email and returns the
// link in it, checking both parts carry it.
func (n *node) resetURL(email string, count int) string {
	n.t.Helper()
	msgs := n.smtp.WaitForMatch(n.t, func(m smtptest.Received) bool { return m.To == email && resetLink.MatchString(m.Text) }, count, 10*time.Second)
	m := msgs[count-1]
	link := resetLink.FindString(m.Text)
	if link == "" || !bytes.Contains([]byte(m.HTML), []byte(link)) {
		n.t.Fatalf("reset link missing from text or HTML part:\n%s\n%s", m.Text, m.HTML)
	}
	return link
}

func (n *node) resetByURL(url, pw string) payload {
	n.t.Helper()
	var p payload
	n.post(resetByURL, map[string]any{"url": url, "password": pw}).field(n.t, "customerResetByUrl", &p)
	return p
}

// disable turns a customer off, as an administrator would.
func (n *node) disable(gid string) {
	n.t.Helper()
	id, _ := storekeep.ParseCustomerGID(gid)
	ctx := context.Background()
	c, err := n.app.Store.CustomerByID(ctx, n.shop.ID, id)
	if err != nil {
		n.t.Fatal(err)
	}
	read := c
	c.State = storekeep.CustomerDisabled
	if _, err := n.app.Store.UpdateCustomer(ctx, storekeep.CustomerUpdate{Customer: c, Read: read}); err != nil {
		n.t.Fatal(err)
	}
}

var (
	activationLink = regexp.MustCompile(`https://shop\.example/account/activate/[0-9]+/[A-Za-z0-9_-]+`)
	callerCLI      = storekeep.Caller{IP: "127.0.0.1"}
)

type smtpMessage = smtptest.Received

// atOnce runs f(0) to f(n-1) in goroutines released together, as clients
// that send at the same moment, and waits for all of them.
func atOnce(n int, f func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}
