package server

import (
	"net/http"
)

// homePage is what / shows: the address hosted account pages' "Continue"
// link leads to when a shop's storefront is storekeep itself.
const homePage = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow"><title>storekeep</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem">
<h1>storekeep</h1>
<p>This server keeps customer accounts for its shops: the Storefront API answers at
<code>/api/{version}/graphql.json</code>, and the account links it mails open here.</p>
`

const homeMailbox = `<p>Mail goes to the <a href="/_dev/mailbox">development mailbox</a>.</p>
`

// home serves /, with a link to the dev mailbox when it is on.
func home(mailbox bool) http.HandlerFunc {
	page := homePage
	if mailbox {
		page += homeMailbox
	}
	page += "</body>\n</html>\n"
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		w.Write([]byte(page))
	}
}
