package mail_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/mail"
	"github.com/storekeep/storekeep/internal/mail/smtptest"
)

// discardSink is a go-smtp server on loopback that accepts every message
// and keeps only a count, so that a long benchmark does not fill memory.
type discardSink struct {
	srv      *smtp.Server
	ln       net.Listener
	received atomic.Int64
}

func startDiscardSink(b *testing.B) *discardSink {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	s := &discardSink{ln: ln}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &discardSession{s}, nil }))
	s.srv.Domain = "localhost"
	s.srv.ReadTimeout = time.Minute
	s.srv.WriteTimeout = time.Minute
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	go s.srv.Serve(ln)
	b.Cleanup(func() { s.srv.Close() })
	return s
}

type discardSession struct{ sink *discardSink }

func (x *discardSession) Mail(string, *smtp.MailOptions) error { return nil }
func (x *discardSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (x *discardSession) Reset()                               {}
func (x *discardSession) Logout() error                        { return nil }
func (x *discardSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	x.sink.received.Add(1)
	return nil
}

// resetMail is a reset mail rendered with the embedded templates.
func resetMail(b *testing.B) mail.Message {
	b.Helper()
	r, err := mail.NewRenderer("")
	if err != nil {
		b.Fatal(err)
	}
	msg, err := r.Render(testShop, testMail(storekeep.TemplateReset, "en"), "no-reply@shop.example")
	if err != nil {
		b.Fatal(err)
	}
	return msg
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSMTPPoolSend sends rendered reset mails from 64 goroutines at
// once through a pool of 4 connections, as the outbox worker does, to a
// go-smtp server in the same process. cpu-µs/mail counts both sides.
func BenchmarkSMTPPoolSend(b *testing.B) {
	sink := startDiscardSink(b)
	pool, err := mail.NewSMTPPool("smtp://"+sink.ln.Addr().String(), 4)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	msg := resetMail(b)
	if err := pool.Send(context.Background(), msg); err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	b.SetParallelism(32)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m := msg
			m.To = fmt.Sprintf("c%d@example.com", n.Add(1))
			if err := pool.Send(context.Background(), m); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mails/s")
	b.ReportMetric(float64((cpuTime(b)-cpu).Microseconds())/float64(b.N), "cpu-µs/mail")
}

// BenchmarkRender renders a reset mail with the embedded templates.
func BenchmarkRender(b *testing.B) {
	r, err := mail.NewRenderer("")
	if err != nil {
		b.Fatal(err)
	}
	m := testMail(storekeep.TemplateReset, "en")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Render(testShop, m, "no-reply@shop.example"); err != nil {
			b.Fatal(err)
		}
	}
}

// startAcrossALink starts a server whose replies arrive 2 ms after it
// wrote them and that leaves out the extensions named in hidden.
func startAcrossALink(b *testing.B, hidden []string) *smtptest.Server {
	opts := []smtptest.Option{smtptest.WithLatency(2 * time.Millisecond)}
	if hidden != nil {
		opts = append(opts, smtptest.WithoutExtensions(hidden...))
	}
	return smtptest.Start(b, opts...)
}

// BenchmarkSMTPSendAcrossALink sends reset mails one after another over one
// connection to a server whose replies arrive 2 ms after it wrote them, as
// over a link with that round trip: each way a server allows a message to
// go. mails/s is what one connection carries across such a link.
func BenchmarkSMTPSendAcrossALink(b *testing.B) {
	msg := resetMail(b)
	for _, tc := range []struct {
		name   string
		hidden []string
	}{
		{"PIPELINING and CHUNKING", nil},
		{"PIPELINING alone", []string{"CHUNKING"}},
		{"neither", []string{"PIPELINING", "CHUNKING"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv := startAcrossALink(b, tc.hidden)
			s, err := mail.NewSMTPSender(srv.URL())
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if err := s.Send(context.Background(), msg); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				m := msg
				m.To = fmt.Sprintf("c%d@example.com", i)
				if err := s.Send(context.Background(), m); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mails/s")
		})
	}
}

// BenchmarkSMTPPoolAcrossALink sends reset mails from 32 goroutines over a
// pool of one connection to a server whose replies arrive 2 ms after it
// wrote them: sends that wait for the connection go together, in one
// write where the server takes PIPELINING and CHUNKING. mails/s is what
// one busy connection carries across such a link.
func BenchmarkSMTPPoolAcrossALink(b *testing.B) {
	msg := resetMail(b)
	for _, tc := range []struct {
		name   string
		hidden []string
	}{
		{"PIPELINING and CHUNKING", nil},
		{"PIPELINING alone", []string{"CHUNKING"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv := startAcrossALink(b, tc.hidden)
			pool, err := mail.NewSMTPPool(srv.URL(), 1)
			if err != nil {
				b.Fatal(err)
			}
			defer pool.Close()
			if err := pool.Send(context.Background(), msg); err != nil {
				b.Fatal(err)
			}
			var n atomic.Int64
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					m := msg
					m.To = fmt.Sprintf("c%d@example.com", n.Add(1))
					if err := pool.Send(context.Background(), m); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mails/s")
		})
	}
}
