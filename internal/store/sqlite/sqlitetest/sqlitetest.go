// Package sqlitetest gives tests a migrated SQLite store of their own.
package sqlitetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/storekeep/storekeep/internal/secret"
	"github.com/storekeep/storekeep/internal/store/sqlite"
	"github.com/storekeep/storekeep/internal/store/storetest"
)

// Open returns a migrated store in a file under t.TempDir, sealing with a
// fresh key that it also returns. The store is closed when t ends.
func Open(t testing.TB) (*sqlite.Store, *secret.Keyring) {
	t.Helper()
	ctx := context.Background()
	keys := storetest.NewKeyring(t)
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "storekeep.db"), sqlite.Options{Sealer: keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return store, keys
}
