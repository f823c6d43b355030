package server

import (
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/storekeep/storekeep"
)

// DefaultBodyBytesPerClient is the request-body bytes one client (an IPv4
// address or an IPv6 /64) may have held by the node at once.
const DefaultBodyBytesPerClient = 16 << 20

// DefaultBodyBytesInFlight is the request-body bytes the node holds at
// once, from all clients together.
const DefaultBodyBytesInFlight = 256 << 20

// Errors a budgeted body's Read returns once the bytes it read would pass
// its client's budget or the node's.
var (
	ErrClientBodyBudget = errors.New("server: the client's request bodies held at once are past their budget")
	ErrNodeBodyBudget   = errors.New("server: the request bodies held at once are past the node's budget")
)

// BodyBudget bounds the bytes of request bodies held while they are read:
// perClient for an IPv4 address or an IPv6 /64, storekeep.IPv6SiteShare
// and storekeep.IPv6NetworkShare times that for an IPv6 /56's and /48's
// hosts together (storekeep.ClientShares), and total for all. It counts
// what has arrived, not what a request declares, so a client that sends
// slowly holds only what it sent. It is safe for concurrent use.
type BodyBudget struct {
	mu      sync.Mutex
	held    clientCounts
	refused atomic.Int64
}

// NewBodyBudget returns a BodyBudget of perClient bytes a client and
// total in all.
func NewBodyBudget(perClient, total int64) *BodyBudget {
	return &BodyBudget{held: newClientCounts(perClient, total)}
}

// Held returns the bytes of the bodies held now.
func (b *BodyBudget) Held() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.held.all
}

// Refused returns how many bodies were refused for a budget.
func (b *BodyBudget) Refused() int64 { return b.refused.Load() }

// Hold returns body counted against the budget of the client at ip, and
// the function that gives its bytes back, to be called once the body is
// no longer held (more than once is as once).
func (b *BodyBudget) Hold(ip string, body io.Reader) (io.Reader, func()) {
	r := b.hold(ip, body)
	return r, r.release
}

type budgetedBody struct {
	budget *BodyBudget
	shares []storekeep.ClientShare
	body   io.Reader
	closer io.Closer
	taken  int64
	done   bool
}

func (r *budgetedBody) Read(p []byte) (int, error) {
	n, err := r.body.Read(p)
	if n > 0 {
		if over := r.take(int64(n)); over != nil {
			return 0, over
		}
	}
	return n, err
}

// Close closes the body it counts, when it was made over one.
func (r *budgetedBody) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

func (r *budgetedBody) take(n int64) error {
	b := r.budget
	b.mu.Lock()
	defer b.mu.Unlock()
	if r.done {
		return ErrClientBodyBudget
	}
	full, ok := b.held.add(r.shares, n)
	switch {
	case !ok && full == allClients:
		b.refused.Add(1)
		return ErrNodeBodyBudget
	case !ok:
		b.refused.Add(1)
		return ErrClientBodyBudget
	}
	r.taken += n
	return nil
}

func (r *budgetedBody) release() {
	if r == nil {
		return
	}
	b := r.budget
	b.mu.Lock()
	defer b.mu.Unlock()
	if !r.done {
		r.done = true
		b.held.remove(r.shares, r.taken)
	}
}

// holdBody counts r's body against the budget of the client at ip and
// returns it, to be released once its bytes are no longer held; a nil
// BodyBudget counts nothing and returns nil, whose release does nothing.
func (b *BodyBudget) holdBody(r *http.Request, ip string) *budgetedBody {
	if b == nil {
		return nil
	}
	held := b.hold(ip, r.Body)
	held.closer, r.Body = r.Body, held
	return held
}

func (b *BodyBudget) hold(ip string, body io.Reader) *budgetedBody {
	return &budgetedBody{budget: b, shares: storekeep.ClientShares(ip), body: body}
}

// bodyBudgetStatus is the status a body refused for a budget is answered
// with, or 0 when err is no such refusal.
func bodyBudgetStatus(err error) int {
	switch {
	case errors.Is(err, ErrClientBodyBudget):
		return http.StatusTooManyRequests
	case errors.Is(err, ErrNodeBodyBudget):
		return http.StatusServiceUnavailable
	}
	return 0
}

// refuseBody marks the answer to a request whose body was refused unread
// as the connection's last, so that the server answers at once instead
// of first reading what is left of the body.
func refuseBody(w http.ResponseWriter) { w.Header().Set("Connection", "close") }
