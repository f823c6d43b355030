package ratelimit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
)

type fakeClock struct{ ns atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

var ctx = context.Background()

func allow(t *testing.T, l storekeep.Limiter, key string, limit storekeep.Limit) bool {
	t.Helper()
	ok, err := l.Allow(ctx, key, limit)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func exhausted(t *testing.T, l storekeep.Limiter, key string, limit storekeep.Limit) bool {
	t.Helper()
	ok, err := l.Exhausted(ctx, key, limit)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestMemoryTripsAndRefills(t *testing.T) {
	limits := []storekeep.Limit{
		{Count: 1, Per: time.Second},
		{Count: 3, Per: 15 * time.Minute},
		{Count: 7, Per: time.Second},
		{Count: 20, Per: 10 * time.Minute},
		{Count: 60, Per: time.Minute},
	}
	for _, limit := range limits {
		t.Run(fmt.Sprintf("%d per %v", limit.Count, limit.Per), func(t *testing.T) {
			clock := newFakeClock()
			m := NewMemory(clock.Now, 0, nil)
			for i := range limit.Count {
				if exhausted(t, m, "k", limit) {
					t.Fatalf("exhausted before event %d", i+1)
				}
				if !allow(t, m, "k", limit) {
					t.Fatalf("event %d of %d refused", i+1, limit.Count)
				}
			}
			if !exhausted(t, m, "k", limit) || allow(t, m, "k", limit) {
				t.Fatalf("event %d allowed", limit.Count+1)
			}
			refill := limit.Per / time.Duration(limit.Count)
			clock.Advance(refill - time.Millisecond)
			if !exhausted(t, m, "k", limit) || allow(t, m, "k", limit) {
				t.Fatalf("allowed %v after the last event, before a refill", refill-time.Millisecond)
			}
			clock.Advance(time.Millisecond)
			if exhausted(t, m, "k", limit) || !allow(t, m, "k", limit) {
				t.Fatalf("refused %v after the last event", refill)
			}
			if !exhausted(t, m, "k", limit) || allow(t, m, "k", limit) {
				t.Fatal("a refill gave more than one event")
			}
			clock.Advance(limit.Per)
			for i := range limit.Count {
				if !allow(t, m, "k", limit) {
					t.Fatalf("after a whole period, event %d refused", i+1)
				}
			}
			if allow(t, m, "k", limit) {
				t.Fatal("the allowance grew past Count")
			}
		})
	}
}

func TestMemoryExhaustedRecordsNothing(t *testing.T) {
	m := NewMemory(newFakeClock().Now, 0, nil)
	limit := storekeep.Limit{Count: 2, Per: time.Hour}
	for range 10 {
		if exhausted(t, m, "k", limit) {
			t.Fatal("fresh key exhausted")
		}
	}
	if m.Len() != 0 {
		t.Fatalf("Exhausted stored %d keys", m.Len())
	}
	allow(t, m, "k", limit)
	for range 10 {
		if exhausted(t, m, "k", limit) {
			t.Fatal("exhausted with one event left")
		}
	}
	if !allow(t, m, "k", limit) {
		t.Fatal("Exhausted used up the last event")
	}
}

func TestMemoryKeysAreIndependent(t *testing.T) {
	m := NewMemory(newFakeClock().Now, 0, nil)
	limit := storekeep.Limit{Count: 1, Per: time.Hour}
	allow(t, m, "ip:1", limit)
	if allow(t, m, "ip:1", limit) {
		t.Fatal("ip:1 allowed twice")
	}
	if exhausted(t, m, "ip:2", limit) || !allow(t, m, "ip:2", limit) {
		t.Fatal("ip:2 refused because of ip:1")
	}
}

func TestMemorySweepDropsOnlyRefilledKeys(t *testing.T) {
	clock := newFakeClock()
	m := NewMemory(clock.Now, 0, nil)
	minute := storekeep.Limit{Count: 1, Per: time.Minute}
	hour := storekeep.Limit{Count: 1, Per: time.Hour}
	allow(t, m, "a", minute)
	allow(t, m, "b", minute)
	allow(t, m, "c", hour)
	if m.Len() != 3 {
		t.Fatalf("Len %d, want 3", m.Len())
	}
	clock.Advance(SweepEvery)
	allow(t, m, "d", hour)
	if m.Len() != 2 {
		t.Fatalf("Len %d after a sweep, want 2 (c and d)", m.Len())
	}
	if allow(t, m, "c", hour) {
		t.Fatal("the sweep forgot c, which had not refilled")
	}
}

func TestMemoryFullRefusesNewKeysAndForgetsNone(t *testing.T) {
	var logs bytes.Buffer
	clock := newFakeClock()
	m := NewMemory(clock.Now, 2, logTo(&logs))
	limit := storekeep.Limit{Count: 2, Per: 24 * time.Hour}
	allow(t, m, "a", limit)
	allow(t, m, "b", limit)
	for i := range 1000 {
		if allow(t, m, fmt.Sprintf("flood-%d", i), limit) {
			t.Fatalf("new key %d allowed past the cap", i)
		}
		if !exhausted(t, m, fmt.Sprintf("other-%d", i), limit) {
			t.Fatalf("new key %d not exhausted in a full limiter", i)
		}
		clock.Advance(time.Millisecond)
	}
	if m.Len() != 2 {
		t.Fatalf("Len %d, want the cap 2", m.Len())
	}
	if m.Refused() != 2000 {
		t.Fatalf("Refused %d, want 2000", m.Refused())
	}
	for _, key := range []string{"a", "b"} {
		if !allow(t, m, key, limit) || allow(t, m, key, limit) {
			t.Fatalf("%s's first event was forgotten", key)
		}
	}
	if n := strings.Count(logs.String(), "level=WARN"); n != 1 || strings.Count(logs.String(), "\n") != 1 {
		t.Fatalf("want one warning for 2000 refusals, got:\n%s", logs.String())
	}
	clock.Advance(FullLogEvery)
	if allow(t, m, "late", limit) {
		t.Fatal("a new key allowed while a and b still count")
	}
	if n := strings.Count(logs.String(), "level=WARN"); n != 2 {
		t.Fatalf("want a second warning %v later, got:\n%s", FullLogEvery, logs.String())
	}
}

// In a full Memory a new key is Exhausted (its first event would be
// refused) but has not Spent anything; a held key has Spent its allowance
// exactly when it is Exhausted.
func TestMemorySpentIgnoresFullness(t *testing.T) {
	clock := newFakeClock()
	m := NewMemory(clock.Now, 1, logTo(&bytes.Buffer{}))
	limit := storekeep.Limit{Count: 1, Per: time.Hour}
	spent := func(key string) bool {
		t.Helper()
		ok, err := m.Spent(ctx, key, limit)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if spent("a") || exhausted(t, m, "a", limit) {
		t.Fatal("an empty Memory's new key spent or exhausted")
	}
	allow(t, m, "a", limit)
	if !spent("a") || !exhausted(t, m, "a", limit) {
		t.Fatal("a key that used its one event is not spent and exhausted")
	}
	if spent("b") || !exhausted(t, m, "b", limit) {
		t.Fatalf("a new key in a full Memory: spent %v, exhausted %v; want false, true", spent("b"), exhausted(t, m, "b", limit))
	}
	if m.Len() != 1 {
		t.Fatalf("Spent held a key: Len %d", m.Len())
	}
}

func TestMemoryFullReclaimsOnlyRefilledKeys(t *testing.T) {
	clock := newFakeClock()
	m := NewMemory(clock.Now, 2, logTo(new(bytes.Buffer)))
	short := storekeep.Limit{Count: 1, Per: 10 * time.Second}
	long := storekeep.Limit{Count: 1, Per: time.Hour}
	allow(t, m, "short", short)
	allow(t, m, "long", long)
	clock.Advance(5 * time.Second)
	if allow(t, m, "new", long) {
		t.Fatal("a new key took the place of a key whose event still counts")
	}
	clock.Advance(5 * time.Second)
	if !allow(t, m, "new", long) {
		t.Fatal("a full limiter did not reclaim a refilled key")
	}
	if allow(t, m, "long", long) {
		t.Fatal("the key still counting was forgotten")
	}
}

func TestMemoryConcurrentAllowCountsExactly(t *testing.T) {
	m := NewMemory(newFakeClock().Now, 0, nil)
	limit := storekeep.Limit{Count: 100, Per: time.Hour}
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if ok, _ := m.Allow(ctx, "shared", limit); ok {
					allowed.Add(1)
				}
				m.Exhausted(ctx, "shared", limit)
			}
		})
	}
	wg.Wait()
	if allowed.Load() != 100 {
		t.Fatalf("%d of 400 allowed, want 100", allowed.Load())
	}
}

func TestInvalidLimits(t *testing.T) {
	limiters := map[string]storekeep.Limiter{
		"memory":   NewMemory(nil, 0, nil),
		"redis":    NewRedis(unreachableClient(t), ""),
		"fallback": NewFallback(NewRedis(unreachableClient(t), ""), NewMemory(nil, 0, nil), nil, nil),
	}
	for name, l := range limiters {
		for _, limit := range []storekeep.Limit{{}, {Count: 0, Per: time.Hour}, {Count: 5, Per: 0}, {Count: -1, Per: time.Hour}} {
			if _, err := l.Allow(ctx, "k", limit); !errors.Is(err, ErrInvalidLimit) {
				t.Errorf("%s Allow %+v: %v, want ErrInvalidLimit", name, limit, err)
			}
			if _, err := l.Exhausted(ctx, "k", limit); !errors.Is(err, ErrInvalidLimit) {
				t.Errorf("%s Exhausted %+v: %v, want ErrInvalidLimit", name, limit, err)
			}
		}
		if f, ok := l.(*Fallback); ok && f.Degraded() {
			t.Errorf("an invalid limit marked the fallback degraded")
		}
	}
}

func TestMemoryExhaustedAgreesWithAllowWhenTheLimitChanges(t *testing.T) {
	clock := newFakeClock()
	m := NewMemory(clock.Now, 0, nil)
	small := storekeep.Limit{Count: 2, Per: time.Hour}
	allow(t, m, "k", small)
	allow(t, m, "k", small)
	for _, next := range []storekeep.Limit{
		{Count: 5, Per: time.Hour},
		{Count: 1, Per: time.Minute},
		{Count: 10, Per: time.Second},
	} {
		clock.Advance(30 * time.Second)
		ex := exhausted(t, m, "k", next)
		if ok := allow(t, m, "k", next); ok == ex {
			t.Fatalf("under %+v: Exhausted %v but Allow %v", next, ex, ok)
		}
	}
}

// An open Memory, full, lets an event under a new key through without
// holding the key, where a closed one refuses it; the keys it holds are
// counted as ever, and it warns once a FullLogEvery that it is letting
// new keys through.
func TestOpenMemoryFullLetsNewKeysThroughUncounted(t *testing.T) {
	var logs bytes.Buffer
	clock := newFakeClock()
	m := NewOpenMemory(clock.Now, 2, logTo(&logs))
	limit := storekeep.Limit{Count: 1, Per: time.Hour}
	allow(t, m, "a", limit)
	allow(t, m, "b", limit)
	for i := range 100 {
		key := fmt.Sprintf("flood-%d", i%3)
		first, second := allow(t, m, key, limit), allow(t, m, key, limit)
		if !first || !second {
			t.Fatalf("a new key's event %d refused by a full open Memory", i)
		}
		if exhausted(t, m, key, limit) {
			t.Fatalf("a new key is exhausted in a full open Memory")
		}
	}
	if m.Len() != 2 || m.Refused() != 200 {
		t.Fatalf("Len %d, Refused %d; want 2 and 200 (not held, counted as let through)", m.Len(), m.Refused())
	}
	if allow(t, m, "a", limit) || !exhausted(t, m, "b", limit) {
		t.Fatal("a held key's spent allowance was let through")
	}
	if n := strings.Count(logs.String(), "level=WARN"); n != 1 || !strings.Contains(logs.String(), "letting new keys through") {
		t.Fatalf("want one warning that new keys go through, got:\n%s", logs.String())
	}
	clock.Advance(time.Hour)
	if !allow(t, m, "c", limit) || allow(t, m, "c", limit) {
		t.Fatal("a new key was not held once there was room")
	}
}

func TestMemoryHoldsTheKeysItCounts(t *testing.T) {
	m := NewOpenMemory(newFakeClock().Now, 1, logTo(&bytes.Buffer{}))
	limit := storekeep.Limit{Count: 2, Per: time.Hour}
	allow(t, m, "a", limit)
	allow(t, m, "b", limit)
	if !m.Holds("a") || m.Holds("b") {
		t.Fatalf("Holds a %v, b %v; want the first key held and the one let through not", m.Holds("a"), m.Holds("b"))
	}
}
