package loadtest

import (
	"net"
	"net/smtp"
	"testing"
	"time"
)

func TestSinkHandsEachResetMailToTheOldestExpectationForItsAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := serveSink(ln)
	defer s.close()
	send := func(to, body string) {
		t.Helper()
		msg := "From: shop@shop.example\r\nTo: " + to + "\r\nSubject: x\r\n\r\n" + body + "\r\n"
		if err := smtp.SendMail(s.addr(), nil, "shop@shop.example", []string{to}, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	got := make(chan string, 3)
	deliver := func(name string) func(arrival) { return func(a arrival) { got <- name + " " + a.Token } }
	s.expect("Ada@example.com", deliver("first"))
	cancel := s.expect("ada@example.com", deliver("cancelled"))
	s.expect("ada@example.com", deliver("third"))
	cancel()

	send("ada@example.com", "Your password was changed.")
	send("ada@example.com", "https://shop.example/account/reset/7/tok1")
	send("ada@example.com", "https://shop.example/account/reset/7/tok2")
	send("bo@example.com", "https://shop.example/account/reset/8/tok3")
	for _, want := range []string{"first tok1", "third tok2"} {
		select {
		case g := <-got:
			if g != want {
				t.Fatalf("got %q, want %q", g, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no delivery for %q", want)
		}
	}
	if s.strays() != 1 {
		t.Fatalf("%d strays, want the one mail to bo@", s.strays())
	}
	s.forget()
	send("ada@example.com", "https://shop.example/account/reset/7/tok4")
	if s.strays() != 2 || len(got) != 0 {
		t.Fatalf("after forget: %d strays, %d deliveries", s.strays(), len(got))
	}
}
