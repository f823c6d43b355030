package cli

import (
	"context"
	"flag"
	"log/slog"

	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/secret"
)

// dbFlags are the flags every command that opens the database shares.
type dbFlags struct {
	db        string
	secretKey string
}

func (d *dbFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&d.db, "db", "storekeep.db", "SQLite file, or a postgres:// URL")
	fs.StringVar(&d.secretKey, "secret-key", "", "server keys, base64, comma-separated, newest first (default: a key file beside a SQLite database)")
}

// keys loads or, for a new SQLite database, creates the server keys.
func (d *dbFlags) keys(log *slog.Logger) ([][]byte, error) {
	keys, generated, err := app.LoadKeys(d.db, d.secretKey)
	if generated {
		log.Warn("generated a server key; keep it with the database", "file", app.KeyFile(d.db))
	}
	return keys, err
}

// open opens and migrates the database and returns it with the keyring.
func (d *dbFlags) open(ctx context.Context, log *slog.Logger) (app.Store, *secret.Keyring, error) {
	keys, err := d.keys(log)
	if err != nil {
		return nil, nil, err
	}
	ring, err := secret.New(keys...)
	if err != nil {
		return nil, nil, err
	}
	store, err := app.OpenStore(ctx, d.db, ring)
	return store, ring, err
}
