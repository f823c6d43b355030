package main

import (
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReleaseBuildIsStaticStrippedStampedAndReproducible builds the
// release binary with scripts/release twice and inspects it: a static ELF
// file (no program interpreter, no dynamic section), without symbols or
// debug information, built with CGO_ENABLED=0, -trimpath and the profile
// cmd/storekeep/default.pgo (profile-guided optimization), that prints
// the version and commit it was stamped with, and the same bytes both times.
// (`scripts/release --verify` also rebuilds from an empty build cache.)
func TestReleaseBuildIsStaticStrippedStampedAndReproducible(t *testing.T) {
	dir := t.TempDir()
	var sums [2][32]byte
	for i, name := range []string{"a", "b"} {
		out := filepath.Join(dir, name, "storekeep")
		cmd := exec.Command("bash", filepath.Join("..", "..", "scripts", "release"), out)
		cmd.Env = append(os.Environ(), "VERSION=v0.0.0-test", "COMMIT=0123abcd")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("scripts/release: %v\n%s", err, b)
		}
		raw, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		sums[i] = sha256.Sum256(raw)
	}
	if sums[0] != sums[1] {
		t.Errorf("two release builds differ: %x and %x", sums[0], sums[1])
	}
	bin := filepath.Join(dir, "a", "storekeep")

	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("the release binary is dynamically linked (%s)", p.Type)
		}
	}
	for _, s := range f.Sections {
		if s.Name == ".symtab" || strings.HasPrefix(s.Name, ".debug") || strings.HasPrefix(s.Name, ".zdebug") {
			t.Errorf("the release binary keeps section %s", s.Name)
		}
	}

	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if settings["CGO_ENABLED"] != "0" || settings["-trimpath"] != "true" {
		t.Errorf("build settings %v, want CGO_ENABLED=0 and -trimpath=true", settings)
	}
	if settings["-pgo"] != "default.pgo" {
		t.Errorf("build settings %v, want -pgo=default.pgo (profile-guided, from cmd/storekeep/default.pgo)", settings)
	}
	if strings.Contains(settings["-ldflags"], os.Getenv("HOME")+"/") {
		t.Errorf("a path of this machine in the build settings: %v", settings)
	}
	raw, _ := os.ReadFile(bin)
	if wd, _ := os.Getwd(); bytes.Contains(raw, []byte(filepath.Dir(filepath.Dir(wd)))) {
		t.Errorf("the release binary holds the checkout's path %s", filepath.Dir(filepath.Dir(wd)))
	}

	out, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "storekeep v0.0.0-test, commit 0123abcd, go1.") {
		t.Errorf("storekeep version: %q, %v", out, err)
	}
}
