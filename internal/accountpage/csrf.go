package accountpage

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/storekeep/storekeep"
)

const (
	csrfCookie = "storekeep_csrf"
	csrfField  = "csrf_token"
	csrfLabel  = "storekeep account page csrf v1\x00"
)

// csrf is a double-submit token: the same value goes in a cookie scoped to
// the page's path and in the form's hidden field. The value is a random
// nonce signed, together with the path, under the server key, so a cookie
// planted from a sibling host or carried over from another page is refused.
type csrf struct {
	keys storekeep.Keyring
}

// issue returns the token of r's cookie when it is signed for r's path,
// so that a form opened earlier in another tab still submits; else it
// makes a new one and sets its cookie on w.
func (c csrf) issue(w http.ResponseWriter, r *http.Request, secureCookie bool) (string, error) {
	if cookie, err := r.Cookie(csrfCookie); err == nil && c.signed(cookie.Value, r) {
		return cookie.Value, nil
	}
	nonce, err := c.keys.NewToken()
	if err != nil {
		return "", err
	}
	path := r.URL.EscapedPath()
	value := nonce + "." + base64.RawURLEncoding.EncodeToString(c.keys.Hash(csrfLabel+path+"\x00"+nonce))
	http.SetCookie(w, &http.Cookie{
		Name:     csrfCookie,
		Value:    value,
		Path:     path,
		HttpOnly: true,
		Secure:   secureCookie,
		SameSite: http.SameSiteStrictMode,
	})
	return value, nil
}

// valid reports whether r carries the same token in its cookie and its
// form, signed for r's path under one of the server keys.
func (c csrf) valid(r *http.Request) bool {
	cookie, err := r.Cookie(csrfCookie)
	if err != nil {
		return false
	}
	form := r.PostForm.Get(csrfField)
	if form == "" || subtle.ConstantTimeCompare([]byte(cookie.Value), []byte(form)) != 1 {
		return false
	}
	return c.signed(form, r)
}

// signed reports whether token was made for r's path under one of the
// server keys.
func (c csrf) signed(token string, r *http.Request) bool {
	nonce, sig, ok := strings.Cut(token, ".")
	if !ok || nonce == "" {
		return false
	}
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return false
	}
	return c.keys.Matches(csrfLabel+r.URL.EscapedPath()+"\x00"+nonce, mac)
}
