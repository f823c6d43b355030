package storetest

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/storekeep/storekeep"
)

// A client that hangs up cancels its request's context while the store
// works for it, often in several calls at once (a GraphQL request's
// fields). leavers such clients make leaves requests each, of fields
// calls, and hang up within the first 1.5 ms.
const leavers, leaves, fields = 8, 150, 10

var cancelRules = []rule{
	{"ACallerThatLeavesNeverFailsAnother", func(f fixture) {
		leaving(f, func() (context.Context, context.CancelFunc) {
			ctx, hangUp := context.WithCancel(f.ctx)
			time.AfterFunc(time.Duration(rand.IntN(1500))*time.Microsecond, hangUp)
			return ctx, hangUp
		}, func(ctx context.Context, err error) bool { return errors.Is(err, context.Canceled) })
	}},
	{"ACallerWhoseDeadlinePassesNeverFailsAnother", func(f fixture) {
		leaving(f, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(f.ctx, time.Duration(rand.IntN(1500))*time.Microsecond)
		}, func(ctx context.Context, err error) bool {
			deadline, _ := ctx.Deadline()
			return !time.Now().Before(deadline)
		})
	}},
}

// leaving runs leavers clients whose requests' contexts come from
// request and end while the store works for them, and three that stay,
// and fails when a client that stayed meets an error, or one that left
// meets an error own does not count as its leaving.
func leaving(f fixture, request func() (context.Context, context.CancelFunc), own func(context.Context, error) bool) {
	shop := f.shop("leave.example")
	c := f.verifiedCustomer(shop, "stays@leave.example")
	tok := f.accessToken(c, t0.Add(time.Hour))
	leaver := f.verifiedCustomer(shop, "leaves@leave.example")
	f.job(c)

	var mu sync.Mutex
	var stayerErrs, leaverErrs []error
	note := func(errs *[]error, err error) {
		mu.Lock()
		defer mu.Unlock()
		*errs = append(*errs, err)
	}
	done := make(chan struct{})
	var stayers sync.WaitGroup
	for range 3 {
		stayers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				_, err := f.s.AccessTokenByHash(f.ctx, shop.ID, [][]byte{tok.Hash}, t0)
				if err == nil {
					_, err = f.s.Claim(f.ctx, t0, time.Nanosecond, 10)
				}
				if err != nil {
					note(&stayerErrs, err)
				}
			}
		})
	}

	call := func(ctx context.Context, i int) error {
		if i%2 == 0 {
			_, err := f.s.AccessTokenByHash(ctx, shop.ID, [][]byte{tok.Hash}, t0)
			return err
		}
		_, err := f.s.CreateAccessToken(ctx, storekeep.AccessToken{
			ShopID: leaver.ShopID, CustomerID: leaver.ID, Hash: f.keys.Hash(f.token()), ExpiresAt: t0.Add(time.Hour), CreatedAt: t0,
		}, "")
		return err
	}
	var clients sync.WaitGroup
	for range leavers {
		clients.Go(func() {
			for range leaves {
				ctx, hangUp := request()
				var calls sync.WaitGroup
				for i := range fields {
					calls.Go(func() {
						if err := call(ctx, i); err != nil && !own(ctx, err) {
							note(&leaverErrs, err)
						}
					})
				}
				calls.Wait()
				hangUp()
			}
		})
	}
	clients.Wait()
	close(done)
	stayers.Wait()
	if len(stayerErrs) > 0 {
		f.Fatalf("callers that stayed met %d errors while others left, such as %v", len(stayerErrs), stayerErrs[0])
	}
	if len(leaverErrs) > 0 {
		f.Fatalf("callers that left met %d errors not of their leaving, such as %v",
			len(leaverErrs), leaverErrs[0])
	}
}
