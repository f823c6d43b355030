// Command coldstart measures how long a storekeep node takes from exec to
// its first answered request, and how long its probes, /metrics and the
// operator's listings take on the database it is given:
//
//	go build -o /tmp/storekeep ./cmd/storekeep
//	go run ./tools/coldstart -bin /tmp/storekeep -db storekeep.db -runs 7 [-- --secret-key KEY ...]
//
// Arguments after the flags are passed to every storekeep command.
// Each run starts `storekeep serve` on free loopback ports, asks /readyz
// every 200µs until it answers 200, then times 20 requests of /readyz and
// of /metrics (admin listener) and stops the node. Medians are printed.
// `mail list` and `audit list` are timed as whole commands (exec to exit).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "storekeep", "the storekeep binary")
	db := flag.String("db", "storekeep.db", "the database (--db of serve)")
	runs := flag.Int("runs", 7, "how many cold starts")
	flag.Parse()
	var starts, ready, metrics []time.Duration
	for range *runs {
		s, r, m, err := once(*bin, *db, flag.Args())
		if err != nil {
			log.Fatal(err)
		}
		starts, ready, metrics = append(starts, s), append(ready, r...), append(metrics, m...)
	}
	fmt.Printf("cold start (exec → first /readyz 200): median %s, min %s, max %s over %d\n",
		median(starts), slices.Min(starts), slices.Max(starts), len(starts))
	fmt.Printf("/readyz: median %s, p99 %s\n", median(ready), pct(ready, 99))
	fmt.Printf("/metrics: median %s, p99 %s\n", median(metrics), pct(metrics, 99))
	for _, args := range [][]string{{"mail", "list", "--limit", "50"}, {"audit", "list", "--limit", "50"}} {
		var took []time.Duration
		for range *runs {
			cmd := exec.Command(*bin, append(append(args, "--db", *db), flag.Args()...)...)
			start := time.Now()
			if out, err := cmd.CombinedOutput(); err != nil {
				log.Fatalf("%v: %v\n%s", args, err, out)
			}
			took = append(took, time.Since(start))
		}
		fmt.Printf("%s %s --limit 50 (exec → exit): median %s\n", args[0], args[1], median(took))
	}
}

func once(bin, db string, extra []string) (time.Duration, []time.Duration, []time.Duration, error) {
	addr, admin := freeAddr(), freeAddr()
	cmd := exec.Command(bin, append([]string{"serve", "--db", db, "--addr", addr, "--admin-addr", admin}, extra...)...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	client := &http.Client{Timeout: 5 * time.Second}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, nil, nil, err
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		if ok(client, "http://"+addr+"/readyz") {
			break
		}
		if ctx.Err() != nil {
			return 0, nil, nil, fmt.Errorf("no answer from %s in 30s", addr)
		}
		time.Sleep(200 * time.Microsecond)
	}
	took := time.Since(start)
	return took, timeMany(client, "http://"+addr+"/readyz"), timeMany(client, "http://"+admin+"/metrics"), nil
}

func timeMany(client *http.Client, url string) []time.Duration {
	var out []time.Duration
	for range 20 {
		start := time.Now()
		if !ok(client, url) {
			log.Fatalf("%s did not answer 200", url)
		}
		out = append(out, time.Since(start))
	}
	return out
}

func ok(client *http.Client, url string) bool {
	resp, err := client.Get(url)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func median(d []time.Duration) time.Duration { return pct(d, 50) }

func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)].Round(10 * time.Microsecond)
}
