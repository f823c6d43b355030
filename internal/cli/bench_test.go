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
