package app_test

import (
	"fmt"
	"testing"
)

// TestNumbersAreNotStrings sends JSON numbers for String and ID variables,
// at the top and inside an input object. GraphQL coerces only a string to
// a String, and a string or an integer to an ID, as Shopify does: each
// other value is a top-level error on the variable, before anything runs,
// like a boolean for a String already is. A password of digits cannot be
// given as a number, nor an email as one.
func TestNumbersAreNotStrings(t *testing.T) {
	n := startNode(t)
	n.signUp("ada@example.com", "80417352961")
	nodeQuery := `query($id: ID!) { node(id: $id) { id } }`
	tests := []struct {
		name, query string
		vars        map[string]any
		path        string
	}{
		{"number for the recover email", recoverMutation, map[string]any{"email": 12345}, "variable.email"},
		{"boolean for the recover email", recoverMutation, map[string]any{"email": true}, "variable.email"},
		{"number for the password", loginMutation, map[string]any{"input": map[string]any{"email": "ada@example.com", "password": 80417352961}}, "variable.input.password"},
		{"float for an ID", nodeQuery, map[string]any{"id": 1.5}, "variable.id"},
		{"exponent for an ID", nodeQuery, map[string]any{"id": 2.5e-7}, "variable.id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := n.post(tt.query, tt.vars)
			if len(r.Errors) == 0 || len(r.Data) != 0 || r.Errors[0].Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" ||
				pathString(r.Errors[0].Path) != tt.path {
				t.Fatalf("want a top-level error on %s and no data, got %s", tt.path, r.Raw)
			}
		})
	}
	if r := n.post(nodeQuery, map[string]any{"id": 7}); len(r.Errors) > 0 {
		t.Fatalf("an integer ID was refused: %s", r.Raw)
	}
	n.login("ada@example.com", "80417352961")
	n.stop()
	if got := n.smtp.Messages(); len(got) != 0 {
		t.Fatalf("a refused request sent %d mails", len(got))
	}
}

func pathString(path []any) string {
	s := ""
	for i, p := range path {
		if i > 0 {
			s += "."
		}
		s += fmt.Sprint(p)
	}
	return s
}
