package recovery

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/storekeep/storekeep"
)

// LinkPath is the path of a shop's link base (its LinkBase), under which
// its links are made: "" for a storefront URL without one.
func LinkPath(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return u.Path
}

// AccountURL is the link mailed to a customer:
// <base>/account/<segment>/<customer number>/<token>, where base is a
// shop's LinkBase and segment is "reset" or "activate".
func AccountURL(base, segment string, customerID int64, token string) string {
	return strings.TrimRight(base, "/") + "/account/" + segment + "/" + strconv.FormatInt(customerID, 10) + "/" + token
}

// ParseAccountURL extracts the customer number and token from a reset or
// activation link whose path is
// [<basePath>][/<locale>]/account/<segment>/<n>/<token>, where basePath
// is the path of the shop's storefront URL, under which AccountURL made
// the link (a storefront at https://shop.example/store mails
// https://shop.example/store/account/reset/…). The host, query and
// fragment decide nothing.
func ParseAccountURL(raw, basePath, segment string) (customerID int64, token string, ok bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return 0, "", false
	}
	path := strings.Trim(u.Path, "/")
	if base := strings.Trim(basePath, "/"); base != "" {
		path = strings.TrimPrefix(path, base+"/")
	}
	parts := strings.Split(path, "/")
	if len(parts) == 5 && isLocale(parts[0]) {
		parts = parts[1:]
	}
	if len(parts) != 4 || parts[0] != "account" || parts[1] != segment {
		return 0, "", false
	}
	id, ok := storekeep.ParseCustomerNumber(parts[2])
	if !ok || !isToken(parts[3]) {
		return 0, "", false
	}
	return id, parts[3], true
}

// AccountBase returns the part of path, a link's path, before its last
// "/account/": the base path under which ParseAccountURL reads the link,
// whichever shop's it is. A storefront's own path may end in /account,
// and a link's customer number and token hold no slash.
func AccountBase(path string) string {
	if i := strings.LastIndex(path, "/account/"); i >= 0 {
		return path[:i]
	}
	return ""
}

// accountBase is AccountBase of link's path.
func accountBase(link string) string {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil {
		return ""
	}
	return AccountBase(u.Path)
}

// isLocale accepts Shopify's storefront locale prefixes: "fr", "en-ca",
// "pt-BR", "zh-hant-tw".
func isLocale(s string) bool {
	subtags := strings.Split(s, "-")
	if len(subtags) > 3 || len(subtags[0]) < 2 || len(subtags[0]) > 3 {
		return false
	}
	for _, tag := range subtags {
		if tag == "" || len(tag) > 4 {
			return false
		}
		for _, r := range tag {
			if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
				return false
			}
		}
	}
	return true
}

// isToken accepts the URL-safe alphabet tokens are written in.
func isToken(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
