package graph

import (
	"context"
	"errors"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/storekeep/storekeep"
)

// rootScopes names the access scope each root field requires, keyed by
// "Type.field". A root field missing here is refused (TestEveryRootFieldHasAScope).
var rootScopes = map[string]storekeep.Scope{
	"QueryRoot.customer":                 storekeep.ScopeReadCustomers,
	"QueryRoot.node":                     storekeep.ScopeReadCustomers,
	"Mutation.customerRecover":           storekeep.ScopeWriteCustomers,
	"Mutation.customerReset":             storekeep.ScopeWriteCustomers,
	"Mutation.customerResetByUrl":        storekeep.ScopeWriteCustomers,
	"Mutation.customerActivate":          storekeep.ScopeWriteCustomers,
	"Mutation.customerActivateByUrl":     storekeep.ScopeWriteCustomers,
	"Mutation.customerCreate":            storekeep.ScopeWriteCustomers,
	"Mutation.customerAccessTokenCreate": storekeep.ScopeWriteCustomers,
	"Mutation.customerAccessTokenRenew":  storekeep.ScopeWriteCustomers,
	"Mutation.customerAccessTokenDelete": storekeep.ScopeWriteCustomers,
	"Mutation.customerUpdate":            storekeep.ScopeWriteCustomers,

	"Mutation.customerAccessTokenCreateWithMultipass": storekeep.ScopeWriteCustomers,

	"Mutation.customerAddressCreate":        storekeep.ScopeWriteCustomers,
	"Mutation.customerAddressUpdate":        storekeep.ScopeWriteCustomers,
	"Mutation.customerAddressDelete":        storekeep.ScopeWriteCustomers,
	"Mutation.customerDefaultAddressUpdate": storekeep.ScopeWriteCustomers,
}

// typeScopes names the access scope an object type requires wherever a
// field returns it, and fieldScopes the scope a field (keyed by object
// and field, which builds no string) requires besides its object's, both
// as Shopify documents them.
var (
	typeScopes  = map[string]storekeep.Scope{"Customer": storekeep.ScopeReadCustomers}
	fieldScopes = map[[2]string]storekeep.Scope{{"Customer", "tags"}: storekeep.ScopeReadCustomerTags}
)

var errNoSession = errors.New("graph: request context has no storekeep.Session")

// guard is the field middleware every field runs through. On root fields
// it requires a Session whose token grants the field's scope, on others
// the scope of the type they return or of the field itself, if any; on
// every field it hands errors the resolver returned to failure.
func (r *Resolver) guard(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	root := fc.Object == "QueryRoot" || fc.Object == "Mutation"
	if !root {
		if err := authorizeNested(ctx, fc); err != nil {
			return nil, r.failure(ctx, err)
		}
		res, err := next(ctx)
		if err != nil {
			return res, r.failure(ctx, err)
		}
		return res, nil
	}
	var res any
	err := authorize(ctx, fc.Object, fc.Field.Name)
	if err == nil {
		res, err = next(ctx)
	}
	if err != nil {
		err = r.failure(ctx, err)
	}
	if r.Observe != nil && !strings.HasPrefix(fc.Field.Name, "__") {
		r.Observe(fc.Field.Name, outcome(res, err))
	}
	return res, err
}

// authorize checks the scope of root field object.field.
func authorize(ctx context.Context, object, field string) error {
	if strings.HasPrefix(field, "__") {
		return nil
	}
	s, ok := storekeep.SessionFromContext(ctx)
	if !ok {
		return errNoSession
	}
	scope, ok := rootScopes[object+"."+field]
	if !ok {
		return errors.New("graph: no access scope declared for " + object + "." + field)
	}
	if !s.Token.HasScope(scope) {
		return accessDenied(field, scope)
	}
	return nil
}

// authorizeNested checks the scope a nested field requires: its own in
// fieldScopes, else that of the type it returns in typeScopes.
func authorizeNested(ctx context.Context, fc *graphql.FieldContext) error {
	scope, ok := fieldScopes[[2]string{fc.Object, fc.Field.Name}]
	if !ok && fc.Field.Definition != nil {
		scope, ok = typeScopes[fc.Field.Definition.Type.Name()]
	}
	if !ok {
		return nil
	}
	s, found := storekeep.SessionFromContext(ctx)
	if !found {
		return errNoSession
	}
	if !s.Token.HasScope(scope) {
		return accessDenied(fc.Field.Name, scope)
	}
	return nil
}
