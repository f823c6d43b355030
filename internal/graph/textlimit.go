package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// MutateOperationParameters refuses, before gqlgen validates it, a query
// text one of whose operations or fragments selects more fields or aliases,
// or nests fields deeper, than Limits allow, counted with fragments
// expanded as MutateOperationContext counts them. Validation is not linear
// in the text (gqlparser's OverlappingFieldsCanBeMerged compares the fields
// that share a response name pairwise), and it runs before
// MutateOperationContext: a 42 KB query of 14,000 fields took seconds of
// CPU to be refused. A query the cache holds was measured when it was
// cached; one that does not parse is left to gqlgen, which says why.
func (l shapeLimit) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if l.cache != nil {
		if _, ok := l.cache.Get(ctx, p.Query); ok {
			return nil
		}
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, l.limits.Tokens)
	if err != nil {
		return nil
	}
	m := textMeasure{limits: l.limits, fragments: doc.Fragments, done: map[string]textShape{}, open: map[string]bool{}}
	for _, op := range doc.Operations {
		w := shapeWalk{limits: l.limits}
		m.walk(&w, op.SelectionSet, 1)
		if w.err != nil {
			return w.err
		}
	}
	for _, f := range doc.Fragments {
		if err := m.check(m.fragment(f.Name)); err != nil {
			return err
		}
	}
	return nil
}

// textShape is what a selection set selects once its fragments are
// expanded: fields and aliases (each at most textCap), and the depth of
// its deepest field, 1 for a field without a selection.
type textShape struct{ fields, aliases, depth int }

// textCap bounds the counts of textShape, so that fragments spread
// within one another cannot overflow them.
const textCap = 1 << 30

// textMeasure measures the selection sets of one parsed document. Each
// fragment is measured once, so measuring costs no more than the text is
// long however often its fragments are spread; a fragment spread within
// itself adds nothing (validation refuses the cycle).
type textMeasure struct {
	limits    Limits
	fragments ast.FragmentDefinitionList
	done      map[string]textShape
	open      map[string]bool
}

func (m *textMeasure) set(set ast.SelectionSet) textShape {
	var s textShape
	add := func(sub textShape) {
		s.fields = min(s.fields+sub.fields, textCap)
		s.aliases = min(s.aliases+sub.aliases, textCap)
		s.depth = max(s.depth, sub.depth)
	}
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			sub := m.set(sel.SelectionSet)
			sub.fields, sub.depth = sub.fields+1, sub.depth+1
			if sel.Alias != "" && sel.Alias != sel.Name {
				sub.aliases++
			}
			add(sub)
		case *ast.InlineFragment:
			add(m.set(sel.SelectionSet))
		case *ast.FragmentSpread:
			add(m.fragment(sel.Name))
		}
	}
	return s
}

func (m *textMeasure) fragment(name string) textShape {
	if s, ok := m.done[name]; ok {
		return s
	}
	f := m.fragments.ForName(name)
	if f == nil || m.open[name] {
		return textShape{}
	}
	m.open[name] = true
	s := m.set(f.SelectionSet)
	delete(m.open, name)
	m.done[name] = s
	return s
}

// walk counts set, at depth, into w in the order shapeWalk.walk counts an
// operation's fields, so that the limit it reports is the one that the
// count after validation would report first (of fields, aliases and
// depth). A spread of a fragment that fits within the limits left is
// counted whole; only one that does not is walked into, and then a limit
// is exceeded within it, so each field of the text is counted at most once.
func (m *textMeasure) walk(w *shapeWalk, set ast.SelectionSet, depth int) {
	for _, sel := range set {
		if w.err != nil {
			return
		}
		switch sel := sel.(type) {
		case *ast.Field:
			w.fields++
			if sel.Alias != "" && sel.Alias != sel.Name {
				w.aliases++
			}
			if w.exceeded(depth) {
				return
			}
			m.walk(w, sel.SelectionSet, depth+1)
		case *ast.InlineFragment:
			m.walk(w, sel.SelectionSet, depth)
		case *ast.FragmentSpread:
			s := m.fragment(sel.Name)
			f := m.fragments.ForName(sel.Name)
			if w.fields+s.fields <= m.limits.Fields && w.aliases+s.aliases <= m.limits.Aliases &&
				depth-1+s.depth <= m.limits.Depth || f == nil || m.open[sel.Name] {
				w.fields, w.aliases = w.fields+s.fields, w.aliases+s.aliases
				continue
			}
			m.open[sel.Name] = true
			m.walk(w, f.SelectionSet, depth)
			delete(m.open, sel.Name)
		}
	}
}

// check refuses a fragment of shape s as shapeWalk would refuse an
// operation of that shape.
func (m *textMeasure) check(s textShape) *gqlerror.Error {
	w := shapeWalk{limits: m.limits, fields: s.fields, aliases: s.aliases}
	w.exceeded(s.depth)
	return w.err
}
