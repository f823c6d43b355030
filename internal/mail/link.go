package mail

import (
	"errors"
	"net/url"
	"strings"
)

// errBadLink refuses a mail's link that is not an absolute http or https
// URL of a host, written in plain ASCII, without user information.
var errBadLink = errors.New("its link is not an absolute http(s) URL of a host, in ASCII, without user information")

// checkLink accepts "" (a mail without link) and the links storekeep
// builds under a shop's storefront URL. Another (a javascript: or data:
// URL, one relative to whatever shows it, one whose user information
// makes it read as another host, one with hidden characters) could only
// come from a storefront URL stored without the checks of `shop create`
// and `shop update`, and is not mailed: the text part shows a link whole,
// so escaping the HTML part could not keep it from the reader.
func checkLink(link string) error {
	if link == "" {
		return nil
	}
	for _, c := range []byte(link) {
		if c <= ' ' || c >= 0x7f {
			return errBadLink
		}
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Opaque != "" || u.Host == "" ||
		u.User != nil || strings.HasPrefix(u.Host, ":") {
		return errBadLink
	}
	return nil
}
