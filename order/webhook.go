package order

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/storekeep/storekeep"
)

// MaxWebhookBytes bounds a webhook body: 1 MiB, room for an order of
// several hundred line items.
const MaxWebhookBytes = 1 << 20

// MaxWebhookIDBytes bounds the X-Shopify-Webhook-Id remembered.
const MaxWebhookIDBytes = 255

// webhookID is id when it can be remembered, else "": the header is not
// signed, and a delivery whose id is ignored is still applied (a repeat
// is then stale by its updated_at instead of a duplicate).
func webhookID(id string) string {
	if len(id) > MaxWebhookIDBytes || strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return ""
	}
	return id
}

// Delivery is one webhook request as Shopify sends it.
type Delivery struct {
	// ShopDomain, Topic, WebhookID and Signature are the
	// X-Shopify-Shop-Domain, X-Shopify-Topic, X-Shopify-Webhook-Id and
	// X-Shopify-Hmac-Sha256 headers. A WebhookID that is not 1 to
	// MaxWebhookIDBytes of printable ASCII without spaces (Shopify's are
	// UUIDs) is ignored, as if absent.
	ShopDomain, Topic, WebhookID, Signature string
	Body                                    []byte
	// IP is the client's address, for throttling bad deliveries.
	IP string
}

// Errors of Receive, each meaning a different answer to the sender.
var (
	// ErrBadSignature: the shop is unknown, has no webhook secret, or the
	// signature does not match the body. Nothing changed.
	ErrBadSignature = errors.New("order: webhook signature does not verify")
	// ErrThrottled: the client sent too many bad deliveries lately.
	ErrThrottled = errors.New("order: too many bad webhook deliveries")
	// ErrBadPayload: the signed body (or imported line) is not an order
	// storekeep can keep.
	ErrBadPayload = errors.New("not a readable order")
)

// Topics that carry a whole order, and the one that deletes it.
var orderTopics = map[string]bool{
	"orders/create": true, "orders/updated": true, "orders/paid": true, "orders/fulfilled": true,
	"orders/cancelled": true, "orders/partially_fulfilled": true,
}

const deleteTopic = "orders/delete"

// unknownShopSecret is what an unknown shop's signature is checked
// against, so that it costs what a known shop's does.
var unknownShopSecret = []byte("storekeep: no shop has this secret")

// failCounter names the per-IP limit of bad deliveries.
const failCounter = "webhook:bad"

// Admit returns ErrThrottled when the client ip has used up its allowance
// of bad deliveries, recording nothing: a server asks it before reading a
// delivery's body, so that a throttled client's body is never read. A
// client that has sent none is admitted even while the limiter is full,
// so that a flood of forged deliveries from many IPs cannot hold back
// the genuine ones.
func (s *Service) Admit(ctx context.Context, ip string) error {
	if spent, err := storekeep.ClientSpent(ctx, s.Limiter, failCounter, ip, s.cfg.BadSignaturesPerIP); err != nil || spent {
		return errors.Join(ErrThrottled, err)
	}
	return nil
}

// Receive verifies a delivery and applies it, once Admit admits its
// client. A verified delivery of a topic storekeep does not keep is
// accepted and ignored (storekeep.OrderStale is not an error; result is
// "" then). The topic is not signed and the shop's secret signs all its
// webhooks, so an order topic's body must have a positive order_number,
// which checkouts, draft orders and customers have not.
func (s *Service) Receive(ctx context.Context, d Delivery) (storekeep.OrderWriteResult, error) {
	if err := s.Admit(ctx, d.IP); err != nil {
		return "", err
	}
	shop, ok, err := s.verify(ctx, d)
	if err != nil {
		return "", err
	}
	if !ok {
		if _, err := storekeep.AllowClient(ctx, s.Limiter, failCounter, d.IP, s.cfg.BadSignaturesPerIP); err != nil {
			return "", err
		}
		return "", ErrBadSignature
	}
	w := storekeep.OrderWrite{WebhookID: webhookID(d.WebhookID), At: s.Now()}
	switch {
	case d.Topic == deleteTopic:
		w.Delete = true
		if w.Order.ID, err = parseID(d.Body); err != nil {
			return "", fmt.Errorf("%w: %v", ErrBadPayload, err)
		}
		w.Order.ShopID = shop.ID
	case orderTopics[d.Topic]:
		if w.Order, err = ParseShopify(shop.ID, d.Body); err != nil {
			return "", fmt.Errorf("%w: %v", ErrBadPayload, err)
		}
		if w.Order.OrderNumber <= 0 {
			return "", fmt.Errorf("%w: order_number: an order's body has a positive one", ErrBadPayload)
		}
	default:
		return "", nil
	}
	return s.Store.WriteOrder(ctx, w)
}

// verify finds the delivery's shop and checks its signature in constant
// time: the base64 HMAC-SHA256 of the raw body under the shop's secret.
func (s *Service) verify(ctx context.Context, d Delivery) (storekeep.Shop, bool, error) {
	domain, err := storekeep.NormalizeShopDomain(d.ShopDomain)
	var shop storekeep.Shop
	var secret []byte
	if err == nil {
		shop, secret, err = s.Store.WebhookSecret(ctx, domain)
		if err != nil && !errors.Is(err, storekeep.ErrNotFound) {
			return storekeep.Shop{}, false, err
		}
	}
	known := err == nil && len(secret) > 0
	if !known {
		secret = unknownShopSecret
	}
	m := hmac.New(sha256.New, secret)
	m.Write(d.Body)
	want := base64.StdEncoding.EncodeToString(m.Sum(nil))
	match := hmac.Equal([]byte(want), []byte(strings.TrimSpace(d.Signature)))
	return shop, known && match, nil
}
