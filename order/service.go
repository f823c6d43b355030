package order

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/expiring"
)

// Store is the storage the service needs.
type Store interface {
	storekeep.OrderStore
}

// Config holds the service's tunables; zero fields take DefaultConfig's.
type Config struct {
	// BadSignaturesPerIP bounds the webhook deliveries with a bad
	// signature one client IP may send naming one shop, and those naming
	// no shop storekeep keeps a webhook secret for, all such domains
	// together; past it every such delivery from that IP is refused
	// unread.
	BadSignaturesPerIP storekeep.Limit
	// DefaultStorefrontURL is the base of the links of shops without a
	// storefront URL (https://<domain> when empty), as for reset links.
	DefaultStorefrontURL string
}

// DefaultConfig returns storekeep's defaults: 30 bad deliveries a minute
// per IP.
func DefaultConfig() Config {
	return Config{BadSignaturesPerIP: storekeep.Limit{Count: 30, Per: time.Minute}}
}

// Validate refuses settings that cannot work.
func (c Config) Validate() error {
	return storekeep.CheckLimit("bad webhook deliveries per IP", c.BadSignaturesPerIP)
}

// Deps are the Service's collaborators; Now is optional.
type Deps struct {
	Store   Store
	Limiter storekeep.Limiter
	Keys    storekeep.Keyring
	Now     storekeep.Clock
}

// Service implements the orders surface. It is safe for concurrent use.
type Service struct {
	Deps
	cfg Config
	// served is the node's list of the shops that keep a webhook secret,
	// by domain, read at most every ServedShopsEvery.
	served *expiring.Snapshot[map[string]int64]
}

// New returns a Service.
func New(d Deps, cfg Config) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if cfg.BadSignaturesPerIP.Count == 0 {
		cfg.BadSignaturesPerIP = DefaultConfig().BadSignaturesPerIP
	}
	return &Service{Deps: d, cfg: cfg, served: expiring.NewSnapshot[map[string]int64](ServedShopsEvery)}
}

// keyBytes is how much of the keyed hash an order key holds: 128 bits,
// written as 32 hex digits like Shopify's.
const keyBytes = 16

// keyLabel names what an order key is a hash of: the order and the address
// it was placed with, so that an order moved to another address no longer
// opens with the key its former address's customer was shown.
func keyLabel(o storekeep.Order) string {
	return "order key " + strconv.FormatInt(o.ShopID, 10) + " " + strconv.FormatInt(o.ID, 10) + " " + o.EmailKey
}

// Key is the key that opens an order, derived from the server key and the
// order's address: it is never stored, a rotated key ring still opens ids
// given out before, and an order whose address changes gets a new one.
func (s *Service) Key(o storekeep.Order) string {
	return hex.EncodeToString(s.Keys.Hash(keyLabel(o))[:keyBytes])
}

// opens reports in constant time whether key is the order's key under any
// server key.
func (s *Service) opens(o storekeep.Order, key string) bool {
	match := 0
	for _, h := range s.Keys.Hashes(keyLabel(o)) {
		match |= subtle.ConstantTimeCompare([]byte(hex.EncodeToString(h[:keyBytes])), []byte(key))
	}
	return match == 1
}

// Keyed is an order as a customer is shown it: with the key that opens it.
type Keyed struct {
	storekeep.Order
	Key string
}

// GID is the order's global id, key included.
func (k Keyed) GID() string { return storekeep.OrderGID(k.ID, k.Key) }

// keyed is o with its key.
func (s *Service) keyed(o storekeep.Order) Keyed {
	return Keyed{Order: o, Key: s.Key(o)}
}

// GID is the global id the Storefront API gives the order, key included.
func (s *Service) GID(o storekeep.Order) string { return s.keyed(o).GID() }

// StatusURL is the order's status page: the platform's when it sent one,
// else the storefront's order page, /account/orders/<id>?key=<key>.
func (s *Service) StatusURL(shop storekeep.Shop, o storekeep.Order) string {
	if o.StatusURL != "" {
		return o.StatusURL
	}
	return s.CustomerURL(shop, o)
}

// CustomerURL is the storefront's page for the order,
// /account/orders/<id>?key=<key>, under the shop's link base.
func (s *Service) CustomerURL(shop storekeep.Shop, o storekeep.Order) string {
	return shop.LinkBase(s.cfg.DefaultStorefrontURL) + "/account/orders/" + strconv.FormatInt(o.ID, 10) + "?key=" + s.Key(o)
}

// ByGID returns the shop's order that gid names, when gid carries the key
// that opens it; found is false for any other id, an unknown or deleted
// order, a missing or wrong key (one made before the order's address
// changed among them) alike. The order is read only once its key opens it.
func (s *Service) ByGID(ctx context.Context, shop storekeep.Shop, gid string) (Keyed, bool, error) {
	id, key, ok := storekeep.ParseOrderGID(gid)
	if !ok || len(key) != 2*keyBytes {
		return Keyed{}, false, nil
	}
	emailKey, err := s.Store.OrderEmailKey(ctx, shop.ID, id)
	if err == nil && s.opens(storekeep.Order{ShopID: shop.ID, ID: id, EmailKey: emailKey}, key) {
		var o storekeep.Order
		if o, err = s.Store.OrderByID(ctx, shop.ID, id); err == nil {
			return s.keyed(o), true, nil
		}
	}
	if errors.Is(err, storekeep.ErrNotFound) {
		err = nil
	}
	return Keyed{}, false, err
}
