package graph

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/storekeep/storekeep"
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
	// Spreads is how many fragment spreads an operation, or a fragment,
	// may hold, counted after fragments are expanded. It is checked on the
	// query text before validation, which follows every spread.
	Spreads int
	// SameName is how many fields of one response name (alias or name)
	// one selection may hold, its inline fragments' and the fragments it
	// spreads included: validation compares them pairwise. Checked on the
	// query text before validation.
	SameName int
	// Tokens is how many lexical tokens the query text may hold.
	Tokens int
	// Values is how many values the answer may hold: each field selected
	// counted once for every node it may be returned for, that is the
	// pages of the connections around it multiplied (a connection's page
	// is its first, or last, or the smaller of both, at most
	// storekeep.MaxPageSize). A connection's nodes count so, and so does
	// every field selected on them, so it bounds the answer's size.
	Values int
}

// DefaultLimits admit every Storefront customer operation and a full
// introspection query (GraphiQL's, with every option), and little more.
// Introspection fields add nothing to Complexity; the nesting of __Type's
// list fields, which would multiply the response, is bounded by gqlparser's
// own validation ("Maximum introspection depth exceeded"), and an
// operation may select __schema once. Hydrogen's account page asks for
// about 7,400 values, its order page for 4,000 (measured on the e2e
// suite's copies of its documents).
var DefaultLimits = Limits{Complexity: 1000, Depth: 15, Fields: 1000, Aliases: 30, Spreads: 100, SameName: 50, Tokens: 15000, Values: 25000}

// shapeLimit enforces Limits other than Complexity, on the query text
// before it is validated (MutateOperationParameters) and on the operation
// to run after (MutateOperationContext). cache, when not nil, is the
// handler's query cache, whose queries were measured before they were
// kept.
type shapeLimit struct {
	limits Limits
	cache  graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = shapeLimit{}

func (shapeLimit) ExtensionName() string                          { return "ShapeLimit" }
func (shapeLimit) Validate(schema graphql.ExecutableSchema) error { return nil }

func (l shapeLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := shapeWalk{limits: l.limits, fragments: fragmentIndex(oc.Doc.Fragments), vars: oc.Variables}
	w.walk(oc.Operation.SelectionSet, 1, 1)
	return w.err
}

// shapeWalk measures an operation, stopping at the first limit exceeded so
// that fragments spread many times cannot make the walk itself expensive.
type shapeWalk struct {
	limits                   Limits
	fragments                map[string]*ast.FragmentDefinition
	vars                     map[string]any
	fields, aliases, schemas int
	values                   int
	err                      *gqlerror.Error
}

// fragmentIndex maps each fragment's name to its first definition, as
// ForName finds it: the walk looks a fragment up at every spread, up to
// Fields times through each fragment of a chain, too often to search the
// list each time.
func fragmentIndex(list ast.FragmentDefinitionList) map[string]*ast.FragmentDefinition {
	m := make(map[string]*ast.FragmentDefinition, len(list))
	for _, f := range list {
		if _, ok := m[f.Name]; !ok {
			m[f.Name] = f
		}
	}
	return m
}

// walk measures set, whose fields are at depth and are asked for pages
// times (the product of the enclosing connections' pages).
func (w *shapeWalk) walk(set ast.SelectionSet, depth, pages int) {
	for _, sel := range set {
		if w.err != nil {
			return
		}
		switch sel := sel.(type) {
		case *ast.Field:
			w.field(sel, depth, pages)
		case *ast.InlineFragment:
			w.walk(sel.SelectionSet, depth, pages)
		case *ast.FragmentSpread:
			if f := w.fragments[sel.Name]; f != nil {
				w.walk(f.SelectionSet, depth, pages)
			}
		}
	}
}

func (w *shapeWalk) field(f *ast.Field, depth, pages int) {
	w.fields++
	if f.Alias != "" && f.Alias != f.Name {
		w.aliases++
	}
	if f.Name == "__schema" {
		w.schemas++
	}
	w.values = min(w.values+pages, w.limits.Values+1)
	if page, ok := w.page(f); ok {
		pages = min(pages*page, w.limits.Values+1)
	}
	switch {
	case w.schemas > 1:
		w.fail("MAX_INTROSPECTIONS_EXCEEDED", "Query selects __schema more than once (at most %d)", 1)
	case w.values > w.limits.Values:
		w.fail("MAX_VALUES_EXCEEDED", "Query asks for more than the maximum of %d values (each field once for every node it is returned for)", w.limits.Values)
	case !w.exceeded(depth):
		w.walk(f.SelectionSet, depth+1, pages)
	}
}

// exceeded records the first of the depth, field and alias limits that a
// field at depth, counted last, exceeds, and reports whether one is.
func (w *shapeWalk) exceeded(depth int) bool {
	switch {
	case depth > w.limits.Depth:
		w.fail("MAX_DEPTH_EXCEEDED", "Query nests fields deeper than the maximum of %d", w.limits.Depth)
	case w.fields > w.limits.Fields:
		w.fail("MAX_FIELDS_EXCEEDED", "Query selects more than the maximum of %d fields", w.limits.Fields)
	case w.aliases > w.limits.Aliases:
		w.fail("MAX_ALIASES_EXCEEDED", "Query has more than the maximum of %d aliases", w.limits.Aliases)
	default:
		return false
	}
	return true
}

// page returns the page size a connection field asks for with first or
// last (the smaller when both are given, at most storekeep.MaxPageSize),
// and false for a field that takes neither.
func (w *shapeWalk) page(f *ast.Field) (int, bool) {
	page, ok := storekeep.MaxPageSize, false
	for _, name := range []string{"first", "last"} {
		arg := f.Arguments.ForName(name)
		if arg == nil {
			continue
		}
		ok = true
		if n, known := w.intValue(arg.Value); known {
			page = int(min(int64(page), max(n, 0)))
		}
	}
	return page, ok
}

// intValue is v's value, from a literal or a variable, and false when it
// is no integer (the field's own validation then refuses it).
func (w *shapeWalk) intValue(v *ast.Value) (int64, bool) {
	switch {
	case v.Kind == ast.IntValue:
		n, err := strconv.ParseInt(v.Raw, 10, 64)
		return n, err == nil
	case v.Kind != ast.Variable:
		return 0, false
	}
	switch n := w.vars[v.Raw].(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		return int64(max(min(n, 1<<62), -1)), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

func (w *shapeWalk) fail(code, format string, limit int) { w.err = limitError(code, format, limit) }

// limitError is the error of a query over a limit: format names the limit
// and code is the error's extensions.code.
func limitError(code, format string, limit int) *gqlerror.Error {
	err := gqlerror.Errorf(format, limit)
	err.Extensions = map[string]any{"code": code}
	return err
}
