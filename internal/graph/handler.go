package graph

import (
	"context"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/storekeep/storekeep/internal/graph/generated"
)

// Option configures NewHandler.
type Option func(*options)

type options struct {
	limits Limits
}

// MaxErrors is the most errors an answer without data holds. Validation
// reports every pair of conflicting fields that share a response name, so
// a 14 KB query of 499 fields answered 124,251 errors (30 MB).
const MaxErrors = 100

// jsonResponse is the Content-Type of every answer, as Shopify sends it.
var jsonResponse = map[string][]string{"Content-Type": {"application/json; charset=utf-8"}}

func init() {
	// Shopify answers parse and validation errors with HTTP 200, and
	// Storefront clients read errors only from a 2xx response.
	errcode.RegisterErrorType(errcode.ParseFailed, errcode.KindUser)
	errcode.RegisterErrorType(errcode.ValidationFailed, errcode.KindUser)
}

// NewHandler returns the GraphQL endpoint. It answers POST requests with a
// JSON body ({"query", "variables", "operationName"}) or an
// application/graphql body holding the query alone. Introspection is on.
//
// The HTTP layer in front of it authenticates the request and stores a
// storekeep.Session in the request context; root fields refuse to run
// without one.
func NewHandler(res *Resolver, opts ...Option) http.Handler {
	o := options{limits: DefaultLimits}
	for _, opt := range opts {
		opt(&o)
	}
	return newServer(res, o)
}

// newServer is NewHandler's gqlgen server. Field middleware added to it
// later runs inside guard.
func newServer(res *Resolver, o options) *handler.Server {
	schema := newExecutableSchema(res)
	srv := handler.New(schema)
	srv.AddTransport(transport.POST{ResponseHeaders: jsonResponse})
	srv.AddTransport(transport.GRAPHQL{ResponseHeaders: jsonResponse})
	cache := newQueryCache(QueryCacheBytes, MaxCachedQueryBytes)
	srv.SetQueryCache(cache)
	srv.SetParserTokenLimit(o.limits.Tokens)
	srv.Use(extension.Introspection{})
	srv.Use(shapeLimit{limits: o.limits, cache: cache})
	srv.Use(strictScalars{schema: schema.Schema()})
	srv.Use(extension.FixedComplexityLimit(o.limits.Complexity))
	srv.Use(&rootFieldAllowance{})
	srv.AroundResponses(capErrors)
	srv.AroundFields(res.guard)
	srv.SetErrorPresenter(presentError)
	srv.SetRecoverFunc(res.recoverPanic)
	return srv
}

// newExecutableSchema binds res and the @inContext directive to the
// generated schema.
func newExecutableSchema(res *Resolver) graphql.ExecutableSchema {
	return generated.NewExecutableSchema(generated.Config{
		Resolvers:  res,
		Directives: generated.DirectiveRoot{InContext: inContext},
	})
}

// capErrors keeps the first MaxErrors errors of an answer without data
// (a request refused before it ran).
func capErrors(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp != nil && resp.Data == nil && len(resp.Errors) > MaxErrors {
		resp.Errors = resp.Errors[:MaxErrors]
	}
	return resp
}
