package loadtest

import (
	"net"
	"sync"
)

// maxHeldReplies is the most reply bytes a sink connection holds before
// it writes them without waiting for its next read.
const maxHeldReplies = 4 << 10

// replyListener hands out connections that hold what the server writes
// until it next reads, as a relay such as Postfix does for a pipelining
// client: the replies to a group of commands that arrived in one write go
// back in one write, rather than one each. Nothing waits: a server reads
// again only once it has answered all it read.
type replyListener struct{ net.Listener }

func (l replyListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &replyConn{Conn: c}, nil
}

// replyConn holds writes until the next Read or Close, or until
// maxHeldReplies bytes are held.
type replyConn struct {
	net.Conn
	mu   sync.Mutex
	held []byte
}

func (c *replyConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held = append(c.held, p...)
	if len(c.held) >= maxHeldReplies {
		if err := c.flushLocked(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (c *replyConn) Read(p []byte) (int, error) {
	if err := c.flush(); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

func (c *replyConn) Close() error {
	c.flush()
	return c.Conn.Close()
}

func (c *replyConn) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flushLocked()
}

func (c *replyConn) flushLocked() error {
	if len(c.held) == 0 {
		return nil
	}
	_, err := c.Conn.Write(c.held)
	c.held = c.held[:0]
	return err
}
