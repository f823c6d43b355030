//go:build !ncruces

package driverbench

import (
	_ "github.com/mattn/go-sqlite3"
	_ "modernc.org/sqlite"
)

var drivers = []candidate{modernc, {"mattn", "sqlite3", storeDSN}}
