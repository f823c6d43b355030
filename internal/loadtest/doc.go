// Package loadtest drives a running storekeep server's Storefront API with
// concurrent clients and reports throughput, latency and outcomes per
// scenario. It seeds its own customers through customerCreate and runs its
// own SMTP sink, so it can time recover-to-mail delivery and redeem real
// reset links. It only ever aims at this machine: the server and the sink
// must be on loopback addresses.
package loadtest
