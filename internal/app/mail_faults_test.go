package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/cli/clitest"
	"github.com/storekeep/storekeep/internal/mail/smtptest"
	"github.com/storekeep/storekeep/internal/secret"
	"github.com/storekeep/storekeep/internal/server"
)

// The fault tests below each check that no accepted mail is lost: every
// customerRecover that was answered with success ends with its mail at a
// real SMTP server, sent again if need be but always as the same message.

const mailWait = 20 * time.Second

// recoverAs asks for a reset link for email with the private token, as the
// buyer at ip, and reports whether the answer was a success.
func recoverAs(client *http.Client, base, token, email, ip string) (bool, error) {
	body, _ := json.Marshal(map[string]any{"query": recoverMutation, "variables": map[string]any{"email": email}})
	req, err := http.NewRequest("POST", base+"/api/2026-10/graphql.json", bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(server.PrivateTokenHeader, token)
	req.Header.Set(server.BuyerIPHeader, ip)
	resp, err := client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			CustomerRecover *payload `json:"customerRecover"`
		} `json:"data"`
		Errors []any `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return false, err
	}
	p := out.Data.CustomerRecover
	ok := resp.StatusCode == 200 && len(out.Errors) == 0 && p != nil && len(p.CustomerUserErrors) == 0 && len(p.UserErrors) == 0
	return ok, nil
}

// burst sends customerRecover for every email from workers goroutines,
// each from its own buyer IP, calls between(done) before handing out each
// request, and returns the emails whose request succeeded.
func burst(client *http.Client, base, token string, emails []string, workers int, between func(succeeded int)) []string {
	var (
		mu sync.Mutex
		ok []string
		wg sync.WaitGroup
	)
	jobs := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				good, _ := recoverAs(client, base, token, emails[i], fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
				if good {
					mu.Lock()
					ok = append(ok, emails[i])
					mu.Unlock()
				}
			}
		})
	}
	for i := range emails {
		if between != nil {
			mu.Lock()
			n := len(ok)
			mu.Unlock()
			between(n)
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return ok
}

// waitForMail waits until every address in emails has received mail at
// srv and returns what each address received.
func waitForMail(t *testing.T, srv *smtptest.Server, emails []string) map[string][]smtptest.Received {
	t.Helper()
	deadline := time.Now().Add(mailWait)
	for {
		got := map[string][]smtptest.Received{}
		for _, m := range srv.Messages() {
			got[strings.ToLower(m.To)] = append(got[strings.ToLower(m.To)], m)
		}
		var missing []string
		for _, e := range emails {
			if len(got[strings.ToLower(e)]) == 0 {
				missing = append(missing, e)
			}
		}
		if len(missing) == 0 {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s, %d of %d accepted mails never arrived, such as %v", mailWait, len(missing), len(emails), missing[:min(len(missing), 5)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkOneMessageEach fails t unless every address received one message,
// perhaps more than once but then always with the same Message-ID, and
// no two addresses share a Message-ID; each carrying a reset link.
func checkOneMessageEach(t *testing.T, got map[string][]smtptest.Received) (duplicates int) {
	t.Helper()
	owner := map[string]string{}
	for to, msgs := range got {
		id := msgs[0].MessageID
		if id == "" {
			t.Errorf("%s: mail without Message-ID", to)
		}
		for _, m := range msgs[1:] {
			if m.MessageID != id {
				t.Errorf("%s: delivered again as a different message: Message-ID %q, then %q", to, id, m.MessageID)
			}
		}
		duplicates += len(msgs) - 1
		if other, ok := owner[id]; ok {
			t.Errorf("%s and %s got the same Message-ID %q", other, to, id)
		}
		owner[id] = to
		if !resetLink.MatchString(msgs[0].Text) || !resetLink.MatchString(msgs[0].HTML) {
			t.Errorf("%s: no reset link in the mail", to)
		}
	}
	return duplicates
}

// eventuallyTrue waits for cond, failing t after mailWait.
func eventuallyTrue(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(mailWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting after %s for %s", mailWait, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestMailSurvivesSIGKILLInTheMiddleOfABurst(t *testing.T) {
	t.Run("shopify enumeration", func(t *testing.T) { sigkillMidBurst(t, storekeep.EnumerationShopify) })
	t.Run("private enumeration", func(t *testing.T) { sigkillMidBurst(t, storekeep.EnumerationPrivate) })
}

// sigkillMidBurst kills the server with SIGKILL while a burst of
// customerRecover requests for a shop in mode is under way, with the SMTP
// server down, then restarts both and checks that every request answered
// with success has its mail delivered.
func sigkillMidBurst(t *testing.T, mode storekeep.Enumeration) {
	bin := clitest.Binary(t)
	srv := smtptest.Start(t)
	srv.Stop()
	db := nodeDB(t)
	key, err := secret.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	emails, token := seedShop(t, db, key, mode, 150)
	args := []string{
		"serve", "--addr", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0", "--db", db, "--secret-key", base64.RawURLEncoding.EncodeToString(key),
		"--smtp", srv.URL(), "--mail-backoff", "100ms", "--mail-backoff-max", "400ms", "--mail-max-attempts", "1000",
		"--mail-lease", "2s", "--log-format", "text", "--log-level", "info",
	}

	first := startProcess(t, bin, args...)
	client := &http.Client{Timeout: 10 * time.Second}
	killed := false
	ok := burst(client, first.base, token, emails, 12, func(succeeded int) {
		if !killed && succeeded >= len(emails)/2 {
			if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	})
	err = first.cmd.Wait()
	if status, isWait := first.cmd.ProcessState.Sys().(syscall.WaitStatus); !isWait || !status.Signaled() || status.Signal() != syscall.SIGKILL {
		t.Fatalf("first server was not killed by SIGKILL: %v", err)
	}
	if !killed || len(ok) < len(emails)/2 || len(ok) == len(emails) {
		t.Fatalf("%d of %d requests succeeded; want the kill to fall in the middle of the burst", len(ok), len(emails))
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d mails reached the stopped SMTP server", n)
	}
	t.Logf("%d of %d requests succeeded before the kill", len(ok), len(emails))
	srv.Restart(t)
	startProcess(t, bin, args...)
	got := waitForMail(t, srv, ok)
	if dup := checkOneMessageEach(t, got); dup > 0 {
		t.Logf("%d mails were delivered again, each with its first Message-ID", dup)
	}
	store := openStore(t, db, key)
	eventuallyTrue(t, "the outbox to empty", func() bool {
		n, _, err := store.OutboxStats(context.Background(), 1_000_000)
		return err == nil && n == 0
	})
	if failed, err := store.ListMail(context.Background(), storekeep.MailFailed, 0); err != nil || len(failed) != 0 {
		t.Errorf("failed mail: %v %v", failed, err)
	}
}

func TestMailWaitsOutAnSMTPOutageUnderLoad(t *testing.T) {
	n := startNode(t, manySignUps, func(c *app.Config, _ *storekeep.Shop) {
		c.Now = time.Now
		c.Outbox.PollInterval = 20 * time.Millisecond
		c.Outbox.BackoffBase = 20 * time.Millisecond
		c.Outbox.BackoffMax = 200 * time.Millisecond
		c.Outbox.MaxAttempts = 1000
	})
	emails := make([]string, 80)
	for i := range emails {
		emails[i] = fmt.Sprintf("outage%03d@example.com", i)
		n.signUp(emails[i], "first-secret-1")
	}
	n.smtp.Stop()
	client := &http.Client{Timeout: 10 * time.Second}
	before := burst(client, n.base, n.private, emails[:40], 8, nil)
	met := n.app.Outbox.Metrics()
	eventuallyTrue(t, "two failed attempts per queued mail", func() bool { return met.Retried.Load() >= int64(2*len(before)) })

	restarted := false
	during := burst(client, n.base, n.private, emails[40:], 8, func(succeeded int) {
		if !restarted && succeeded >= 20 {
			n.smtp.Restart(t)
			restarted = true
		}
	})
	if !restarted {
		t.Fatal("the SMTP server never came back")
	}
	accepted := append(before, during...)
	if len(accepted) != len(emails) {
		t.Fatalf("%d of %d requests accepted during the outage", len(accepted), len(emails))
	}
	checkOneMessageEach(t, waitForMail(t, n.smtp, accepted))
	eventuallyTrue(t, "the outbox to empty", func() bool {
		pending, _, err := n.app.Store.OutboxStats(context.Background(), 1_000_000)
		return err == nil && pending == 0
	})
	if met.Failed.Load() != 0 {
		t.Errorf("%d mails abandoned", met.Failed.Load())
	}
}

func TestMailToARejectedRecipientFailsAloneAndCanBeRetried(t *testing.T) {
	const gone = "gone@example.com"
	rejecting := smtptest.Start(t, smtptest.RejectRecipient(gone))
	var keys [][]byte
	n := startNode(t, manySignUps, func(c *app.Config, _ *storekeep.Shop) {
		c.SMTP = rejecting.URL()
		keys = c.SecretKeys
	})
	emails := []string{gone}
	for i := range 12 {
		emails = append(emails, fmt.Sprintf("kept%02d@example.com", i))
	}
	for _, e := range emails {
		n.signUp(e, "first-secret-1")
	}
	for i, e := range emails {
		if r, p := n.recover(e, privateAs(n, fmt.Sprintf("10.0.0.%d", i+1))); r.Status != 200 || len(p.CustomerUserErrors) > 0 {
			t.Fatalf("recover %s: %s", e, r.Raw)
		}
	}
	checkOneMessageEach(t, waitForMail(t, rejecting, emails[1:]))
	ctx := context.Background()
	var failed []storekeep.MailRecord
	eventuallyTrue(t, "the rejected mail to fail", func() bool {
		var err error
		failed, err = n.app.Store.ListMail(ctx, storekeep.MailFailed, 0)
		return err == nil && len(failed) > 0
	})
	if len(failed) != 1 || failed[0].To != gone || failed[0].Attempts != 1 || !strings.Contains(failed[0].LastError, "550") {
		t.Fatalf("failed mail: %+v, want the one to %s, abandoned at its first 550", failed, gone)
	}
	for _, m := range rejecting.Messages() {
		if m.To == gone {
			t.Errorf("mail delivered to the rejected recipient")
		}
	}
	eventuallyTrue(t, "every other mail to be marked sent", func() bool {
		sent, err := n.app.Store.ListMail(ctx, storekeep.MailSent, 0)
		resets := 0
		for _, m := range sent {
			if m.Template == storekeep.TemplateReset {
				resets++
			}
		}
		return err == nil && resets == len(emails)-1
	})
	n.stop()

	store := openStore(t, n.db, keys...)
	if err := store.RetryMail(ctx, failed[0].ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	pending, err := store.ListMail(ctx, storekeep.MailPending, 0)
	if err != nil || len(pending) != 1 || pending[0].ID != failed[0].ID || pending[0].Attempts != 0 {
		t.Fatalf("after RetryMail, pending: %+v %v", pending, err)
	}

	accepting := smtptest.Start(t)
	cfg := app.DefaultConfig()
	cfg.DB, cfg.SecretKeys, cfg.SMTP, cfg.HashParams = n.db, keys, accepting.URL(), fastHashing
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	again, err := app.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if err := again.Outbox.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got := waitForMail(t, accepting, []string{gone})[gone]
	if len(got) != 1 || got[0].MessageID != strings.Trim(failed[0].MessageID, "<>") || !resetLink.MatchString(got[0].Text) {
		t.Errorf("retried mail: %d messages, Message-ID %q, want one with %q and its link", len(got), got[0].MessageID, failed[0].MessageID)
	}
}

// seedShop creates, in db under key, a shop in enumeration mode, a
// private Storefront token and count enabled customers, and returns their
// emails and the token.
func seedShop(t *testing.T, db string, key []byte, mode storekeep.Enumeration, count int) ([]string, string) {
	t.Helper()
	ctx := context.Background()
	cfg := app.DefaultConfig()
	cfg.DB, cfg.SecretKeys, cfg.HashParams = db, [][]byte{key}, fastHashing
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	shop, err := a.Store.CreateShop(ctx, storekeep.Shop{
		Domain: "shop.example", Name: "Example & Co", StorefrontURL: "https://shop.example", Enumeration: mode,
	}, storekeep.ShopSecrets{})
	if err != nil {
		t.Fatal(err)
	}
	token, err := a.Keys.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Store.CreateAPIToken(ctx, storekeep.APIToken{
		ShopID: shop.ID, Kind: storekeep.APITokenPrivate, Hash: a.Keys.Hash(token), CreatedAt: time.Now(),
		Scopes: []storekeep.Scope{storekeep.ScopeWriteCustomers, storekeep.ScopeReadCustomers},
	})
	if err != nil {
		t.Fatal(err)
	}
	emails := make([]string, count)
	for i := range emails {
		emails[i] = fmt.Sprintf("burst%03d@example.com", i)
		in := account.CreateInput{Email: emails[i], Password: "first-secret-1"}
		if _, err := a.Accounts.CreateByAdmin(ctx, shop, in); err != nil {
			t.Fatal(err)
		}
	}
	return emails, token
}

func openStore(t *testing.T, db string, keys ...[]byte) app.Store {
	t.Helper()
	ring, err := secret.New(keys...)
	if err != nil {
		t.Fatal(err)
	}
	s, err := app.OpenStore(context.Background(), db, ring)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestMain(m *testing.M) { clitest.Main(m) }

// process is a storekeep command running in its own process.
type process struct {
	cmd    *exec.Cmd
	base   string
	stderr *syncBuffer
}

// startProcess runs storekeep with args, outside any STOREKEEP_*
// variable of the test's environment, and waits until it listens. The
// process is interrupted when the test ends, unless it has exited.
func startProcess(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, args...), stderr: &syncBuffer{}}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "STOREKEEP_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	p.cmd.Stderr = p.stderr
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Signal(os.Interrupt)
			p.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("storekeep %s stderr:\n%s", args[0], p.stderr.String())
		}
	})
	line := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		l, _ := r.ReadString('\n')
		line <- l
		io.Copy(io.Discard, r)
	}()
	select {
	case l := <-line:
		const prefix = "storekeep listening on "
		if !strings.HasPrefix(l, prefix) {
			p.cmd.Process.Kill()
			p.cmd.Wait()
			t.Fatalf("storekeep did not start: %q\n%s", l, p.stderr.String())
		}
		p.base = strings.TrimSpace(strings.TrimPrefix(l, prefix))
	case <-time.After(mailWait):
		t.Fatal(errors.New("storekeep did not start listening"))
	}
	return p
}
