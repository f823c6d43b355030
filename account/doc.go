// Package account is the rest of the customer-account surface: sign-up
// (customerCreate), sign-in and access tokens (customerAccessTokenCreate,
// Renew, Delete), reading the signed-in customer and customerUpdate.
//
// Like package recovery it knows nothing of GraphQL, SQL or SMTP.
package account
