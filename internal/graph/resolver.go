package graph

import (
	"context"
	"log/slog"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/graph/model"
)

// Resolver is the root of the generated resolvers. Recovery, Accounts,
// OrderBook and Multipass are required; Logger receives internal failures
// (slog.Default when nil).
type Resolver struct {
	Recovery Recovery
	Accounts Accounts
	// OrderBook is the orders read model; a field named Orders would be
	// hidden by the Customer.orders resolver.
	OrderBook Orders
	Multipass Multipass
	Logger    *slog.Logger
	// Observe, when not nil, is told the outcome of every root field
	// (Outcome* constants), for metrics.
	Observe func(operation, outcome string)
}

func (r *Resolver) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.Default()
	}
	return r.Logger
}

// session is the request's Session. Root fields only run when it is
// present (see guard).
func session(ctx context.Context) storekeep.Session {
	s, _ := storekeep.SessionFromContext(ctx)
	return s
}

// nonEmpty maps "" to null for nullable String fields.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// mailingAddressConnection renders a page of addresses.
func mailingAddressConnection(w storekeep.Window[storekeep.MailingAddress]) *model.MailingAddressConnection {
	c := &model.MailingAddressConnection{
		Edges:    make([]model.MailingAddressEdge, len(w.Items)),
		Nodes:    append([]storekeep.MailingAddress{}, w.Items...),
		PageInfo: pageInfo(w),
	}
	for i := range w.Items {
		c.Edges[i] = model.MailingAddressEdge{Cursor: w.Cursors[i], Node: &w.Items[i]}
	}
	return c
}

// orDefault is *p, or def where the client passed null for an argument
// whose default in the schema is def: GraphQL gives the default only to
// an argument left out, and an explicit null is valid for a nullable one.
func orDefault[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
