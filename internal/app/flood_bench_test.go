package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/secret"
	"github.com/storekeep/storekeep/internal/server"
	"github.com/storekeep/storekeep/password"
)

// floodSize is how many resets hit the node at once.
const floodSize = 1000

// seeded numbers the customers seedResetTokens makes.
var seeded atomic.Int64

// seedResetTokens makes count invited customers of shop, each holding a
// reset token issued straight into store, and returns their reset links.
func seedResetTokens(tb testing.TB, store app.Store, keys storekeep.Keyring, shop storekeep.Shop, now time.Time, count int) []string {
	tb.Helper()
	ctx := context.Background()
	links := make([]string, count)
	for i := range links {
		email := fmt.Sprintf("flood%d@example.com", seeded.Add(1))
		c, err := store.CreateCustomer(ctx, storekeep.Customer{ShopID: shop.ID, Email: email, EmailKey: email,
			State: storekeep.CustomerInvited, Tags: []string{}, CreatedAt: now, UpdatedAt: now})
		if err != nil {
			tb.Fatal(err)
		}
		token, err := keys.NewToken()
		if err != nil {
			tb.Fatal(err)
		}
		err = store.IssueCustomerToken(ctx, storekeep.CustomerToken{ShopID: shop.ID, CustomerID: c.ID, Purpose: storekeep.PurposeReset, Hash: keys.Hash(token), ExpiresAt: now.Add(time.Hour), CreatedAt: now}, storekeep.Mail{ShopID: shop.ID, To: email, Template: storekeep.TemplateReset, MessageID: fmt.Sprintf("<%s@shop.example>", token[:16]), Data: storekeep.MailData{}, CreatedAt: now}, storekeep.AuditEvent{ShopID: shop.ID, CustomerID: c.ID, Kind: storekeep.AuditRecoverRequested, At: now}, 0)

		if err != nil {
			tb.Fatal(err)
		}
		links[i] = fmt.Sprintf("https://%s/account/reset/%d/%s", shop.Domain, c.ID, token)
	}
	return links
}

// statusKiB reads a field such as VmHWM or VmRSS of /proc/<pid>/status.
func statusKiB(tb testing.TB, pid, field string) int64 {
	tb.Helper()
	f, err := os.Open("/proc/" + pid + "/status")
	if err != nil {
		tb.Skipf("no /proc: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				tb.Fatal(err)
			}
			return kib
		}
	}
	tb.Skipf("no %s in /proc/%s/status", field, pid)
	return 0
}

// resetPeakRSS restarts a process's VmHWM from its current RSS (Linux:
// "5" to /proc/<pid>/clear_refs).
func resetPeakRSS(tb testing.TB, pid string) {
	tb.Helper()
	if err := os.WriteFile("/proc/"+pid+"/clear_refs", []byte("5"), 0); err != nil {
		tb.Skipf("cannot reset the peak RSS: %v", err)
	}
}

// floodResets sends one customerResetByUrl per link to base, all at once,
// and counts how they ended. Any answer but a reset or THROTTLED fails.
func floodResets(tb testing.TB, base, token string, links []string) (done, throttled int) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: len(links)}}
	defer client.CloseIdleConnections()
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for i, link := range links {
		wg.Go(func() {
			body, _ := json.Marshal(map[string]any{"query": resetByURL, "variables": map[string]any{"url": link, "password": fmt.Sprintf("flood-secret-%d", i)}})
			req, _ := http.NewRequest("POST", base+"/api/2026-10/graphql.json", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(server.PublicTokenHeader, token)
			<-start
			resp, err := client.Do(req)
			if err != nil {
				tb.Error(err)
				return
			}
			r := gqlResponse{Status: resp.StatusCode}
			r.Raw, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err := json.Unmarshal(r.Raw, &r); err != nil {
				tb.Errorf("status %d: %s", r.Status, r.Raw)
				return
			}
			ok := classify(tb, "customerResetByUrl", r)
			mu.Lock()
			defer mu.Unlock()
			if ok {
				done++
			} else {
				throttled++
			}
		})
	}
	close(start)
	wg.Wait()
	return done, throttled
}

// floodReport accumulates a flood benchmark's figures.
type floodReport struct {
	peakKiB, baseKiB int64
	done, throttled  int
	floods           int
}

func (r *floodReport) add(base, peak int64, done, throttled int) {
	r.peakKiB, r.baseKiB = max(r.peakKiB, peak), max(r.baseKiB, base)
	r.done, r.throttled, r.floods = r.done+done, r.throttled+throttled, r.floods+1
}

func (r *floodReport) report(b *testing.B) {
	b.ReportMetric(float64(r.baseKiB)/1024, "base-RSS-MiB")
	b.ReportMetric(float64(r.peakKiB)/1024, "peak-RSS-MiB")
	b.ReportMetric(float64(r.done)/float64(r.floods), "done/op")
	b.ReportMetric(float64(r.throttled)/float64(r.floods), "throttled/op")
}

// servedBinary is the storekeep binary running `storekeep serve` with
// its defaults over a SQLite file in dir, with one shop, shop.example,
// and a public token for it.
type servedBinary struct {
	base, token, pid, dir string
}

// serveBinary builds storekeep, starts `storekeep serve` and stops it when
// b is done.
func serveBinary(b *testing.B) servedBinary {
	dir := b.TempDir()
	bin := filepath.Join(dir, "storekeep")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/storekeep/storekeep/cmd/storekeep").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	env := append(os.Environ(), "STOREKEEP_DB="+filepath.Join(dir, "sk.db"), "STOREKEEP_LOG_LEVEL=warn")
	cli := func(args ...string) string {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("storekeep %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	cli("shop", "create", "--domain", "shop.example")
	token := cli("token", "create", "--shop", "shop.example", "--public")

	serve := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0")
	serve.Env = env
	stdout, err := serve.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		serve.Process.Signal(os.Interrupt)
		serve.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("serve did not start: %v", err)
	}
	go io.Copy(io.Discard, stdout)
	base := strings.TrimSpace(strings.TrimPrefix(line, "storekeep listening on "))
	pid := strconv.Itoa(serve.Process.Pid)
	return servedBinary{base: base, token: token, pid: pid, dir: dir}
}

// BenchmarkResetFloodServe starts the storekeep binary as `storekeep
// serve` with its defaults (argon2id m=19456,t=2,p=1; one hash per CPU, 256
// waiting), sends it 1,000 concurrent password resets, each with a genuine
// token, and reports the serve process's RSS before the flood and at its
// peak during it, and how many resets were done or THROTTLED.
//
//	go test -run '^$' -bench ResetFloodServe -benchtime 1x ./internal/app
func BenchmarkResetFloodServe(b *testing.B) {
	srv := serveBinary(b)
	base, token, pid, dir := srv.base, srv.token, srv.pid, srv.dir

	raw, err := os.ReadFile(filepath.Join(dir, "sk.db.key"))
	if err != nil {
		b.Fatal(err)
	}
	keys, err := secret.ParseKeys(strings.TrimSpace(string(raw)))
	if err != nil {
		b.Fatal(err)
	}
	ring, err := secret.New(keys...)
	if err != nil {
		b.Fatal(err)
	}
	store, err := app.OpenStore(context.Background(), filepath.Join(dir, "sk.db"), ring)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	shop, err := store.ShopByDomain(context.Background(), "shop.example")
	if err != nil {
		b.Fatal(err)
	}

	var rep floodReport
	for b.Loop() {
		b.StopTimer()
		links := seedResetTokens(b, store, ring, shop, time.Now().UTC(), floodSize)
		resetPeakRSS(b, pid)
		baseRSS := statusKiB(b, pid, "VmRSS")
		b.StartTimer()
		done, throttled := floodResets(b, base, token, links)
		b.StopTimer()
		rep.add(baseRSS, statusKiB(b, pid, "VmHWM"), done, throttled)
		b.StartTimer()
	}
	rep.report(b)
}

// BenchmarkResetFloodInProcess sends the same flood to a node in the
// benchmark's own process, under other hashing bounds than the default,
// to show which bound holds memory down: the number of concurrent hashes.
// The RSS figures include the 1,000 clients.
func BenchmarkResetFloodInProcess(b *testing.B) {
	cases := []struct {
		name               string
		concurrency, queue int
	}{
		{"default", 0, 0},
		{"queue=1000", 0, floodSize},
		{"concurrency=16", 16, 0},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			n := startNode(b, unthrottled, func(cfg *app.Config, _ *storekeep.Shop) {
				cfg.HashParams = password.DefaultParams
				cfg.HashConcurrency, cfg.HashQueue = c.concurrency, c.queue
				cfg.Timeouts.Write = 5 * time.Minute
			})
			var rep floodReport
			for b.Loop() {
				b.StopTimer()
				links := seedResetTokens(b, n.app.Store, n.app.Keys, n.shop, n.clock.Now(), floodSize)
				runtime.GC()
				debug.FreeOSMemory()
				resetPeakRSS(b, "self")
				baseRSS := statusKiB(b, "self", "VmRSS")
				b.StartTimer()
				done, throttled := floodResets(b, n.base, n.public, links)
				b.StopTimer()
				rep.add(baseRSS, statusKiB(b, "self", "VmHWM"), done, throttled)
				b.StartTimer()
			}
			rep.report(b)
		})
	}
}
