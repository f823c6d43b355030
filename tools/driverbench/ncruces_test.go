//go:build ncruces

package driverbench

import (
	_ "github.com/ncruces/go-sqlite3/driver"
	_ "modernc.org/sqlite"
)

var drivers = []candidate{modernc, {"ncruces", "sqlite3", ncrucesDSN}}

// ncrucesDSN asks github.com/ncruces/go-sqlite3 for the store's settings,
// which it takes as PRAGMAs in a file: URI.
func ncrucesDSN(path string, writer bool) string {
	q := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=journal_mode(wal)&_pragma=synchronous(normal)"
	if writer {
		return q + "&_txlock=immediate"
	}
	return q + "&_pragma=query_only(1)"
}
