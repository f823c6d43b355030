package sqlstore

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Column is a column of the rows a Dialect.Table passes: its name and its
// values, one a row, as []int64, []string, [][]byte or []time.Time.
type Column struct {
	Name   string
	Values any
}

// UnnestTable is Dialect.Table for a database with array parameters: one
// typed array a column, unnested side by side.
func UnnestTable(first int, cols []Column) (string, []any, error) {
	params := make([]string, len(cols))
	names := make([]string, len(cols))
	args := make([]any, len(cols))
	for i, c := range cols {
		var typ string
		switch c.Values.(type) {
		case []int64:
			typ = "bigint"
		case []string:
			typ = "text"
		case [][]byte:
			typ = "bytea"
		case []time.Time:
			typ = "timestamptz"
		default:
			return "", nil, fmt.Errorf("sqlstore: column %s of type %T", c.Name, c.Values)
		}
		params[i] = fmt.Sprintf("CAST($%d AS %s[])", first+i, typ)
		names[i], args[i] = c.Name, c.Values
	}
	return "unnest(" + strings.Join(params, ", ") + ") AS v(" + strings.Join(names, ", ") + ")", args, nil
}

// JSONTable is Dialect.Table for SQLite (3.45 or later, for jsonb_each),
// which has JSON functions but no array parameters: the rows go as one JSON array of arrays, bytes as hex
// and times as Unix nanoseconds (UnixNano), read back with jsonb_each,
// which parses the text once: json_each gave each row back as text that
// every column then parsed again, ~10 % of a batch of recover jobs' time
// (BENCHMARKS.md).
func JSONTable(first int, cols []Column) (string, []any, error) {
	exprs := make([]string, len(cols))
	n := -1
	for i, c := range cols {
		expr := "value ->> " + strconv.Itoa(i)
		rows := 0
		switch v := c.Values.(type) {
		case []int64:
			rows = len(v)
		case []string:
			rows = len(v)
		case [][]byte:
			rows, expr = len(v), "unhex("+expr+")"
		case []time.Time:
			rows = len(v)
		default:
			return "", nil, fmt.Errorf("sqlstore: column %s of type %T", c.Name, c.Values)
		}
		if n >= 0 && rows != n {
			return "", nil, fmt.Errorf("sqlstore: column %s has %d rows, not %d", c.Name, rows, n)
		}
		n, exprs[i] = rows, expr+" AS "+c.Name
	}
	buf := make([]byte, 0, jsonTableSize(n, cols))
	buf = append(buf, '[')
	for r := range max(n, 0) {
		if r > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '[')
		for i, c := range cols {
			if i > 0 {
				buf = append(buf, ',')
			}
			switch v := c.Values.(type) {
			case []int64:
				buf = strconv.AppendInt(buf, v[r], 10)
			case []string:
				buf = appendJSONString(buf, v[r])
			case [][]byte:
				buf = append(hex.AppendEncode(append(buf, '"'), v[r]), '"')
			case []time.Time:
				buf = strconv.AppendInt(buf, UnixNano(v[r]).(int64), 10)
			}
		}
		buf = append(buf, ']')
	}
	buf = append(buf, ']')
	from := "(SELECT " + strings.Join(exprs, ", ") + " FROM jsonb_each($" + strconv.Itoa(first) + ")) AS v"
	return from, []any{string(buf)}, nil
}

// jsonTableSize bounds the length of JSONTable's text for n rows of cols
// when no string needs escaping, so that the text is built in one
// allocation: brackets and commas, an int64 or a time at its longest (19
// digits and a sign), a string and its quotes, a byte string in hex and
// its quotes.
func jsonTableSize(n int, cols []Column) int {
	size := 2 + n*(2+len(cols))
	for _, c := range cols {
		switch v := c.Values.(type) {
		case []int64:
			size += 20 * len(v)
		case []time.Time:
			size += 20 * len(v)
		case []string:
			for _, s := range v {
				size += len(s) + 2
			}
		case [][]byte:
			for _, b := range v {
				size += 2*len(b) + 2
			}
		}
	}
	return size
}

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, every other byte as it is.
func appendJSONString(buf []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	buf = append(buf, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			buf = append(buf, '\\', c)
		case c < 0x20:
			buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			buf = append(buf, c)
		}
	}
	return append(buf, '"')
}
