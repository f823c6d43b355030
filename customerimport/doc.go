// Package customerimport brings a shop's customers in from Shopify's
// customer export CSV (Customers > Export in Shopify's admin): each row
// becomes a customer without a password, with its default address, or
// updates the customer with the same email address. Running the same file
// again changes nothing. Invitations to activate the accounts are queued
// as outbox jobs, paced at a rate per shop.
//
// Like the other domain packages it knows nothing of GraphQL, SQL or HTTP.
package customerimport
