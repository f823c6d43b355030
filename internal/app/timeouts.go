package app

import (
	"cmp"
	"time"
)

// Timeouts bound the phases of an HTTP connection, so that a client that
// sends or reads slowly cannot hold a connection open. Zero fields take
// DefaultTimeouts' values.
type Timeouts struct {
	// ReadHeader is how long a client may take to send the request headers.
	ReadHeader time.Duration
	// Read is how long it may take to send the whole request.
	Read time.Duration
	// Write is how long the server may take to answer, from the end of the
	// request headers.
	Write time.Duration
	// Idle is how long a kept-alive connection may wait for its next request.
	Idle time.Duration
}

// DefaultTimeouts suit a public endpoint whose slowest answer hashes a
// password behind a queue.
var DefaultTimeouts = Timeouts{ReadHeader: 5 * time.Second, Read: 15 * time.Second, Write: 30 * time.Second, Idle: 120 * time.Second}

func (t Timeouts) withDefaults() Timeouts {
	d := DefaultTimeouts
	return Timeouts{
		ReadHeader: cmp.Or(t.ReadHeader, d.ReadHeader),
		Read:       cmp.Or(t.Read, d.Read),
		Write:      cmp.Or(t.Write, d.Write),
		Idle:       cmp.Or(t.Idle, d.Idle),
	}
}
