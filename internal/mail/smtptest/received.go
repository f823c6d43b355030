package smtptest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
)

// Received is one message as the server got it, parsed.
type Received struct {
	// EnvelopeFrom and Recipients are the MAIL FROM and RCPT TO addresses.
	EnvelopeFrom string
	Recipients   []string
	// BodyType is MAIL FROM's BODY parameter: 8BITMIME, or empty.
	BodyType string
	// From and Subject are the decoded header fields; To is the first
	// address of the To header field, without display name.
	From    string
	To      string
	Subject string
	// MessageID is the Message-ID without angle brackets.
	MessageID string
	// TLS reports whether the message came over an encrypted connection.
	TLS bool
	// Helo is the name the client gave in HELO or EHLO, which relays
	// record in the Received field they add.
	Helo   string
	Header mail.Header
	// Text and HTML are the decoded text/plain and text/html parts.
	Text string
	HTML string
	// TextEncoding and HTMLEncoding are those parts' Content-Transfer-Encoding,
	// lower-cased ("" when the part has none).
	TextEncoding string
	HTMLEncoding string
	Raw          []byte
}

func parse(raw []byte) (Received, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Received{}, err
	}
	var dec mime.WordDecoder
	rec := Received{Header: msg.Header, Raw: raw}
	if rec.From, err = dec.DecodeHeader(msg.Header.Get("From")); err != nil {
		//lint:ignore ST1005 the error names the header field, as mail spells it
		return Received{}, fmt.Errorf("From: %w", err)
	}
	if rec.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		//lint:ignore ST1005 the error names the header field, as mail spells it
		return Received{}, fmt.Errorf("Subject: %w", err)
	}
	if to, err := msg.Header.AddressList("To"); err == nil && len(to) > 0 {
		rec.To = to[0].Address
	}
	rec.MessageID = strings.Trim(strings.TrimSpace(msg.Header.Get("Message-Id")), "<>")
	return rec, rec.walk(textproto.MIMEHeader(msg.Header), msg.Body)
}

// walk collects the first text/plain and text/html parts of a possibly
// nested multipart body.
func (rec *Received) walk(h textproto.MIMEHeader, body io.Reader) error {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("Content-Type: %w", err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := rec.walk(part.Header, part); err != nil {
				return err
			}
		}
	}
	encoding := strings.ToLower(h.Get("Content-Transfer-Encoding"))
	switch encoding {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("%s part: %w", mediaType, err)
	}
	switch {
	case mediaType == "text/plain" && rec.Text == "":
		rec.Text, rec.TextEncoding = string(data), encoding
	case mediaType == "text/html" && rec.HTML == "":
		rec.HTML, rec.HTMLEncoding = string(data), encoding
	}
	return nil
}
