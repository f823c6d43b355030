package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/storekeep/storekeep"
)

// Token headers, as Shopify names them.
const (
	PublicTokenHeader  = "X-Shopify-Storefront-Access-Token"
	PrivateTokenHeader = "Shopify-Storefront-Private-Token"
	VersionHeader      = "X-Shopify-API-Version"
)

type apiHandler struct {
	cfg    Config
	tokens *tokenCache
}

func (h *apiHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Answers carry access tokens and customer data: no cache may keep them
	// (New marks every answer no-store), and no browser may read them as
	// another type than JSON.
	w.Header().Set("X-Content-Type-Options", "nosniff")
	allowCORS(w, r)
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	version, ok := ResolveVersion(r.PathValue("version"), h.cfg.Now())
	if !ok {
		writeErrors(w, http.StatusNotFound, "Not Found", "NOT_FOUND")
		return
	}
	w.Header().Set(VersionHeader, version)
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST, OPTIONS")
		writeErrors(w, http.StatusMethodNotAllowed, "Method not allowed: use POST.", "METHOD_NOT_ALLOWED")
		return
	}
	var peerIP string
	peer := func() string {
		if peerIP == "" {
			peerIP = h.cfg.ClientIP.Of(r, storekeep.APIToken{})
		}
		return peerIP
	}
	token, shop, err := h.authenticate(r, func() bool { return !h.cfg.Requests.spent(r.Context(), peer()) })
	if errors.Is(err, errLookupRefused) || errors.Is(err, storekeep.ErrNotFound) && !h.cfg.Requests.allow(r.Context(), peer()) {
		h.cfg.Requests.refuse(w, peer())
		return
	}
	if errors.Is(err, storekeep.ErrNotFound) {
		writeErrors(w, http.StatusUnauthorized, "Invalid Storefront API access token.", "UNAUTHORIZED")
		return
	}
	if err != nil {
		h.cfg.Logger.Error("token lookup failed", "err", err)
		writeErrors(w, http.StatusInternalServerError, "Internal error. Looks like something went wrong on our end.", "INTERNAL_SERVER_ERROR")
		return
	}
	ip := h.cfg.ClientIP.Of(r, token)
	if !serversOwn(r, token) && !h.cfg.Requests.allow(r.Context(), ip) {
		h.cfg.Requests.refuse(w, ip)
		return
	}
	session := storekeep.Session{
		Shop:  shop,
		Token: token,
		Caller: storekeep.Caller{
			IP:        ip,
			UserAgent: storekeep.ClipUserAgent(r.UserAgent()),
			Locale:    acceptLanguage(r.Header.Get("Accept-Language")),
		},
	}
	if !serversOwn(r, token) && h.cfg.Requests != nil {
		session.Allowance = clientAllowance{rate: h.cfg.Requests, ip: ip, w: w}
	}
	held := h.cfg.Bodies.holdBody(r, session.Caller.IP)
	defer held.release()
	body, reqErr := readBody(w, r, h.cfg.MaxBodyBytes)
	if reqErr != nil {
		held.release()
		writeErrors(w, reqErr.status, reqErr.message, reqErr.code)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	h.cfg.GraphQL.ServeHTTP(w, r.WithContext(storekeep.NewContext(r.Context(), session)))
}

// authenticate finds the token in whichever header its kind belongs to. A
// token sent in the other kind's header is refused, and so is a token
// header sent twice. A token that is none of the shops' is looked up
// only if mayLookUp says so (tokenCache.lookup).
func (h *apiHandler) authenticate(r *http.Request, mayLookUp func() bool) (storekeep.APIToken, storekeep.Shop, error) {
	private, onePrivate := oneValue(r.Header, PrivateTokenHeader)
	public, onePublic := oneValue(r.Header, PublicTokenHeader)
	kind, value := storekeep.APITokenPrivate, private
	if value == "" {
		kind, value = storekeep.APITokenPublic, public
	}
	if !onePrivate || !onePublic || value == "" || len(value) > 256 {
		return storekeep.APIToken{}, storekeep.Shop{}, storekeep.ErrNotFound
	}
	token, shop, err := h.tokens.lookup(r.Context(), h.cfg.Keys.Hashes(value), mayLookUp)
	if err != nil {
		return token, shop, err
	}
	if token.Kind != kind || !h.cfg.Keys.Matches(value, token.Hash) {
		return storekeep.APIToken{}, storekeep.Shop{}, storekeep.ErrNotFound
	}
	return token, shop, nil
}

// acceptLanguage returns the first language tag of an Accept-Language
// header, lower-cased, or "".
func acceptLanguage(h string) string {
	first, _, _ := strings.Cut(h, ",")
	tag, _, _ := strings.Cut(first, ";")
	tag = strings.ToLower(strings.TrimSpace(tag))
	if tag == "*" || len(tag) > 35 {
		return ""
	}
	return tag
}

// allowCORS lets browser storefronts on any origin call the API, as
// Shopify does; tokens travel in headers, never in cookies.
func allowCORS(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Origin") == "" {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", VersionHeader+", X-Request-Id")
	if r.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Content-Type, Accept, X-SDK-Variant, X-SDK-Version, X-SDK-Variant-Source, "+PublicTokenHeader)
		h.Set("Access-Control-Max-Age", "86400")
	}
}

// writeErrors answers outside GraphQL with a Storefront-style errors body.
func writeErrors(w http.ResponseWriter, status int, message, code string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{"message": message, "extensions": map[string]string{"code": code}}},
	})
}
