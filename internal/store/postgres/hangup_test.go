package postgres

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
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
		Enumeration: storekeep.EnumerationPrivate, Locale: "en", CreatedAt: now}, storekeep.ShopSecrets{})
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
		ExpiresAt: now.Add(time.Hour), CreatedAt: now}, ""); err != nil {
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
							ExpiresAt: now.Add(time.Hour), CreatedAt: now}, "")
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

// A statement stalled on a server that stopped answering (a lost network)
// is still given up once its caller has left: the grace that lets a short
// statement finish does not hold a caller, its goroutine and its
// connection for as long as TCP takes to notice. The bound here, 30 s, is
// far beyond the grace; without one the call would wait for minutes.
func TestACallerThatLeavesAStalledStatementGetsItsAnswer(t *testing.T) {
	s := stalledStore(t)
	answersWhenItLeaves(t, "a statement stalled on a silent server", func(ctx context.Context) error {
		_, err := s.AccessTokenByHash(ctx, 1, [][]byte{[]byte("0123456789abcdef0123456789abcdef")}, time.Now())
		return err
	})
}

// stalledStore is stallableStore's store, stalled at once.
func stalledStore(t *testing.T) *Store {
	t.Helper()
	s, proxy := stallableStore(t)
	proxy.stall()
	return s
}

// stallableStore opens a migrated store of one connection through a
// proxy that stops forwarding when told to, once the store has answered a
// ping.
func stallableStore(t *testing.T) (*Store, *stallingProxy) {
	t.Helper()
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	openMigrated(t, u.String()).Close()
	proxy := newStallingProxy(t, u.Host)
	u.Host = proxy.addr
	s, err := Open(t.Context(), u.String(), Options{Sealer: storetest.NewKeyring(t), MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s, proxy
}

// answersWhenItLeaves runs call under a context its caller leaves after
// 50 ms and fails unless call returns that context's cancellation within
// 30 s (what stands for "at once" against a wait of minutes).
func answersWhenItLeaves(t *testing.T, what string, call func(ctx context.Context) error) {
	t.Helper()
	ctx, hangUp := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, hangUp)
	done := make(chan error, 1)
	go func() { done <- call(ctx) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("%s: the call ended with %v, want its context's cancellation", what, err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%s: the call still waits 30 s after its caller left", what)
	}
}

// stallingProxy forwards TCP to a server until stall, after which it
// forwards nothing more, as a lost network would, and keeps the
// connections open.
type stallingProxy struct {
	addr            string
	stalled, closed chan struct{}
	once            sync.Once
}

func newStallingProxy(t *testing.T, target string) *stallingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &stallingProxy{addr: ln.Addr().String(), stalled: make(chan struct{}), closed: make(chan struct{})}
	var conns []net.Conn
	var mu sync.Mutex
	t.Cleanup(func() {
		ln.Close()
		close(p.closed)
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, client, server)
			mu.Unlock()
			go p.pipe(server, client)
			go p.pipe(client, server)
		}
	}()
	return p
}

func (p *stallingProxy) stall() { p.once.Do(func() { close(p.stalled) }) }

func (p *stallingProxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		select {
		case <-p.stalled:
			<-p.closed
			return
		default:
		}
		if n > 0 {
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// A transaction's BEGIN stalled on a silent server is given up once its
// caller has left, as a single statement is.
func TestACallerThatLeavesAStalledTransactionGetsItsAnswer(t *testing.T) {
	s := stalledStore(t)
	answersWhenItLeaves(t, "a transaction stalled on a silent server", func(ctx context.Context) error {
		_, err := s.CreateAddress(ctx, storekeep.MailingAddress{ShopID: 1, CustomerID: 1, Address1: "1 Main St"}, 10,
			storekeep.AuditEvent{ShopID: 1, CustomerID: 1, Kind: storekeep.AuditAddressCreated})
		return err
	})
}

// A caller that leaves while its transaction waits for a connection of a
// busy pool gets its answer without the connection: the pool's one
// connection is held until the call has returned.
func TestACallerThatLeavesWhileATransactionWaitsForAConnectionGetsItsAnswer(t *testing.T) {
	u := pgtest.URL(t)
	openMigrated(t, u).Close()
	s, err := Open(t.Context(), u, Options{Sealer: storetest.NewKeyring(t), MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	held, err := s.db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	answersWhenItLeaves(t, "a transaction waiting for a busy pool", func(ctx context.Context) error {
		_, err := s.CreateAddress(ctx, storekeep.MailingAddress{ShopID: 1, CustomerID: 1, Address1: "1 Main St"}, 10,
			storekeep.AuditEvent{ShopID: 1, CustomerID: 1, Kind: storekeep.AuditAddressCreated})
		return err
	})
}

// A transaction's COMMIT or ROLLBACK stalled on a silent server is given
// up once its caller has left, as its statements are, and the pool's one
// connection is given back.
func TestACallerThatLeavesAStalledCommitOrRollbackGetsItsAnswer(t *testing.T) {
	for _, end := range []string{"commit", "rollback", "rollback after leaving"} {
		t.Run(end, func(t *testing.T) {
			s, proxy := stallableStore(t)
			ctx, hangUp := context.WithCancel(t.Context())
			defer hangUp()
			tx, err := s.db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.ExecContext(ctx, `SELECT 1`); err != nil {
				t.Fatal(err)
			}
			proxy.stall()
			if end == "rollback after leaving" {
				hangUp()
			} else {
				time.AfterFunc(50*time.Millisecond, hangUp)
			}
			done := make(chan error, 1)
			go func() {
				if end == "commit" {
					done <- tx.Commit()
				} else {
					done <- tx.Rollback()
				}
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatalf("%s: stalled on a silent server, it still holds its caller 30 s after the caller left", end)
			}
			for deadline := time.Now().Add(30 * time.Second); s.db.Stats().InUse > 0; time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("%s: 30 s after its caller left, the pool's connection is still in use: %+v", end, s.db.Stats())
				}
			}
		})
	}
}
