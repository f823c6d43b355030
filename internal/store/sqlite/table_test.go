package sqlite

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/storekeep/storekeep/internal/store/sqlstore"
	"github.com/storekeep/storekeep/internal/store/storetest"
)

// FuzzTableCarriesEveryValue passes two rows through the dialect's Table,
// the way every batch insert does, and wants each value back as it went:
// quotes, backslashes, control characters, NUL and bytes that are not
// UTF-8 included.
func FuzzTableCarriesEveryValue(f *testing.F) {
	for _, seed := range []string{"", "plain", `quote " and back\slash`, "\x00\x01\x1f\x7f", "\xff\xfe not UTF-8 \xc3",
		"é ü 🙂 \u2028", `{"json":[1,2]}`, "\\u0041"} {
		f.Add(seed, int64(-1<<63), []byte(seed), int64(1<<62))
	}
	s, err := Open(f.Context(), filepath.Join(f.TempDir(), "table.db"), Options{Sealer: storetest.NewKeyring(f)})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	f.Fuzz(func(t *testing.T, text string, n int64, raw []byte, nanos int64) {
		at := time.Unix(0, nanos).UTC()
		texts, ints, blobs, times := []string{text, "second"}, []int64{n, 7}, [][]byte{raw, {0}}, []time.Time{at, at.Add(time.Second)}
		from, args, err := dialect.Table(1, []sqlstore.Column{
			{Name: "t", Values: texts}, {Name: "n", Values: ints}, {Name: "b", Values: blobs}, {Name: "at", Values: times}})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := s.reader.QueryContext(t.Context(), `SELECT t, n, b, at FROM `+from, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		i := 0
		for ; rows.Next(); i++ {
			var gotText string
			var gotInt, gotNanos int64
			var gotBlob []byte
			if err := rows.Scan(&gotText, &gotInt, &gotBlob, &gotNanos); err != nil {
				t.Fatal(err)
			}
			if i >= len(texts) {
				t.Fatalf("more than the %d rows passed", len(texts))
			}
			if gotText != texts[i] || gotInt != ints[i] || !bytes.Equal(gotBlob, blobs[i]) || gotNanos != times[i].UnixNano() {
				t.Errorf("row %d came back as (%q, %d, %x, %d), want (%q, %d, %x, %d)", i, gotText, gotInt, gotBlob, gotNanos,
					texts[i], ints[i], blobs[i], times[i].UnixNano())
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if i != len(texts) {
			t.Errorf("%d rows came back, want %d", i, len(texts))
		}
	})
}
