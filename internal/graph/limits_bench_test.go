package graph

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// BenchmarkShapeLimitOfAFragmentChain measures the check after validation
// of a valid 63 KB document within every limit: 1,000 spreads of the head
// of a chain of 1,450 fragments, each spreading the next, the last
// selecting one field. The walk passes through every fragment of the chain
// for each of the 1,000 fields, and looks each spread's fragment up.
func BenchmarkShapeLimitOfAFragmentChain(b *testing.B) {
	const chain = 1450
	var q strings.Builder
	q.WriteString("{" + strings.Repeat(" ...F1", 1000) + " }")
	for i := 1; i < chain; i++ {
		fmt.Fprintf(&q, " fragment F%d on QueryRoot { ...F%d }", i, i+1)
	}
	fmt.Fprintf(&q, " fragment F%d on QueryRoot { __typename }", chain)
	doc, err := parser.ParseQuery(&ast.Source{Input: q.String()})
	if err != nil {
		b.Fatal(err)
	}
	oc := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0]}
	l := shapeLimit{limits: DefaultLimits}
	b.ReportMetric(float64(q.Len()), "query-bytes")
	for b.Loop() {
		if err := l.MutateOperationContext(context.Background(), oc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTextLimitOfAFragmentOfManyNames measures the limits on the text
// of a document far over the field limit: a fragment of 6,000 fields, each
// of its own name, spread in 1,500 selections. The names are counted only
// once the document is within the field limits, so it is refused without
// merging them into each selection.
func BenchmarkTextLimitOfAFragmentOfManyNames(b *testing.B) {
	var q strings.Builder
	q.WriteString("{" + strings.Repeat(" x { ...F }", 1500) + " } fragment F on QueryRoot {")
	for i := range 6000 {
		fmt.Fprintf(&q, " a%d", i)
	}
	q.WriteString(" }")
	l := shapeLimit{limits: DefaultLimits}
	p := &graphql.RawParams{Query: q.String()}
	for b.Loop() {
		if err := l.MutateOperationParameters(context.Background(), p); err == nil || err.Extensions["code"] != "MAX_FIELDS_EXCEEDED" {
			b.Fatalf("got %v, want MAX_FIELDS_EXCEEDED", err)
		}
	}
}
