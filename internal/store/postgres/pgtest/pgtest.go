// Package pgtest gives tests a PostgreSQL schema of their own.
//
// The database comes from the environment: STOREKEEP_TEST_POSTGRES holds
// its postgres:// URL. When that is unset but CI is set, the local server
// is assumed, as user postgres or else root, and a test fails if it does
// not answer. When both are unset, tests that need PostgreSQL skip.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL is the variable that names the test database.
const EnvURL = "STOREKEEP_TEST_POSTGRES"

// ciURLs are tried in order when only CI is set.
var ciURLs = []string{
	"postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
	"postgres://root@127.0.0.1:5432/test?sslmode=disable",
}

// Enabled reports whether the environment asks for PostgreSQL tests.
func Enabled() bool {
	return os.Getenv(EnvURL) != "" || os.Getenv("CI") != ""
}

var server = sync.OnceValues(func() (string, error) {
	candidates := ciURLs
	if env := os.Getenv(EnvURL); env != "" {
		candidates = []string{env}
	}
	var errs []error
	for _, u := range candidates {
		if err := answers(u); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", redacted(u), err))
			continue
		}
		return u, nil
	}
	return "", errors.Join(errs...)
})

func answers(u string) error {
	parsed, err := url.Parse(u)
	if err != nil {
		return err
	}
	if parsed.Scheme != "postgres" && parsed.Scheme != "postgresql" {
		return errors.New("not a postgres:// URL")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return conn.Ping(ctx)
}

func redacted(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return "the URL"
	}
	return parsed.Redacted()
}

// URL returns the test database's URL with search_path set to a schema
// made for t alone, and drops that schema, with all it holds, when t and
// its subtests are done. Its sessions commit without waiting for the
// disk (synchronous_commit=off), which no test can tell apart. It skips t when Enabled is false and fails it
// when the database does not answer.
func URL(t testing.TB) string {
	t.Helper()
	if !Enabled() {
		t.Skipf("PostgreSQL tests are off: set %s to a postgres:// URL, or CI", EnvURL)
	}
	base, err := server()
	if err != nil {
		t.Fatalf("PostgreSQL does not answer: %v", err)
	}
	random := make([]byte, 8)
	rand.Read(random)
	schema := "sk_" + hex.EncodeToString(random)
	if err := exec(base, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if err := exec(base, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

func exec(u, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	_, err = conn.Exec(ctx, "SET synchronous_commit = off; "+sql)
	return errors.Join(err, conn.Close(ctx))
}
