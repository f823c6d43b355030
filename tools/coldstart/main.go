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
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "coldstart:", err)
		os.Exit(1)
	}
}

// run parses args, times the cold starts and commands they ask for and
// writes the medians to stdout.
func run(args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("coldstart", flag.ContinueOnError)
	bin := flags.String("bin", "storekeep", "the storekeep binary")
	db := flags.String("db", "storekeep.db", "the database (--db of serve)")
	runs := flags.Int("runs", 7, "how many cold starts")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *runs < 1 {
		return errors.New("-runs must be at least 1")
	}
	var starts, ready, metrics []time.Duration
	for range *runs {
		s, r, m, err := once(*bin, *db, flags.Args())
		if err != nil {
			return err
		}
		starts, ready, metrics = append(starts, s), append(ready, r...), append(metrics, m...)
	}
	fmt.Fprintf(stdout, "cold start (exec → first /readyz 200): median %s, min %s, max %s over %d\n",
		median(starts), slices.Min(starts), slices.Max(starts), len(starts))
	fmt.Fprintf(stdout, "/readyz: median %s, p99 %s\n", median(ready), pct(ready, 99))
	fmt.Fprintf(stdout, "/metrics: median %s, p99 %s\n", median(metrics), pct(metrics, 99))
	for _, cmdArgs := range [][]string{{"mail", "list", "--limit", "50"}, {"audit", "list", "--limit", "50"}} {
		var took []time.Duration
		for range *runs {
			cmd := exec.Command(*bin, append(append(cmdArgs, "--db", *db), flags.Args()...)...)
			start := time.Now()
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("%v: %v\n%s", cmdArgs, err, out)
			}
			took = append(took, time.Since(start))
		}
		fmt.Fprintf(stdout, "%s %s --limit 50 (exec → exit): median %s\n", cmdArgs[0], cmdArgs[1], median(took))
	}
	return nil
}

func once(bin, db string, extra []string) (time.Duration, []time.Duration, []time.Duration, error) {
	addr, err := freeAddr()
	if err != nil {
		return 0, nil, nil, err
	}
	admin, err := freeAddr()
	if err != nil {
		return 0, nil, nil, err
	}
	cmd := exec.Command(bin, append([]string{"serve", "--db", db, "--addr", addr, "--admin-addr", admin}, extra...)...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	client := &http.Client{Timeout: 5 * time.Second}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, nil, nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		<-exited
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		if ok(client, "http://"+addr+"/readyz") {
			break
		}
		select {
		case err := <-exited:
			exited <- err
			return 0, nil, nil, fmt.Errorf("storekeep serve ended before it answered (%v): %s", err, firstLine(stderr.String()))
		default:
		}
		if ctx.Err() != nil {
			return 0, nil, nil, fmt.Errorf("no answer from %s in 30s", addr)
		}
		time.Sleep(200 * time.Microsecond)
	}
	took := time.Since(start)
	ready, err := timeMany(client, "http://"+addr+"/readyz")
	if err != nil {
		return 0, nil, nil, err
	}
	metrics, err := timeMany(client, "http://"+admin+"/metrics")
	return took, ready, metrics, err
}

// timeMany times 20 requests of url, each of which must answer 200.
func timeMany(client *http.Client, url string) ([]time.Duration, error) {
	var out []time.Duration
	for range 20 {
		start := time.Now()
		if !ok(client, url) {
			return nil, fmt.Errorf("%s did not answer 200", url)
		}
		out = append(out, time.Since(start))
	}
	return out, nil
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

// freeAddr returns a loopback address no listener holds at the moment.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// firstLine returns s up to its first newline.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func median(d []time.Duration) time.Duration { return pct(d, 50) }

func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)].Round(10 * time.Microsecond)
}
