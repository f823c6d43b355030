package app

import "testing"

func TestWorkerHoldsMoreAtOnceOnPostgreSQL(t *testing.T) {
	for _, tc := range []struct {
		db    string
		batch int
		want  int
	}{
		{"storekeep.db", 0, 256},
		{"/var/lib/storekeep/shop.db", 0, 256},
		{"postgres://storekeep@db.internal:5432/storekeep", 0, 512},
		{"postgresql://storekeep@db.internal/storekeep", 0, 512},
		{"postgres://storekeep@db.internal/storekeep", 100, 100},
		{"storekeep.db", 100, 100},
	} {
		cfg := DefaultConfig()
		cfg.DB = tc.db
		if tc.batch != 0 {
			cfg.Outbox.Batch = tc.batch
		}
		if got := workerConfig(cfg).Batch; got != tc.want {
			t.Errorf("%s with Batch %d: the worker holds %d, want %d", tc.db, tc.batch, got, tc.want)
		}
	}
}
