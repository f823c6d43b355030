package scalar

import (
	"fmt"
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

// UnmarshalURL accepts only an absolute http or https URL with a host.
func UnmarshalURL(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("URL must be a string, not %T", v)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("invalid url %q", s)
	}
	return s, nil
}
