package cli

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The profile --cpuprofile writes is what go tool pprof reads: a gzipped
// protocol buffer, complete once the profile is stopped.
func TestBenchCPUProfileIsWrittenForPprof(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bench.pprof")
	stop, err := profileCPU(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(nil)
	for range 200_000 {
		sum = sha256.Sum256(sum[:])
	}
	stop()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	z, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("profile is not gzipped (%d bytes): %v", len(raw), err)
	}
	body, err := io.ReadAll(z)
	if err != nil || len(body) == 0 {
		t.Fatalf("profile body: %d bytes, %v", len(body), err)
	}
}

func TestBenchRefusesACPUProfileItCannotWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "bench.pprof")
	code, _, stderr := runCLI(t, nil, "bench", "--token", "t", "--cpuprofile", path)
	if code != 2 || !strings.Contains(stderr, "--cpuprofile") {
		t.Fatalf("exit %d, stderr %q; want a usage error naming --cpuprofile", code, stderr)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("a profile appeared at %s: %v", path, err)
	}
}

// --token-file keeps the token out of the command line, where ps shows
// it: bench reads it from the file and seeds and signs in with it; a
// file holding another value fails as a wrong --token does.
func TestBenchReadsItsTokenFromAFile(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"STOREKEEP_DB": filepath.Join(dir, "sk.db"), "STOREKEEP_ADDR": "127.0.0.1:0", "STOREKEEP_LOG_LEVEL": "warn"}
	runCLI(t, env, "shop", "create", "--domain", "bench.example")
	token := newToken(t, env, "--shop", "bench.example", "--private")
	base := serveInProcess(t, env, "--hash-memory", "8192", "--hash-time", "1", "--hash-threads", "1")
	good, wrong := filepath.Join(dir, "token"), filepath.Join(dir, "wrong")
	for path, value := range map[string]string{good: "\n" + token + "\n", wrong: token + "x\n"} {
		if err := os.WriteFile(path, []byte(value), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	bench := func(file string) (int, string, string) {
		return runCLI(t, nil, "bench", "--url", base, "--token-file", file, "--scenarios", "login", "--customers", "2",
			"--clients", "1", "--ips-per-client", "1", "--duration", "300ms", "--mail-grace", "1s", "--drain", "0",
			"--smtp-listen", "127.0.0.1:0", "--json")
	}
	if code, out, errOut := bench(good); code != 0 || !strings.Contains(out, `"created": 2,`) || !strings.Contains(out, `"name": "login"`) {
		t.Fatalf("bench --token-file with the token: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := bench(wrong); code != 1 || !strings.Contains(errOut, "the server refused the token") {
		t.Fatalf("bench --token-file with a wrong token: exit %d\n%s", code, errOut)
	}
}

func TestBenchTakesItsTokenOnceAndFromAFileThatHasIt(t *testing.T) {
	dir := t.TempDir()
	empty, missing := filepath.Join(dir, "empty"), filepath.Join(dir, "missing")
	if err := os.WriteFile(empty, []byte(" \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--token", "t", "--token-file", empty}, 2, "not both"},
		{[]string{"--token-file", empty}, 1, "is empty"},
		{[]string{"--token-file", missing}, 1, "--token-file"},
		{nil, 2, "--token or --token-file is required"},
	} {
		code, _, errOut := runCLI(t, nil, append([]string{"bench"}, c.args...)...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("bench %q: exit %d, stderr %q; want %d and %q", c.args, code, errOut, c.code, c.want)
		}
	}
}
