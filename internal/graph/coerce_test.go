package graph

import (
	"encoding/json"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestStrictScalarsWalksListsAndInputObjects: a number is found inside a
// list and an input object, on its path; strings, integer IDs and other
// scalars' numbers pass.
func TestStrictScalarsWalksListsAndInputObjects(t *testing.T) {
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: `
		input In { name: String, ids: [ID!], count: Int, inner: In }
		type Query { a(in: In, names: [[String]]): String }`})
	s := strictScalars{schema: schema}
	in := &ast.Type{NamedType: "In"}
	names := ast.ListType(ast.ListType(ast.NamedType("String", nil), nil), nil)
	tests := []struct {
		typ   *ast.Type
		value any
		path  string
	}{
		{in, map[string]any{"name": "Ada", "ids": []any{"1", json.Number("2")}, "count": json.Number("3")}, ""},
		{in, map[string]any{"inner": map[string]any{"name": json.Number("1")}}, "variable.v.inner.name"},
		{in, map[string]any{"ids": []any{json.Number("2"), json.Number("2.5")}}, "variable.v.ids[1]"},
		{in, map[string]any{"ids": json.Number("1e2")}, "variable.v.ids"},
		{names, []any{[]any{"a"}, []any{"b", json.Number("1")}}, "variable.v[1][1]"},
		{names, json.Number("1"), "variable.v"},
		{names, nil, ""},
	}
	for _, tt := range tests {
		err := s.check(tt.typ, tt.value, ast.Path{ast.PathName("variable"), ast.PathName("v")})
		got := ""
		if err != nil {
			got = err.Path.String()
		}
		if got != tt.path {
			t.Errorf("%v: error at %q, want %q", tt.value, got, tt.path)
		}
	}
}
