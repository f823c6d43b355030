package mail_test

import (
	"context"
	"os"
	"testing"

	"github.com/storekeep/storekeep/internal/mail/smtptest"
)

// Relays write the name a client greets them with into the Received
// field of every mail they pass on, where its reader sees it: the node's
// own host name (a container's or a machine's internal name) must not go
// out unless the operator says so. The greeting is "localhost", as Go's
// net/smtp sends, or the URL's helo option.
func TestTheSMTPGreetingNamesNoNode(t *testing.T) {
	srv := smtptest.Start(t)
	for _, tc := range []struct{ url, want string }{
		{srv.URL(), "localhost"},
		{srv.URL() + "?helo=mail.shop.example", "mail.shop.example"},
	} {
		if err := newSender(t, tc.url).Send(context.Background(), testMessage("ana@example.com")); err != nil {
			t.Fatal(err)
		}
		msgs := srv.Messages()
		if got := msgs[len(msgs)-1].Helo; got != tc.want {
			host, _ := os.Hostname()
			t.Errorf("%s: greeted as %q (host name %q), want %q", tc.url, got, host, tc.want)
		}
	}
}
