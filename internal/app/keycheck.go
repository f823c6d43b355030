package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/secret"
)

// ErrWrongKey means the database was written under server keys of which
// none is configured: its token hashes and sealed mail cannot be read.
var ErrWrongKey = errors.New("the database was written with a different server key than the one(s) configured, " +
	"so its tokens and queued mail cannot be read; nothing was changed. Restore the key it was written with: " +
	"the key file beside a SQLite database (<db>.key) from your backup, or the old value of --secret-key " +
	"(STOREKEEP_SECRET_KEY). To rotate keys, put the new key first and keep the old one after it (--secret-key NEW,OLD)")

// ErrKeyStillInUse means a shop's webhook or Multipass secret is sealed
// under a server key that is no longer configured.
var ErrKeyStillInUse = errors.New("a shop's secret is sealed under a server key that is not configured, so its " +
	"webhooks or Multipass sign-ins would fail; nothing was changed. Put the old key back after the new one " +
	"(--secret-key NEW,OLD) and, once every node has both, run storekeep migrate with them: it seals the secrets " +
	"under the new key, and the old one can then be left out")

// verifyKeys reports ErrWrongKey unless one of keys wrote to store, or
// nothing did yet.
func verifyKeys(ctx context.Context, store storekeep.KeyCheckStore, keys *secret.Keyring) ([][]byte, error) {
	stored, err := store.KeyChecks(ctx)
	if err != nil {
		return nil, err
	}
	if len(stored) > 0 && !slices.ContainsFunc(stored, keys.HasCheck) {
		return stored, ErrWrongKey
	}
	return stored, nil
}

// claimKeys verifies keys against store and that they open the shops'
// secrets, then records the newest key's check value, since that
// key is the one that writes from now on. A database with no check value
// yet (new, or from before checks were kept) takes the configured keys'
// newest as its own.
func claimKeys(ctx context.Context, store storekeep.KeyCheckStore, keys *secret.Keyring, now time.Time) error {
	stored, err := verifyKeys(ctx, store, keys)
	if err != nil {
		return err
	}
	if err := store.CheckShopSecrets(ctx); err != nil {
		return fmt.Errorf("%w: %w", ErrKeyStillInUse, err)
	}
	newest := keys.Check()
	if slices.ContainsFunc(stored, func(c []byte) bool { return string(c) == string(newest) }) {
		return nil
	}
	return store.AddKeyCheck(ctx, newest, now)
}

// KeyCheckTTL is how long a passing key check stands for /readyz: 10 s,
// so that a probe every second reads the stored checks once in ten. A
// failing check is never kept: after one, every probe checks again, and
// a node started with other keys checks them at its first probe.
const KeyCheckTTL = 10 * time.Second

// keyCheck keeps when the node's keys last passed verifyKeys.
type keyCheck struct {
	mu     sync.Mutex
	passed time.Time
}

// verify runs verifyKeys unless it passed less than KeyCheckTTL before now.
func (k *keyCheck) verify(ctx context.Context, store storekeep.KeyCheckStore, keys *secret.Keyring, now time.Time) error {
	k.mu.Lock()
	fresh := !k.passed.IsZero() && !now.Before(k.passed) && now.Sub(k.passed) < KeyCheckTTL
	k.mu.Unlock()
	if fresh {
		return nil
	}
	_, err := verifyKeys(ctx, store, keys)
	k.mu.Lock()
	k.passed = time.Time{}
	if err == nil {
		k.passed = now
	}
	k.mu.Unlock()
	return err
}
