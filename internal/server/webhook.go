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

// Webhooks takes the shop's commerce platform's webhook deliveries: Admit
// (given the X-Shopify-Shop-Domain header) before a delivery's body is
// read, then Receive.
type Webhooks interface {
	Admit(ctx context.Context, ip, shopDomain string) error
	Receive(ctx context.Context, d order.Delivery) (storekeep.OrderWriteResult, error)
}

// webhookHandler serves POST /webhooks/shopify: Shopify's order webhooks,
// refused unread when their client is throttled, else read whole (up to
// order.MaxWebhookBytes) before their signature is checked, answered with
// a status and nothing else.
type webhookHandler struct {
	receiver Webhooks
	clientIP ClientIP
	bodies   *BodyBudget
	logger   *slog.Logger
}

func (h *webhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	ip := h.clientIP.Of(r, storekeep.APIToken{})
	if err := h.receiver.Admit(r.Context(), ip, r.Header.Get("X-Shopify-Shop-Domain")); err != nil {
		h.answer(w, r, "", err)
		return
	}
	if r.ContentLength > order.MaxWebhookBytes {
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		return
	}
	held := h.bodies.holdBody(r, ip)
	defer held.release()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, order.MaxWebhookBytes))
	var maxErr *http.MaxBytesError
	switch {
	case bodyBudgetStatus(err) != 0:
		held.release()
		refuseBody(w)
		w.WriteHeader(bodyBudgetStatus(err))
		return
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
		IP:         ip,
	})
	h.answer(w, r, result, err)
}

// answer writes the status of a delivery's outcome.
func (h *webhookHandler) answer(w http.ResponseWriter, r *http.Request, result storekeep.OrderWriteResult, err error) {
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
