// Package password hashes passwords with argon2id and judges new ones
// against Shopify's password policy and a list of very common passwords.
//
// Passwords are NFKC-normalised before anything else, so the same password
// typed on different keyboards or input methods hashes the same. They are
// never truncated.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	mrand "math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/storekeep/storekeep"
	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// ErrBusy is returned when every hashing slot is taken and the queue of
// waiting callers is full. It is a throttled *storekeep.Error, so the API
// answers it as THROTTLED rather than failing with an internal error.
var ErrBusy error = storekeep.Throttled("Too many requests. Please try again later.")

// SignupConcurrency is how many sign-up hashes (HashSignup) run at once,
// beside the hashes of customers signing in, resetting or changing a
// password.
const SignupConcurrency = 1

// Hasher hashes and verifies passwords, admitting a bounded number of
// argon2id computations at once. It is safe for concurrent use.
//
// Hashes wait in two lanes, each with its own slots and queue: sign-ups
// (HashSignup) in one, everything else in the other. A flood of sign-ups
// fills only its own lane, so it cannot delay or refuse a sign-in or a
// reset; it can only take SignupConcurrency of the CPUs from them.
type Hasher struct {
	params      Params
	interactive lane
	signup      lane
	decoy       phc
	// recent holds how long the latest failed comparisons with the
	// Hasher's parameters took, slot wait included, in nanoseconds: the
	// durations waitOut draws from.
	recent durations
}

// durations is a ring of the latest len(d.ns) durations, safe for
// concurrent use.
type durations struct {
	mu   sync.Mutex
	ns   [64]int64
	next int
	full bool
}

// add records d.
func (d *durations) add(ns time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.ns[d.next] = int64(ns)
	d.next = (d.next + 1) % len(d.ns)
	d.full = d.full || d.next == 0
}

// sample returns one of the recorded durations at random, or 0 when none
// is.
func (d *durations) sample() time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := d.next
	if d.full {
		n = len(d.ns)
	}
	if n == 0 {
		return 0
	}
	return time.Duration(d.ns[mrand.IntN(n)])
}

// lane is a bounded set of hashing slots with a bounded queue of waiters.
type lane struct {
	sem     chan struct{}
	queue   int64
	waiting atomic.Int64
}

// NewHasher returns a Hasher that hashes with p. Sign-in, reset and
// password-change hashes run at most concurrency at once
// (runtime.NumCPU() when concurrency <= 0) and at most queue further
// callers wait for a slot; sign-up hashes run at most SignupConcurrency at
// once, with queue/8 (at least 1) waiting. Callers beyond those get
// ErrBusy.
func NewHasher(p Params, concurrency, queue int) (*Hasher, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if queue < 0 {
		return nil, fmt.Errorf("password: negative queue %d", queue)
	}
	if concurrency <= 0 {
		concurrency = runtime.NumCPU()
	}
	h := &Hasher{
		params:      p,
		interactive: lane{sem: make(chan struct{}, concurrency), queue: int64(queue)},
		signup:      lane{sem: make(chan struct{}, SignupConcurrency), queue: int64(max(1, queue/8))},
		decoy:       phc{params: p, salt: make([]byte, SaltLen), key: make([]byte, KeyLen)},
	}
	rand.Read(h.decoy.salt)
	rand.Read(h.decoy.key)
	return h, nil
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Params { return h.params }

// InFlight returns the number of hashes running now, in both lanes.
func (h *Hasher) InFlight() int { return len(h.interactive.sem) + len(h.signup.sem) }

// Waiting returns the number of callers queued for a hashing slot, in both
// lanes.
func (h *Hasher) Waiting() int { return int(h.interactive.waiting.Load() + h.signup.waiting.Load()) }

// Hash returns the PHC string of password under a fresh random salt. Use
// it for a password a customer is waiting on: a reset or a change.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	return h.hash(ctx, &h.interactive, password)
}

// HashSignup is Hash for a new account's password. It waits in the
// sign-up lane, apart from sign-ins and resets.
func (h *Hasher) HashSignup(ctx context.Context, password string) (string, error) {
	return h.hash(ctx, &h.signup, password)
}

func (h *Hasher) hash(ctx context.Context, l *lane, password string) (string, error) {
	out := phc{params: h.params, salt: make([]byte, SaltLen)}
	rand.Read(out.salt)
	var err error
	if out.key, err = h.derive(ctx, l, password, out.params, out.salt, KeyLen); err != nil {
		return "", err
	}
	return out.String(), nil
}

// MaxVerifyLength is the longest password, in characters, that Verify
// hashes: one the policy accepts has at most MaxLength characters, each at
// most 18 under NFKC, and each of those is written in at most 4 (its
// canonical decomposition). A longer one cannot match, and is not
// normalised or hashed, whatever its account.
const MaxVerifyLength = 4 * 18 * MaxLength

// Verify reports whether password matches the PHC string encoded. A
// malformed or out-of-bounds encoded yields an error wrapping
// ErrMalformedHash, without hashing anything.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	stored, err := parsePHC(encoded)
	if err != nil || tooLong(password) {
		return false, err
	}
	return h.compare(ctx, password, stored)
}

// VerifyNothing does the work of a failed Verify against a hash made with
// the Hasher's parameters, so that an unknown account answers in the time a
// known one does. It fails only as Verify can: ErrBusy or ctx's error.
func (h *Hasher) VerifyNothing(ctx context.Context, password string) error {
	if tooLong(password) {
		return nil
	}
	_, err := h.compare(ctx, password, h.decoy)
	return err
}

func tooLong(password string) bool {
	return len(password) > MaxVerifyLength && utf8.RuneCountInString(password) > MaxVerifyLength
}

// NeedsRehash reports whether encoded was made with parameters other than
// the Hasher's (or cannot be parsed), so that it should be replaced after a
// successful sign-in.
func (h *Hasher) NeedsRehash(encoded string) bool {
	stored, err := parsePHC(encoded)
	return err != nil || stored.params != h.params || len(stored.salt) != SaltLen || len(stored.key) != KeyLen
}

// compare derives password's key under stored's parameters and salt and
// compares it with stored's in constant time. A comparison that fails
// takes as long as one with the Hasher's parameters would: one under
// other parameters (a hash from before the settings were raised, or
// imported) that was quicker waits out the difference, so that a wrong
// password for such an account takes the time an unknown account's does.
// One under more costly parameters cannot be made quicker.
func (h *Hasher) compare(ctx context.Context, password string, stored phc) (bool, error) {
	start := time.Now()
	key, err := h.derive(ctx, &h.interactive, password, stored.params, stored.salt, uint32(len(stored.key)))
	if err != nil {
		return false, err
	}
	match := subtle.ConstantTimeCompare(key, stored.key) == 1
	switch {
	case match:
	case stored.params == h.params:
		h.recent.add(time.Since(start))
	default:
		err = h.waitOut(ctx, password, start)
	}
	return match, err
}

// waitOut makes a failed comparison under other parameters, begun at
// start, last as long as one of the latest under the Hasher's, drawn at
// random so that the two take the same spread of times: it sleeps out the
// rest, or, before any has run, runs one.
func (h *Hasher) waitOut(ctx context.Context, password string, start time.Time) error {
	like := h.recent.sample()
	if like == 0 {
		_, err := h.compare(ctx, password, h.decoy)
		return err
	}
	rest := time.NewTimer(like - time.Since(start))
	defer rest.Stop()
	select {
	case <-rest.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// derive runs argon2id in a slot of l. Before giving the slot back it
// collects the hash's work memory (p.Memory, 19 MiB by default), so that
// the next hash reuses it: left to the collector's own pace, which counts a
// running hash as live heap, the garbage of two or three finished hashes
// stays beside every running one (a sign-in flood: 151 MiB resident
// without the collection, 85–94 MiB with it; BENCHMARKS.md).
func (h *Hasher) derive(ctx context.Context, l *lane, password string, p Params, salt []byte, keyLen uint32) ([]byte, error) {
	if err := l.acquire(ctx); err != nil {
		return nil, err
	}
	defer func() { <-l.sem }()
	key := argon2.IDKey([]byte(Normalize(password)), salt, p.Time, p.Memory, p.Threads, keyLen)
	runtime.GC()
	return key, nil
}

func (l *lane) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case l.sem <- struct{}{}:
		return nil
	default:
	}
	if l.waiting.Add(1) > l.queue {
		l.waiting.Add(-1)
		return ErrBusy
	}
	defer l.waiting.Add(-1)
	select {
	case l.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Normalize returns password in Unicode normalisation form NFKC, the form
// that is hashed and measured.
func Normalize(password string) string {
	return norm.NFKC.String(password)
}
