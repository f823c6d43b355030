package cli

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// refuseSecrets makes the SQLite database at db refuse, as a failing disk
// or a lost connection would, any write that stores a Multipass secret.
func refuseSecrets(t *testing.T, db string) {
	t.Helper()
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{
		`CREATE TRIGGER refuse_insert BEFORE INSERT ON shops WHEN NEW.multipass_secret IS NOT NULL
			BEGIN SELECT RAISE(ABORT, 'secret refused'); END`,
		`CREATE TRIGGER refuse_update BEFORE UPDATE OF multipass_secret ON shops WHEN NEW.multipass_secret IS NOT NULL
			BEGIN SELECT RAISE(ABORT, 'secret refused'); END`,
	} {
		if _, err := conn.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAShopAndItsSecretsAreWrittenTogetherOrNotAtAll(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sk.db")
	env := map[string]string{"STOREKEEP_DB": db}
	if code, _, errOut := runCLI(t, env, "shop", "create", "--domain", "kept.example", "--name", "Kept"); code != 0 {
		t.Fatalf("shop create: %d %s", code, errOut)
	}
	refuseSecrets(t, db)
	secret := strings.Repeat("s", 32)

	code, _, errOut := runCLI(t, env, "shop", "create", "--domain", "new.example", "--multipass-secret", secret)
	if code == 0 {
		t.Fatalf("shop create with a secret the database refused: exit 0")
	}
	if code, _, _ := runCLI(t, env, "shop", "update", "--domain", "new.example", "--name", "X"); code == 0 {
		t.Fatalf("shop create failed (%q) but left the shop without its Multipass secret", errOut)
	}

	before := shopOf(t, db, "kept.example")
	if code, _, _ := runCLI(t, env, "shop", "update", "--domain", "kept.example", "--name", "Renamed",
		"--multipass-secret", secret); code == 0 {
		t.Fatalf("shop update with a secret the database refused: exit 0")
	}
	if got := shopOf(t, db, "kept.example"); got != before {
		t.Fatalf("a failed shop update changed the shop: %+v, want %+v", got, before)
	}
}
