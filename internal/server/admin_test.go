package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/storekeep/storekeep/internal/server"
)

// The process's command line may hold --secret-key or an SMTP URL with
// its password: the admin listener's profiles never show it, whoever
// reads them.
func TestProfilesDoNotShowTheCommandLine(t *testing.T) {
	srv := httptest.NewServer(server.NewAdmin(server.AdminConfig{Pprof: true}))
	t.Cleanup(srv.Close)

	for _, path := range []string{"/debug/pprof/cmdline", "/debug/pprof/cmdline?debug=1", "/debug/pprof/"} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(body), os.Args[0]) {
			t.Errorf("GET %s shows the command line (status %d)", path, res.StatusCode)
		}
	}
	res, err := http.Get(srv.URL + "/debug/pprof/heap")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("heap profile: %d", res.StatusCode)
	}
}
