package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestContainerFilesNameRealCommandsAndSettings reads the Dockerfile and
// compose.yaml, which no test here can run without a container engine,
// and checks what they ask of storekeep: every command they run exists,
// and every STOREKEEP_* variable they set is one a node reads.
func TestContainerFilesNameRealCommandsAndSettings(t *testing.T) {
	nodeVars := map[string]bool{}
	for _, c := range commands() {
		if c.name != "serve" && c.name != "migrate" {
			continue
		}
		_, help, _ := runCLI(t, nil, c.name, "--help")
		for _, v := range regexp.MustCompile(`\[(STOREKEEP_[A-Z_]+)\]`).FindAllStringSubmatch(help, -1) {
			nodeVars[v[1]] = true
		}
	}
	if !nodeVars["STOREKEEP_ADDR"] || !nodeVars["STOREKEEP_SECRET_KEY_FILE"] {
		t.Fatalf("serve --help names too few variables: %v", nodeVars)
	}
	commandLists := regexp.MustCompile(`(?m)^\s*(?:CMD|HEALTHCHECK.*CMD|command:)\s*\[([^\]]*)\]`)
	for _, name := range []string{"Dockerfile", "compose.yaml"} {
		raw, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		text := string(raw)
		for _, v := range regexp.MustCompile(`STOREKEEP_[A-Z_]+`).FindAllString(text, -1) {
			if !nodeVars[v] {
				t.Errorf("%s sets %s, which no node reads", name, v)
			}
		}
		lists := commandLists.FindAllStringSubmatch(text, -1)
		if len(lists) == 0 {
			t.Errorf("%s runs no storekeep command", name)
		}
		for _, l := range lists {
			var words []string
			for _, w := range strings.Split(l[1], ",") {
				words = append(words, strings.Trim(strings.TrimSpace(w), `"`))
			}
			if words[0] == "/usr/local/bin/storekeep" {
				words = words[1:]
			}
			if words[0] == "redis-server" || words[0] == "pg_isready" || words[0] == "redis-cli" {
				continue
			}
			if code, _, errOut := runCLI(t, nil, append(words, "--help")...); code != 0 {
				t.Errorf("%s runs storekeep %s, which is not a command: %s", name, strings.Join(words, " "), errOut)
			}
		}
	}
	docker, _ := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	if !regexp.MustCompile(`(?m)^USER 65532:65532$`).Match(docker) || !regexp.MustCompile(`HEALTHCHECK[^\n]*\\\n\s*CMD \["/usr/local/bin/storekeep", "healthcheck"\]`).Match(docker) {
		t.Errorf("the image must run as a non-root user and check its health with storekeep healthcheck")
	}
}
