package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// A password written into --smtp or --redis is never echoed in an error,
// whatever else is wrong with the URL: an unescaped / or # in it (as in
// SES-style passwords) breaks the URL, and the part that broke it is the
// password.
func TestServeErrorsNeverEchoAnInlinePassword(t *testing.T) {
	env := map[string]string{"STOREKEEP_DB": filepath.Join(t.TempDir(), "sk.db"), "STOREKEEP_ADDR": "127.0.0.1:0",
		"STOREKEEP_ADMIN_ADDR": "off"}
	for _, args := range [][]string{
		{"serve", "--redis", "redis://:hunter2@127.0.0.1:6379x"},
		{"serve", "--redis", "redis://user:hunter2@127.0.0.1:port/0"},
		{"serve", "--smtp", "smtp://AKIAEXAMPLE:hunter2/Zm9v+YmFy@email-smtp.example.com:587"},
		{"serve", "--smtp", "smtp://user:hunter2#x@mail.example.com:587"},
		{"serve", "--smtp", "smtp://user:1234/hunter2@mail.example.com:587"},
	} {
		code, out, errOut := runCLI(t, env, args...)
		if code == 0 {
			t.Errorf("%v: exit 0", args)
		}
		if strings.Contains(errOut+out, "hunter2") {
			t.Errorf("%v: the output holds the password: %q", args, errOut)
		}
	}
}

// An empty --addr or --admin-addr would listen on every interface at a
// random port, putting /metrics and --pprof on the public network: both
// are refused before anything listens.
func TestServeRefusesAnEmptyListenAddress(t *testing.T) {
	env := map[string]string{"STOREKEEP_DB": filepath.Join(t.TempDir(), "sk.db"), "STOREKEEP_ADDR": "127.0.0.1:0"}
	for _, args := range [][]string{{"serve", "--admin-addr=", "--pprof"}, {"serve", "--addr="}} {
		code, out, errOut := runCLI(t, env, args...)
		if code == 0 || strings.Contains(out, "listening on") || !strings.Contains(errOut, "--admin-addr") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want it refused", args, code, out, errOut)
		}
	}
}
