package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/server"
)

// A web page whose name an attacker rebinds to 127.0.0.1 runs in the
// operator's browser with its own name as Host: the admin listener
// (metrics, and with --pprof the process's profiles) refuses it, and
// answers a scraper that names the node by address, by localhost or by a
// name the operator listed.
func TestTheAdminListenerAnswersOnlyAddressesAndItsNames(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.Pprof, c.AdminHosts = true, []string{"storekeep-admin.monitoring.svc"}
	})
	port := n.admin[strings.LastIndex(n.admin, ":"):]
	for _, path := range []string{"/metrics", "/debug/pprof/heap", "/healthz"} {
		for host, want := range map[string]int{
			"attacker.example" + port:                    http.StatusForbidden,
			"127.0.0.1.attacker.example":                 http.StatusForbidden,
			"127.0.0.1" + port:                           http.StatusOK,
			"10.2.3.4" + port:                            http.StatusOK,
			"localhost" + port:                           http.StatusOK,
			"storekeep-admin.monitoring.svc" + port:      http.StatusOK,
			"STOREKEEP-ADMIN.monitoring.svc." + port:     http.StatusOK,
			"storekeep-admin.monitoring.svc.evil" + port: http.StatusForbidden,
		} {
			code, body := getNaming(t, n.admin+path, host)
			if code != want {
				t.Errorf("GET %s with Host %s: %d, want %d", path, host, code, want)
			}
			if want == http.StatusForbidden && strings.TrimSpace(body) != server.InvalidAdminHostMessage {
				t.Errorf("GET %s with Host %s: body %q", path, host, body)
			}
		}
	}
}
