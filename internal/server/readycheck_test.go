package server

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// /readyz asks the database on the API address, which anyone can reach:
// a flood of probes ran one check each at once, each holding a database
// connection the answers need, and logged one warning each while the
// database was down. Probes that arrive while a check runs now share its
// answer, so a node runs one check at a time, however many ask.
func TestProbesShareTheCheckInFlight(t *testing.T) {
	var running, most, calls atomic.Int64
	check := func(ctx context.Context) error {
		calls.Add(1)
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(5 * time.Millisecond)
		running.Add(-1)
		return nil
	}
	ready := NewReadyCheck(check, slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)))
	api := httptest.NewServer(New(Config{Ready: ready.Ready}))
	t.Cleanup(api.Close)
	admin := httptest.NewServer(NewAdmin(AdminConfig{Ready: ready.Ready}))
	t.Cleanup(admin.Close)
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			base := api.URL
			if i%2 == 1 {
				base = admin.URL
			}
			resp, err := http.Get(base + "/readyz")
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("readyz: %d", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	if most.Load() != 1 {
		t.Fatalf("%d checks ran at once for 200 probes, want 1", most.Load())
	}
	t.Logf("%d checks for 200 probes", calls.Load())
}

// A probe's answer is never one kept from before it asked: a check runs
// for each probe that arrives when none is running, and a failure is
// logged when the node becomes not ready or the reason changes, not once
// for every probe.
func TestProbesLogAFailureOnceAndAskAgain(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	var failure error
	check := func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		return failure
	}
	set := func(err error) {
		mu.Lock()
		failure = err
		mu.Unlock()
	}
	ready := NewReadyCheck(check, slog.New(slog.NewTextHandler(&logs, nil)))
	srv := httptest.NewServer(New(Config{Ready: ready.Ready}))
	t.Cleanup(srv.Close)
	status := func() int {
		t.Helper()
		resp, err := http.Get(srv.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	set(errors.New("database is down"))
	for range 50 {
		if got := status(); got != http.StatusServiceUnavailable {
			t.Fatalf("readyz with the database down: %d", got)
		}
	}
	set(errors.New("the keys did not write here"))
	status()
	set(nil)
	if got := status(); got != http.StatusOK {
		t.Fatalf("readyz once the check passes: %d, want 200 (a failure is not kept)", got)
	}
	set(errors.New("database is down"))
	status()
	out := logs.String()
	if strings.Count(out, "not ready") != 3 || strings.Count(out, "database is down") != 2 || strings.Count(out, "ready again") != 1 {
		t.Fatalf("want three not-ready lines (one a change) and one ready-again line, got:\n%s", out)
	}
}

// A check that panics was caught by the request's recovery while each
// probe ran its own; run apart, in singleflight's goroutine, a panic
// would end the process. It is now a failed check: the probes that
// shared it are answered 503, and the node goes on.
func TestAPanickingCheckIsAFailure(t *testing.T) {
	var logs bytes.Buffer
	calls := 0
	ready := NewReadyCheck(func(context.Context) error {
		calls++
		if calls == 1 {
			panic("driver bug")
		}
		return nil
	}, slog.New(slog.NewTextHandler(&logs, nil)))
	srv := httptest.NewServer(New(Config{Ready: ready.Ready}))
	t.Cleanup(srv.Close)
	for i, want := range []int{http.StatusServiceUnavailable, http.StatusOK} {
		resp, err := http.Get(srv.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("probe %d: %d, want %d", i+1, resp.StatusCode, want)
		}
	}
	if !strings.Contains(logs.String(), "driver bug") {
		t.Fatalf("the panic is not logged:\n%s", logs.String())
	}
}
