package smtptest

import (
	"net"
	"sync"
	"time"
)

// slowListener's connections deliver what the server writes latency after
// it was written.
type slowListener struct {
	net.Listener
	latency time.Duration
}

func (l slowListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	sc := &slowConn{
		Conn:    c,
		latency: l.latency,
		queue:   make(chan delayed, 1024),
		closing: make(chan struct{}),
		drained: make(chan struct{}),
	}
	go sc.deliver()
	return sc, nil
}

// delayed is a write and the time it is due at the client.
type delayed struct {
	p   []byte
	due time.Time
}

type slowConn struct {
	net.Conn
	latency time.Duration
	queue   chan delayed
	closing chan struct{}
	drained chan struct{}
	once    sync.Once
}

func (c *slowConn) Write(p []byte) (int, error) {
	select {
	case <-c.closing:
		return 0, net.ErrClosed
	case c.queue <- delayed{p: append([]byte(nil), p...), due: time.Now().Add(c.latency)}:
		return len(p), nil
	}
}

// deliver writes each queued write to the connection, in order, once it
// is due; on Close it delivers what is queued and ends.
func (c *slowConn) deliver() {
	defer close(c.drained)
	for {
		select {
		case d := <-c.queue:
			c.send(d)
		case <-c.closing:
			for {
				select {
				case d := <-c.queue:
					c.send(d)
				default:
					return
				}
			}
		}
	}
}

func (c *slowConn) send(d delayed) {
	time.Sleep(time.Until(d.due))
	c.Conn.Write(d.p)
}

// Close delivers what the server wrote before it, then closes.
func (c *slowConn) Close() error {
	c.once.Do(func() {
		close(c.closing)
		<-c.drained
	})
	return c.Conn.Close()
}
