package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/storekeep/storekeep/internal/secret"
)

func TestShopCreateNamesTheShopThatExists(t *testing.T) {
	env := map[string]string{"STOREKEEP_DB": filepath.Join(t.TempDir(), "sk.db")}
	runCLI(t, env, "shop", "create", "--domain", "shop.example")
	code, _, errOut := runCLI(t, env, "shop", "create", "--domain", " Shop.Example ")
	if code != 1 || !strings.Contains(errOut, `a shop with domain "shop.example" exists`) {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

func TestGroupsOfCommandsHaveHelp(t *testing.T) {
	for _, group := range []string{"shop", "token", "customer", "mail", "audit", "hash"} {
		for _, help := range []string{"--help", "-h"} {
			code, out, errOut := runCLI(t, nil, group, help)
			if code != 0 || !strings.Contains(out, "usage: storekeep "+group+" <command>") || !strings.Contains(out, "  "+group+" ") {
				t.Errorf("%s %s: exit %d, stdout %q, stderr %q", group, help, code, out, errOut)
			}
		}
		if code, _, errOut := runCLI(t, nil, group); code != 2 || !strings.Contains(errOut, group+" ") {
			t.Errorf("%s alone: exit %d, stderr %q", group, code, errOut)
		}
		if code, _, errOut := runCLI(t, nil, group, "frobnicate"); code != 2 || !strings.Contains(errOut, `unknown command "`+group+` frobnicate"`) {
			t.Errorf("%s frobnicate: exit %d, stderr %q", group, code, errOut)
		}
	}
	code, out, _ := runCLI(t, nil, "mail", "--help")
	if code != 0 || !strings.Contains(out, "mail retry ID") {
		t.Errorf("mail --help shows the retry's argument: %s", out)
	}
}

func TestVersionNamesReleaseCommitAndGo(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "version")
	if code != 0 || !regexp.MustCompile(`^storekeep \S+, commit \S+( \(modified\))?, go1\.\d+`).MatchString(out) {
		t.Fatalf("version: exit %d, %q %q", code, out, errOut)
	}
	defer func(v string) { version = v }(version)
	version = "v9.8.7"
	if _, out, _ := runCLI(t, nil, "version"); !strings.HasPrefix(out, "storekeep v9.8.7, commit ") {
		t.Errorf("a stamped version: %q", out)
	}
}

func TestDatabaseProblemsAreNamedAsSuch(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ db, want string }{
		{"mysql://root:hunter2@db.internal/shop", "does not support mysql:// databases"},
		{"sqlite://storekeep.db", "does not support sqlite:// databases"},
		{filepath.Join(dir, "missing", "sk.db"), "the database's directory " + filepath.Join(dir, "missing") + " does not exist"},
		{filepath.Join(file, "sk.db"), file + " is not a directory"},
		{"/proc/sk.db", "the database's directory /proc is not writable"},
	}
	for _, c := range cases {
		for _, args := range [][]string{
			{"migrate"}, {"shop", "create", "--domain", "shop.example"}, {"serve", "--addr", "127.0.0.1:0"},
			{"migrate", "--secret-key", base64.RawURLEncoding.EncodeToString(make([]byte, 32))},
		} {
			code, _, errOut := runCLI(t, nil, append(args, "--db", c.db)...)
			if code != 1 || !strings.Contains(errOut, c.want) || strings.Contains(errOut, "hunter2") || strings.Contains(errOut, "key") {
				t.Errorf("%s --db %s: exit %d, stderr %q; want %q", strings.Join(args, " "), c.db, code, errOut, c.want)
			}
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files were left beside the refused databases: %v", entries)
	}
}

// lockedBuffer is a buffer a server's logger and a test share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestServeLogsItsVersionAtStartAndItsShutdown(t *testing.T) {
	env := map[string]string{"STOREKEEP_DB": filepath.Join(t.TempDir(), "sk.db"), "STOREKEEP_ADDR": "127.0.0.1:0", "STOREKEEP_ADMIN_ADDR": "off"}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	logs := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"serve"}, func(k string) string { return env[k] }, pw, logs)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("serve exited before listening: %v\n%s", err, logs)
	}
	go io.Copy(io.Discard, pr)
	addr := strings.TrimSpace(strings.TrimPrefix(line, "storekeep listening on http://"))
	if code, out, errOut := runCLI(t, map[string]string{"STOREKEEP_ADDR": addr}, "healthcheck"); code != 0 || !strings.Contains(out, "/healthz: ok") {
		t.Errorf("healthcheck of a running server: exit %d, %q %q", code, out, errOut)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d\n%s", code, logs)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	got := logs.String()
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`"msg":"listening".*"version":"[^"]+","commit":"[^"]+","go":"go1\.[^"]+","gogc":"150"`),
		regexp.MustCompile(`"msg":"shutting down`),
		regexp.MustCompile(`"msg":"stopped"`),
	} {
		if !want.MatchString(got) {
			t.Errorf("the log has no line matching %s:\n%s", want, got)
		}
	}
	if code, _, errOut := runCLI(t, map[string]string{"STOREKEEP_ADDR": addr}, "healthcheck", "--timeout", "2s"); code != 1 || errOut == "" {
		t.Errorf("healthcheck of a stopped server: exit %d, %q", code, errOut)
	}
}

func TestOneOffCommandsIgnoreOtherCommandsEnvironment(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sk.db")
	env := map[string]string{
		"STOREKEEP_DB": db, "STOREKEEP_PASSWORD": "first-secret-1", "STOREKEEP_LIMIT": "0",
		"STOREKEEP_FIRST_NAME": "Stray", "STOREKEEP_NAME": "Stray Shop", "STOREKEEP_PUBLIC": "true",
		"STOREKEEP_STATUS": "lost",
	}
	if code, out, errOut := runCLI(t, env, "shop", "create", "--domain", "shop.example"); code != 0 || strings.Contains(out, "Stray") {
		t.Fatalf("shop create: exit %d, %q %q", code, out, errOut)
	}
	code, out, errOut := runCLI(t, env, "customer", "create", "--shop", "shop.example", "--email", "ada@example.com")
	if code != 0 || !strings.Contains(out, "invited") {
		t.Fatalf("customer create without --password under STOREKEEP_PASSWORD: exit %d, %q %q; want an invited customer", code, out, errOut)
	}
	if code, _, _ := runCLI(t, env, "token", "create", "--shop", "shop.example"); code != 2 {
		t.Errorf("token create took --public from STOREKEEP_PUBLIC: exit %d", code)
	}
	for _, args := range [][]string{{"audit", "list"}, {"mail", "list"}} {
		if code, _, errOut := runCLI(t, env, args...); code != 0 {
			t.Errorf("%s under STOREKEEP_LIMIT=0 and STOREKEEP_STATUS=lost: exit %d, %s", strings.Join(args, " "), code, errOut)
		}
	}
	_, help, _ := runCLI(t, nil, "customer", "create", "--help")
	if strings.Contains(help, "STOREKEEP_PASSWORD") || !strings.Contains(help, "STOREKEEP_DB") {
		t.Errorf("customer create --help names the wrong variables:\n%s", help)
	}
	_, help, _ = runCLI(t, nil, "serve", "--help")
	if !strings.Contains(help, "STOREKEEP_SMTP_PASSWORD_FILE") || !strings.Contains(help, "STOREKEEP_SECRET_KEY_FILE") {
		t.Errorf("serve --help lacks its variables:\n%s", help)
	}
}

func TestSecretKeyFromAFile(t *testing.T) {
	dir := t.TempDir()
	key, err := secret.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "secret-key")
	if err := os.WriteFile(keyFile, []byte(base64.RawURLEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "sk.db")
	env := map[string]string{"STOREKEEP_DB": db, "STOREKEEP_SECRET_KEY_FILE": keyFile}
	if code, _, errOut := runCLI(t, env, "shop", "create", "--domain", "shop.example"); code != 0 {
		t.Fatalf("shop create: %d %s", code, errOut)
	}
	if _, err := os.Stat(db + ".key"); err == nil {
		t.Error("a key file was generated although the key came from --secret-key-file")
	}
	_, token, _ := runCLI(t, env, "token", "create", "--shop", "shop.example", "--public")
	base := serveInProcess(t, map[string]string{"STOREKEEP_DB": db, "STOREKEEP_ADDR": "127.0.0.1:0", "STOREKEEP_LOG_LEVEL": "warn",
		"STOREKEEP_SECRET_KEY": base64.RawURLEncoding.EncodeToString(key)})
	if code := recoverOnce(t, base, strings.TrimSpace(token), "ada@example.com"); code != "" {
		t.Fatalf("a token made under the key from the file, served under the same key: %q", code)
	}

	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"migrate", "--secret-key-file", keyFile, "--secret-key", base64.RawURLEncoding.EncodeToString(key)}, 2},
		{[]string{"migrate", "--secret-key-file", empty}, 1},
		{[]string{"migrate", "--secret-key-file", filepath.Join(dir, "missing")}, 1},
	} {
		if code, _, errOut := runCLI(t, map[string]string{"STOREKEEP_DB": db}, c.args...); code != c.code || !strings.Contains(errOut, "secret-key") {
			t.Errorf("%v: exit %d, %q; want %d", c.args, code, errOut, c.code)
		}
	}
}

func TestSMTPPasswordFromAFile(t *testing.T) {
	pass := filepath.Join(t.TempDir(), "smtp-password")
	if err := os.WriteFile(pass, []byte("s@cret:/?\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := withSMTPPassword("smtp://apikey@smtp.example.net:587?starttls=required", pass)
	if err != nil || got != "smtp://apikey:s%40cret%3A%2F%3F@smtp.example.net:587?starttls=required" {
		t.Errorf("got %q, %v", got, err)
	}
	for _, raw := range []string{"smtp://smtp.example.net:587", "smtp://apikey:inline@smtp.example.net:587", "::"} {
		if _, err := withSMTPPassword(raw, pass); err == nil {
			t.Errorf("%s with --smtp-password-file: no error", raw)
		}
	}
	code, _, errOut := runCLI(t, map[string]string{"STOREKEEP_DB": filepath.Join(t.TempDir(), "sk.db")},
		"serve", "--addr", "127.0.0.1:0", "--smtp", "smtp://u:inline@127.0.0.1:1", "--smtp-password-file", pass)
	if code != 2 || !strings.Contains(errOut, "not both") || strings.Contains(errOut, "inline") {
		t.Errorf("serve with two passwords: exit %d, %q", code, errOut)
	}
}

// A --*-file secret was read whole: a path given by mistake to a large
// file or a device without end (/dev/zero) made a command read until the
// machine's memory ran out. A secret file, and the key file beside a
// SQLite database, is now read up to maxSecretFileBytes, and a longer one
// refused, naming the flag or the file.
func TestSecretFilesAreReadUpToABound(t *testing.T) {
	dir := t.TempDir()
	large := filepath.Join(dir, "large")
	if err := os.WriteFile(large, bytes.Repeat([]byte("k"), maxSecretFileBytes+1), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"STOREKEEP_DB": filepath.Join(dir, "sk.db")}
	for _, path := range []string{large, "/dev/zero"} {
		for _, args := range [][]string{
			{"migrate", "--secret-key-file", path},
			{"serve", "--addr", "127.0.0.1:0", "--admin-addr", "off", "--smtp", "smtp://mailer@127.0.0.1:1", "--smtp-password-file", path},
		} {
			code, _, errOut := runCLI(t, env, args...)
			if code != 1 || !strings.Contains(errOut, args[len(args)-2]) || !strings.Contains(errOut, "more than") {
				t.Errorf("%v: exit %d, %q; want 1 and an error naming the flag and the bound", args, code, errOut)
			}
		}
	}
	if err := os.Rename(large, env["STOREKEEP_DB"]+".key"); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, env, "migrate"); code != 1 || !strings.Contains(errOut, "sk.db.key holds more than") {
		t.Errorf("a key file beside the database past the bound: exit %d, %q", code, errOut)
	}
}
