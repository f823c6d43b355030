package postgres

import (
	"context"
	"math/rand/v2"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/store/postgres/pgtest"
	"github.com/storekeep/storekeep/internal/store/storetest"
)

// Clients that hang up mid-request must not cost the database a
// connection each: a closed connection is a new backend process to fork
// and authenticate for the next caller, so a flood of requests cut off
// early would become a flood of connections. With the pool at its size,
// 2,000 calls whose contexts end at random in their first 1.5 ms leave
// the same backends serving it.
func TestHungUpCallersCostNoConnections(t *testing.T) {
	const pool, clients, requests, fields = 8, 8, 25, 10
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	name := q.Get("search_path")
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	s, err := Open(t.Context(), u.String(), Options{Sealer: storetest.NewKeyring(t), MaxConns: pool})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	shop, err := s.CreateShop(ctx, storekeep.Shop{Domain: "hangup.example", Name: "Hang-up", StorefrontURL: "https://hangup.example",
		Enumeration: storekeep.EnumerationPrivate, Locale: "en", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateCustomer(ctx, storekeep.Customer{ShopID: shop.ID, Email: "a@hangup.example", EmailKey: "a@hangup.example",
		State: storekeep.CustomerEnabled, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	hash := []byte("0123456789abcdef0123456789abcdef")
	if _, err := s.CreateAccessToken(ctx, storekeep.AccessToken{ShopID: shop.ID, CustomerID: c.ID, Hash: hash,
		ExpiresAt: now.Add(time.Hour), CreatedAt: now}); err != nil {
		t.Fatal(err)
	}

	var warm sync.WaitGroup
	for range pool {
		warm.Go(func() {
			if _, err := s.db.ExecContext(ctx, `SELECT pg_sleep(0.05)`); err != nil {
				t.Error(err)
			}
		})
	}
	warm.Wait()
	backends := func() []int {
		rows, err := s.db.QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1 ORDER BY pid`, name)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var pids []int
		for rows.Next() {
			var pid int
			if err := rows.Scan(&pid); err != nil {
				t.Fatal(err)
			}
			pids = append(pids, pid)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return pids
	}
	before := backends()
	if len(before) != pool {
		t.Fatalf("the warmed pool has %d backends, want %d", len(before), pool)
	}

	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for i := range requests {
				reqCtx, hangUp := context.WithCancel(ctx)
				time.AfterFunc(time.Duration(rand.IntN(1500))*time.Microsecond, hangUp)
				var calls sync.WaitGroup
				for f := range fields {
					calls.Go(func() {
						if (i+f)%2 == 0 {
							s.AccessTokenByHash(reqCtx, shop.ID, [][]byte{hash}, now)
							return
						}
						s.CreateAccessToken(reqCtx, storekeep.AccessToken{ShopID: shop.ID, CustomerID: c.ID,
							Hash:      []byte{byte(i), byte(f), byte(rand.Uint32()), byte(rand.Uint32()), byte(rand.Uint32())},
							ExpiresAt: now.Add(time.Hour), CreatedAt: now})
					})
				}
				calls.Wait()
				hangUp()
			}
		})
	}
	wg.Wait()
	after := backends()
	var fresh int
	for _, pid := range after {
		if !slices.Contains(before, pid) {
			fresh++
		}
	}
	if fresh > 0 {
		t.Fatalf("after %d calls whose clients hung up, %d of the pool's %d backends are new (before %v, after %v)",
			clients*requests*fields, fresh, len(after), before, after)
	}
}
