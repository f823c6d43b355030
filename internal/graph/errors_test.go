package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/graph/model"
)

func TestUserErrors(t *testing.T) {
	code := func(c storekeep.Code) *model.CustomerErrorCode {
		v := model.CustomerErrorCode(c)
		return &v
	}
	blank := storekeep.NewError(storekeep.CodeBlank, []string{"email"}, "Email can't be blank")
	unidentified := storekeep.NewError(storekeep.CodeUnidentifiedCustomer, nil, "Unidentified customer")
	tooShort := storekeep.NewError(storekeep.CodeTooShort, []string{"input", "password"}, "Password is too short (minimum is 5 characters)")
	tokenGone := storekeep.NewError(storekeep.CodeInvalid, []string{"customerAccessToken"}, "access token does not exist")

	cases := []struct {
		name         string
		err          error
		wantCustomer []model.CustomerUserError
		wantPlain    []model.UserError
		wantFailure  bool
	}{
		{name: "success", err: nil, wantCustomer: []model.CustomerUserError{}, wantPlain: []model.UserError{}},
		{
			name:         "one, with field",
			err:          blank,
			wantCustomer: []model.CustomerUserError{{Code: code(storekeep.CodeBlank), Field: []string{"email"}, Message: "Email can't be blank"}},
			wantPlain:    []model.UserError{{Field: []string{"email"}, Message: "Email can't be blank"}},
		},
		{
			name:         "no field is null",
			err:          unidentified,
			wantCustomer: []model.CustomerUserError{{Code: code(storekeep.CodeUnidentifiedCustomer), Message: "Unidentified customer"}},
			wantPlain:    []model.UserError{{Message: "Unidentified customer"}},
		},
		{
			name: "joined, in order",
			err:  errors.Join(blank, tooShort),
			wantCustomer: []model.CustomerUserError{
				{Code: code(storekeep.CodeBlank), Field: []string{"email"}, Message: "Email can't be blank"},
				{Code: code(storekeep.CodeTooShort), Field: []string{"input", "password"}, Message: "Password is too short (minimum is 5 characters)"},
			},
			wantPlain: []model.UserError{
				{Field: []string{"email"}, Message: "Email can't be blank"},
				{Field: []string{"input", "password"}, Message: "Password is too short (minimum is 5 characters)"},
			},
		},
		{
			name:         "access token errors map like any other",
			err:          tokenGone,
			wantCustomer: []model.CustomerUserError{{Code: code(storekeep.CodeInvalid), Field: []string{"customerAccessToken"}, Message: "access token does not exist"}},
			wantPlain:    []model.UserError{{Field: []string{"customerAccessToken"}, Message: "access token does not exist"}},
		},
		{name: "throttled fails the field", err: storekeep.Throttled("slow down"), wantFailure: true},
		{name: "storage failure fails the field", err: fmt.Errorf("redeem: %w", storekeep.ErrConflict), wantFailure: true},
		{name: "user error joined with a failure fails the field", err: errors.Join(blank, errors.New("disk full")), wantFailure: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			customer, plain, err := userErrors(tc.err)
			if tc.wantFailure {
				if err != tc.err || customer != nil || plain != nil {
					t.Fatalf("got %v %v %v, want the error back alone", customer, plain, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected failure %v", err)
			}
			if !reflect.DeepEqual(customer, tc.wantCustomer) || !reflect.DeepEqual(plain, tc.wantPlain) {
				t.Errorf("got\n  %+v\n  %+v\nwant\n  %+v\n  %+v", customer, plain, tc.wantCustomer, tc.wantPlain)
			}
		})
	}
}

// failWith builds NewHandler's server with a field middleware inside guard
// that answers customerRecover with err instead of its resolver, so that
// err crosses the real boundary: guard, failure and the error presenter.
func failWith(err error) (http.Handler, *bytes.Buffer) {
	var logs bytes.Buffer
	res := &Resolver{Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	srv := newServer(res, options{limits: DefaultLimits})
	srv.AroundFields(func(ctx context.Context, next graphql.Resolver) (any, error) {
		if graphql.GetFieldContext(ctx).Field.Name == "customerRecover" {
			return nil, err
		}
		return next(ctx)
	})
	return srv, &logs
}

func TestFieldFailures(t *testing.T) {
	const query = `mutation RecoverPassword($email: String!) {
  customerRecover(email: $email) { customerUserErrors { code field message } }
}`
	vars := map[string]any{"email": "secret-address@example.com"}
	cases := []struct {
		name   string
		err    error
		want   string
		logged bool
	}{
		{
			name: "throttled",
			err:  storekeep.Throttled("Resetting password limit exceeded. Please try again later."),
			want: `{"errors":[{"message":"Resetting password limit exceeded. Please try again later.","path":["customerRecover"],"extensions":{"code":"THROTTLED"}}],"data":{"customerRecover":null}}`,
		},
		{
			name: "throttled, wrapped",
			err:  fmt.Errorf("recover: %w", storekeep.Throttled("Slow down.")),
			want: `{"errors":[{"message":"Slow down.","path":["customerRecover"],"extensions":{"code":"THROTTLED"}}],"data":{"customerRecover":null}}`,
		},
		{
			name:   "internal",
			err:    fmt.Errorf("issue token: %w", errors.New("database is locked")),
			want:   `{"errors":[{"message":"Internal error. Looks like something went wrong on our end.","path":["customerRecover"],"extensions":{"code":"INTERNAL_SERVER_ERROR"}}],"data":{"customerRecover":null}}`,
			logged: true,
		},
		{
			name:   "a non-customer code is internal",
			err:    storekeep.NewError(storekeep.CodeInternal, nil, "detail for the log"),
			want:   `{"errors":[{"message":"Internal error. Looks like something went wrong on our end.","path":["customerRecover"],"extensions":{"code":"INTERNAL_SERVER_ERROR"}}],"data":{"customerRecover":null}}`,
			logged: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, logs := failWith(tc.err)
			s := allScopes()
			status, body := postJSON(t, h, &s, query, vars)
			if status != http.StatusOK || string(body) != tc.want {
				t.Errorf("got %d %s\nwant 200 %s", status, body, tc.want)
			}
			if got := strings.Contains(logs.String(), tc.err.Error()); got != tc.logged {
				t.Errorf("cause logged = %v, want %v: %s", got, tc.logged, logs)
			}
			if strings.Contains(logs.String(), "secret-address") {
				t.Errorf("variables reached the log: %s", logs)
			}
		})
	}
}

func TestPanicIsInternalError(t *testing.T) {
	var logs bytes.Buffer
	res := &Resolver{Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	h := NewHandler(res)
	s := allScopes()
	// Recovery is nil, so the resolver panics.
	status, body := postJSON(t, h, &s, `mutation { customerRecover(email: "a@example.com") { userErrors { message } } }`, nil)
	want := `{"errors":[{"message":"Internal error. Looks like something went wrong on our end.","path":["customerRecover"],"extensions":{"code":"INTERNAL_SERVER_ERROR"}}],"data":{"customerRecover":null}}`
	if status != http.StatusOK || string(body) != want {
		t.Errorf("got %d %s\nwant 200 %s", status, body, want)
	}
	if !strings.Contains(logs.String(), "panicked") {
		t.Errorf("panic not logged: %s", logs.String())
	}
}
