package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/storekeep/storekeep"
)

// rootFieldAllowance spends a request of the caller's allowance
// (storekeep.Session.Allowance) for each field at an operation's root
// past the first, after every other limit passed: an operation past the
// allowance is refused, THROTTLED, and runs none of its fields.
type rootFieldAllowance struct {
	roots map[ast.Operation]string
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = (*rootFieldAllowance)(nil)

func (*rootFieldAllowance) ExtensionName() string { return "RootFieldAllowance" }

func (a *rootFieldAllowance) Validate(schema graphql.ExecutableSchema) error {
	s := schema.Schema()
	a.roots = map[ast.Operation]string{ast.Query: s.Query.Name}
	if s.Mutation != nil {
		a.roots[ast.Mutation] = s.Mutation.Name
	}
	return nil
}

func (a *rootFieldAllowance) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	session, ok := storekeep.SessionFromContext(ctx)
	if !ok || session.Allowance == nil || oc.Operation == nil {
		return nil
	}
	set := oc.Operation.SelectionSet
	if len(set) == 1 {
		if _, field := set[0].(*ast.Field); field {
			return nil
		}
	}
	root, ok := a.roots[oc.Operation.Operation]
	if !ok {
		return nil
	}
	more := len(graphql.CollectFields(oc, set, []string{root})) - 1
	if more <= 0 {
		return nil
	}
	if err := session.Allowance.Spend(ctx, more); err != nil {
		return refusal(err)
	}
	return nil
}
