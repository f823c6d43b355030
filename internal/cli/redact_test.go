package cli

import (
	"strings"
	"testing"
)

// A database's password never reaches a log line, wherever the
// connection string carries it: the URL's user info, a password query
// parameter (which pgx reads too), a keyword/value string, or a URL that
// does not parse.
func TestRedactDBHidesEveryFormOfPassword(t *testing.T) {
	for db, want := range map[string]string{
		"storekeep.db":                              "storekeep.db",
		"/var/lib/storekeep/data.db":                "/var/lib/storekeep/data.db",
		"postgres://u:hunter2@db:5432/sk":           "postgres://u:xxxxx@db:5432/sk",
		"postgres://u@db/sk?password=hunter2":       "postgres://u@db/sk?password=xxxxx",
		"postgresql://db/sk?sslpassword=hunter2":    "postgresql://db/sk?sslpassword=xxxxx",
		"postgres://u@db/sk?sslmode=disable":        "postgres://u@db/sk?sslmode=disable",
		"host=db user=u password=hunter2 dbname=sk": "host=db user=u password=xxxxx dbname=sk",
		"host=db password='hunter 2' dbname=sk":     "host=db password=xxxxx dbname=sk",
		"postgres://u:hunter2@db:54x32/sk":          "postgres://(not shown: it does not parse as a URL)",
		"postgres://u:hun%zzter2@db/sk":             "postgres://(not shown: it does not parse as a URL)",
	} {
		got := redactDB(db)
		if got != want || strings.Contains(got, "hunter") {
			t.Errorf("redactDB(%q) = %q, want %q", db, got, want)
		}
	}
}
