package mail

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
	gomail "github.com/wneessen/go-mail"
)

// DKIMConfig says how to sign outgoing mail with DKIM.
type DKIMConfig struct {
	// KeyFile is a PEM file holding an RSA key (PKCS #1 or PKCS #8) or an
	// Ed25519 key (PKCS #8).
	KeyFile string
	// Selector names the DNS record of the public key:
	// <Selector>._domainkey.<Domain>.
	Selector string
	// Domain is the signing domain (d=); when empty, each message is
	// signed for the domain of its From address.
	Domain string
}

// DKIM signs messages with one private key. Pass it to NewSMTPSender with
// WithDKIM.
type DKIM struct {
	key      crypto.Signer
	selector string
	domain   string
}

// dkimHeaders are the header fields a signature covers. From, To and
// Subject come twice so that a second copy added in transit breaks the
// signature.
var dkimHeaders = []string{
	"From", "Reply-To", "To", "Subject", "Date", "Message-ID", "MIME-Version",
	"Content-Type", "Content-Language", "Auto-Submitted", "From", "To", "Subject",
}

var dnsName = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$`)

// LoadDKIM reads the key in c.KeyFile and returns a signer.
func LoadDKIM(c DKIMConfig) (*DKIM, error) {
	pemKey, err := os.ReadFile(c.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("mail: DKIM key: %w", err)
	}
	return NewDKIM(pemKey, c.Selector, c.Domain)
}

// NewDKIM returns a signer for a PEM-encoded RSA or Ed25519 private key.
// selector is required; domain may be empty, see DKIMConfig.Domain.
func NewDKIM(pemKey []byte, selector, domain string) (*DKIM, error) {
	if selector == "" {
		return nil, errors.New("mail: DKIM needs a selector")
	}
	if !dnsName.MatchString(selector) {
		return nil, fmt.Errorf("mail: DKIM selector %q is not a DNS name", selector)
	}
	if domain != "" && !dnsName.MatchString(domain) {
		return nil, fmt.Errorf("mail: DKIM domain %q is not a DNS name", domain)
	}
	key, err := gomail.PrivKeyFromPEM(pemKey)
	if err != nil {
		return nil, fmt.Errorf("mail: DKIM key: %w", err)
	}
	return &DKIM{key: key, selector: selector, domain: strings.ToLower(domain)}, nil
}

// sign adds a DKIM-Signature to msg, a message from the address from.
// The signature is made over msg as written; go-mail writes a message the
// same way every time (its boundaries and Date are fixed by the first
// write), so it covers the bytes sent, to which it adds its own field.
func (d *DKIM) sign(msg *gomail.Msg, from string) error {
	var raw bytes.Buffer
	if _, err := msg.WriteTo(&raw); err != nil {
		return fmt.Errorf("mail: DKIM: render message: %w", err)
	}
	domain := d.domain
	if domain == "" {
		domain = strings.ToLower(from[strings.LastIndexByte(from, '@')+1:])
	}
	signer, err := dkim.NewSigner(&dkim.SignOptions{
		Domain:                 domain,
		Selector:               d.selector,
		Signer:                 d.key,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             dkimHeaders,
	})
	if err != nil {
		return fmt.Errorf("mail: DKIM: %w", err)
	}
	if _, err := signer.Write(raw.Bytes()); err != nil {
		signer.Close()
		return fmt.Errorf("mail: DKIM: %w", err)
	}
	if err := signer.Close(); err != nil {
		return fmt.Errorf("mail: DKIM: %w", err)
	}
	name, value, _ := strings.Cut(strings.TrimSuffix(signer.Signature(), "\r\n"), ":")
	msg.SetGenHeaderPreformatted(gomail.Header(name), strings.TrimLeft(value, " "))
	return nil
}
