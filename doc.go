// Package storekeep holds the domain types of storekeep, a self-hosted
// customer-accounts server that speaks the Shopify Storefront API's legacy
// customer-account mutations.
//
// The types here know nothing of GraphQL, SQL, HTTP or SMTP. Domain services
// (package recovery and package account) use them, and the adapters under
// internal/ translate between them and the outside world.
package storekeep
