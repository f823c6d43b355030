package order_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/ratelimit"
	"github.com/storekeep/storekeep/order"
)

// readCounting is a real store that counts the reads of shops a delivery
// may cost.
type readCounting struct {
	order.Store
	secrets, served atomic.Int64
}

func (s *readCounting) WebhookSecret(ctx context.Context, domain string) (storekeep.Shop, []byte, error) {
	s.secrets.Add(1)
	return s.Store.WebhookSecret(ctx, domain)
}

func (s *readCounting) WebhookShops(ctx context.Context) ([]storekeep.Shop, error) {
	s.served.Add(1)
	return s.Store.WebhookShops(ctx)
}

// A client that has spent its allowance of bad deliveries is refused
// before any shop is read, whatever domain it names: a flood of made-up
// domains, or of one served shop's, costs no read of the store but the
// node's list of served shops, at most once every order.ServedShopsEvery.
func TestAdmitReadsNoShopForAThrottledClient(t *testing.T) {
	f := newFixture(t)
	store := &readCounting{Store: f.store}
	limit := 30
	svc := order.New(order.Deps{Store: store, Limiter: ratelimit.NewMemory(f.clock, 0, nil), Keys: f.keys, Now: f.clock},
		order.Config{BadSignaturesPerIP: storekeep.Limit{Count: limit, Per: time.Hour}})
	body := sample(t, "orders_create.json")
	spend := func(domain string) {
		t.Helper()
		for i := range limit {
			d := order.Delivery{ShopDomain: domain, Topic: "orders/create", Signature: "forged", Body: body, IP: "203.0.113.9"}
			if err := svc.Admit(f.ctx, d.IP, d.ShopDomain); err != nil {
				t.Fatalf("Admit of bad delivery %d for %s: %v", i, domain, err)
			}
			if _, err := svc.Receive(f.ctx, d); !errors.Is(err, order.ErrBadSignature) {
				t.Fatalf("bad delivery %d for %s: %v", i, domain, err)
			}
		}
	}
	spend("made-up.myshopify.com")
	spend(f.shop.Domain)
	secrets, served := store.secrets.Load(), store.served.Load()
	for i := range 50 {
		for _, domain := range []string{fmt.Sprintf("made-up-%d.myshopify.com", i), f.shop.Domain} {
			if err := svc.Admit(f.ctx, "203.0.113.9", domain); !errors.Is(err, order.ErrThrottled) {
				t.Fatalf("Admit of a spent client naming %s: %v, want ErrThrottled", domain, err)
			}
		}
	}
	if n := store.secrets.Load() - secrets; n != 0 {
		t.Errorf("%d reads of a shop's secret for 100 refused deliveries, want 0", n)
	}
	if n := store.served.Load() - served; n != 0 {
		t.Errorf("%d reads of the served shops within %v, want 0", n, order.ServedShopsEvery)
	}

	other := f.newShop("other.example", secret)
	if err := svc.Admit(f.ctx, "203.0.113.9", other.Domain); !errors.Is(err, order.ErrThrottled) {
		t.Fatalf("a shop given its secret since the served shops were read, from a spent client: %v, want ErrThrottled until the next read", err)
	}
	f.now = f.now.Add(order.ServedShopsEvery)
	if err := svc.Admit(f.ctx, "203.0.113.9", "made-up.myshopify.com"); !errors.Is(err, order.ErrThrottled) {
		t.Fatalf("a made-up domain %v later: %v, want ErrThrottled", order.ServedShopsEvery, err)
	}
	if err := svc.Admit(f.ctx, "203.0.113.9", other.Domain); err != nil {
		t.Fatalf("that shop once the served shops were read again: %v", err)
	}
	if n := store.served.Load() - served; n != 1 {
		t.Errorf("%d reads of the served shops after %v, want 1", n, order.ServedShopsEvery)
	}
	good := order.Delivery{ShopDomain: other.Domain, Topic: "orders/create", Signature: sign(secret, body), Body: body, IP: "203.0.113.9"}
	if res, err := svc.Receive(f.ctx, good); err != nil || res != storekeep.OrderSaved {
		t.Fatalf("its genuine delivery: %q, %v", res, err)
	}
}
