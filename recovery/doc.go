// Package recovery is the password-recovery and account-activation flow:
// customerRecover issues a one-time token and queues the mail that carries
// it; customerReset, customerResetByUrl, customerActivate and
// customerActivateByUrl exchange such a token for a new password and a new
// customer access token.
//
// The package knows nothing of GraphQL, SQL or SMTP: it speaks to storage,
// limiters and hashing through interfaces, and returns *storekeep.Error
// values that the API boundary maps to Storefront responses.
package recovery
