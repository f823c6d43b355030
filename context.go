package storekeep

import "context"

// Session is what the HTTP layer learned about a request before any
// resolver runs: the shop, the Storefront token that authenticated it and
// the caller.
type Session struct {
	Shop   Shop
	Token  APIToken
	Caller Caller
}

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
