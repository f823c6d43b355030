// Package scalar marshals the Storefront custom scalars storekeep exposes:
// DateTime, URL and UnsignedInt64. gqlgen finds the Marshal and Unmarshal
// functions here by name.
package scalar
