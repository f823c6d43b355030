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

// failCounter names the per-IP limit of bad deliveries naming no shop
// storekeep keeps a secret for; a shop's own is failCounter, '#' and its
// id.
const failCounter = "webhook:bad"

// sender is the shop a delivery names, when storekeep keeps a webhook
// secret for it, with that secret, and the allowance of bad deliveries
// the delivery's client spends: the shop's own, or the one every other
// domain shares. Shopify sends every shop's webhooks from the same
// addresses, and any merchant can point their shop's webhooks here:
// theirs must not use up the allowance of a shop storekeep serves.
type sender struct {
	shop    storekeep.Shop
	secret  []byte
	counter string
}

func (s *Service) sender(ctx context.Context, domain string) (sender, error) {
	d, err := storekeep.NormalizeShopDomain(domain)
	if err != nil {
		return sender{counter: failCounter}, nil
	}
	shop, secret, err := s.Store.WebhookSecret(ctx, d)
	switch {
	case errors.Is(err, storekeep.ErrNotFound) || err == nil && len(secret) == 0:
		return sender{counter: failCounter}, nil
	case err != nil:
		return sender{}, err
	}
	return sender{shop: shop, secret: secret, counter: shopCounter(shop.ID)}, nil
}

// Admit returns ErrThrottled when the client ip has used up its allowance
// of bad deliveries naming the shop at domain, recording nothing: a
// server asks it before reading a delivery's body, so that a throttled
// client's body is never read. It reads no shop: which shops keep a
// secret it takes from the node's list (ServedShopsEvery), so that a
// throttled client's flood costs no read of the store. A client that has
// sent none is admitted even while the limiter is full, so that a flood
// of forged deliveries from many IPs cannot hold back the genuine ones.
func (s *Service) Admit(ctx context.Context, ip, domain string) error {
	counter, err := s.counter(ctx, domain)
	if err != nil {
		return err
	}
	return s.admit(ctx, counter, ip)
}

func (s *Service) admit(ctx context.Context, counter, ip string) error {
	if spent, err := storekeep.ClientSpent(ctx, s.Limiter, counter, ip, s.cfg.BadSignaturesPerIP); err != nil || spent {
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
	from, err := s.sender(ctx, d.ShopDomain)
	if err != nil {
		return "", err
	}
	if err := s.admit(ctx, from.counter, d.IP); err != nil {
		return "", err
	}
	if !from.verifies(d) {
		if _, err := storekeep.AllowClient(ctx, s.Limiter, from.counter, d.IP, s.cfg.BadSignaturesPerIP); err != nil {
			return "", err
		}
		return "", ErrBadSignature
	}
	shop := from.shop
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

// verifies checks the delivery's signature in constant time: the base64
// HMAC-SHA256 of the raw body under the shop's secret. A delivery naming
// no shop with a secret never verifies, at the same cost.
func (from sender) verifies(d Delivery) bool {
	secret := from.secret
	if secret == nil {
		secret = unknownShopSecret
	}
	m := hmac.New(sha256.New, secret)
	m.Write(d.Body)
	want := base64.StdEncoding.EncodeToString(m.Sum(nil))
	return hmac.Equal([]byte(want), []byte(strings.TrimSpace(d.Signature))) && from.secret != nil
}
