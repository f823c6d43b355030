package expiring

import (
	"testing"
	"time"
)

func TestAValueIsKeptForItsTimeAndNoLonger(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	m := New[string, int](time.Second, 10)
	if _, ok := m.Get("a", t0); ok {
		t.Fatal("a value was found before any was put")
	}
	m.Put("a", 1, t0)
	for _, tc := range []struct {
		at   time.Duration
		want bool
	}{{0, true}, {999 * time.Millisecond, true}, {time.Second, false}, {time.Hour, false}} {
		if v, ok := m.Get("a", t0.Add(tc.at)); ok != tc.want || (ok && v != 1) {
			t.Errorf("Get %s after Put = %d, %v; want found %v", tc.at, v, ok, tc.want)
		}
	}
	m.Put("a", 2, t0.Add(time.Hour))
	if v, ok := m.Get("a", t0.Add(time.Hour)); !ok || v != 2 {
		t.Errorf("after a second Put, Get = %d, %v; want 2, true", v, ok)
	}
}

func TestAFullMapStartsOverAndNeverHoldsMoreThanItsBound(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	m := New[int, int](time.Minute, 3)
	for i := range 3 {
		m.Put(i, i, t0)
	}
	m.Put(1, 10, t0)
	if m.Len() != 3 {
		t.Fatalf("replacing a held key changed the size to %d, want 3", m.Len())
	}
	m.Put(3, 3, t0)
	if m.Len() != 1 {
		t.Errorf("a Put into a full map left %d values, want only the new one", m.Len())
	}
	if _, ok := m.Get(0, t0); ok {
		t.Error("a value from before the map started over was still found")
	}
	if v, ok := m.Get(3, t0); !ok || v != 3 {
		t.Errorf("the value put into the full map: %d, %v; want 3, true", v, ok)
	}
	for i := range 1000 {
		m.Put(100+i, i, t0)
		if m.Len() > 3 {
			t.Fatalf("the map holds %d values, more than its bound of 3", m.Len())
		}
	}
}
