package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
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
		_, body = get(t, n.base+"/metrics")
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
