package app_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/storekeep/storekeep/internal/store/postgres/pgtest"
)

func TestTokensAndPasswordsAreAbsentFromTheDatabaseAndLogs(t *testing.T) {
	n := startNode(t)
	n.signUp("kai@example.com", "first-secret-1")
	access := n.login("kai@example.com", "first-secret-1")
	n.recover("kai@example.com")
	link := n.resetURL("kai@example.com", 1)
	resetToken := link[strings.LastIndex(link, "/")+1:]
	p := n.resetByURL(link, "second-secret-2")
	if p.CustomerAccessToken == nil {
		t.Fatalf("%+v", p)
	}
	n.recover("kai@example.com")
	pending := n.resetURL("kai@example.com", 2)
	pendingToken := pending[strings.LastIndex(pending, "/")+1:]
	n.stop()

	secrets := map[string]string{
		"reset token":       resetToken,
		"later reset token": pendingToken,
		"access token":      access,
		"new access token":  p.CustomerAccessToken.AccessToken,
		"storefront token":  n.public,
		"private token":     n.private,
		"password":          "first-secret-1",
		"new password":      "second-secret-2",
	}
	if backend == "postgres" {
		if !pgtest.Contains(t, n.db, []byte("kai@example.com")) {
			t.Fatal("the schema does not hold the customer's email either; searching the wrong schema?")
		}
		for what, s := range secrets {
			if pgtest.Contains(t, n.db, []byte(s)) {
				t.Errorf("%s found in clear in the database", what)
			}
		}
	} else {
		files, _ := filepath.Glob(n.db + "*")
		if len(files) == 0 {
			t.Fatal("no database files")
		}
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for what, s := range secrets {
				if bytes.Contains(raw, []byte(s)) {
					t.Errorf("%s found in clear in %s", what, filepath.Base(f))
				}
			}
		}
	}
	logs := n.logs.String()
	if !strings.Contains(logs, `"route"`) {
		t.Fatalf("no request logs captured: %q", logs)
	}
	for what, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("%s found in the logs", what)
		}
	}
}
