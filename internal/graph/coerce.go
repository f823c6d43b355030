package graph

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// strictScalars refuses a variable value GraphQL does not coerce to its
// type, which gqlgen's would: a JSON number for a String (the body is
// decoded keeping numbers as json.Number, a string to the validator), and
// a number that is not an integer for an ID. Shopify refuses both before
// anything runs; so does storekeep, with the error the validator gives a
// boolean for a String, on the variable's path and naming no value (it may
// be a password).
type strictScalars struct {
	schema *ast.Schema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = strictScalars{}

func (strictScalars) ExtensionName() string                          { return "StrictScalars" }
func (strictScalars) Validate(schema graphql.ExecutableSchema) error { return nil }

func (s strictScalars) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	for _, v := range oc.Operation.VariableDefinitions {
		if err := s.check(v.Type, oc.Variables[v.Variable], ast.Path{ast.PathName("variable"), ast.PathName(v.Variable)}); err != nil {
			return err
		}
	}
	return nil
}

// check walks value along typ: a list's items, an input object's fields,
// down to the String and ID scalars whose values it checks.
func (s strictScalars) check(typ *ast.Type, value any, path ast.Path) *gqlerror.Error {
	if value == nil {
		return nil
	}
	if typ.Elem != nil {
		items, ok := value.([]any)
		if !ok {
			return s.check(typ.Elem, value, path)
		}
		for i, item := range items {
			if err := s.check(typ.Elem, item, append(path[:len(path):len(path)], ast.PathIndex(i))); err != nil {
				return err
			}
		}
		return nil
	}
	def := s.schema.Types[typ.NamedType]
	if def == nil {
		return nil
	}
	switch def.Kind {
	case ast.Scalar:
		n, isNumber := value.(json.Number)
		if !isNumber || def.Name != "String" && def.Name != "ID" {
			return nil
		}
		if _, err := strconv.ParseInt(string(n), 10, 64); def.Name == "ID" && err == nil {
			return nil
		}
		err := gqlerror.ErrorPathf(path, "cannot use number as %s", def.Name)
		errcode.Set(err, errcode.ValidationFailed)
		return err
	case ast.InputObject:
		fields, ok := value.(map[string]any)
		if !ok {
			return nil
		}
		for _, f := range def.Fields {
			if err := s.check(f.Type, fields[f.Name], append(path[:len(path):len(path)], ast.PathName(f.Name))); err != nil {
				return err
			}
		}
	}
	return nil
}
