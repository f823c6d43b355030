// Package graph serves storekeep's GraphQL API: Shopify's Storefront schema
// for legacy customer accounts, generated schema-first with gqlgen from
// schema/*.graphqls.
//
// Resolvers are thin adapters onto the Recovery and Accounts services. Every
// error a service returns crosses into GraphQL in one place, errors.go:
// CustomerErrorCode errors become a payload's customerUserErrors and
// userErrors, everything else fails the field with a top-level error.
// Access scopes are checked once, for every root field, in scope.go.
package graph
