package recovery

import (
	"context"
	"errors"

	"github.com/storekeep/storekeep"
)

// CheckLink tells the hosted pages whether link, a reset or activation
// link (segment "reset" or "activate") opened on one of them, can be
// redeemed, without spending it. shop is the shop of the link's customer
// when that shop's pages are hosted where the link was opened, the zero
// Shop otherwise.
//
// A link that cannot be redeemed, whatever the reason (malformed, unknown
// customer, another shop's, under another storefront path than its
// shop's, a wrong, spent or expired token), is answered alike:
// TOKEN_INVALID, or THROTTLED once the client IP has used up its
// allowance of bad links (FailedTokensPerIP) or the customer number named
// its allowance of bad tokens (FailedTokensPerCustomer, shared with the
// API's redemptions). Neither allowance depends on the shop, so that no
// answer tells which shop, if any, a customer number belongs to; the
// client's is counted first, so a client that has used it up makes no
// counter for the numbers it names. A genuine link is never refused.
func (s *Service) CheckLink(ctx context.Context, shop storekeep.Shop, segment, link string, caller storekeep.Caller) error {
	purpose := storekeep.PurposeReset
	if segment == "activate" {
		purpose = storekeep.PurposeActivation
	}
	customerID, token, ok := ParseAccountURL(link, s.linkPath(shop), segment)
	lookup := shop
	if !ok {
		// Not under shop's path, the link is bad. Its number is still read
		// and looked up in the zero Shop, which holds no token, so that its
		// cost and the allowance it counts against are those of any other
		// number's, whichever shop's path it was made under.
		customerID, token, ok = ParseAccountURL(link, accountBase(link), segment)
		lookup = storekeep.Shop{}
	}
	if ok {
		_, _, err := s.validToken(ctx, lookup, redemption{purpose: purpose, customerID: customerID, token: token})
		if !errors.Is(err, errBadToken) {
			return err
		}
	}
	var guesses []storekeep.Counter
	if ok {
		guesses = append(guesses, storekeep.Counter{Key: guessesAtCustomer(customerID), Limit: s.cfg.FailedTokensPerCustomer})
	}
	allowed, err := storekeep.AllowClientThen(ctx, s.limiter, "badlink:ip", caller.IP, s.cfg.FailedTokensPerIP, guesses...)
	if err != nil {
		return err
	}
	ev := s.audit(shop, customerID, storekeep.AuditResetFailed, caller, "hosted page: link invalid")
	var answer error = storekeep.NewError(storekeep.CodeTokenInvalid, nil, invalidTokenMessage(purpose))
	if !allowed {
		ev = s.audit(shop, customerID, storekeep.AuditThrottled, caller, "hosted page: bad link allowance used up").Folded()
		answer = storekeep.Throttled(ThrottledTokenMessage)
	}
	if err := s.store.RecordAudit(ctx, ev); err != nil {
		return err
	}
	return answer
}
