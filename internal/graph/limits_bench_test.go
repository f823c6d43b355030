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
