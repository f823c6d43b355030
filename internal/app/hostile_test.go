package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/server"
	"github.com/storekeep/storekeep/password"
)

// rawRequest is an HTTP request built byte for byte by a test.
type rawRequest struct {
	method      string
	contentType string
	body        io.Reader
	headers     map[string]string
}

// rawAnswer is what came back, undecoded.
type rawAnswer struct {
	status int
	header http.Header
	body   []byte
}

// send posts req to the GraphQL endpoint with the public token unless its
// headers say otherwise.
func (n *node) send(t testing.TB, req rawRequest) rawAnswer {
	t.Helper()
	method := req.method
	if method == "" {
		method = "POST"
	}
	r, err := http.NewRequest(method, n.base+"/api/2026-10/graphql.json", req.body)
	if err != nil {
		t.Fatal(err)
	}
	if req.contentType != "" {
		r.Header.Set("Content-Type", req.contentType)
	}
	r.Header.Set(server.PublicTokenHeader, n.public)
	for k, v := range req.headers {
		r.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawAnswer{resp.StatusCode, resp.Header, body}
}

func jsonBody(v any) io.Reader {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}

// errorsBody is a JSON answer made only of top-level errors.
type errorsBody struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// refusal decodes a's errors and fails the test unless a is a JSON
// errors-only answer with status and, first, an error of code.
func refusal(t *testing.T, a rawAnswer, status int, code string) errorsBody {
	t.Helper()
	var b errorsBody
	if err := json.Unmarshal(a.body, &b); err != nil || a.status != status || len(b.Errors) == 0 ||
		b.Errors[0].Extensions["code"] != code || (len(b.Data) > 0 && string(b.Data) != "null") {
		t.Fatalf("got %d %s, want %d with a JSON %s error", a.status, a.body, status, code)
	}
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q", ct)
	}
	return b
}

// leaks are what a Go failure leaves in text: stack traces, file paths,
// module paths.
var leaks = []string{"goroutine ", ".go:", "runtime.", "runtime/", "panic", "github.com/", "/home/", "/work/", "/usr/local/go"}

func assertNoLeak(t *testing.T, what string, text []byte) {
	t.Helper()
	for _, l := range leaks {
		if bytes.Contains(text, []byte(l)) {
			t.Errorf("%s contains %q: %s", what, l, text)
		}
	}
}

func TestOversizedBodyIs413WithJSONErrors(t *testing.T) {
	n := startNode(t)
	padding := strings.Repeat(" ", server.DefaultMaxBodyBytes)
	big := `{"query": "{ __typename }"` + padding + `}`
	t.Run("with Content-Length", func(t *testing.T) {
		refusal(t, n.send(t, rawRequest{contentType: "application/json", body: strings.NewReader(big)}), http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE")
	})
	t.Run("chunked", func(t *testing.T) {
		body := io.MultiReader(strings.NewReader(big))
		refusal(t, n.send(t, rawRequest{contentType: "application/json", body: body}), http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE")
	})
	t.Run("application/graphql", func(t *testing.T) {
		refusal(t, n.send(t, rawRequest{contentType: "application/graphql", body: strings.NewReader("{ __typename }" + padding)}), http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE")
	})
	t.Run("just under the limit is served", func(t *testing.T) {
		fits := `{"query": "{ __typename }"` + padding[:server.DefaultMaxBodyBytes-64] + `}`
		a := n.send(t, rawRequest{contentType: "application/json", body: strings.NewReader(fits)})
		if a.status != http.StatusOK || string(a.body) != `{"data":{"__typename":"QueryRoot"}}` {
			t.Fatalf("%d %s", a.status, a.body)
		}
	})
}

func TestDepthIsLimitedButFullIntrospectionWorks(t *testing.T) {
	n := startNode(t)
	deep := `{ __type(name: "Customer") {` + strings.Repeat(" ofType {", 20) + " name" + strings.Repeat(" }", 20) + " } }"
	r := n.post(deep, nil)
	if r.Status != http.StatusOK || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "MAX_DEPTH_EXCEEDED" || r.Data != nil {
		t.Fatalf("21 levels deep: %d %s", r.Status, r.Raw)
	}

	query, err := os.ReadFile("../graph/testdata/introspection.graphql")
	if err != nil {
		t.Fatal(err)
	}
	r = n.post(string(query), nil)
	var schema struct {
		Types []struct {
			Name string `json:"name"`
		} `json:"types"`
	}
	r.field(t, "__schema", &schema)
	names := map[string]bool{}
	for _, ty := range schema.Types {
		names[ty.Name] = true
	}
	if r.Status != http.StatusOK || len(r.Errors) != 0 || !names["Customer"] || !names["CustomerErrorCode"] || !names["__Directive"] {
		t.Fatalf("GraphiQL's introspection query: %d, %d types, errors %v", r.Status, len(schema.Types), r.Errors)
	}
}

func TestAliasesAreCapped(t *testing.T) {
	n := startNode(t)
	aliases := func(count int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range count {
			fmt.Fprintf(&b, " a%d: __typename", i)
		}
		b.WriteString(" }")
		return b.String()
	}
	if r := n.post(aliases(30), nil); len(r.Errors) != 0 || len(r.Data) != 30 {
		t.Fatalf("30 aliases: %s", r.Raw)
	}
	r := n.post(aliases(31), nil)
	if r.Status != http.StatusOK || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "MAX_ALIASES_EXCEEDED" || r.Data != nil {
		t.Fatalf("31 aliases: %d %s", r.Status, r.Raw)
	}
}

func TestBatchedRequestsAreRejected(t *testing.T) {
	n := startNode(t)
	n.signUp("batch@example.com", "first-secret-1")
	one := map[string]any{"query": recoverMutation, "variables": map[string]any{"email": "batch@example.com"}}
	for _, prefix := range []string{"", "\n  "} {
		body, _ := json.Marshal([]any{one, one, one, one})
		b := refusal(t, n.send(t, rawRequest{contentType: "application/json", body: strings.NewReader(prefix + string(body))}), http.StatusBadRequest, "BAD_REQUEST")
		if !strings.Contains(b.Errors[0].Message, "Batched queries are not supported") {
			t.Fatalf("message %q does not say why", b.Errors[0].Message)
		}
	}
	n.stop()
	if got := n.smtp.Messages(); len(got) != 0 {
		t.Fatalf("a rejected batch ran: %d mails", len(got))
	}
}

// nastyInputs are requests no client should send. None may fail the
// server or show its insides.
func nastyInputs() map[string]rawRequest {
	recover := func(email any) io.Reader {
		return jsonBody(map[string]any{"query": recoverMutation, "variables": map[string]any{"email": email}})
	}
	many := map[string]any{}
	for i := range 5000 {
		many[fmt.Sprintf("v%d", i)] = i
	}
	typename := func(query string) io.Reader { return strings.NewReader(`{"query": "` + query + `"}`) }
	return map[string]rawRequest{
		"malformed JSON":             {contentType: "application/json", body: strings.NewReader(`{"query": "{ __typename }"`)},
		"trailing garbage":           {contentType: "application/json", body: strings.NewReader(`{"query": "{ __typename }"} {"x": 1}`)},
		"empty body":                 {contentType: "application/json", body: strings.NewReader("")},
		"null body":                  {contentType: "application/json", body: strings.NewReader("null")},
		"string body":                {contentType: "application/json", body: strings.NewReader(`"{ __typename }"`)},
		"number query":               {contentType: "application/json", body: strings.NewReader(`{"query": 42}`)},
		"array variables":            {contentType: "application/json", body: strings.NewReader(`{"query": "{ __typename }", "variables": [1, 2]}`)},
		"string variables":           {contentType: "application/json", body: strings.NewReader(`{"query": "{ __typename }", "variables": "{}"}`)},
		"object operationName":       {contentType: "application/json", body: strings.NewReader(`{"query": "{ __typename }", "operationName": {}}`)},
		"no query":                   {contentType: "application/json", body: strings.NewReader(`{"variables": {}}`)},
		"unknown operationName":      {contentType: "application/json", body: strings.NewReader(`{"query": "query A { __typename } query B { __typename }", "operationName": "C"}`)},
		"two anonymous operations":   {contentType: "application/json", body: typename(`{ __typename } { __typename }`)},
		"text/plain":                 {contentType: "text/plain", body: typename(`{ __typename }`)},
		"no content type":            {body: typename(`{ __typename }`)},
		"garbage content type":       {contentType: ";;;=", body: typename(`{ __typename }`)},
		"multipart":                  {contentType: "multipart/form-data; boundary=x", body: strings.NewReader("--x\r\n\r\n{}\r\n--x--")},
		"GET":                        {method: "GET"},
		"GET with query string":      {method: "GET", contentType: "application/json"},
		"PUT":                        {method: "PUT", contentType: "application/json", body: typename(`{ __typename }`)},
		"DELETE":                     {method: "DELETE"},
		"huge variable":              {contentType: "application/json", body: recover(strings.Repeat("x", 200<<10) + "@example.com")},
		"many variables":             {contentType: "application/json", body: jsonBody(map[string]any{"query": "{ __typename }", "variables": many})},
		"deeply nested variables":    {contentType: "application/json", body: strings.NewReader(`{"query": "{ __typename }", "variables": {"a": ` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}}`)},
		"object for String":          {contentType: "application/json", body: recover(map[string]any{"a": []any{1, nil}})},
		"null for String!":           {contentType: "application/json", body: recover(nil)},
		"invalid UTF-8 in JSON":      {contentType: "application/json", body: strings.NewReader("{\"query\": \"{ __typename \xff\xfe }\"}")},
		"invalid UTF-8 in variable":  {contentType: "application/json", body: strings.NewReader("{\"query\": \"" + strings.ReplaceAll(recoverMutation, `"`, `\"`) + "\", \"variables\": {\"email\": \"a\xc3\x28@example.com\"}}")},
		"invalid UTF-8 as GraphQL":   {contentType: "application/graphql", body: strings.NewReader("{ __typename \xff }")},
		"escaped NUL in query":       {contentType: "application/json", body: typename(`{ __typename \u0000 }`)},
		"raw NUL in JSON string":     {contentType: "application/json", body: strings.NewReader("{\"query\": \"{ __typename \x00 }\"}")},
		"NUL in GraphQL body":        {contentType: "application/graphql", body: strings.NewReader("{ __typename }\x00")},
		"NUL in email":               {contentType: "application/json", body: recover("a\x00b@example.com")},
		"unbalanced braces":          {contentType: "application/graphql", body: strings.NewReader(strings.Repeat("{", 100000))},
		"fragment cycle":             {contentType: "application/graphql", body: strings.NewReader("{ ...A } fragment A on QueryRoot { ...B } fragment B on QueryRoot { ...A }")},
		"fragment bomb":              {contentType: "application/graphql", body: strings.NewReader("{ ...A } fragment A on QueryRoot { ...B ...B ...B ...B } fragment B on QueryRoot { ...C ...C ...C ...C } fragment C on QueryRoot { ...D ...D ...D ...D } fragment D on QueryRoot { __typename __typename __typename }")},
		"subscription":               {contentType: "application/graphql", body: strings.NewReader("subscription { __typename }")},
		"JSON as GraphQL":            {contentType: "application/graphql", body: typename(`{ __typename }`)},
		"gzip claimed, not gzip":     {contentType: "application/json", body: typename(`{ __typename }`), headers: map[string]string{"Content-Encoding": "gzip"}},
		"upgrade header":             {contentType: "application/json", body: typename(`{ __typename }`), headers: map[string]string{"Upgrade": "websocket"}},
		"oversized token header":     {contentType: "application/json", body: typename(`{ __typename }`), headers: map[string]string{server.PublicTokenHeader: strings.Repeat("t", 10000)}},
		"junk buyer IP, public":      {contentType: "application/json", body: typename(`{ __typename }`), headers: map[string]string{server.BuyerIPHeader: "not an ip, 999.1.1.1"}},
		"junk accept-language":       {contentType: "application/json", body: recover("lang@example.com"), headers: map[string]string{"Accept-Language": strings.Repeat("x-", 1000)}},
		"directive on the operation": {contentType: "application/graphql", body: strings.NewReader(`query @inContext(language: ZZ, country: ZZ) { __typename }`)},
		"huge integer literal":       {contentType: "application/graphql", body: strings.NewReader(`{ __type(name: 99999999999999999999999999999) { name } }`)},
	}
}

func TestHostileInputsNeverFailTheServerOrShowItsInsides(t *testing.T) {
	n := startNode(t)
	for name, req := range nastyInputs() {
		t.Run(name, func(t *testing.T) {
			a := n.send(t, req)
			if a.status >= 500 {
				t.Fatalf("status %d: %s", a.status, a.body)
			}
			if !json.Valid(a.body) {
				t.Fatalf("status %d, body is not JSON: %q", a.status, a.body)
			}
			assertNoLeak(t, "answer", a.body)
			if len(a.body) > 2048 {
				t.Fatalf("a %d-byte answer reflects the request back: %.200s...", len(a.body), a.body)
			}
		})
	}
	n.stop()
	for _, l := range []string{"panic", "goroutine "} {
		if strings.Contains(n.logs.String(), l) {
			t.Errorf("the node logged %q", l)
		}
	}
}

// slowClient opens a raw connection, sends head, then trickles trickle one
// byte every 100 ms, and reports how long the server kept the connection
// open; it fails the test if that reached within.
func slowClient(t *testing.T, n *node, head, trickle string, within time.Duration) time.Duration {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(n.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for i := 0; i < len(trickle) && ctx.Err() == nil; i++ {
			time.Sleep(100 * time.Millisecond)
			if _, err := conn.Write([]byte{trickle[i]}); err != nil {
				return
			}
		}
	}()
	conn.SetReadDeadline(start.Add(within))
	answer, err := io.ReadAll(conn)
	held := time.Since(start)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("connection still open after %v", within)
	}
	if bytes.Contains(answer, []byte(" 5")) && bytes.HasPrefix(answer, []byte("HTTP/1.1 5")) {
		t.Fatalf("answered %s", answer)
	}
	t.Logf("closed after %v with %q", held.Round(time.Millisecond), firstLine(answer))
	return held
}

func firstLine(b []byte) string {
	line, _, _ := bytes.Cut(b, []byte("\r\n"))
	return string(line)
}

func TestSlowClientsAreCutOff(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.Timeouts = app.Timeouts{ReadHeader: 300 * time.Millisecond, Read: 800 * time.Millisecond}
	})
	t.Run("headers", func(t *testing.T) {
		slowClient(t, n, "POST /api/2026-10/graphql.json HTTP/1.1\r\nHost: shop.example\r\n", strings.Repeat("X-Slow: loris\r\n", 10), 4*time.Second)
	})
	t.Run("body", func(t *testing.T) {
		body := `{"query": "{ __typename }"}` + strings.Repeat(" ", 100)
		head := "POST /api/2026-10/graphql.json HTTP/1.1\r\nHost: shop.example\r\nContent-Type: application/json\r\n" +
			server.PublicTokenHeader + ": " + n.public + "\r\n" + fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body))
		slowClient(t, n, head, body, 4*time.Second)
	})
}

// floodOutcome counts how a burst of password-hashing requests ended.
type floodOutcome struct {
	ok, throttled int
	throttledAt   []int
}

// classify reads one answer of the flood: a payload with a customer, or a
// THROTTLED top-level error from the hashing queue. Anything else fails.
func classify(t testing.TB, field string, r gqlResponse) (ok bool) {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("%s: status %d: %s", field, r.Status, r.Raw)
	}
	if isThrottled(r, field, "Too many requests. Please try again later.") {
		return false
	}
	var p payload
	r.field(t, field, &p)
	if p.Customer == nil {
		t.Fatalf("%s: neither done nor throttled: %s", field, r.Raw)
	}
	return true
}

func TestHashingFloodIsThrottledNotQueuedWithoutBound(t *testing.T) {
	n := startNode(t, unthrottled, func(c *app.Config, _ *storekeep.Shop) {
		c.HashParams = password.DefaultParams
		c.HashConcurrency = 1
		c.HashQueue = 2
	})
	links := seedResetTokens(t, n.app.Store, n.app.Keys, n.shop, n.clock.Now(), 10)
	var (
		mu  sync.Mutex
		out floodOutcome
		wg  sync.WaitGroup
	)
	start := make(chan struct{})
	for i := range 20 {
		wg.Go(func() {
			<-start
			var field string
			var r gqlResponse
			if i%2 == 0 {
				field = "customerResetByUrl"
				r = n.post(resetByURL, map[string]any{"url": links[i/2], "password": fmt.Sprintf("flood-secret-%d", i)})
			} else {
				field = "customerCreate"
				r = n.post(createMutation, map[string]any{"input": map[string]any{"email": fmt.Sprintf("new%d@example.com", i), "password": "flood-secret-1"}})
			}
			ok := classify(t, field, r)
			mu.Lock()
			defer mu.Unlock()
			if ok {
				out.ok++
			} else {
				out.throttled++
				out.throttledAt = append(out.throttledAt, i)
			}
		})
	}
	close(start)
	wg.Wait()
	t.Logf("20 concurrent hashing requests, 1 slot and 2 waiting: %d done, %d throttled", out.ok, out.throttled)
	if out.throttled == 0 || out.ok < 3 {
		t.Fatalf("%d done, %d throttled: want some of each", out.ok, out.throttled)
	}
	for _, i := range out.throttledAt {
		if i%2 == 0 {
			var p payload
			n.post(resetByURL, map[string]any{"url": links[i/2], "password": "retry-secret-1"}).field(t, "customerResetByUrl", &p)
			if p.Customer == nil {
				t.Fatalf("a reset throttled by the hashing queue spent its token: %+v", p)
			}
		}
	}
}

// TestOverLimitQueriesAreRefusedBeforeValidation sends documents far over
// the field, alias and spread limits, each within the body and token limits:
// they are refused by the limits on their text before gqlgen validates
// them, whose cost grows with the square of the fields that share a
// response name (seconds of CPU for 14,000), so the answer is the limit's
// even where validation would have refused the document another way.
func TestOverLimitQueriesAreRefusedBeforeValidation(t *testing.T) {
	n := startNode(t)
	ids := strings.Repeat(" id", 14000)
	var chain strings.Builder
	chain.WriteString("{" + strings.Repeat(" ...F1", 1000) + " }")
	for i := 1; i < 1450; i++ {
		fmt.Fprintf(&chain, " fragment F%d on QueryRoot { ...F%d }", i, i+1)
	}
	chain.WriteString(" fragment F1450 on QueryRoot { __typename }")
	for name, c := range map[string]struct{ query, code string }{
		"14,000 fields under customer, one unknown":   {`{ customer(customerAccessToken: "x") {` + ids + ` nosuchfield } }`, "MAX_FIELDS_EXCEEDED"},
		"14,000 fields in an unused fragment":         {`{ __typename } fragment F on Customer {` + ids + ` }`, "MAX_FIELDS_EXCEEDED"},
		"5,000 spreads of a fragment of 990 fields":   {"{" + strings.Repeat(" ...F", 5000) + " } fragment F on QueryRoot {" + strings.Repeat(" __typename", 990) + " }", "MAX_FIELDS_EXCEEDED"},
		"4,900 aliases of one name, one unknown":      {"{" + strings.Repeat(" a: __typename", 4900) + " nosuchfield }", "MAX_ALIASES_EXCEEDED"},
		"1,000 spreads of a chain of 1,450 fragments": {chain.String(), "MAX_FRAGMENT_SPREADS_EXCEEDED"},
	} {
		t.Run(name, func(t *testing.T) {
			r := n.post(c.query, nil)
			if r.Status != http.StatusOK || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != c.code || r.Data != nil {
				t.Errorf("%d-byte query: %d %.300s, want 200 with %s", len(c.query), r.Status, r.Raw, c.code)
			}
		})
	}
}
