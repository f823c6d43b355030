package graph

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/storekeep/storekeep"
)

// TestCustomerFields renders a storekeep.Customer through the schema: the
// root field answers with c in place of its resolver.
func TestCustomerFields(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	cases := []struct {
		name string
		c    storekeep.Customer
		want string
	}{
		{
			name: "full",
			c: storekeep.Customer{
				ID: 42, Email: "ann@example.com", FirstName: "Ann", LastName: "Lee", Phone: "+33612345678",
				AcceptsMarketing: true, Tags: []string{"vip"}, NumberOfOrders: 3,
				CreatedAt: time.Date(2026, 11, 23, 11, 0, 0, 0, paris), UpdatedAt: time.Date(2026, 11, 23, 10, 0, 0, 999, time.UTC),
			},
			want: `{"data":{"customer":{"id":"gid://shopify/Customer/42","email":"ann@example.com","firstName":"Ann","lastName":"Lee","displayName":"Ann Lee","phone":"+33612345678","acceptsMarketing":true,"tags":["vip"],"createdAt":"2026-11-23T10:00:00Z","updatedAt":"2026-11-23T10:00:00Z","avatarUrl":null}}}`,
		},
		{
			name: "empty strings are null",
			c:    storekeep.Customer{ID: 7, CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
			want: `{"data":{"customer":{"id":"gid://shopify/Customer/7","email":null,"firstName":null,"lastName":null,"displayName":"","phone":null,"acceptsMarketing":false,"tags":[],"createdAt":"2026-01-02T03:04:05Z","updatedAt":"2026-01-02T03:04:05Z","avatarUrl":null}}}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(&Resolver{}, options{limits: DefaultLimits})
			srv.AroundFields(func(ctx context.Context, next graphql.Resolver) (any, error) {
				if graphql.GetFieldContext(ctx).Object == "QueryRoot" {
					return &tc.c, nil
				}
				return next(ctx)
			})
			s := allScopes()
			status, body := postJSON(t, srv, &s, `{ customer(customerAccessToken: "t") {
				id email firstName lastName displayName phone acceptsMarketing tags createdAt updatedAt avatarUrl
			} }`, nil)
			if status != http.StatusOK || string(body) != tc.want {
				t.Errorf("got %d %s\nwant 200 %s", status, body, tc.want)
			}
		})
	}
}
