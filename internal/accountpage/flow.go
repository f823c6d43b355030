package accountpage

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/recovery"
)

// flow is one kind of link: what its page says and which redemption it
// calls.
type flow struct {
	segment  string
	title    string
	intro    string
	button   string
	done     string
	doneText string
	redeem   func(Redeemer, context.Context, storekeep.Shop, string, string, storekeep.Caller) (storekeep.Customer, storekeep.IssuedAccessToken, error)
}

var resetFlow = flow{
	segment:  "reset",
	title:    "Reset your password",
	intro:    "Choose a new password for your account.",
	button:   "Reset password",
	done:     "Your password has been changed",
	doneText: "You can now sign in with your new password.",
	redeem:   Redeemer.ResetByURL,
}

var activateFlow = flow{
	segment:  "activate",
	title:    "Activate your account",
	intro:    "Choose a password to activate your account.",
	button:   "Activate account",
	done:     "Your account is active",
	doneText: "You can now sign in with your password.",
	redeem:   Redeemer.ActivateByURL,
}

// Messages of the page's own checks; the others come from the domain.
const (
	mismatchMessage = "Password confirmation doesn't match Password"
	expiredMessage  = "This form has expired. Reload the page and try again."
	tooLargeMessage = "This form is too large. Reload the page and try again."
	internalMessage = "Something went wrong on our end. Please try again in a moment."
)

// maxFormBytes bounds a submitted form's body.
const maxFormBytes = 16 << 10

// show renders the form for a link that can be redeemed; the token is
// checked, not spent.
func (h *handler) show(f flow) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		shop, ok := h.shopOf(w, r, f)
		if !ok {
			return
		}
		token, err := h.csrf.issue(w, r, h.secureCookie(shop, r))
		if err != nil {
			h.internal(w, r, f, shop, err)
			return
		}
		h.render(w, http.StatusOK, h.form(f, shop, r, token))
	}
}

// submit checks the CSRF token and the confirmation, then redeems the
// link through the recovery service, as customerResetByUrl or
// customerActivateByUrl would.
func (h *handler) submit(f flow) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		shop, ok := h.shopOf(w, r, f)
		if !ok {
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		err := r.ParseForm()
		if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
			h.refuse(w, r, f, shop, http.StatusRequestEntityTooLarge, tooLargeMessage)
			return
		}
		if err != nil || !h.csrf.valid(r) {
			h.refuse(w, r, f, shop, http.StatusForbidden, expiredMessage)
			return
		}
		v := h.form(f, shop, r, r.PostForm.Get(csrfField))
		password := r.PostForm.Get("password")
		if password != r.PostForm.Get("password_confirmation") {
			v.Errors = []string{mismatchMessage}
			h.render(w, http.StatusUnprocessableEntity, v)
			return
		}
		_, _, err = f.redeem(h.cfg.Recovery, r.Context(), shop, pageURL(r), password, h.callerOf(r, shop))
		if err == nil {
			h.render(w, http.StatusOK, h.page(f, shop, stateDone))
			return
		}
		var e *storekeep.Error
		if errors.As(err, &e) && e.Code == storekeep.CodeThrottled {
			v.Errors = []string{e.Message}
			h.render(w, http.StatusTooManyRequests, v)
			return
		}
		list, ok := storekeep.UserErrors(err)
		if !ok {
			h.internal(w, r, f, shop, err)
			return
		}
		for _, e := range list {
			if linkDead(e) {
				h.badLink(w, f, e.Message)
				return
			}
			v.Errors = append(v.Errors, e.Message)
		}
		h.render(w, http.StatusUnprocessableEntity, v)
	}
}

// refuse answers a submission that was not read, with a link that reloads
// the form.
func (h *handler) refuse(w http.ResponseWriter, r *http.Request, f flow, shop storekeep.Shop, status int, message string) {
	v := h.page(f, shop, stateExpired)
	v.Message = message
	v.Action = r.URL.EscapedPath()
	h.render(w, status, v)
}

// linkDead reports whether e means the link cannot be used again, so the
// form is not worth showing.
func linkDead(e *storekeep.Error) bool {
	return e.Code == storekeep.CodeTokenInvalid || e.Code == storekeep.CodeAlreadyEnabled
}

// shopOf finds the shop of the link in r's path and checks the link with
// the recovery service. A bad link, whatever is wrong with it, gets the
// same answer, which names no shop: 404 with the invalid-link page, or
// 429 once the client has sent too many bad links.
func (h *handler) shopOf(w http.ResponseWriter, r *http.Request, f flow) (storekeep.Shop, bool) {
	var shop storekeep.Shop
	if customerID, _, ok := recovery.ParseAccountURL(r.URL.Path, recovery.AccountBase(r.URL.Path), f.segment); ok {
		found, err := h.cfg.Shops.ShopOfCustomer(r.Context(), customerID)
		if err != nil && !errors.Is(err, storekeep.ErrNotFound) {
			h.internal(w, r, f, storekeep.Shop{}, err)
			return shop, false
		}
		if err == nil && h.hostedHere(found, r) {
			shop = found
		}
	}
	err := h.cfg.Recovery.CheckLink(r.Context(), shop, f.segment, pageURL(r), h.callerOf(r, shop))
	if err == nil {
		return shop, true
	}
	var e *storekeep.Error
	switch {
	case errors.As(err, &e) && e.Code == storekeep.CodeThrottled:
		v := h.page(f, storekeep.Shop{}, stateInvalid)
		v.Message = e.Message
		h.render(w, http.StatusTooManyRequests, v)
	case errors.As(err, &e) && e.Code == storekeep.CodeTokenInvalid:
		h.badLink(w, f, invalidLinkMessage(f))
	default:
		h.internal(w, r, f, storekeep.Shop{}, err)
	}
	return storekeep.Shop{}, false
}

// badLink answers a link that cannot be used, as for any bad link.
func (h *handler) badLink(w http.ResponseWriter, f flow, message string) {
	v := h.page(f, storekeep.Shop{}, stateInvalid)
	v.Message = message
	h.render(w, http.StatusNotFound, v)
}

func invalidLinkMessage(f flow) string {
	if f.segment == activateFlow.segment {
		return "Activation link is invalid or has expired"
	}
	return "Reset password link is invalid or has expired"
}

func (h *handler) internal(w http.ResponseWriter, r *http.Request, f flow, shop storekeep.Shop, err error) {
	if storekeep.Abandoned(r.Context(), err) {
		h.cfg.Logger.DebugContext(r.Context(), "account page abandoned: the client went away", "route", r.Pattern)
	} else {
		h.cfg.Logger.ErrorContext(r.Context(), "account page failed", "route", r.Pattern, "err", err)
	}
	v := h.page(f, shop, stateError)
	v.Message = internalMessage
	h.render(w, http.StatusInternalServerError, v)
}

// pageURL is the address r was sent to, which is the mailed link.
func pageURL(r *http.Request) string {
	u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath}
	if r.TLS != nil {
		u.Scheme = "https"
	}
	return u.String()
}

// secureCookie reports whether the CSRF cookie may be sent over HTTPS only.
func (h *handler) secureCookie(shop storekeep.Shop, r *http.Request) bool {
	u, err := url.Parse(h.storefront(shop))
	return r.TLS != nil || err == nil && u.Scheme == "https"
}
