package password

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// testParams are the cheapest params Validate accepts, to keep tests fast.
var testParams = Params{Memory: MinMemory, Time: 1, Threads: 1}

func newHasher(t *testing.T, concurrency, queue int) *Hasher {
	t.Helper()
	h, err := NewHasher(testParams, concurrency, queue)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func mustHash(t *testing.T, h *Hasher, pw string) string {
	t.Helper()
	enc, err := h.Hash(context.Background(), pw)
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

func verify(t *testing.T, h *Hasher, pw, enc string) bool {
	t.Helper()
	ok, err := h.Verify(context.Background(), pw, enc)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestHashRoundTrip(t *testing.T) {
	h := newHasher(t, 2, 0)
	enc := mustHash(t, h, "correct horse battery staple")
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=8192,t=1,p=1$") {
		t.Fatalf("encoding %q", enc)
	}
	parsed, err := parsePHC(enc)
	if err != nil {
		t.Fatal(err)
	}
	if len(parsed.salt) != SaltLen || len(parsed.key) != KeyLen || parsed.params != testParams {
		t.Fatalf("parsed %+v", parsed)
	}
	if !verify(t, h, "correct horse battery staple", enc) {
		t.Fatal("right password refused")
	}
	if verify(t, h, "correct horse battery stapl", enc) {
		t.Fatal("wrong password accepted")
	}
	if again := mustHash(t, h, "correct horse battery staple"); again == enc {
		t.Fatal("two hashes of one password share a salt")
	}
}

func TestDefaultParamsHashAndVerify(t *testing.T) {
	h, err := NewHasher(DefaultParams, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	enc := mustHash(t, h, "hunter22")
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("encoding %q", enc)
	}
	if !verify(t, h, "hunter22", enc) || verify(t, h, "hunter23", enc) {
		t.Fatal("verify disagrees with hash")
	}
	if h.NeedsRehash(enc) {
		t.Fatal("fresh hash needs rehash")
	}
	if cheap := mustHash(t, newHasher(t, 1, 0), "hunter22"); !h.NeedsRehash(cheap) || !verify(t, h, "hunter22", cheap) {
		t.Fatal("a hash with other params must verify and need a rehash")
	}
	if cap(h.interactive.sem) != runtime.NumCPU() {
		t.Fatalf("default concurrency %d, want %d", cap(h.interactive.sem), runtime.NumCPU())
	}
}

func TestVerifiesAHashMadeElsewhere(t *testing.T) {
	h := newHasher(t, 1, 0)
	// Made by the reference implementation (Debian's argon2 0~20171227):
	// echo -n password | argon2 somesalt -id -t 2 -m 16 -p 4 -l 32 -e
	const enc = "$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo"
	if !verify(t, h, "password", enc) {
		t.Fatal("reference vector refused")
	}
	if verify(t, h, "Password", enc) {
		t.Fatal("reference vector accepted a wrong password")
	}
}

func TestNFKCEquivalence(t *testing.T) {
	h := newHasher(t, 1, 0)
	cases := []struct{ typed, stored string }{
		{"ﬁnance-office", "finance-office"},
		{"ｐａｓｓ１２３４５", "pass12345"},
		{"cafe\u0301 au lait", "caf\u00e9 au lait"},
		{"x\u00a0y\u2007z99", "x y z99"},
	}
	for _, c := range cases {
		enc := mustHash(t, h, c.stored)
		if !verify(t, h, c.typed, enc) {
			t.Errorf("%q does not verify against a hash of %q", c.typed, c.stored)
		}
		if !verify(t, h, c.stored, mustHash(t, h, c.typed)) {
			t.Errorf("%q does not verify against a hash of %q", c.stored, c.typed)
		}
	}
	if verify(t, h, "FINANCE-OFFICE", mustHash(t, h, "ﬁnance-office")) {
		t.Error("normalisation must not fold case")
	}
}

func TestNoTruncation(t *testing.T) {
	h := newHasher(t, 1, 0)
	a := strings.Repeat("p", 199) + "a"
	b := strings.Repeat("p", 199) + "b"
	enc := mustHash(t, h, a)
	if !verify(t, h, a, enc) {
		t.Fatal("200-character password refused")
	}
	if verify(t, h, b, enc) {
		t.Fatal("passwords differing only in character 200 verify alike")
	}
}

// Every form of a password the policy accepts that hashes alike is
// verified, the longest as well; a longer input cannot match one, and is
// answered false without being normalised or hashed, Verify and
// VerifyNothing alike.
func TestVerifyHashesNothingLongerThanAnAcceptedPasswordCanBeWritten(t *testing.T) {
	h := newHasher(t, 1, 0)
	expands := strings.Repeat("\ufdfa", MaxLength)
	composes := strings.Repeat("\u1fa2", MaxLength)
	for _, c := range []struct{ stored, typed string }{
		{expands, Normalize(expands)},
		{composes, strings.Repeat("\u03c9\u0313\u0300\u0345", MaxLength)},
	} {
		if err := DefaultPolicy().Check(c.stored, nil); err != nil {
			t.Fatal(err)
		}
		if !verify(t, h, c.typed, mustHash(t, h, c.stored)) {
			t.Fatalf("%d characters written as %d do not verify", len([]rune(c.stored)), len([]rune(c.typed)))
		}
	}
	enc := mustHash(t, h, expands)
	long := strings.Repeat("\ufdfa", 256<<10/3)
	h.interactive.sem <- struct{}{}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	ok, err := h.Verify(context.Background(), long, enc)
	errNothing := h.VerifyNothing(context.Background(), long)
	runtime.ReadMemStats(&after)
	if ok || err != nil || errNothing != nil {
		t.Fatalf("Verify = %v, %v; VerifyNothing = %v; want false, nil, nil without a hashing slot", ok, err, errNothing)
	}
	if made := after.TotalAlloc - before.TotalAlloc; made > 64<<10 {
		t.Fatalf("Verify and VerifyNothing allocated %d bytes for a password no account can have", made)
	}
}

func TestVerifyNothingDoesTheWork(t *testing.T) {
	h := newHasher(t, 1, 0)
	if err := h.VerifyNothing(context.Background(), "anything"); err != nil {
		t.Fatal(err)
	}
	h.interactive.sem <- struct{}{}
	if err := h.VerifyNothing(context.Background(), "anything"); !errors.Is(err, ErrBusy) {
		t.Fatalf("VerifyNothing with no free slot and no queue: %v, want ErrBusy", err)
	}
}

func TestNewHasherRejectsBadConfig(t *testing.T) {
	if _, err := NewHasher(Params{Memory: 1024, Time: 1, Threads: 1}, 1, 0); err == nil {
		t.Error("1 MiB accepted")
	}
	if _, err := NewHasher(testParams, 1, -1); err == nil {
		t.Error("negative queue accepted")
	}
}

// fill takes every slot of h's sign-in lane and returns a func that frees
// them.
func fill(h *Hasher) (release func()) { return fillLane(&h.interactive) }

// fillLane takes every slot of l and returns a func that frees them.
func fillLane(l *lane) (release func()) {
	for range cap(l.sem) {
		l.sem <- struct{}{}
	}
	return func() {
		for range cap(l.sem) {
			<-l.sem
		}
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for !cond() {
		runtime.Gosched()
	}
}

func TestBusyWhenQueueFull(t *testing.T) {
	const concurrency, queue = 2, 3
	h := newHasher(t, concurrency, queue)
	release := fill(h)
	if h.InFlight() != concurrency {
		t.Fatalf("InFlight %d, want %d", h.InFlight(), concurrency)
	}

	results := make(chan error, queue)
	for i := range queue {
		go func() {
			_, err := h.Hash(context.Background(), "queued-"+string(rune('a'+i)))
			results <- err
		}()
	}
	for h.Waiting() != queue {
		select {
		case err := <-results:
			t.Fatalf("a caller within the queue returned before any slot freed: %v", err)
		default:
			runtime.Gosched()
		}
	}

	if _, err := h.Hash(context.Background(), "one too many"); !errors.Is(err, ErrBusy) {
		t.Fatalf("Hash past the queue: %v, want ErrBusy", err)
	}
	if _, err := h.Verify(context.Background(), "one too many", mustHashWith(t, testParams)); !errors.Is(err, ErrBusy) {
		t.Fatalf("Verify past the queue: %v, want ErrBusy", err)
	}
	if h.Waiting() != queue {
		t.Fatalf("Waiting %d after refusals, want %d", h.Waiting(), queue)
	}

	release()
	for range queue {
		if err := <-results; err != nil {
			t.Fatalf("queued Hash: %v", err)
		}
	}
	if h.Waiting() != 0 || h.InFlight() != 0 {
		t.Fatalf("Waiting %d, InFlight %d after the queue drained", h.Waiting(), h.InFlight())
	}
}

func mustHashWith(t *testing.T, p Params) string {
	t.Helper()
	h, err := NewHasher(p, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	return mustHash(t, h, "one too many")
}

func TestCancelWhileWaiting(t *testing.T) {
	h := newHasher(t, 1, 1)
	release := fill(h)
	defer release()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := h.Hash(ctx, "patient password")
		done <- err
	}()
	waitFor(t, func() bool { return h.Waiting() == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v, want context.Canceled", err)
	}
	if h.Waiting() != 0 {
		t.Fatalf("Waiting %d after cancel, want 0", h.Waiting())
	}
	if _, err := h.Hash(ctx, "already cancelled"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Hash with a cancelled ctx: %v", err)
	}
}

func BenchmarkHash(b *testing.B) {
	h, err := NewHasher(DefaultParams, 0, 0)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

// A flood of sign-ups fills only the sign-up lane: its slot busy and its
// queue full, new sign-ups are refused at once, while sign-in and reset
// hashes still run without waiting.
func TestSignupsCannotStarveSignIn(t *testing.T) {
	h := newHasher(t, 1, 16)
	if cap(h.signup.sem) != SignupConcurrency || h.signup.queue != 2 {
		t.Fatalf("sign-up lane: %d slots, %d waiting; want %d and queue/8", cap(h.signup.sem), h.signup.queue, SignupConcurrency)
	}
	release := fillLane(&h.signup)
	queued := int(h.signup.queue)
	results := make(chan error, queued)
	for i := range queued {
		go func() {
			_, err := h.HashSignup(context.Background(), fmt.Sprintf("signup-%d", i))
			results <- err
		}()
	}
	waitFor(t, func() bool { return h.Waiting() == queued })
	if _, err := h.HashSignup(context.Background(), "one sign-up too many"); !errors.Is(err, ErrBusy) {
		t.Fatalf("HashSignup past its queue: %v, want ErrBusy", err)
	}

	enc := mustHash(t, h, "a customer resetting")
	if !verify(t, h, "a customer resetting", enc) {
		t.Fatal("sign-in refused")
	}
	if err := h.VerifyNothing(context.Background(), "an unknown address"); err != nil {
		t.Fatal(err)
	}
	if h.interactive.waiting.Load() != 0 || h.InFlight() != SignupConcurrency {
		t.Fatalf("interactive waiting %d, in flight %d", h.interactive.waiting.Load(), h.InFlight())
	}

	release()
	for range queued {
		if err := <-results; err != nil {
			t.Fatalf("queued sign-up: %v", err)
		}
	}
}

// Sign-in hashes filling their own lane do not take the sign-up lane's
// slot either: each lane waits only for its own kind.
func TestSignInFloodLeavesTheSignupLane(t *testing.T) {
	h := newHasher(t, 2, 0)
	release := fill(h)
	defer release()
	if _, err := h.Hash(context.Background(), "no slot left"); !errors.Is(err, ErrBusy) {
		t.Fatalf("Hash with its lane full: %v, want ErrBusy", err)
	}
	enc, err := h.HashSignup(context.Background(), "a new customer")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$") {
		t.Fatalf("sign-up hash %q", enc)
	}
}

// TestHashesReuseOneWorkMemory hashes one password after another with the
// collector's own pacing switched off: the heap the runtime holds grows by
// about one hash's work memory, not by one for every hash, because each
// hash's memory is collected before the next one starts.
func TestHashesReuseOneWorkMemory(t *testing.T) {
	h := newHasher(t, 1, 0)
	mustHash(t, h, "warm-up password")
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const hashes = 6
	for i := range hashes {
		mustHash(t, h, fmt.Sprintf("password %d", i))
	}
	runtime.ReadMemStats(&after)
	work := int64(testParams.Memory) << 10
	if grew := int64(after.HeapSys) - int64(before.HeapSys); grew > 2*work {
		t.Fatalf("heap grew by %d MiB over %d hashes of %d MiB each; want at most %d MiB",
			grew>>20, hashes, work>>20, 2*work>>20)
	}
}
