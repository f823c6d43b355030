package graph

import (
	"cmp"
	"context"
	"maps"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// MutateOperationParameters refuses, before gqlgen validates it, a query
// text whose operation to run selects more fields or aliases, or nests
// fields deeper, than Limits allow, or one of whose operations or
// fragments selects more fields or spreads fragments more often, each
// counted with fragments expanded as MutateOperationContext counts them.
// Validation is not linear in the text (gqlparser's
// OverlappingFieldsCanBeMerged compares the fields that share a response
// name pairwise, and every spread is followed), and it runs before
// MutateOperationContext: a 42 KB query of 14,000 fields took seconds of
// CPU to be refused. The operation to run is refused with the code the
// walk after validation would give it, values and __schema included. A
// query the cache holds was measured when it was cached; one that does not
// parse is left to gqlgen, which says why.
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
	run := doc.Operations.ForName(p.OperationName)
	fieldsOnly := l.limits
	fieldsOnly.Depth, fieldsOnly.Aliases = textCap, textCap
	fragments := fragmentIndex(doc.Fragments)
	m := textMeasure{fragments: fragments, done: map[string]textShape{}, open: map[string]bool{},
		names: map[string]map[string]int{}, again: map[string]int{}, naming: map[string]bool{}}
	var total textShape
	for _, op := range doc.Operations {
		m.limits = fieldsOnly
		if op == run {
			m.limits = l.limits
		}
		w := shapeWalk{limits: m.limits}
		m.walk(&w, op.SelectionSet, 1)
		shape := m.set(op.SelectionSet)
		total = total.plus(shape)
		spreads := m.checkSpreads(shape)
		if w.err != nil && op == run && spreads == nil && !m.irregular {
			exact := shapeWalk{limits: l.limits, fragments: fragments, vars: withDefaults(op, p.Variables)}
			exact.walk(op.SelectionSet, 1, 1)
			w.err = cmp.Or(exact.err, w.err)
		}
		if err := cmp.Or(w.err, spreads); err != nil {
			return err
		}
	}
	m.limits = fieldsOnly
	for _, f := range doc.Fragments {
		s := m.fragment(f.Name)
		if fragments[f.Name] != f {
			// A second definition of the name: validation walks it too.
			m.open[f.Name] = true
			s = m.set(f.SelectionSet)
			delete(m.open, f.Name)
		}
		total = total.plus(s)
		if err := m.check(s); err != nil {
			return err
		}
		if err := m.checkSpreads(s); err != nil {
			return err
		}
	}
	if err := m.checkDocument(total); err != nil {
		return err
	}
	// Only now, every definition within the field and spread limits, are
	// response names counted: a spread adds its fragment's names to the
	// selection, so counting costs what the fields expanded number.
	for _, op := range doc.Operations {
		if err := m.checkNames(op.SelectionSet); err != nil {
			return err
		}
	}
	for _, f := range doc.Fragments {
		if err := m.checkNames(f.SelectionSet); err != nil {
			return err
		}
	}
	return nil
}

// checkNames refuses a definition one of whose selections (its fragments'
// fields at that level included) selects one response name more than
// Limits.SameName times, or whose selections, each inline fragment's
// counted too, collect more than documentTimes*Limits.Fields fields:
// validation collects and compares the fields of every selection set, so
// inline fragments nested within one another cost it quadratically.
func (m *textMeasure) checkNames(set ast.SelectionSet) *gqlerror.Error {
	m.collected, m.same = 0, 0
	m.countNames(set)
	switch {
	case m.same > m.limits.SameName:
		return limitError("MAX_SAME_NAME_EXCEEDED", "Query selects one response name more than the maximum of %d times in one selection, counted with fragments expanded", m.limits.SameName)
	case m.collected > documentTimes*m.limits.Fields:
		return limitError("MAX_FIELDS_EXCEEDED", "Query selects more than %d fields, each counted once more for every inline fragment around it", documentTimes*m.limits.Fields)
	}
	return nil
}

// countNames counts the response names of set and of every field's
// selection within it into m.same and m.collected.
func (m *textMeasure) countNames(set ast.SelectionSet) {
	names := map[string]int{}
	added, again := m.levelNames(set, names)
	m.collected = min(m.collected+added+again, textCap)
	for _, n := range names {
		m.same = max(m.same, n)
	}
	m.fieldSets(set)
}

// fieldSets counts the names of the selections of set's fields, its
// inline fragments' included.
func (m *textMeasure) fieldSets(set ast.SelectionSet) {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if len(sel.SelectionSet) > 0 {
				m.countNames(sel.SelectionSet)
			}
		case *ast.InlineFragment:
			m.fieldSets(sel.SelectionSet)
		}
	}
}

// plus is s and t together, each count at most textCap.
func (s textShape) plus(t textShape) textShape {
	return textShape{
		fields:  min(s.fields+t.fields, textCap),
		aliases: min(s.aliases+t.aliases, textCap),
		spreads: min(s.spreads+t.spreads, textCap),
		depth:   max(s.depth, t.depth),
	}
}

// documentTimes is how many times Limits.Fields fields, and Limits.Spreads
// spreads, a document's operations and fragments may hold together, each
// counted with its fragments expanded: validation walks each of them, so a
// document of many operations or fragments, each within the limits, would
// otherwise cost as many full operations as the tokens allow. Four admits
// an operation whose fields are all in fragments nested three deep.
const documentTimes = 4

// checkDocument refuses a document whose operations and fragments together
// hold more than documentTimes the fields or spreads Limits allow one.
func (m *textMeasure) checkDocument(total textShape) *gqlerror.Error {
	switch {
	case total.fields > documentTimes*m.limits.Fields:
		return limitError("MAX_FIELDS_EXCEEDED", "Query document selects more than %d fields in its operations and fragments together, counted with fragments expanded", documentTimes*m.limits.Fields)
	case total.spreads > documentTimes*m.limits.Spreads:
		return limitError("MAX_FRAGMENT_SPREADS_EXCEEDED", "Query document spreads fragments more than %d times in its operations and fragments together, counted with fragments expanded", documentTimes*m.limits.Spreads)
	}
	return nil
}

// textShape is what a selection set selects once its fragments are
// expanded: fields, aliases and fragment spreads (each at most textCap),
// and the depth of its deepest field, 1 for a field without a selection.
type textShape struct{ fields, aliases, spreads, depth int }

// textCap bounds the counts of textShape, so that fragments spread
// within one another cannot overflow them.
const textCap = 1 << 30

// textMeasure measures the selection sets of one parsed document. Each
// fragment is measured once, so measuring costs no more than the text is
// long however often its fragments are spread; a fragment spread within
// itself adds nothing (validation refuses the cycle).
type textMeasure struct {
	limits    Limits
	fragments map[string]*ast.FragmentDefinition
	done      map[string]textShape
	open      map[string]bool
	// names, again and naming are levelNames' counts of each fragment
	// (names, and fields collected again within its inline fragments), and
	// the fragments it is counting.
	names  map[string]map[string]int
	again  map[string]int
	naming map[string]bool
	// collected and same are checkNames' counts of one definition.
	collected, same int
	// irregular is set once a spread names no fragment, or one it is
	// within: the document is not one the walk after validation measures.
	irregular bool
}

// withDefaults is vars with the integer default of each variable of op
// that vars does not give, as gqlgen's coercion of the variables adds it.
func withDefaults(op *ast.OperationDefinition, vars map[string]any) map[string]any {
	out := maps.Clone(vars)
	if out == nil {
		out = map[string]any{}
	}
	for _, d := range op.VariableDefinitions {
		if _, given := out[d.Variable]; !given && d.DefaultValue != nil && d.DefaultValue.Kind == ast.IntValue {
			if n, err := strconv.ParseInt(d.DefaultValue.Raw, 10, 64); err == nil {
				out[d.Variable] = n
			}
		}
	}
	return out
}

func (m *textMeasure) set(set ast.SelectionSet) textShape {
	var s textShape
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			sub := m.set(sel.SelectionSet)
			sub.fields, sub.depth = sub.fields+1, sub.depth+1
			if sel.Alias != "" && sel.Alias != sel.Name {
				sub.aliases++
			}
			s = s.plus(sub)
		case *ast.InlineFragment:
			s = s.plus(m.set(sel.SelectionSet))
		case *ast.FragmentSpread:
			sub := m.fragment(sel.Name)
			sub.spreads++
			s = s.plus(sub)
		}
	}
	return s
}

// levelNames adds to into how many fields of each response name set
// selects at its own level: its fields, and those of its inline fragments
// and of the fragments it spreads, expanded, which validation compares
// pairwise. A fragment's are counted once and kept. It returns how many
// fields it added, and how many more validation collects again, once for
// each inline fragment around them.
func (m *textMeasure) levelNames(set ast.SelectionSet, into map[string]int) (added, again int) {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			into[cmp.Or(sel.Alias, sel.Name)]++
			added++
		case *ast.InlineFragment:
			a, b := m.levelNames(sel.SelectionSet, into)
			added, again = min(added+a, textCap), min(again+a+b, textCap)
		case *ast.FragmentSpread:
			names, ok := m.names[sel.Name]
			if f := m.fragments[sel.Name]; !ok && f != nil && !m.naming[sel.Name] {
				names = map[string]int{}
				m.naming[sel.Name] = true
				_, m.again[sel.Name] = m.levelNames(f.SelectionSet, names)
				delete(m.naming, sel.Name)
				m.names[sel.Name] = names
			}
			for n, c := range names {
				into[n] = min(into[n]+c, textCap)
				added = min(added+c, textCap)
			}
			again = min(again+m.again[sel.Name], textCap)
		}
	}
	return added, again
}

func (m *textMeasure) fragment(name string) textShape {
	if s, ok := m.done[name]; ok {
		return s
	}
	f := m.fragments[name]
	if f == nil || m.open[name] {
		m.irregular = true
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
			f := m.fragments[sel.Name]
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

// checkSpreads refuses an operation or fragment that spreads fragments
// more than Limits.Spreads times with its fragments expanded: validation
// follows every spread, so a chain of fragments spread many times costs it
// as much as the fields it would hold expanded.
func (m *textMeasure) checkSpreads(s textShape) *gqlerror.Error {
	if s.spreads > m.limits.Spreads {
		return limitError("MAX_FRAGMENT_SPREADS_EXCEEDED", "Query spreads fragments more than the maximum of %d times, counted with fragments expanded", m.limits.Spreads)
	}
	return nil
}
