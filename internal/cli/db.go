package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/secret"
)

// dbFlags are the flags every command that opens the database shares.
type dbFlags struct {
	db        string
	secretKey secretFlags
}

func (d *dbFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&d.db, "db", "storekeep.db", "SQLite file, or a postgres:// URL")
	d.secretKey.define(fs, "secret-key", "server keys, base64, comma-separated, newest first (default: a key file beside a SQLite database)", nil)
}

// keys loads or, for a new SQLite database, creates the server keys.
func (d *dbFlags) keys(log *slog.Logger) ([][]byte, error) {
	configured, _, err := d.secretKey.value()
	if err != nil {
		return nil, err
	}
	keys, generated, err := loadKeys(d.db, configured)
	if generated {
		log.Warn("generated a server key; keep it with the database", "file", keyFile(d.db))
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

// maxSecretFileBytes bounds what is read of a secret file: many times the
// longest secret (a list of server keys, a password), so that a path to a
// large file or to a device without end is refused, not read whole.
const maxSecretFileBytes = 64 << 10

// secretFile reads a secret from path, the value of flag: the file's text
// without surrounding whitespace, which must not be empty nor longer than
// maxSecretFileBytes.
func secretFile(flag, path string) (string, error) {
	raw, err := readSecretFile(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", flag, err)
	}
	value := strings.TrimSpace(string(raw))
	if value == "" {
		return "", fmt.Errorf("%s: %s is empty", flag, path)
	}
	return value, nil
}

// readSecretFile reads the file at path, refusing one longer than
// maxSecretFileBytes.
func readSecretFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxSecretFileBytes+1))
	if err == nil && len(raw) > maxSecretFileBytes {
		err = fmt.Errorf("%s holds more than %d bytes: not a secret file", path, maxSecretFileBytes)
	}
	return raw, err
}

// openShop opens the database as open does, with a quiet logger, and
// finds the shop of domain in it. The caller closes the store; on an
// error it is closed already.
func (d *dbFlags) openShop(ctx context.Context, env *environment, domain string) (app.Store, *secret.Keyring, storekeep.Shop, error) {
	store, keys, err := d.open(ctx, quietLogger(env))
	if err != nil {
		return nil, nil, storekeep.Shop{}, err
	}
	shop, err := shopByDomain(ctx, store, domain)
	if err != nil {
		store.Close()
		return nil, nil, storekeep.Shop{}, err
	}
	return store, keys, shop, nil
}
