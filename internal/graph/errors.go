package graph

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/graph/model"
)

// This file is the one place where domain errors become GraphQL. A domain
// error made only of CustomerErrorCode *storekeep.Error values is input the
// client can fix: it goes into the payload (userErrors). Anything else fails
// the field: it resolves to null with one top-level error.

// internalMessage is what the client sees of any failure it cannot act on.
const internalMessage = "Internal error. Looks like something went wrong on our end."

const accessScopesDocumentation = "https://shopify.dev/api/usage/access-scopes"

// userErrors splits err for a payload. When err is nil or holds only
// CustomerErrorCode errors it returns them twice, with and without code,
// and a nil error; both lists are empty, never nil, when err is nil.
// Otherwise it returns err itself, which fails the field.
func userErrors(err error) ([]model.CustomerUserError, []model.UserError, error) {
	list, ok := storekeep.UserErrors(err)
	if !ok || err != nil && len(list) == 0 {
		return nil, nil, err
	}
	withCode := make([]model.CustomerUserError, 0, len(list))
	plain := make([]model.UserError, 0, len(list))
	for _, e := range list {
		code := model.CustomerErrorCode(e.Code)
		field := e.Field
		if len(field) == 0 {
			field = nil
		}
		withCode = append(withCode, model.CustomerUserError{Code: &code, Field: field, Message: e.Message})
		plain = append(plain, model.UserError{Field: field, Message: e.Message})
	}
	return withCode, plain, nil
}

// fieldError is a top-level error decided by this package. It is rendered
// as message, path and extensions only.
type fieldError struct {
	message    string
	extensions map[string]any
}

func (e *fieldError) Error() string { return e.message }

// accessDenied is the error for a field whose scope the token lacks.
func accessDenied(field string, scope storekeep.Scope) *fieldError {
	required := fmt.Sprintf("`%s` access scope.", scope)
	return &fieldError{
		message: fmt.Sprintf("Access denied for %s field. Required access: %s", field, required),
		extensions: map[string]any{
			"code":           string(storekeep.CodeAccessDenied),
			"documentation":  accessScopesDocumentation,
			"requiredAccess": required,
		},
	}
}

// internalError hides a failure from the client.
func internalError() *fieldError {
	return &fieldError{message: internalMessage, extensions: map[string]any{"code": string(storekeep.CodeInternal)}}
}

// refusal is the top-level error of an operation refused before it ran:
// a *storekeep.Error keeps its message and code; anything else is hidden.
func refusal(err error) *gqlerror.Error {
	var e *storekeep.Error
	if !errors.As(err, &e) {
		return &gqlerror.Error{Message: internalMessage, Extensions: map[string]any{"code": string(storekeep.CodeInternal)}}
	}
	return &gqlerror.Error{Message: e.Message, Extensions: map[string]any{"code": string(e.Code)}}
}

// failure maps an error a resolver returned, which userErrors did not
// absorb, to what fails the field. Throttling and bad arguments keep their
// message; anything else is logged and hidden, at ERROR unless the
// request's client went away (which a client may do at will, so it must
// not write a line an error).
func (r *Resolver) failure(ctx context.Context, err error) error {
	var fe *fieldError
	if errors.As(err, &fe) {
		return fe
	}
	var e *storekeep.Error
	if errors.As(err, &e) && (e.Code == storekeep.CodeThrottled || e.Code == storekeep.CodeBadRequest) {
		return &fieldError{message: e.Message, extensions: map[string]any{"code": string(e.Code)}}
	}
	if storekeep.Abandoned(ctx, err) {
		r.logger().DebugContext(ctx, "graphql field abandoned: the client went away", "path", loggedPath(ctx))
		return internalError()
	}
	r.logger().ErrorContext(ctx, "graphql field failed", "path", loggedPath(ctx), "err", err)
	return internalError()
}

// maxLoggedPath is how much of a field's path a log line holds. A path is
// made of the client's aliases, GraphQL names of any length up to the
// body's, and of list indexes: ASCII, so it is cut at any byte.
const maxLoggedPath = 256

// loggedPath is the path of the field ctx resolves, as a log line names it:
// cut to maxLoggedPath bytes, with "..." after a cut.
func loggedPath(ctx context.Context) string {
	p := graphql.GetPath(ctx).String()
	if len(p) > maxLoggedPath {
		return p[:maxLoggedPath] + "..."
	}
	return p
}

// recoverPanic is the handler's recover function: a panicking resolver
// fails its field as an internal error.
func (r *Resolver) recoverPanic(ctx context.Context, v any) error {
	r.logger().ErrorContext(ctx, "graphql resolver panicked", "path", loggedPath(ctx),
		"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	return internalError()
}

// presentError renders a fieldError without the locations gqlgen attaches
// to resolver errors; every other error (parse, validation, coercion) is
// presented as gqlgen does.
func presentError(ctx context.Context, err error) *gqlerror.Error {
	var fe *fieldError
	if errors.As(err, &fe) {
		return &gqlerror.Error{Message: fe.message, Path: graphql.GetPath(ctx), Extensions: fe.extensions}
	}
	return graphql.DefaultErrorPresenter(ctx, err)
}
