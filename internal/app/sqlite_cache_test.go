package app_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/store/sqlite"
)

func TestSQLiteCacheSizeReachesEveryConnectionAndIsBounded(t *testing.T) {
	cfg := app.DefaultConfig()
	cfg.DB, cfg.SecretKeys, cfg.HashParams, cfg.SQLiteCacheMiB = filepath.Join(t.TempDir(), "sk.db"), [][]byte{newKey(t)}, fastHashing, 5
	a, err := app.New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	sizes, err := a.Store.(*sqlite.Store).CacheSizes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for i, kib := range sizes {
		if kib != -5<<10 {
			t.Errorf("connection %d of %d: cache_size %d, want %d (5 MiB)", i, len(sizes), kib, -5<<10)
		}
	}
	for _, mib := range []int{0, -1, sqlite.MaxCacheMiB + 1} {
		cfg.SQLiteCacheMiB = mib
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "--sqlite-cache-size") {
			t.Errorf("SQLiteCacheMiB %d: %v, want an error naming --sqlite-cache-size", mib, err)
		}
	}
	cfg.DB = "postgres://127.0.0.1/unused"
	if err := cfg.Validate(); err != nil {
		t.Errorf("a PostgreSQL node with SQLiteCacheMiB %d: %v, want it ignored", cfg.SQLiteCacheMiB, err)
	}
}
