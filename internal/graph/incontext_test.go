package graph

import (
	"context"
	"net/http"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/storekeep/storekeep"
)

// TestInContextLanguage runs operations through NewHandler's server and
// records the Session a root resolver would see.
func TestInContextLanguage(t *testing.T) {
	var seen []storekeep.Session
	srv := newServer(&Resolver{}, options{limits: DefaultLimits})
	srv.AroundFields(func(ctx context.Context, next graphql.Resolver) (any, error) {
		if fc := graphql.GetFieldContext(ctx); fc.Object == "Mutation" || fc.Object == "QueryRoot" {
			seen = append(seen, session(ctx))
			return nil, nil
		}
		return next(ctx)
	})
	cases := []struct {
		name  string
		query string
		vars  map[string]any
		want  string
	}{
		{
			name:  "variable, as Hydrogen sends it",
			query: `mutation customerRecover($email: String!, $country: CountryCode, $language: LanguageCode) @inContext(country: $country, language: $language) { customerRecover(email: $email) { customerUserErrors { code } } }`,
			vars:  map[string]any{"email": "a@example.com", "country": "FR", "language": "FR"},
			want:  "fr",
		},
		{
			name:  "literal with region",
			query: `query @inContext(language: PT_BR, country: BR) { customer(customerAccessToken: "t") { id } }`,
			want:  "pt-br",
		},
		{
			name:  "absent: Accept-Language stays",
			query: `mutation { customerRecover(email: "a@example.com") { customerUserErrors { code } } }`,
			want:  "de-ch",
		},
		{
			name:  "directive without language: Accept-Language stays",
			query: `mutation @inContext(country: CH) { customerRecover(email: "a@example.com") { customerUserErrors { code } } }`,
			want:  "de-ch",
		},
		{
			name:  "null language variable: Accept-Language stays",
			query: `mutation ($language: LanguageCode) @inContext(language: $language) { customerRecover(email: "a@example.com") { customerUserErrors { code } } }`,
			vars:  map[string]any{"language": nil},
			want:  "de-ch",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seen = nil
			s := allScopes()
			s.Caller.Locale = "de-ch"
			status, body := postJSON(t, srv, &s, tc.query, tc.vars)
			if status != http.StatusOK || len(seen) != 1 {
				t.Fatalf("got %d %s and %d root resolver calls", status, body, len(seen))
			}
			if got := seen[0].Caller.Locale; got != tc.want {
				t.Errorf("Locale = %q, want %q", got, tc.want)
			}
			if seen[0].Caller.IP != s.Caller.IP || seen[0].Shop.ID != s.Shop.ID {
				t.Errorf("the rest of the Session changed: %+v", seen[0])
			}
		})
	}
}
