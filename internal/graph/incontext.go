package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/graph/model"
)

// inContext implements @inContext on queries and mutations. Its language
// becomes the caller's Locale for the whole operation, "PT_BR" as "pt-br";
// without one the Locale the HTTP layer took from Accept-Language stays.
// Country, location, buyer and consent change nothing storekeep does.
func inContext(ctx context.Context, _ any, next graphql.Resolver, _ *string, language *string, _ *string, _ *model.BuyerInput, _ *model.VisitorConsent) (any, error) {
	if s, ok := storekeep.SessionFromContext(ctx); ok && language != nil {
		s.Caller.Locale = locale(*language)
		ctx = storekeep.NewContext(ctx, s)
	}
	return next(ctx)
}

// locale turns a LanguageCode into a lower-case BCP 47 tag.
func locale(code string) string {
	return strings.ReplaceAll(strings.ToLower(code), "_", "-")
}
