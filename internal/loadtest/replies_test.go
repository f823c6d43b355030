package loadtest

import (
	"bufio"
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"sync/atomic"
	"testing"
)

// writeCounter counts the writes its connections make on the socket.
type writeCounter struct {
	net.Listener
	writes atomic.Int64
}

func (l *writeCounter) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	return countedConn{c, &l.writes}, err
}

type countedConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countedConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

func TestSinkAnswersAPipelinedGroupInOneWrite(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	counted := &writeCounter{Listener: ln}
	s := serveSink(counted)
	defer s.close()
	conn, err := net.Dial("tcp", s.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	text := textproto.NewConn(conn)
	if _, _, err := text.ReadResponse(220); err != nil {
		t.Fatal(err)
	}
	if err := text.PrintfLine("EHLO client.test"); err != nil {
		t.Fatal(err)
	}
	_, ext, err := text.ReadResponse(250)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"PIPELINING", "CHUNKING"} {
		if !strings.Contains(ext, want) {
			t.Fatalf("sink does not announce %s: %q", want, ext)
		}
	}
	before := counted.writes.Load()

	got := make(chan arrival, 2)
	var group strings.Builder
	for i := range 2 {
		to := fmt.Sprintf("c%d@example.com", i)
		s.expect(to, func(a arrival) { got <- a })
		msg := "From: shop@shop.example\r\nTo: " + to + "\r\nSubject: x\r\n\r\n" +
			fmt.Sprintf("https://shop.example/account/reset/%d/tok%d\r\n", i, i)
		fmt.Fprintf(&group, "MAIL FROM:<shop@shop.example>\r\nRCPT TO:<%s>\r\nBDAT %d LAST\r\n%s", to, len(msg), msg)
	}
	if _, err := conn.Write([]byte(group.String())); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	for i := range 6 {
		line, err := r.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "250 ") {
			t.Fatalf("reply %d: %q, %v", i, line, err)
		}
	}
	if n := counted.writes.Load() - before; n != 1 {
		t.Fatalf("the sink answered a group of 6 commands in %d writes, want 1", n)
	}
	for i := range 2 {
		if a := <-got; a.Token != fmt.Sprintf("tok%d", a.CustomerID) {
			t.Fatalf("mail %d: %+v", i, a)
		}
	}

	if _, err := conn.Write([]byte("QUIT\r\n")); err != nil {
		t.Fatal(err)
	}
	if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "221 ") {
		t.Fatalf("QUIT: %q, %v: a reply held at close must still go out", line, err)
	}
}
