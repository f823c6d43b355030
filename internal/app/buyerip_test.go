package app_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/server"
)

// privateWithBuyerIPs sends the private token and each of ips as a
// Shopify-Storefront-Buyer-IP line of its own, as from a storefront server
// that passes its client's headers on and adds its own line.
func privateWithBuyerIPs(n *node, ips ...string) func(*request) {
	return func(r *request) {
		r.headers[server.PublicTokenHeader] = ""
		r.headers[server.PrivateTokenHeader] = n.private
		for _, ip := range ips {
			r.added = append(r.added, [2]string{server.BuyerIPHeader, ip})
		}
	}
}

// A Buyer-IP given more than once, in lines or in one comma-separated
// line, names no one buyer: it is ignored, so a client whose header a
// storefront server passes on ahead of its own cannot spend another
// buyer's allowance by naming that buyer's address first.
func TestAMultiValuedBuyerIPSpendsNoNamedBuyersAllowance(t *testing.T) {
	const perIP = 3
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.Recovery.RecoverPerIP = storekeep.Limit{Count: perIP, Per: time.Hour}
	})
	const victim, attacker = "198.51.100.30", "203.0.113.30"
	for i := range perIP + 1 {
		n.recover(fmt.Sprintf("lines-%d@example.com", i), privateWithBuyerIPs(n, victim, attacker))
	}
	if r, _ := n.recover("victim@example.com", privateAs(n, victim)); isThrottled(r, "customerRecover", recoverThrottle) {
		t.Fatalf("two Buyer-IP lines, the victim's first, spent the victim's allowance: %s", r.Raw)
	}
	for i := range perIP + 1 {
		n.recover(fmt.Sprintf("attacker-%d@example.com", i), privateWithBuyerIPs(n, attacker, victim))
	}
	if r, _ := n.recover("victim-2@example.com", privateAs(n, victim)); isThrottled(r, "customerRecover", recoverThrottle) {
		t.Fatalf("two Buyer-IP lines, the victim's last, spent the victim's allowance: %s", r.Raw)
	}
	if r, _ := n.recover("attacker@example.com", privateAs(n, attacker)); isThrottled(r, "customerRecover", recoverThrottle) {
		t.Fatalf("two Buyer-IP lines spent the allowance of the address named first: %s", r.Raw)
	}
}
