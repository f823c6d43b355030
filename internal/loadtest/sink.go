package loadtest

import (
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/storekeep/storekeep/internal/mail/smtpstop"
)

// sink is the bench's SMTP server. It accepts every message, and hands
// each reset mail to the oldest expectation registered for its To address.
type sink struct {
	srv  *smtp.Server
	ln   net.Listener
	open *smtpstop.Conns
	done chan struct{}

	mu      sync.Mutex
	waiting map[string][]*expectation

	unmatched atomic.Int64
}

// arrival is a reset mail and when the sink had it whole.
type arrival struct {
	resetMail
	At time.Time
}

type expectation struct {
	deliver func(arrival)
}

// startSink listens on addr, which must be a loopback host:port.
func startSink(addr string) (*sink, error) {
	if err := checkListenAddr(addr); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return serveSink(ln), nil
}

func serveSink(ln net.Listener) *sink {
	s := &sink{ln: ln, open: smtpstop.New(), done: make(chan struct{}), waiting: map[string][]*expectation{}}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }))
	s.srv.Domain = "bench.storekeep.test"
	s.srv.ReadTimeout = time.Minute
	s.srv.WriteTimeout = time.Minute
	s.srv.MaxMessageBytes = 1 << 20
	s.srv.MaxRecipients = 10
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	go func() {
		defer close(s.done)
		s.srv.Serve(replyListener{s.open.Listener(ln)})
	}()
	return s
}

// addr is the address the sink listens on.
func (s *sink) addr() string { return s.ln.Addr().String() }

// sinkStopWait bounds how long close waits for the sessions it cut to end.
const sinkStopWait = 5 * time.Second

// close stops the sink: it cuts its connections and waits for their
// sessions to end.
func (s *sink) close() error {
	err := s.open.Stop(s.srv, s.ln, sinkStopWait)
	<-s.done
	return err
}

// strays counts reset mails that arrived while nobody expected one for
// their address.
func (s *sink) strays() int64 { return s.unmatched.Load() }

// expect registers deliver for the next reset mail to addr; cancel removes
// it if it has not been used.
func (s *sink) expect(addr string, deliver func(arrival)) (cancel func()) {
	key := strings.ToLower(addr)
	e := &expectation{deliver: deliver}
	s.mu.Lock()
	s.waiting[key] = append(s.waiting[key], e)
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		list := s.waiting[key]
		for i, x := range list {
			if x == e {
				s.waiting[key] = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		if len(s.waiting[key]) == 0 {
			delete(s.waiting, key)
		}
	}
}

// forget drops every expectation; mails arriving for them count as unmatched.
func (s *sink) forget() {
	s.mu.Lock()
	clear(s.waiting)
	s.mu.Unlock()
}

func (s *sink) arrived(m arrival) {
	s.mu.Lock()
	list := s.waiting[m.To]
	var e *expectation
	if len(list) > 0 {
		e = list[0]
		if len(list) == 1 {
			delete(s.waiting, m.To)
		} else {
			s.waiting[m.To] = list[1:]
		}
	}
	s.mu.Unlock()
	if e == nil {
		s.unmatched.Add(1)
		return
	}
	e.deliver(m)
}

// sinkSession is one SMTP conversation with the sink.
type sinkSession struct{ sink *sink }

func (x *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (x *sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (x *sinkSession) Reset()                               {}
func (x *sinkSession) Logout() error                        { return nil }

func (x *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	at := time.Now()
	m, ok, err := parseResetMail(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Unparsable message: " + err.Error()}
	}
	if !ok {
		return nil
	}
	x.sink.arrived(arrival{resetMail: m, At: at})
	return nil
}
