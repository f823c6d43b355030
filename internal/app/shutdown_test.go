package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/mailbox"
)

// answered is what a request in flight through a node's stop got back.
type answered struct {
	status      int
	contentType string
	body        string
	err         error
}

// stopDuring sends a GET of url, stops n once the request is on the wire
// and has had time to reach its handler, and returns how long the stop
// took and what the request got.
func stopDuring(t *testing.T, n *node, url string) (time.Duration, answered) {
	t.Helper()
	written := make(chan struct{})
	got := make(chan answered, 1)
	go func() {
		trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { close(written) }}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- answered{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		got <- answered{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: strings.TrimSpace(string(body)), err: err}
	}()
	<-written
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	n.stop()
	return time.Since(start), <-got
}

// A script waiting on the dev mailbox's JSON list (?wait=, up to
// mailbox.MaxWait) does not hold the node's shutdown, which has 20 s for
// its requests and its last flush of mail: the wait ends as the shutdown
// begins, and the list answers as it stands.
func TestShutdownEndsAMailboxWait(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) { c.DevMailbox = true })
	took, got := stopDuring(t, n, n.base+"/_dev/mailbox/messages?to=nobody@example.com&wait="+mailbox.MaxWait.String())
	if took >= mailbox.MaxWait/2 {
		t.Errorf("the node took %s to stop while a mailbox request waited", took.Round(time.Millisecond))
	}
	if got.err != nil || got.status != http.StatusOK || got.body != "[]" {
		t.Errorf("the waiting request got %d %q (%v), want 200 []", got.status, got.body, got.err)
	}
}

// A CPU profile or trace being taken on the admin listener (--pprof, up
// to minutes) does not hold the node's shutdown either: it ends as the
// shutdown begins and answers what it has recorded.
func TestShutdownEndsAProfileInProgress(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) { c.Pprof = true })
	took, got := stopDuring(t, n, n.admin+"/debug/pprof/profile?seconds=120")
	if took >= 10*time.Second {
		t.Errorf("the node took %s to stop while a profile was being taken", took.Round(time.Millisecond))
	}
	if got.err != nil || got.status != http.StatusOK || got.contentType != "application/octet-stream" || got.body == "" {
		t.Errorf("the profile request got %d %s, %d bytes (%v), want 200 and a profile", got.status, got.contentType, len(got.body), got.err)
	}
}
