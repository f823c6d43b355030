package app_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Wrong passwords for one address sent all at once, from one IP within
// its allowance, are held to the per-address limit of failed sign-ins as
// if sent one after another: a node checks and counts an address's
// sign-ins in turn, so a burst gets no more guesses than the limit.
func TestABurstOfGuessesForOneAddressGetsNoMoreThanTheLimit(t *testing.T) {
	n := startNode(t)
	n.signUp("victim@example.com", "first-secret-1")
	const guesses = 40
	var (
		wg                  sync.WaitGroup
		mu                  sync.Mutex
		verified, throttled int
	)
	for i := range guesses {
		wg.Go(func() {
			r := n.post(loginMutation, map[string]any{"input": map[string]any{"email": "victim@example.com", "password": fmt.Sprintf("guess-%d-xyz", i)}})
			mu.Lock()
			defer mu.Unlock()
			if len(r.Errors) > 0 {
				throttled++
				return
			}
			if strings.Contains(string(r.Data["customerAccessTokenCreate"]), `"UNIDENTIFIED_CUSTOMER"`) {
				verified++
			}
		})
	}
	wg.Wait()
	if limit := 10; verified != limit || throttled != guesses-limit {
		t.Fatalf("of %d simultaneous wrong passwords for one address, %d were checked and %d throttled; want %d and %d",
			guesses, verified, throttled, limit, guesses-limit)
	}
}
