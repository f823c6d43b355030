package graph

import (
	"strings"
	"testing"

	"github.com/storekeep/storekeep"
)

func TestEveryRootFieldHasAScope(t *testing.T) {
	schema := newExecutableSchema(&Resolver{}).Schema()
	seen := map[string]bool{}
	for _, root := range []string{schema.Query.Name, schema.Mutation.Name} {
		for _, f := range schema.Types[root].Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			key := root + "." + f.Name
			seen[key] = true
			scope, ok := rootScopes[key]
			switch {
			case !ok:
				t.Errorf("%s: no access scope declared", key)
			case root == "Mutation" && scope != storekeep.ScopeWriteCustomers:
				t.Errorf("%s: scope %s, every mutation needs %s", key, scope, storekeep.ScopeWriteCustomers)
			}
		}
	}
	for key := range rootScopes {
		if !seen[key] {
			t.Errorf("%s: scope declared for a field the schema lacks", key)
		}
	}
}
