package hostcheck_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/storekeep/storekeep/internal/hostcheck"
)

func TestPermits(t *testing.T) {
	loopbackOnly := hostcheck.Allowed{Names: []string{"dev.internal"}}
	anyAddress := hostcheck.Allowed{Names: []string{"metrics.internal:9090"}, AnyAddress: true}
	for host, want := range map[string][2]bool{
		"127.0.0.1:9090":            {true, true},
		"localhost":                 {true, true},
		"LOCALHOST.":                {true, true},
		"app.localhost:8080":        {true, true},
		"[::1]:9090":                {true, true},
		"127.8.9.10":                {true, true},
		"dev.internal:8080":         {true, false},
		"DEV.internal":              {true, false},
		"metrics.internal":          {false, true},
		"10.0.0.5:9090":             {false, true},
		"[fd00::5]:9090":            {false, true},
		"evil.example:9090":         {false, false},
		"localhost.evil.example":    {false, false},
		"127.0.0.1.evil.example":    {false, false},
		"":                          {false, false},
		"10.0.0.5.nip.io:9090":      {false, false},
		"dev.internal.evil.example": {false, false},
	} {
		if got := loopbackOnly.Permits(host); got != want[0] {
			t.Errorf("loopback and names: Permits(%q) = %v, want %v", host, got, want[0])
		}
		if got := anyAddress.Permits(host); got != want[1] {
			t.Errorf("any address and names: Permits(%q) = %v, want %v", host, got, want[1])
		}
	}
}

func TestHandlerRefusesWithTheMessage(t *testing.T) {
	h := hostcheck.Allowed{}.Handler("not here", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("served"))
	}))
	for host, want := range map[string]int{"localhost:1": http.StatusOK, "evil.example": http.StatusForbidden} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want || (want == http.StatusForbidden) != (rec.Body.String() == "not here\n") {
			t.Errorf("Host %q: %d %q", host, rec.Code, rec.Body)
		}
	}
}
