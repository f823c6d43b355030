package scalar

import (
	"encoding/json"
	"errors"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalUnsignedInt64 writes n as a JSON string, as Shopify does: "0".
func MarshalUnsignedInt64(n int64) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(strconv.FormatInt(n, 10)))
	})
}

var errUnsignedInt64 = errors.New("UnsignedInt64 must be a non-negative integer, given as a string or a number")

// UnmarshalUnsignedInt64 reads a non-negative integer given as a string or
// a number. Values above the largest int64 are refused.
func UnmarshalUnsignedInt64(v any) (int64, error) {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case json.Number:
		s = v.String()
	case int64:
		s = strconv.FormatInt(v, 10)
	case int:
		s = strconv.Itoa(v)
	default:
		return 0, errUnsignedInt64
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, errUnsignedInt64
	}
	return n, nil
}
