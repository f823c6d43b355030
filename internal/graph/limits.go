package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Limits bound the shape of one operation. An operation over any of them
// is refused before it runs, with a top-level error and HTTP 200.
type Limits struct {
	// Complexity is gqlgen's complexity score: one per field selected,
	// introspection fields excepted.
	Complexity int
	// Depth is how deeply fields may nest; a root field is at depth 1.
	Depth int
	// Fields is how many fields the operation may select, counted after
	// fragments are expanded.
	Fields int
	// Aliases is how many fields may be selected under an alias.
	Aliases int
	// Tokens is how many lexical tokens the query text may hold.
	Tokens int
}

// DefaultLimits admit every Storefront customer operation and a full
// introspection query (GraphiQL's, with every option), and little more.
// Introspection fields add nothing to Complexity; the nesting of __Type's
// list fields, which would multiply the response, is bounded by gqlparser's
// own validation ("Maximum introspection depth exceeded").
var DefaultLimits = Limits{Complexity: 1000, Depth: 15, Fields: 1000, Aliases: 30, Tokens: 15000}

// shapeLimit enforces Limits other than Complexity.
type shapeLimit struct{ limits Limits }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = shapeLimit{}

func (shapeLimit) ExtensionName() string                          { return "ShapeLimit" }
func (shapeLimit) Validate(schema graphql.ExecutableSchema) error { return nil }

func (l shapeLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := shapeWalk{limits: l.limits, fragments: oc.Doc.Fragments}
	w.walk(oc.Operation.SelectionSet, 1)
	return w.err
}

// shapeWalk measures an operation, stopping at the first limit exceeded so
// that fragments spread many times cannot make the walk itself expensive.
type shapeWalk struct {
	limits          Limits
	fragments       ast.FragmentDefinitionList
	fields, aliases int
	err             *gqlerror.Error
}

func (w *shapeWalk) walk(set ast.SelectionSet, depth int) {
	for _, sel := range set {
		if w.err != nil {
			return
		}
		switch sel := sel.(type) {
		case *ast.Field:
			w.field(sel, depth)
		case *ast.InlineFragment:
			w.walk(sel.SelectionSet, depth)
		case *ast.FragmentSpread:
			if f := w.fragments.ForName(sel.Name); f != nil {
				w.walk(f.SelectionSet, depth)
			}
		}
	}
}

func (w *shapeWalk) field(f *ast.Field, depth int) {
	w.fields++
	if f.Alias != "" && f.Alias != f.Name {
		w.aliases++
	}
	switch {
	case depth > w.limits.Depth:
		w.fail("MAX_DEPTH_EXCEEDED", "Query nests fields deeper than the maximum of %d", w.limits.Depth)
	case w.fields > w.limits.Fields:
		w.fail("MAX_FIELDS_EXCEEDED", "Query selects more than the maximum of %d fields", w.limits.Fields)
	case w.aliases > w.limits.Aliases:
		w.fail("MAX_ALIASES_EXCEEDED", "Query has more than the maximum of %d aliases", w.limits.Aliases)
	default:
		w.walk(f.SelectionSet, depth+1)
	}
}

func (w *shapeWalk) fail(code, format string, limit int) {
	w.err = gqlerror.Errorf(format, limit)
	w.err.Extensions = map[string]any{"code": code}
}
