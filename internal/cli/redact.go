package cli

import "net/url"

// redactDB hides a database URL's password for logs.
func redactDB(db string) string {
	u, err := url.Parse(db)
	if err != nil || u.User == nil {
		return db
	}
	return u.Redacted()
}
