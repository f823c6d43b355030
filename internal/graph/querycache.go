package graph

import (
	"context"
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/vektah/gqlparser/v2/ast"
)

// Bounds of the parsed-query cache. A document's cost is an estimate of
// the memory it holds: its query text, which the AST keeps, plus
// nodeBytes for each node (field, argument, value, directive, fragment,
// variable). A typical Storefront operation costs about 3 KiB.
const (
	// QueryCacheBytes is the most the cached documents may cost together.
	QueryCacheBytes = 8 << 20
	// MaxCachedQueryBytes is the most one cached document may cost; a
	// costlier one is parsed at each request and never kept.
	MaxCachedQueryBytes = 64 << 10
	// nodeBytes is what one AST node holds, measured on gqlparser's
	// structures (about 240 bytes a field with its position).
	nodeBytes = 256
)

// queryCache is gqlgen's cache of parsed and validated queries, keyed by
// query text, least recently used first out, bounded by cost rather than
// by count: a count bound lets a few hundred large distinct queries hold
// hundreds of megabytes.
type queryCache struct {
	mu       sync.Mutex
	docs     *simplelru.LRU[string, cachedDoc]
	bytes    int
	budget   int
	maxEntry int
}

type cachedDoc struct {
	doc  *ast.QueryDocument
	cost int
}

// newQueryCache returns a cache whose documents cost at most budget
// together and maxEntry each.
func newQueryCache(budget, maxEntry int) *queryCache {
	c := &queryCache{budget: budget, maxEntry: maxEntry}
	docs, err := simplelru.NewLRU(max(1, budget/64), func(_ string, d cachedDoc) { c.bytes -= d.cost })
	if err != nil {
		panic(err)
	}
	c.docs = docs
	return c
}

// Get returns the document parsed from query, if cached.
func (c *queryCache) Get(_ context.Context, query string) (*ast.QueryDocument, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.docs.Get(query)
	return d.doc, ok
}

// Add caches doc, parsed from query, unless it costs more than maxEntry;
// it evicts the least recently used documents until the cache fits its
// budget.
func (c *queryCache) Add(_ context.Context, query string, doc *ast.QueryDocument) {
	cost := documentCost(query, doc)
	if cost > c.maxEntry {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.docs.Contains(query) {
		return
	}
	c.docs.Add(query, cachedDoc{doc, cost})
	c.bytes += cost
	for c.bytes > c.budget {
		c.docs.RemoveOldest()
	}
}

// Bytes is what the cached documents cost together.
func (c *queryCache) Bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// documentCost estimates the memory doc, parsed from query, holds.
func documentCost(query string, doc *ast.QueryDocument) int {
	nodes := 0
	for _, op := range doc.Operations {
		nodes += 1 + len(op.VariableDefinitions) + directiveNodes(op.Directives) + selectionNodes(op.SelectionSet)
		for _, v := range op.VariableDefinitions {
			nodes += valueNodes(v.DefaultValue) + directiveNodes(v.Directives)
		}
	}
	for _, f := range doc.Fragments {
		nodes += 1 + directiveNodes(f.Directives) + selectionNodes(f.SelectionSet)
	}
	return len(query) + nodes*nodeBytes
}

func selectionNodes(set ast.SelectionSet) int {
	n := 0
	for _, s := range set {
		n++
		switch s := s.(type) {
		case *ast.Field:
			n += argumentNodes(s.Arguments) + directiveNodes(s.Directives) + selectionNodes(s.SelectionSet)
		case *ast.InlineFragment:
			n += directiveNodes(s.Directives) + selectionNodes(s.SelectionSet)
		case *ast.FragmentSpread:
			n += directiveNodes(s.Directives)
		}
	}
	return n
}

func directiveNodes(list ast.DirectiveList) int {
	n := 0
	for _, d := range list {
		n += 1 + argumentNodes(d.Arguments)
	}
	return n
}

func argumentNodes(list ast.ArgumentList) int {
	n := 0
	for _, a := range list {
		n += 1 + valueNodes(a.Value)
	}
	return n
}

func valueNodes(v *ast.Value) int {
	if v == nil {
		return 0
	}
	n := 1
	for _, c := range v.Children {
		n += valueNodes(c.Value)
	}
	return n
}
