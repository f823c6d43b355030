package app_test

import (
	"context"
	"fmt"
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

// A script waiting on the dev mailbox's JSON list (?wait=, up to
// mailbox.MaxWait) does not hold the node's shutdown, which has 20 s for
// its requests and its last flush of mail: the wait ends as the shutdown
// begins, and the list answers as it stands.
func TestShutdownEndsAMailboxWait(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) { c.DevMailbox = true })
	written := make(chan struct{})
	answer := make(chan string, 1)
	go func() {
		trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { close(written) }}
		ctx := httptrace.WithClientTrace(context.Background(), trace)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet,
			n.base+"/_dev/mailbox/messages?to=nobody@example.com&wait="+mailbox.MaxWait.String(), nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answer <- err.Error()
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		answer <- fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}()
	<-written
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	n.stop()
	if took := time.Since(start); took >= mailbox.MaxWait/2 {
		t.Errorf("the node took %s to stop while a mailbox request waited", took.Round(time.Millisecond))
	}
	if got := <-answer; got != "200 []" {
		t.Errorf("the waiting request got %q, want 200 []", got)
	}
}

// A CPU profile or trace being taken on the admin listener (--pprof, up
// to minutes) does not hold the node's shutdown either: it ends as the
// shutdown begins and answers what it has recorded.
func TestShutdownEndsAProfileInProgress(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) { c.Pprof = true })
	written := make(chan struct{})
	answer := make(chan string, 1)
	go func() {
		trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { close(written) }}
		ctx := httptrace.WithClientTrace(context.Background(), trace)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, n.admin+"/debug/pprof/profile?seconds=120", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answer <- err.Error()
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		answer <- fmt.Sprintf("%d %s, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}()
	<-written
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	n.stop()
	if took := time.Since(start); took >= 10*time.Second {
		t.Errorf("the node took %s to stop while a profile was being taken", took.Round(time.Millisecond))
	}
	if got := <-answer; !strings.HasPrefix(got, "200 application/octet-stream, ") || strings.HasSuffix(got, ", 0 bytes") {
		t.Errorf("the profile request got %q, want 200 and a profile", got)
	}
}
