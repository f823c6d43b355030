package scalar

import (
	"errors"
	"io"
	"net/url"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalURL writes s as a string.
func MarshalURL(s string) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(s))
	})
}

// errURL is every refusal of a URL: it neither names a Go type nor echoes
// the value, which may carry a token.
var errURL = errors.New("URL must be an absolute http or https URL, given as a string")

// UnmarshalURL accepts only an absolute http or https URL with a host.
func UnmarshalURL(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", errURL
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errURL
	}
	return s, nil
}
