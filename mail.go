package storekeep

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// Template names a kind of mail; each has text and HTML parts per locale.
type Template string

const (
	// TemplateReset carries a password-reset link.
	TemplateReset Template = "customer_reset"
	// TemplateActivation carries an account-activation link.
	TemplateActivation Template = "customer_activation"
	// TemplatePasswordChanged tells a customer their password changed.
	TemplatePasswordChanged Template = "password_changed"
	// TemplateEmailChanged tells a customer, at their former address, that
	// their account's email address changed.
	TemplateEmailChanged Template = "email_changed"
	// TemplateAccountExists tells a customer that someone tried to sign up
	// with their address, in a shop that does not reveal which addresses
	// have accounts.
	TemplateAccountExists Template = "account_exists"
	// TemplateOrdersWaiting tells the owner of an address that an account
	// signed up with it has orders it can see once the address is proved,
	// with a reset link that proves it.
	TemplateOrdersWaiting Template = "orders_waiting"
)

// Mail is a message queued in the outbox. Data holds the template's
// variables; stores keep it encrypted at rest because it may carry a
// one-time link.
type Mail struct {
	ID       int64
	ShopID   int64
	To       string
	Template Template
	Locale   string
	Data     MailData
	// MessageID is the RFC 5322 Message-ID, fixed when the mail is queued so
	// that a resend is recognisably the same message.
	MessageID string
	Attempts  int
	CreatedAt time.Time
}

// MailData are the variables a mail's template is rendered with; each is
// optional but URL, which reset and activation mail need.
type MailData struct {
	// URL is the one-time reset or activation link.
	URL string `json:"url,omitempty"`
	// ShopName overrides the shop's name.
	ShopName     string `json:"shop_name,omitempty"`
	FirstName    string `json:"first_name,omitempty"`
	Email        string `json:"email,omitempty"`
	ExpiresHours string `json:"expires_hours,omitempty"`
	// NewEmail is the address an email_changed notice announces.
	NewEmail string `json:"new_email,omitempty"`
}

// MailStatus is where an outbox row stands.
type MailStatus string

const (
	MailPending MailStatus = "pending"
	MailSent    MailStatus = "sent"
	MailFailed  MailStatus = "failed"
)

// MailboxMessage is a rendered message kept by the development mailbox.
type MailboxMessage struct {
	ID         int64
	ShopID     int64
	MessageID  string
	From       string
	To         string
	Subject    string
	Text       string
	HTML       string
	ReceivedAt time.Time
}

// NewMessageID returns a random RFC 5322 Message-ID in domain.
func NewMessageID(domain string) (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "<" + hex.EncodeToString(b) + "@" + domain + ">", nil
}

// PasswordChangedMail builds the "your password was changed" notice.
func PasswordChangedMail(shop Shop, c Customer, locale string, now time.Time) (Mail, error) {
	return noticeMail(shop, c, TemplatePasswordChanged, locale, now)
}

// AccountExistsMail builds the "someone tried to sign up with your
// address" notice, with a link to the storefront's sign-in page.
func AccountExistsMail(shop Shop, c Customer, locale string, now time.Time) (Mail, error) {
	m, err := noticeMail(shop, c, TemplateAccountExists, locale, now)
	if err != nil {
		return Mail{}, err
	}
	m.Data.URL = shop.LinkBase("") + "/account/login"
	return m, nil
}

func noticeMail(shop Shop, c Customer, tmpl Template, locale string, now time.Time) (Mail, error) {
	id, err := NewMessageID(shop.Domain)
	if err != nil {
		return Mail{}, err
	}
	return Mail{
		ShopID:    shop.ID,
		To:        c.Email,
		Template:  tmpl,
		Locale:    locale,
		MessageID: id,
		CreatedAt: now,
		Data:      MailData{ShopName: shop.Name, FirstName: c.GreetingName(), Email: c.Email},
	}, nil
}

// EmailChangedMail builds the notice sent to c's former address when its
// account's address becomes newEmail.
func EmailChangedMail(shop Shop, c Customer, newEmail, locale string, now time.Time) (Mail, error) {
	m, err := PasswordChangedMail(shop, c, locale, now)
	if err != nil {
		return Mail{}, err
	}
	m.Template = TemplateEmailChanged
	m.Data.NewEmail = newEmail
	return m, nil
}
