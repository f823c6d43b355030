package model

// GID is the product's global id; with it a Product is a storekeep.Node,
// as Shopify's schema makes it.
func (p Product) GID() string { return p.ID }

// GID is the variant's global id; with it a ProductVariant is a
// storekeep.Node, as Shopify's schema makes it.
func (v ProductVariant) GID() string { return v.ID }
