package mail

import (
	"cmp"
	"errors"
	"fmt"
	netmail "net/mail"

	"github.com/storekeep/storekeep"
)

// sender is who a shop's mail is from and where replies go.
type sender struct {
	fromName, from       string
	replyToName, replyTo string
}

// senderOf picks the shop's own From, else fallback, and the shop's
// Reply-To, each split into display name and bare address. A name is
// flattened to one line as it reads decoded: an RFC 2047 encoded word
// passes a check of the setting as typed and decodes to any byte.
func senderOf(shop storekeep.Shop, fallback string) (sender, error) {
	var s sender
	from := cmp.Or(shop.MailFrom, fallback)
	if from == "" {
		return s, errors.New("mail: no from address")
	}
	var err error
	if s.fromName, s.from, err = splitAddress(shop, "from", from); err != nil {
		return s, err
	}
	if shop.ReplyTo != "" {
		if s.replyToName, s.replyTo, err = splitAddress(shop, "reply-to", shop.ReplyTo); err != nil {
			return s, err
		}
	}
	return s, nil
}

func splitAddress(shop storekeep.Shop, field, addr string) (name, bare string, err error) {
	a, err := netmail.ParseAddress(addr)
	if err != nil {
		return "", "", fmt.Errorf("mail: shop %s: %s address %q: %w", shop.Domain, field, addr, err)
	}
	return storekeep.OneLine(a.Name), a.Address, nil
}
