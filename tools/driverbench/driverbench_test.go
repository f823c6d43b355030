// Package driverbench compares SQLite drivers on the workload storekeep
// puts on its store: one write transaction per issued token, and point
// reads by indexed hash. Its figures are in BENCHMARKS.md.
//
//	cd tools/driverbench && go test -run x -bench . -benchtime 2s .
//	cd tools/driverbench && go test -tags ncruces -run x -bench . -benchtime 2s .
//
// The first compares modernc.org/sqlite with github.com/mattn/go-sqlite3,
// the second with github.com/ncruces/go-sqlite3: the other two both
// register the driver name "sqlite3", so one build holds one of them. It
// is a module of its own so that the server's module does not depend on
// the drivers it compares against.
package driverbench

import (
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	mathrand "math/rand/v2"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// candidate is a driver under comparison: its name in the benchmarks'
// output, its database/sql driver name, and its data source name for a
// file opened as the store opens it (WAL, synchronous=NORMAL, foreign
// keys, a 5 s busy timeout) with either "immediate" transactions (the
// writer) or query_only set (the readers).
type candidate struct {
	name, driver string
	dsn          func(path string, writer bool) string
}

// storeParams is how the store asks modernc.org/sqlite, and mattn's driver
// which reads the same names, for its settings.
const storeParams = "?_busy_timeout=5000&_foreign_keys=on&_journal_mode=WAL&_synchronous=NORMAL"

func storeDSN(path string, writer bool) string {
	if writer {
		return path + storeParams + "&_txlock=immediate"
	}
	return path + storeParams + "&_query_only=1"
}

var modernc = candidate{"modernc", "sqlite", storeDSN}

const schema = `
CREATE TABLE customers (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	shop_id INTEGER NOT NULL,
	email_key TEXT NOT NULL,
	UNIQUE (shop_id, email_key)
);
CREATE TABLE customer_tokens (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	shop_id INTEGER NOT NULL,
	customer_id INTEGER NOT NULL REFERENCES customers (id),
	purpose TEXT NOT NULL,
	hash BLOB NOT NULL UNIQUE,
	expires_at INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	used_at INTEGER
);
CREATE INDEX customer_tokens_customer ON customer_tokens (customer_id, purpose);
CREATE TABLE outbox (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	shop_id INTEGER NOT NULL,
	recipient TEXT NOT NULL,
	template TEXT NOT NULL,
	data BLOB,
	message_id TEXT NOT NULL,
	status TEXT NOT NULL,
	next_attempt_at INTEGER NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE TABLE audit_events (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	shop_id INTEGER NOT NULL,
	customer_id INTEGER NOT NULL,
	kind TEXT NOT NULL,
	ip TEXT NOT NULL,
	at INTEGER NOT NULL
);
CREATE INDEX audit_events_shop ON audit_events (shop_id, at);
`

const (
	customers = 1000
	tokens    = 10000
)

var seq atomic.Uint64

func hashOf(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	h := sha256.Sum256(b[:])
	return h[:]
}

type db struct {
	writer, reader *sql.DB
	hashes         [][]byte
}

// open creates a seeded database file with one writer connection and a
// read pool, as the store opens it.
func open(b *testing.B, c candidate) db {
	b.Helper()
	path := filepath.Join(b.TempDir(), "bench.db")
	writer, err := sql.Open(c.driver, c.dsn(path, true))
	if err != nil {
		b.Fatal(err)
	}
	writer.SetMaxOpenConns(1)
	b.Cleanup(func() { writer.Close() })
	if _, err := writer.Exec(schema); err != nil {
		b.Fatal(err)
	}
	reader, err := sql.Open(c.driver, c.dsn(path, false))
	if err != nil {
		b.Fatal(err)
	}
	conns := max(4, runtime.GOMAXPROCS(0))
	reader.SetMaxOpenConns(conns)
	reader.SetMaxIdleConns(conns)
	b.Cleanup(func() { reader.Close() })

	d := db{writer: writer, reader: reader}
	tx, err := writer.Begin()
	if err != nil {
		b.Fatal(err)
	}
	for i := range customers {
		if _, err := tx.Exec(`INSERT INTO customers (shop_id, email_key) VALUES (1, ?)`, fmt.Sprintf("c%d@example.com", i)); err != nil {
			b.Fatal(err)
		}
	}
	expires := time.Now().Add(24 * time.Hour).UnixNano()
	for i := range tokens {
		h := hashOf(seq.Add(1))
		d.hashes = append(d.hashes, h)
		if _, err := tx.Exec(`INSERT INTO customer_tokens (shop_id, customer_id, purpose, hash, expires_at, created_at)
			VALUES (1, ?, 'reset', ?, ?, ?)`, i%customers+1, h, expires, time.Now().UnixNano()); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return d
}

// issue is the write transaction of IssueCustomerToken: void the
// customer's open tokens, store the new one, queue the mail, audit.
func (d db) issue(data []byte) error {
	n := seq.Add(1)
	customer := int64(n%customers) + 1
	now := time.Now().UnixNano()
	tx, err := d.writer.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`UPDATE customer_tokens SET used_at = ? WHERE customer_id = ? AND purpose = 'reset' AND used_at IS NULL`,
		now, customer); err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO customer_tokens (shop_id, customer_id, purpose, hash, expires_at, created_at)
		VALUES (1, ?, 'reset', ?, ?, ?)`, customer, hashOf(n), now+int64(24*time.Hour), now); err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO outbox (shop_id, recipient, template, data, message_id, status, next_attempt_at, created_at)
		VALUES (1, ?, 'customer_reset', ?, ?, 'pending', ?, ?)`,
		fmt.Sprintf("c%d@example.com", customer), data, fmt.Sprintf("<%d@storekeep>", n), now, now); err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO audit_events (shop_id, customer_id, kind, ip, at) VALUES (1, ?, 'recover_requested', '192.0.2.1', ?)`,
		customer, now); err != nil {
		return err
	}
	return tx.Commit()
}

func (d db) read(hash []byte) error {
	var id, customer, expires int64
	return d.reader.QueryRow(`SELECT id, customer_id, expires_at FROM customer_tokens
		WHERE shop_id = 1 AND purpose = 'reset' AND hash = ? AND used_at IS NULL`, hash).Scan(&id, &customer, &expires)
}

func sealedData() []byte {
	data := make([]byte, 240)
	rand.Read(data)
	return data
}

func BenchmarkIssueTx(b *testing.B) {
	for _, dr := range drivers {
		b.Run(dr.name, func(b *testing.B) {
			d, data := open(b, dr), sealedData()
			for b.Loop() {
				if err := d.issue(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkIssueTxParallel(b *testing.B) {
	for _, dr := range drivers {
		b.Run(dr.name, func(b *testing.B) {
			d, data := open(b, dr), sealedData()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := d.issue(data); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// readErr accepts no row: in a mixed run, some lookups hit a token that a
// concurrent issue has just voided.
func readErr(err error) error {
	if err == sql.ErrNoRows {
		return nil
	}
	return err
}

func BenchmarkReadByHash(b *testing.B) {
	for _, dr := range drivers {
		b.Run(dr.name, func(b *testing.B) {
			d := open(b, dr)
			i := 0
			for b.Loop() {
				if err := d.read(d.hashes[i%len(d.hashes)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

func BenchmarkReadByHashParallel(b *testing.B) {
	for _, dr := range drivers {
		b.Run(dr.name, func(b *testing.B) {
			d := open(b, dr)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := d.read(d.hashes[mathrand.IntN(len(d.hashes))]); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkMixedParallel reads by hash from every goroutine while one in
// ten operations is an issue transaction, as under a burst of resets.
func BenchmarkMixedParallel(b *testing.B) {
	for _, dr := range drivers {
		b.Run(dr.name, func(b *testing.B) {
			d, data := open(b, dr), sealedData()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for i := 0; pb.Next(); i++ {
					var err error
					if i%10 == 0 {
						err = d.issue(data)
					} else {
						err = readErr(d.read(d.hashes[mathrand.IntN(len(d.hashes))]))
					}
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
