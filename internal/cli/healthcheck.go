package cli

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"
)

// setupHealthcheck asks a running node's /healthz whether it is up. A
// container image without curl runs it as its health check; it reads
// --addr (STOREKEEP_ADDR) like serve, so it finds the node it sits beside.
func setupHealthcheck(fs *flag.FlagSet, env *environment) func(context.Context) error {
	addr := fs.String("addr", "127.0.0.1:8080", "the address the server listens on (an unspecified host is asked on 127.0.0.1)")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	return func(ctx context.Context) error {
		host, port, err := net.SplitHostPort(*addr)
		if err != nil {
			return fmt.Errorf("--addr: %w", err)
		}
		if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
			host = "127.0.0.1"
		}
		ctx, cancel := context.WithTimeout(ctx, *timeout)
		defer cancel()
		url := "http://" + net.JoinHostPort(host, port) + "/healthz"
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: %s", url, resp.Status)
		}
		fmt.Fprintf(env.stdout, "%s: ok\n", url)
		return nil
	}
}
