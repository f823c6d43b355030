// Package mail renders storekeep's mail from templates and sends it, over
// SMTP or into the development mailbox.
package mail

import "context"

// Message is a rendered mail ready to send.
type Message struct {
	// ShopID is the shop the mail speaks for; the development mailbox keeps
	// it, SMTP ignores it.
	ShopID int64
	// FromName is the display name of the sender, such as the shop's name.
	FromName string
	// From, To and ReplyTo are bare addresses; ReplyTo may be empty.
	From    string
	To      string
	ReplyTo string
	// ReplyToName is the display name of ReplyTo, if any.
	ReplyToName string
	Subject     string
	// Text is the plain-text part; HTML, when not empty, is its alternative.
	Text string
	HTML string
	// MessageID is the Message-ID without angle brackets. A message sent
	// again carries the same one.
	MessageID string
	// Headers are extra header fields, such as Auto-Submitted.
	Headers map[string]string
}

// Sender delivers messages. An error for which IsPermanent is true means
// that sending the same message again cannot succeed; any other error may
// go away on a later attempt.
type Sender interface {
	Send(ctx context.Context, m Message) error
}
