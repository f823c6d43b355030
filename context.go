package storekeep

import (
	"context"
	"errors"
)

// Session is what the HTTP layer learned about a request before any
// resolver runs: the shop, the Storefront token that authenticated it and
// the caller.
type Session struct {
	Shop   Shop
	Token  APIToken
	Caller Caller
	// Allowance, when not nil, is the rest of the caller's request
	// allowance on the node, of which its operation spends more.
	Allowance Allowance
}

// Allowance is what a client may still send a node: a request counts as
// one, and its operation spends one more for each field at its root past
// the first, so that aliases do not multiply what one request runs.
type Allowance interface {
	// Spend counts n more requests of the client; past its allowance it
	// returns a Throttled error, RequestsRefusedMessage.
	Spend(ctx context.Context, n int) error
}

// RequestsRefusedMessage tells a client past its request allowance to
// wait.
const RequestsRefusedMessage = "Too many requests from this client; try again shortly."

type sessionKey struct{}

// NewContext returns ctx carrying s.
func NewContext(ctx context.Context, s Session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

// SessionFromContext returns the Session stored by NewContext.
func SessionFromContext(ctx context.Context) (Session, bool) {
	s, ok := ctx.Value(sessionKey{}).(Session)
	return s, ok
}

// Abandoned reports whether err is the cancellation of ctx, which was
// cancelled: the work was given up because its caller left (a client that
// hung up), not because anything failed. Such an error is no server
// failure, and a client may cause it at will, so it is not logged as one.
func Abandoned(ctx context.Context, err error) bool {
	return errors.Is(err, context.Canceled) && errors.Is(ctx.Err(), context.Canceled)
}
