package cli

import (
	"net/url"
	"regexp"
	"strings"
)

// secretParams are the connection parameters that hold a password.
var secretParams = []string{"password", "sslpassword"}

// keywordPassword finds a password in a keyword/value connection string
// (host=db password=... or password='...').
var keywordPassword = regexp.MustCompile(`\b(password|sslpassword)\s*=\s*('(?:[^'\\]|\\.)*'|\S*)`)

// redactDB hides a database connection string's passwords for logs: the
// URL's user info, password query parameters, keyword/value passwords,
// and the whole of a postgres URL that does not parse.
func redactDB(db string) string {
	lower := strings.ToLower(db)
	isURL := strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://")
	if !isURL {
		return keywordPassword.ReplaceAllString(db, "${1}=xxxxx")
	}
	u, err := url.Parse(db)
	if err != nil {
		return "postgres://(not shown: it does not parse as a URL)"
	}
	q := u.Query()
	for _, p := range secretParams {
		if q.Has(p) {
			q.Set(p, "xxxxx")
		}
	}
	if len(q) > 0 {
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
