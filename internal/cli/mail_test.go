package cli

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestMailListAndRetry(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sk.db")
	env := map[string]string{"STOREKEEP_DB": db}
	runCLI(t, env, "shop", "create", "--domain", "shop.example")
	for _, email := range []string{"bo@example.com", "cy@example.com"} {
		if code, _, errOut := runCLI(t, env, "customer", "create", "--shop", "shop.example", "--email", email); code != 0 {
			t.Fatalf("invite %s: %d %s", email, code, errOut)
		}
	}

	code, out, errOut := runCLI(t, env, "mail", "list")
	if code != 0 {
		t.Fatalf("mail list: %d %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !regexp.MustCompile(`^ID +STATUS +ATTEMPTS +TO +TEMPLATE +CREATED +LAST ERROR$`).MatchString(lines[0]) {
		t.Fatalf("mail list:\n%s", out)
	}
	row := regexp.MustCompile(`^(\d+) +pending +0 +cy@example\.com +customer_activation +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ *$`)
	m := row.FindStringSubmatch(lines[1])
	if m == nil || !strings.Contains(lines[2], "bo@example.com") {
		t.Fatalf("mail list, newest first:\n%s", out)
	}
	id := m[1]

	store := openStore(t, db)
	ctx := context.Background()
	batch, err := store.Claim(ctx, time.Now(), time.Minute, 10)
	claimed := batch.Mail
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim: %d mails, %v", len(claimed), err)
	}
	for _, c := range claimed {
		if c.To == "cy@example.com" {
			err = store.MarkMailFailed(ctx, c.ID, time.Now(), "550 5.1.1 No such mailbox\n  try another")
		} else {
			_, err = store.MarkMailsSent(ctx, []int64{c.ID}, time.Now())
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	store.Close()

	code, out, _ = runCLI(t, env, "mail", "list", "--status", "failed")
	want := regexp.MustCompile(`(?m)^` + id + ` +failed +1 +cy@example\.com +customer_activation +\S+ +550 5\.1\.1 No such mailbox try another$`)
	if code != 0 || !want.MatchString(out) || strings.Contains(out, "bo@example.com") {
		t.Fatalf("mail list --status failed: %d\n%s", code, out)
	}
	if code, out, _ := runCLI(t, env, "mail", "list", "--status", "sent", "--limit", "1"); code != 0 || !strings.Contains(out, "bo@example.com") || strings.Count(out, "\n") != 2 {
		t.Fatalf("mail list --status sent: %d\n%s", code, out)
	}

	for _, args := range [][]string{{"0" + id}, {"--id", "0" + id}, {"--id", "+" + id}, {"--id", "-" + id}} {
		if code, _, errOut := runCLI(t, env, append([]string{"mail", "retry"}, args...)...); code != 1 || !strings.Contains(errOut, "is a positive number") {
			t.Errorf("mail retry %q: exit %d, %s; want a refusal that retries nothing", args, code, errOut)
		}
	}
	if code, out, errOut := runCLI(t, env, "mail", "retry", id); code != 0 || !strings.Contains(out, "mail "+id+" is pending again") {
		t.Fatalf("mail retry: %d %s %s", code, out, errOut)
	}
	code, out, _ = runCLI(t, env, "mail", "list", "--status", "pending")
	if code != 0 || !regexp.MustCompile(`(?m)^`+id+` +pending +0 +cy@example\.com`).MatchString(out) {
		t.Fatalf("after retry: %d\n%s", code, out)
	}
	if code, _, errOut := runCLI(t, env, "mail", "retry", "--id", id); code != 1 || !strings.Contains(errOut, "has not failed") {
		t.Fatalf("retry of a pending mail: %d %s", code, errOut)
	}
}

func TestMailCommandsRejectBadFlags(t *testing.T) {
	env := map[string]string{"STOREKEEP_DB": filepath.Join(t.TempDir(), "sk.db")}
	for _, args := range [][]string{
		{"mail", "list", "--status", "lost"},
		{"mail", "list", "--limit", "-1"},
		{"mail", "retry", "abc"},
		{"mail", "retry", "0"},
		{"serve", "--mail-max-attempts", "0"},
		{"serve", "--mail-lease", "1s"},
		{"serve", "--mail-backoff", "1h", "--mail-backoff-max", "1m"},
		{"serve", "--smtp", "smtp://127.0.0.1:1", "--dkim-key", filepath.Join(t.TempDir(), "missing.pem"), "--dkim-selector", "sk"},
	} {
		if code, _, errOut := runCLI(t, env, args...); code != 1 || errOut == "" {
			t.Errorf("%s: exit %d, stderr %q", strings.Join(args, " "), code, errOut)
		}
	}
}
