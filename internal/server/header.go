package server

import (
	"net/http"
	"strings"
)

// oneValue returns the value of the header name, trimmed, and whether
// the request gives it at most once. A header sent on two lines is read
// by one server as its first, by another as its last, and by Rack (under
// Shopify) as both joined by a comma; storekeep believes none of them.
func oneValue(h http.Header, name string) (string, bool) {
	switch v := h.Values(name); len(v) {
	case 0:
		return "", true
	case 1:
		return strings.TrimSpace(v[0]), true
	}
	return "", false
}
