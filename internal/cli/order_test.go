package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/storekeep/storekeep/order"
)

func sampleOrderLine(t *testing.T, id int) string {
	t.Helper()
	b, err := os.ReadFile("../../order/testdata/orders_create.json")
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	for _, line := range strings.Split(string(b), "\n") {
		compact.WriteString(strings.TrimSpace(line))
	}
	return strings.Replace(compact.String(), `"id": 820982911946154508`, fmt.Sprintf(`"id": %d`, id), 1)
}

func TestOrderImportReportsBadLinesByNumberAndGoesOn(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"STOREKEEP_DB": filepath.Join(dir, "sk.db")}
	if code, _, errOut := runCLI(t, env, "shop", "create", "--domain", "shop.example"); code != 0 {
		t.Fatal(errOut)
	}
	file := filepath.Join(dir, "orders.jsonl")
	lines := []string{
		sampleOrderLine(t, 1),
		"not json",
		"",
		sampleOrderLine(t, 1),
		`{"id": 2, "updated_at": "2022-01-01T00:00:00Z", "total_price": "1e3"}`,
		`{"id": 3, "updated_at": "2022-01-01T00:00:00Z", "note": "` + strings.Repeat("x", order.MaxImportLineBytes) + `"}`,
		sampleOrderLine(t, 4) + "\r",
	}
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, env, "order", "import", "--shop", "shop.example", file)
	if code != 1 || !strings.Contains(out, "7 lines: 2 orders saved, 1 unchanged (already up to date), 3 refused") {
		t.Fatalf("import: %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"line 2: not a readable order", "line 5: not a readable order: amount \"1e3\"", "line 6: longer than 1048576 bytes"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	code, out, _ = runCLI(t, env, "order", "import", file, "--shop", "SHOP.example")
	if code != 1 || !strings.Contains(out, "0 orders saved, 3 unchanged") {
		t.Fatalf("import again, flags after the file: %d %s", code, out)
	}
	if code, _, errOut := runCLI(t, env, "order", "import", "--shop", "shop.example"); code != 2 || !strings.Contains(errOut, "give the FILE") {
		t.Errorf("no file: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, env, "order", "import", "--shop", "shop.example", file, file); code != 2 || !strings.Contains(errOut, "unexpected argument") {
		t.Errorf("two files: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, env, "order", "import", "--shop", "nope.example", file); code != 1 || !strings.Contains(errOut, "not found") {
		t.Errorf("unknown shop: %d %s", code, errOut)
	}
}

func TestOrderImportPrintsProgressLinesOffATerminal(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"STOREKEEP_DB": filepath.Join(dir, "sk.db")}
	runCLI(t, env, "shop", "create", "--domain", "shop.example")
	var b strings.Builder
	for i := 1; i <= importProgressEvery+1; i++ {
		fmt.Fprintf(&b, `{"id": %d, "email": "a@example.com", "updated_at": "2022-01-01T00:00:00Z"}`+"\n", i)
	}
	file := filepath.Join(dir, "orders.jsonl")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, env, "order", "import", "--shop", "shop.example", file)
	if code != 0 || !strings.Contains(out, "1001 lines: 1001 orders saved") || strings.Count(errOut, "imported 1000 lines\n") != 1 {
		t.Fatalf("%d\n%s\n%s", code, out, errOut)
	}
}

func TestShopCreateAndUpdateSetTheWebhookSecret(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "sk.db")
	env := map[string]string{"STOREKEEP_DB": db}
	file := filepath.Join(dir, "secret")
	if err := os.WriteFile(file, []byte("shpss_from_the_file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"with space", "tab\tin", strings.Repeat("s", maxWebhookSecret+1), "é", "a",
		strings.Repeat("s", minWebhookSecret-1)} {
		if code, _, errOut := runCLI(t, env, "shop", "create", "--domain", "bad.example", "--webhook-secret", bad); code != 1 || !strings.Contains(errOut, "--webhook-secret") {
			t.Errorf("secret %q: %d %s", bad, code, errOut)
		}
	}
	if code, _, errOut := runCLI(t, env, "shop", "create", "--domain", "bad.example", "--webhook-secret", "a", "--webhook-secret-file", file); code != 2 || !strings.Contains(errOut, "not both") {
		t.Errorf("both flags: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, env, "shop", "create", "--domain", "shop.example", "--webhook-secret-file", file); code != 0 {
		t.Fatal(errOut)
	}
	secretOf := func() []byte {
		t.Helper()
		a, err := adminApp(context.Background(), dbFlags{db: db}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		_, secret, err := a.Store.WebhookSecret(context.Background(), "shop.example")
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	if got := secretOf(); string(got) != "shpss_from_the_file" {
		t.Fatalf("secret after shop create: %q", got)
	}
	if code, _, errOut := runCLI(t, env, "shop", "update", "--domain", "bad.example", "--webhook-secret", "x"); code != 1 {
		t.Fatalf("a shop with a refused secret was created, or update found it: %d %s", code, errOut)
	}
	steps := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--webhook-secret", "has space"}, 1, "shpss_from_the_file"},
		{[]string{"--webhook-secret", "shpss_new_secret", "--webhook-secret-file", "/nonexistent"}, 2, "shpss_from_the_file"},
		{[]string{"--webhook-secret", "shpss_new_secret", "--name", "Renamed"}, 0, "shpss_new_secret"},
		{[]string{"--name", "Again"}, 0, "shpss_new_secret"},
		{[]string{"--webhook-secret", ""}, 0, ""},
	}
	for _, st := range steps {
		code, _, errOut := runCLI(t, env, append([]string{"shop", "update", "--domain", "shop.example"}, st.args...)...)
		if code != st.code {
			t.Errorf("shop update %v: %d %s", st.args, code, errOut)
		}
		if got := secretOf(); string(got) != st.want {
			t.Errorf("after shop update %v: secret %q, want %q", st.args, got, st.want)
		}
	}
}

// Editors and spreadsheet tools on Windows begin a UTF-8 file with a byte
// order mark; the first order must not be refused for it, as the customer
// import skips it.
func TestOrderImportSkipsAByteOrderMark(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"STOREKEEP_DB": filepath.Join(dir, "sk.db")}
	runCLI(t, env, "shop", "create", "--domain", "shop.example")
	file := filepath.Join(dir, "orders.jsonl")
	content := "\ufeff" + sampleOrderLine(t, 1) + "\n\ufeff" + sampleOrderLine(t, 2) + "\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, env, "order", "import", "--shop", "shop.example", file)
	if code != 1 || !strings.Contains(out, "2 lines: 1 orders saved, 0 unchanged (already up to date), 1 refused") ||
		!strings.Contains(errOut, "line 2: not a readable order") {
		t.Fatalf("a file with a byte order mark, and a second one on line 2: %d\n%s\n%s", code, out, errOut)
	}
}
