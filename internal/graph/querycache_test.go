package graph

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

func parse(t *testing.T, query string) *ast.QueryDocument {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestDocumentCostCountsTextAndNodes(t *testing.T) {
	query := `mutation($input: CustomerAccessTokenCreateInput!) { customerAccessTokenCreate(input: $input) { customerAccessToken { accessToken expiresAt } customerUserErrors { code field message } } }`
	// operation, variable, root field, its argument and value, 2 objects, 5 leaves
	if got, want := documentCost(query, parse(t, query)), len(query)+12*nodeBytes; got != want {
		t.Errorf("cost %d, want %d", got, want)
	}
	dense := "{ " + strings.Repeat("__typename ", 2000) + "}"
	if got := documentCost(dense, parse(t, dense)); got < 2000*nodeBytes {
		t.Errorf("2,000 fields cost only %d", got)
	}
}

// TestQueryCacheStaysWithinItsBudget fills a cache with distinct documents
// of many sizes and checks after each addition that what it accounts is
// within its budget and is exactly the cost of the documents it still
// holds; a document over the per-entry bound is never kept.
func TestQueryCacheStaysWithinItsBudget(t *testing.T) {
	const budget, maxEntry = 64 << 10, 16 << 10
	c := newQueryCache(budget, maxEntry)
	ctx := context.Background()
	var queries []string
	for i := range 300 {
		q := fmt.Sprintf(`{ a%d: __type(name: "%s") { name } }`, i, strings.Repeat("x", i*50))
		queries = append(queries, q)
		c.Add(ctx, q, parse(t, q))
		held := 0
		for _, q := range queries {
			if doc, ok := c.Get(ctx, q); ok {
				held += documentCost(q, doc)
			}
		}
		if c.Bytes() > budget || c.Bytes() != held {
			t.Fatalf("after %d documents the cache accounts %d bytes, holds %d, budget %d", i+1, c.Bytes(), held, budget)
		}
	}
	big := `{ __type(name: "` + strings.Repeat("y", maxEntry) + `") { name } }`
	before := c.Bytes()
	c.Add(ctx, big, parse(t, big))
	if _, ok := c.Get(ctx, big); ok || c.Bytes() != before {
		t.Fatalf("a document over %d bytes was cached", maxEntry)
	}
	small := queries[0]
	c.Add(ctx, small, parse(t, small))
	if _, ok := c.Get(ctx, small); !ok {
		t.Fatal("a small document was not cached")
	}
}
