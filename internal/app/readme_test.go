package app_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/storekeep/storekeep/internal/cli/clitest"
)

// readmeBlock returns the first ```sh block of README.md after the line
// that starts with heading.
func readmeBlock(t *testing.T, readme, heading string) string {
	t.Helper()
	_, after, ok := strings.Cut(readme, "\n"+heading)
	if !ok {
		t.Fatalf("README.md has no %q", heading)
	}
	_, after, ok = strings.Cut(after, "```sh\n")
	if !ok {
		t.Fatalf("README.md has no sh block after %q", heading)
	}
	block, _, ok := strings.Cut(after, "```")
	if !ok {
		t.Fatalf("README.md's block after %q does not end", heading)
	}
	return block
}

// TestReadmeWalkthroughRunsAsWritten runs README.md's run-server command
// and its walkthrough, pasted whole into bash, in a fresh directory. Only
// `go run ./cmd/storekeep` is replaced, by a binary built from this
// checkout. The walkthrough names 127.0.0.1:8080, so it runs in a network
// namespace of its own, where that port is free whatever else runs here.
func TestReadmeWalkthroughRunsAsWritten(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "unshare", "ip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the walkthrough test needs %s: %v", tool, err)
		}
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	serve := readmeBlock(t, readme, "**Run the server**")
	walkthrough := readmeBlock(t, readme, "## Walkthrough")
	bin := clitest.Binary(t)
	for _, block := range []*string{&serve, &walkthrough} {
		if !strings.Contains(*block, "go run ./cmd/storekeep") {
			t.Fatalf("README block does not run storekeep:\n%s", *block)
		}
		*block = strings.ReplaceAll(*block, "go run ./cmd/storekeep", bin)
	}

	script := `ip link set lo up || exit 97
(` + strings.TrimSpace(serve) + `) >serve.out 2>serve.err &
for _ in $(seq 600); do grep -q 'listening on' serve.out && break; sleep 0.1; done
grep -q 'listening on' serve.out || { cat serve.err >&2; exit 98; }
` + walkthrough + `
curl -s -o /dev/null -w 'home %{http_code}\n' http://127.0.0.1:8080/
kill %1 && wait %1
`
	cmd := exec.Command("unshare", "--net", "--map-root-user", "bash", "-c", script)
	cmd.Dir = t.TempDir()
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "STOREKEEP_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		serveErr, _ := os.ReadFile(filepath.Join(cmd.Dir, "serve.err"))
		t.Fatalf("walkthrough: %v\n%s\nserver:\n%s", err, out, serveErr)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	t.Logf("walkthrough output:\n%s", out)

	link := regexp.MustCompile(`^http://127\.0\.0\.1:8080/account/reset/[0-9]+/[A-Za-z0-9_-]+$`)
	found := false
	for _, l := range lines {
		found = found || link.MatchString(l)
	}
	if !found {
		t.Errorf("no reset link to the server's own page in the output")
	}
	if len(lines) < 3 || lines[len(lines)-1] != "home 200" {
		t.Fatalf("the server's home page did not answer 200; output ends %q", lines[len(lines)-1])
	}
	var signIn struct {
		Data struct {
			CustomerAccessTokenCreate struct {
				CustomerAccessToken *struct{ AccessToken string }
				CustomerUserErrors  []any
			}
		}
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-2]), &signIn); err != nil {
		t.Fatalf("the sign-in's answer %q: %v", lines[len(lines)-2], err)
	}
	got := signIn.Data.CustomerAccessTokenCreate
	if got.CustomerAccessToken == nil || got.CustomerAccessToken.AccessToken == "" || len(got.CustomerUserErrors) != 0 {
		t.Errorf("signing in with the new password: %s", lines[len(lines)-2])
	}
}
