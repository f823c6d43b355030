package server

import "github.com/storekeep/storekeep"

// allClients names the bound of all clients together in what
// clientCounts.add reports.
const allClients = "all clients"

// clientCounts counts what clients hold (connections, body bytes) against
// perClient for each of a client's shares (storekeep.ClientShares: its own
// count, and its IPv6 networks' at Times perClient) and total for all.
// Its owner serialises the calls.
type clientCounts struct {
	perClient, total int64
	held             map[string]int64
	all              int64
}

func newClientCounts(perClient, total int64) clientCounts {
	return clientCounts{perClient: perClient, total: total, held: make(map[string]int64)}
}

// add counts n more for shares, or nothing and returns the bound it would
// pass (allClients, or a share's Client) and false.
func (c *clientCounts) add(shares []storekeep.ClientShare, n int64) (string, bool) {
	if c.all+n > c.total {
		return allClients, false
	}
	for _, s := range shares {
		if c.held[s.Client]+n > c.perClient*int64(s.Times) {
			return s.Client, false
		}
	}
	for _, s := range shares {
		c.held[s.Client] += n
	}
	c.all += n
	return "", true
}

// remove gives back n that add counted for shares.
func (c *clientCounts) remove(shares []storekeep.ClientShare, n int64) {
	for _, s := range shares {
		if c.held[s.Client] -= n; c.held[s.Client] <= 0 {
			delete(c.held, s.Client)
		}
	}
	c.all -= n
}
