package postgres

import (
	"testing"

	"github.com/storekeep/storekeep/internal/store/postgres/pgtest"
	"github.com/storekeep/storekeep/internal/store/storetest"
)

// BenchmarkFinishJobs times a batch of 64 recover jobs' outcomes written
// to a fresh schema (BENCHMARKS.md).
func BenchmarkFinishJobs(b *testing.B) {
	storetest.BenchmarkFinishJobs(b, openBench(b), 64)
}

// BenchmarkAccessTokenByHash times an authenticated request's token
// look-up, planned at each execution (BENCHMARKS.md).
func BenchmarkAccessTokenByHash(b *testing.B) {
	storetest.BenchmarkAccessTokenByHash(b, openBench(b))
}

// openBench opens a migrated store on a fresh schema, closed when b ends.
func openBench(b *testing.B) *Store {
	s, err := Open(b.Context(), pgtest.URL(b), Options{Sealer: storetest.NewKeyring(b)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if err := s.Migrate(b.Context()); err != nil {
		b.Fatal(err)
	}
	return s
}
