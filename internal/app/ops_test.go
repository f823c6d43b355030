package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	return getNaming(t, url, "")
}

// getNaming is get with the request's Host header set to host, unless
// host is empty.
func getNaming(t *testing.T, url, host string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestHealthAndReadiness(t *testing.T) {
	n := startNode(t)
	if code, body := get(t, n.base+"/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("healthz: %d %q", code, body)
	}
	if code, body := get(t, n.base+"/readyz"); code != 200 || body != "ready\n" {
		t.Fatalf("readyz: %d %q", code, body)
	}
	n.serveErrorExpected = true
	n.app.Store.Close()
	if code, _ := get(t, n.base+"/readyz"); code != 503 {
		t.Fatalf("readyz with the database closed: %d", code)
	}
}

func TestMetricsCountOutcomesAndMail(t *testing.T) {
	n := startNode(t)
	n.signUp("met@example.com", "first-secret-1")
	for range 4 {
		n.recover("met@example.com")
	}
	n.resetURL("met@example.com", 3)
	wants := []string{
		`storekeep_graphql_fields_total{operation="customerRecover",outcome="ok"} 3`,
		`storekeep_graphql_fields_total{operation="customerRecover",outcome="throttled"} 1`,
		`storekeep_graphql_fields_total{operation="customerCreate",outcome="ok"} 1`,
		`storekeep_http_request_duration_seconds_count{code="200",route="/api/{version}/graphql.json"}`,
		"storekeep_mail_sent_total 3",
		"storekeep_outbox_pending 0",
		"storekeep_password_hashes_in_flight 0",
		"storekeep_limiter_degraded 0",
	}
	var body string
	deadline := time.Now().Add(10 * time.Second)
	for missing := wants; len(missing) > 0; {
		if time.Now().After(deadline) {
			t.Fatalf("metrics lack %q:\n%s", missing, body)
		}
		time.Sleep(20 * time.Millisecond)
		_, body = get(t, n.admin+"/metrics")
		missing = nil
		for _, want := range wants {
			if !strings.Contains(body, want) {
				missing = append(missing, want)
			}
		}
	}
	if strings.Contains(body, "met@example.com") {
		t.Error("an address leaked into a metric label")
	}
}

func TestMetricsAndProfilesAreServedOnlyOnTheAdminListener(t *testing.T) {
	n := startNode(t)
	n.signUp("adm@example.com", "first-secret-1")
	n.recover("adm@example.com")
	n.resetURL("adm@example.com", 1)

	if code, body := get(t, n.base+"/metrics"); code != 404 || strings.Contains(body, "storekeep_") {
		t.Fatalf("/metrics on the API address: %d %.200q", code, body)
	}
	if code, body := get(t, n.admin+"/metrics"); code != 200 || !strings.Contains(body, "storekeep_mail_sent_total") {
		t.Fatalf("/metrics on the admin address: %d %.200q", code, body)
	}
	for _, base := range []string{n.base, n.admin} {
		if code, body := get(t, base+"/healthz"); code != 200 || body != "ok\n" {
			t.Errorf("%s/healthz: %d %q", base, code, body)
		}
		if code, body := get(t, base+"/readyz"); code != 200 || body != "ready\n" {
			t.Errorf("%s/readyz: %d %q", base, code, body)
		}
		if code, _ := get(t, base+"/debug/pprof/"); code != 404 {
			t.Errorf("%s/debug/pprof/ without Pprof: %d", base, code)
		}
	}
	for _, path := range []string{"/api/2026-10/graphql.json", "/_dev/mailbox", "/account/reset/1/x"} {
		if code, _ := get(t, n.admin+path); code != 404 {
			t.Errorf("the admin listener serves %s: %d", path, code)
		}
	}

	p := startNode(t, func(c *app.Config, _ *storekeep.Shop) { c.Pprof = true })
	if code, body := get(t, p.admin+"/debug/pprof/"); code != 200 || !strings.Contains(body, "goroutine") {
		t.Fatalf("/debug/pprof/ on the admin address with Pprof: %d %.200q", code, body)
	}
	if code, _ := get(t, p.admin+"/debug/pprof/heap"); code != 200 {
		t.Fatalf("heap profile: %d", code)
	}
	if code, _ := get(t, p.base+"/debug/pprof/"); code != 404 {
		t.Fatalf("/debug/pprof/ on the API address: %d", code)
	}
}
