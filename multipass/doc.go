// Package multipass is Shopify's Multipass single sign-on for legacy
// customer accounts (customerAccessTokenCreateWithMultipass): a shop's
// own sign-in system hands the customer a token, sealed and signed with
// the shop's Multipass secret, that storekeep exchanges for a
// CustomerAccessToken, creating or updating the customer from the data
// it carries.
//
// Like package account it knows nothing of GraphQL, SQL or HTTP.
package multipass
