// Package accountpage serves storekeep's hosted account pages, for shops
// whose storefront URL points at storekeep itself: the forms behind the
// reset and activation links that storekeep mails,
//
//	/account/reset/{n}/{token}      choose a new password
//	/account/activate/{n}/{token}   choose a first password
//
// also under a locale prefix such as /fr-ca/account/... A GET checks the
// link and shows the form, and spends nothing, so mail scanners and link
// previews that fetch a link do not spend it; the POST redeems the link
// through the same recovery code as the GraphQL mutations, behind a CSRF
// check. Every bad link (unknown customer, another shop's, wrong or spent
// token) gets the same page and status, naming no shop, and counts
// against the client's allowance of bad links.
package accountpage

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/recovery"
)

// AssetsPath is where the pages' stylesheet is served.
const AssetsPath = "/account/_assets/"

// Shops finds the shop a customer belongs to.
type Shops interface {
	ShopOfCustomer(ctx context.Context, customerID int64) (storekeep.Shop, error)
}

// Redeemer checks a mailed link and exchanges it for a new password.
// *recovery.Service is the one storekeep uses.
type Redeemer interface {
	// CheckLink reports whether link can be redeemed, without spending it;
	// shop is the link's shop when hosted here, else the zero Shop. Every
	// bad link gets the same error and counts against the caller's
	// allowance of bad links.
	CheckLink(ctx context.Context, shop storekeep.Shop, segment, link string, caller storekeep.Caller) error
	ResetByURL(ctx context.Context, shop storekeep.Shop, resetURL, password string, caller storekeep.Caller) (storekeep.Customer, storekeep.IssuedAccessToken, error)
	ActivateByURL(ctx context.Context, shop storekeep.Shop, activationURL, password string, caller storekeep.Caller) (storekeep.Customer, storekeep.IssuedAccessToken, error)
}

// Config wires the handler. Shops, Recovery and Keys are required.
type Config struct {
	Shops    Shops
	Recovery Redeemer
	// Keys signs the pages' CSRF tokens.
	Keys storekeep.Keyring
	// ClientIP is the address a submission is throttled and audited
	// under; the connection's peer address when nil.
	ClientIP func(*http.Request) string
	Logger   *slog.Logger
	// DefaultStorefrontURL is the storefront of shops without one
	// (https://<domain> when empty), as in their mailed links.
	DefaultStorefrontURL string
}

type handler struct {
	cfg  Config
	csrf csrf
}

// New returns the handler for the hosted pages. Mount it at
// /account/{page}/{n}/{token}, /{locale}/account/{page}/{n}/{token} and
// AssetsPath+"{file}" (the prefixes /account/ and /{locale}/account/
// together would conflict in an http.ServeMux).
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ClientIP == nil {
		cfg.ClientIP = peerIP
	}
	h := &handler{cfg: cfg, csrf: csrf{keys: cfg.Keys}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+AssetsPath+"{file}", serveAsset)
	for _, f := range []flow{resetFlow, activateFlow} {
		for _, prefix := range []string{"", "/{locale}"} {
			pattern := prefix + "/account/" + f.segment + "/{n}/{token}"
			mux.HandleFunc("GET "+pattern, h.show(f))
			mux.HandleFunc("POST "+pattern, h.submit(f))
		}
	}
	return secure(http.NewCrossOriginProtection().Handler(mux))
}

// secure sets the headers every response of the pages carries.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Robots-Tag", "noindex, nofollow")
		if !strings.HasPrefix(r.URL.Path, AssetsPath) {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// hostedHere reports whether shop's storefront URL names the host r was
// sent to, that is, whether its account links lead to storekeep.
func (h *handler) hostedHere(shop storekeep.Shop, r *http.Request) bool {
	u, err := url.Parse(h.storefront(shop))
	if err != nil || u.Host == "" {
		return false
	}
	reqHost, reqPort := splitHost(r.Host)
	shopHost, shopPort := splitHost(u.Host)
	if !strings.EqualFold(reqHost, shopHost) {
		return false
	}
	return reqPort == "" || shopPort == "" || reqPort == shopPort
}

// storefront is the base of shop's links. A page that names no shop (a
// bad link's, a throttled one's) has only the default storefront, or no
// link at all: the zero Shop's LinkBase would be "https://".
func (h *handler) storefront(shop storekeep.Shop) string {
	if shop.Domain == "" {
		return strings.TrimRight(h.cfg.DefaultStorefrontURL, "/")
	}
	return shop.LinkBase(h.cfg.DefaultStorefrontURL)
}

func splitHost(hostport string) (host, port string) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return strings.Trim(hostport, "[]"), ""
	}
	return host, port
}

func peerIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// callerOf describes who submitted r, a link of shop: its client IP, user
// agent, and the locale of the link's prefix or else of Accept-Language.
// A prefix that is the path of shop's storefront URL is no locale.
func (h *handler) callerOf(r *http.Request, shop storekeep.Shop) storekeep.Caller {
	locale := r.PathValue("locale")
	if "/"+locale == recovery.LinkPath(h.storefront(shop)) {
		locale = ""
	}
	locale = strings.ToLower(locale)
	if locale == "" {
		first, _, _ := strings.Cut(r.Header.Get("Accept-Language"), ",")
		tag, _, _ := strings.Cut(first, ";")
		if tag = strings.ToLower(strings.TrimSpace(tag)); tag != "*" && len(tag) <= 35 {
			locale = tag
		}
	}
	return storekeep.Caller{IP: h.cfg.ClientIP(r), UserAgent: storekeep.ClipUserAgent(r.UserAgent()), Locale: locale}
}
