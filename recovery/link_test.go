package recovery_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/recovery"
)

// Guesses at one customer's reset link count against that customer's
// allowance (FailedTokensPerCustomer) on the hosted pages as on the API,
// in one count, whatever the IPs they come from; the customer's genuine
// link still opens, and other customers are not held back.
func TestHostedPageGuessesCountPerCustomerWithTheAPIs(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationShopify, recovery.Config{})
	victim := f.customer("victim@example.com", storekeep.CustomerEnabled)
	other := f.customer("other@example.com", storekeep.CustomerEnabled)
	link := func(c storekeep.Customer, token string) string {
		return "https://shop.example/account/reset/" + strconv.FormatInt(c.ID, 10) + "/" + token
	}
	from := func(i int) storekeep.Caller {
		c := caller
		c.IP = fmt.Sprintf("198.51.100.%d", i)
		return c
	}
	allowance := recovery.DefaultConfig().FailedTokensPerCustomer.Count
	for i := range allowance {
		guess := link(victim, strings.Repeat("A", 42)+strconv.Itoa(i%10))
		var err error
		if i%2 == 0 {
			err = f.svc.CheckLink(f.ctx, f.shop, "reset", guess, from(i))
		} else {
			_, _, err = f.svc.ResetByURL(f.ctx, f.shop, guess, "a new passphrase", from(i))
		}
		if code(err) != storekeep.CodeTokenInvalid {
			t.Fatalf("guess %d: %v, want TOKEN_INVALID", i+1, err)
		}
	}
	if err := f.svc.CheckLink(f.ctx, f.shop, "reset", link(victim, strings.Repeat("B", 43)), from(200)); code(err) != storekeep.CodeThrottled {
		t.Errorf("a hosted-page guess past the customer's allowance, from a new IP: %v, want THROTTLED", err)
	}
	if _, _, err := f.svc.ResetByURL(f.ctx, f.shop, link(victim, strings.Repeat("C", 43)), "a new passphrase", from(201)); code(err) != storekeep.CodeThrottled {
		t.Errorf("an API guess past the customer's allowance, from a new IP: %v, want THROTTLED", err)
	}
	if err := f.svc.CheckLink(f.ctx, f.shop, "reset", link(other, strings.Repeat("D", 43)), from(202)); code(err) != storekeep.CodeTokenInvalid {
		t.Errorf("a guess at another customer: %v, want TOKEN_INVALID", err)
	}
	if err := f.svc.CheckLink(f.ctx, f.shop, "reset", f.resetURL("victim@example.com"), from(203)); err != nil {
		t.Errorf("the victim's genuine link, past the allowance: %v", err)
	}
}
