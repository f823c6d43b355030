package loadtest

import "net/netip"

// buyerIPBase is the first synthetic buyer IP; the addresses are only
// header values, no traffic goes to them.
var buyerIPBase = netip.MustParseAddr("10.77.0.0")

// maxBuyerIPs is how many addresses lie from buyerIPBase to the end of 10/8.
const maxBuyerIPs = (256 - 77) << 16

// buyerIPs hands one client its own block of synthetic buyer IPs, one
// after another, so per-IP limits spread as over many buyers.
type buyerIPs struct {
	first uint32
	size  uint32
	next  uint32
}

func newBuyerIPs(client, perClient int) *buyerIPs {
	b := buyerIPBase.As4()
	base := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	return &buyerIPs{first: base + uint32(client*perClient), size: uint32(perClient)}
}

// Next returns the client's next address.
func (b *buyerIPs) Next() string {
	v := b.first + b.next
	b.next = (b.next + 1) % b.size
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}).String()
}
