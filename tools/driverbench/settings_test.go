package driverbench

import (
	"database/sql"
	"path/filepath"
	"testing"
)

// TestEveryDriverOpensTheFileAsTheStoreDoes reads the settings back from
// each candidate's writer and reader connections, so that the benchmarks
// compare the drivers and not their defaults.
func TestEveryDriverOpensTheFileAsTheStoreDoes(t *testing.T) {
	for _, c := range drivers {
		path := filepath.Join(t.TempDir(), "settings.db")
		for _, writer := range []bool{true, false} {
			db, err := sql.Open(c.driver, c.dsn(path, writer))
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"journal_mode": "wal", "synchronous": "1", "foreign_keys": "1", "busy_timeout": "5000", "query_only": "0"}
			if !writer {
				want["query_only"] = "1"
			}
			for pragma, v := range want {
				var got string
				if err := db.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != v {
					t.Errorf("%s (writer %v): %s = %s, want %s", c.name, writer, pragma, got, v)
				}
			}
			db.Close()
		}
	}
}
