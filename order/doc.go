// Package order keeps storekeep's read model of a shop's orders: it reads
// Shopify's REST Order JSON from webhooks and imports, verifies webhook
// signatures, attaches orders to customers by email, and pages a
// customer's orders for the Storefront API. Like the other domain packages
// it knows nothing of GraphQL, SQL or HTTP.
package order
