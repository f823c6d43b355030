package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/order"
)

// Webhooks takes the shop's commerce platform's webhook deliveries.
type Webhooks interface {
	Receive(ctx context.Context, d order.Delivery) (storekeep.OrderWriteResult, error)
}

// webhookHandler serves POST /webhooks/shopify: Shopify's order webhooks,
// read whole (up to order.MaxWebhookBytes) before their signature is
// checked, answered with a status and nothing else.
type webhookHandler struct {
	receiver Webhooks
	clientIP ClientIP
	logger   *slog.Logger
}

func (h *webhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if r.ContentLength > order.MaxWebhookBytes {
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, order.MaxWebhookBytes))
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		return
	case err != nil:
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	result, err := h.receiver.Receive(r.Context(), order.Delivery{
		ShopDomain: r.Header.Get("X-Shopify-Shop-Domain"),
		Topic:      r.Header.Get("X-Shopify-Topic"),
		WebhookID:  r.Header.Get("X-Shopify-Webhook-Id"),
		Signature:  r.Header.Get("X-Shopify-Hmac-Sha256"),
		Body:       body,
		IP:         h.clientIP.Of(r, storekeep.APIToken{}),
	})
	switch {
	case err == nil:
		h.logger.DebugContext(r.Context(), "webhook", "topic", r.Header.Get("X-Shopify-Topic"), "result", string(result))
		w.WriteHeader(http.StatusOK)
	case errors.Is(err, order.ErrBadSignature):
		w.WriteHeader(http.StatusUnauthorized)
	case errors.Is(err, order.ErrThrottled):
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
	case errors.Is(err, order.ErrBadPayload):
		h.logger.WarnContext(r.Context(), "webhook body refused", "err", err)
		w.WriteHeader(http.StatusBadRequest)
	default:
		h.logger.ErrorContext(r.Context(), "webhook failed", "err", err)
		w.WriteHeader(http.StatusInternalServerError)
	}
}
