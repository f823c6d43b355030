// Package mailbox serves the development mailbox: the mail storekeep
// delivered into its store instead of sending, as web pages and as JSON.
package mailbox

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/hostcheck"
)

// Path is where the handler answers: every route is under it.
const Path = "/_dev/mailbox"

const (
	pageLimit    = 200
	defaultLimit = 100
	maxLimit     = 1000
	// MaxWait bounds the JSON list's ?wait=: it stays under the server's
	// 30-second write timeout.
	MaxWait = 20 * time.Second
	// waitPoll is how often a waiting request looks for mail again.
	waitPoll = 50 * time.Millisecond
)

//go:embed templates
var files embed.FS

var funcs = template.FuncMap{
	"when":    func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	"linkify": linkify,
}

var (
	listPage    = template.Must(template.New("").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/list.html"))
	messagePage = template.Must(template.New("").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/message.html"))
)

type handler struct {
	store    storekeep.MailboxStore
	log      *slog.Logger
	stopping chan struct{}
	stop     sync.Once
}

// Handler is the mailbox's HTTP handler.
type Handler struct {
	http.Handler
	h *handler
}

// Shutdown ends every wait for mail, now and later: each answers the list
// as it stands. Register it with http.Server.RegisterOnShutdown, which
// does not end requests in flight, so that a script's ?wait= does not hold
// the server's shutdown.
func (h *Handler) Shutdown() { h.h.stop.Do(func() { close(h.h.stopping) }) }

// InvalidHostMessage answers a request whose Host the mailbox does not
// answer to.
const InvalidHostMessage = "Invalid Host header: the dev mailbox answers only to localhost, loopback addresses and its configured host."

// RemotePeerMessage answers a request from a peer outside loopback and
// the private networks.
const RemotePeerMessage = "Forbidden: the dev mailbox answers only clients on this machine or on a private network."

// NewHandler returns the mailbox's HTTP handler. Mount it at Path and
// Path+"/"; it serves:
//
//	GET    /_dev/mailbox                 the messages, newest first (?to= filters)
//	GET    /_dev/mailbox/{id}            one message, text and HTML parts
//	GET    /_dev/mailbox/messages        JSON list (?to=, ?limit=, ?wait=)
//	DELETE /_dev/mailbox/messages        clear the mailbox
//	POST   /_dev/mailbox/clear           clear the mailbox, from the page's form
//
// Requests that change state and come from another site are refused, and
// so is any request whose Host is not localhost (or a name under
// .localhost), a loopback address or one of hosts (port aside): a web page
// whose name an attacker rebinds to this machine (DNS rebinding) cannot
// read the live links in the mail. As any client can name any Host, the
// peer must also be on loopback or a private network (RFC 1918, RFC 4193,
// link-local): a node listening on every address of a machine on the
// internet does not show the links to the internet. Behind a reverse
// proxy on the same machine every peer is loopback; such a proxy must not
// forward /_dev/mailbox. Failures are logged to log.
func NewHandler(store storekeep.MailboxStore, log *slog.Logger, hosts ...string) *Handler {
	h := &handler{store: store, log: log, stopping: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Path, h.list)
	mux.HandleFunc("GET "+Path+"/{$}", h.list)
	mux.HandleFunc("GET "+Path+"/{id}", h.show)
	mux.HandleFunc("GET "+Path+"/messages", h.listJSON)
	mux.HandleFunc("DELETE "+Path+"/messages", h.clearJSON)
	mux.HandleFunc("POST "+Path+"/clear", h.clearForm)
	allowed := hostcheck.Allowed{Names: hosts}
	return &Handler{Handler: onlyLocalPeers(allowed.Handler(InvalidHostMessage, secure(http.NewCrossOriginProtection().Handler(mux)))), h: h}
}

// onlyLocalPeers refuses requests whose peer is neither a loopback nor a
// private or link-local address.
func onlyLocalPeers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ip := hostcheck.Peer(r); !ip.IsLoopback() && !ip.IsPrivate() && !ip.IsLinkLocalUnicast() {
			http.Error(w, RemotePeerMessage, http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// secure sets headers that keep the pages, which show one-time links,
// out of caches and stop script in a message from running.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", "script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// page is what the templates see.
type page struct {
	Base     string
	To       string
	Messages []storekeep.MailboxMessage
	Message  storekeep.MailboxMessage
}

// recipient is the address a request's ?to= names, as mail to it is
// addressed: the domain in its ASCII form, as sign-up keeps it, so that
// ada@straße.de finds the mail sent to ada@xn--strae-oqa.de. The store
// compares it without regard to case.
func recipient(r *http.Request) string {
	to := strings.TrimSpace(r.URL.Query().Get("to"))
	if a, ok := storekeep.ParseEmail(to); ok {
		return a.String()
	}
	return to
}

func (h *handler) list(w http.ResponseWriter, r *http.Request) {
	to := recipient(r)
	msgs, err := h.store.MailboxMessages(r.Context(), to, pageLimit)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, listPage, page{Base: Path, To: to, Messages: msgs})
}

func (h *handler) show(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		http.NotFound(w, r)
		return
	}
	m, err := h.store.MailboxMessage(r.Context(), id)
	if errors.Is(err, storekeep.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, messagePage, page{Base: Path, Message: m})
}

// messageJSON is a message in the JSON list.
type messageJSON struct {
	ID         int64  `json:"id"`
	MessageID  string `json:"messageId"`
	From       string `json:"from"`
	To         string `json:"to"`
	Subject    string `json:"subject"`
	Text       string `json:"text"`
	HTML       string `json:"html"`
	ReceivedAt string `json:"receivedAt"`
}

// listJSON answers the messages as JSON. With ?wait=DURATION (at most
// MaxWait) and no message yet, it answers when the first one arrives or
// when the wait is over, whichever comes first, so a script can read the
// mail a request has just queued.
func (h *handler) listJSON(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := defaultLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			http.Error(w, "limit must be between 1 and "+strconv.Itoa(maxLimit), http.StatusBadRequest)
			return
		}
		limit = n
	}
	var wait time.Duration
	if v := q.Get("wait"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > MaxWait {
			http.Error(w, "wait must be a duration between 0s and "+MaxWait.String(), http.StatusBadRequest)
			return
		}
		wait = d
	}
	msgs, err := h.waitForMessages(r.Context(), recipient(r), limit, wait)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	list := make([]messageJSON, 0, len(msgs))
	for _, m := range msgs {
		list = append(list, messageJSON{
			ID:         m.ID,
			MessageID:  m.MessageID,
			From:       m.From,
			To:         m.To,
			Subject:    m.Subject,
			Text:       m.Text,
			HTML:       m.HTML,
			ReceivedAt: m.ReceivedAt.UTC().Format(time.RFC3339),
		})
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(list); err != nil {
		h.log.DebugContext(r.Context(), "mailbox: client gone before the JSON list was written", "err", err)
	}
}

// waitForMessages reads the messages to to, again and again for up to
// wait while there are none and the server is not shutting down.
func (h *handler) waitForMessages(ctx context.Context, to string, limit int, wait time.Duration) ([]storekeep.MailboxMessage, error) {
	deadline := time.Now().Add(wait)
	for {
		msgs, err := h.store.MailboxMessages(ctx, to, limit)
		if err != nil || len(msgs) > 0 || !time.Now().Before(deadline) {
			return msgs, err
		}
		select {
		case <-ctx.Done():
			return msgs, nil
		case <-h.stopping:
			return msgs, nil
		case <-time.After(min(waitPoll, time.Until(deadline))):
		}
	}
}

func (h *handler) clearJSON(w http.ResponseWriter, r *http.Request) {
	if err := h.store.ClearMailbox(r.Context()); err != nil {
		h.serverError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) clearForm(w http.ResponseWriter, r *http.Request) {
	if err := h.store.ClearMailbox(r.Context()); err != nil {
		h.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, Path, http.StatusSeeOther)
}

func (h *handler) render(w http.ResponseWriter, r *http.Request, t *template.Template, p page) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		h.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = buf.WriteTo(w)
}

// serverError answers a failure; one that is only its client leaving is
// logged at DEBUG.
func (h *handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if storekeep.Abandoned(r.Context(), err) {
		h.log.DebugContext(r.Context(), "mailbox: abandoned, the client went away", "path", r.URL.Path)
	} else {
		h.log.ErrorContext(r.Context(), "mailbox", "path", r.URL.Path, "err", err)
	}
	http.Error(w, "internal error", http.StatusInternalServerError)
}
