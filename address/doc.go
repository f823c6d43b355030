// Package address knows the world's countries, their provinces and how
// each writes an address, as Shopify does: it resolves what a customer
// typed as a country or province to Shopify's codes and names, formats an
// address in its country's line order, and normalises phone numbers.
//
// Its data, countries.json, is Shopify's own address data (npm
// @shopify/address-mocks, MIT), written by tools/countrydata; nothing in
// it is typed by hand. Like the other domain packages it knows nothing of
// GraphQL, SQL or HTTP.
package address
