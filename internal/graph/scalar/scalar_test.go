package scalar

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

func marshal(m graphql.Marshaler) string {
	var b bytes.Buffer
	m.MarshalGQL(&b)
	return b.String()
}

func TestDateTime(t *testing.T) {
	at := time.Date(2026, 11, 23, 11, 0, 0, 123, time.FixedZone("CET", 3600))
	if got := marshal(MarshalDateTime(at)); got != `"2026-11-23T10:00:00Z"` {
		t.Errorf("MarshalDateTime = %s", got)
	}
	got, err := UnmarshalDateTime("2026-11-23T11:00:00+01:00")
	if err != nil || !got.Equal(at.Truncate(time.Second)) || got.Location() != time.UTC {
		t.Errorf("UnmarshalDateTime = %v, %v", got, err)
	}
	for _, bad := range []any{"23/11/2026", 1700000000, nil} {
		if _, err := UnmarshalDateTime(bad); err == nil {
			t.Errorf("UnmarshalDateTime(%v) accepted", bad)
		}
	}
}

func TestURL(t *testing.T) {
	for _, ok := range []string{"https://shop.example/account/reset/1/abc", "http://localhost:3000/en-ca/account/reset/1/abc?x=1#y"} {
		if got, err := UnmarshalURL(ok); err != nil || got != ok {
			t.Errorf("UnmarshalURL(%q) = %q, %v", ok, got, err)
		}
	}
	for _, bad := range []any{"not a url", "/account/reset/1/abc", "ftp://shop.example/x", "https://", "mailto:a@example.com", "http://[::1", 42} {
		if _, err := UnmarshalURL(bad); err == nil {
			t.Errorf("UnmarshalURL(%v) accepted", bad)
		}
	}
	if got := marshal(MarshalURL(`https://shop.example/"x"`)); got != `"https://shop.example/\"x\""` {
		t.Errorf("MarshalURL = %s", got)
	}
}

func TestUnsignedInt64(t *testing.T) {
	if got := marshal(MarshalUnsignedInt64(0)); got != `"0"` {
		t.Errorf("MarshalUnsignedInt64(0) = %s", got)
	}
	if got := marshal(MarshalUnsignedInt64(9223372036854775807)); got != `"9223372036854775807"` {
		t.Errorf("MarshalUnsignedInt64(max) = %s", got)
	}
	for in, want := range map[any]int64{"42": 42, json.Number("7"): 7, int64(3): 3, 0: 0} {
		if got, err := UnmarshalUnsignedInt64(in); err != nil || got != want {
			t.Errorf("UnmarshalUnsignedInt64(%v) = %d, %v", in, got, err)
		}
	}
	for _, bad := range []any{"-1", "1.5", "x", 2.5, nil} {
		if _, err := UnmarshalUnsignedInt64(bad); err == nil {
			t.Errorf("UnmarshalUnsignedInt64(%v) accepted", bad)
		}
	}
}
