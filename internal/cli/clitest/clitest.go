// Package clitest gives tests the storekeep command as a binary of its
// own, built from this module once per test process.
package clitest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// dir holds the binary once built; Main removes it.
var dir string

var build = sync.OnceValues(func() (string, error) {
	d, err := os.MkdirTemp("", "storekeep-bin-")
	if err != nil {
		return "", err
	}
	dir = d
	bin := filepath.Join(d, "storekeep")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/storekeep/storekeep/cmd/storekeep").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// Binary returns the path of storekeep built from this module, building
// it on the first call, and fails t if it does not build.
func Binary(t testing.TB) string {
	t.Helper()
	bin, err := build()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// Main runs a package's tests, then removes the binary Binary built. Call
// it from the package's TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if dir != "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}
