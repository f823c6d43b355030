package loadtest

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
)

// resetLink matches a reset URL: <storefront>[/<locale>]/account/reset/<n>/<token>.
var resetLink = regexp.MustCompile(`https?://[^\s"'<>]*/account/reset/([0-9]+)/([A-Za-z0-9_-]+)`)

// resetMail is what the bench needs of a reset mail.
type resetMail struct {
	To         string
	URL        string
	CustomerID int64
	Token      string
}

// parseResetMail reads the first To address and the reset link of a raw
// message; ok is false when the message holds no reset link.
func parseResetMail(raw []byte) (m resetMail, ok bool, err error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return m, false, err
	}
	if to, err := msg.Header.AddressList("To"); err == nil && len(to) > 0 {
		m.To = strings.ToLower(to[0].Address)
	}
	text, err := textParts(textproto.MIMEHeader(msg.Header), msg.Body)
	if err != nil {
		return m, false, err
	}
	found := resetLink.FindStringSubmatch(text)
	if found == nil {
		return m, false, nil
	}
	m.URL, m.Token = found[0], found[2]
	m.CustomerID, err = strconv.ParseInt(found[1], 10, 64)
	return m, err == nil, err
}

// textParts returns the decoded text/plain and text/html parts of a
// possibly nested multipart body, joined.
func textParts(h textproto.MIMEHeader, body io.Reader) (string, error) {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		var all strings.Builder
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				return all.String(), nil
			}
			if err != nil {
				return "", err
			}
			text, err := textParts(part.Header, part)
			if err != nil {
				return "", err
			}
			all.WriteString(text)
			all.WriteByte('\n')
		}
	}
	if !strings.HasPrefix(mediaType, "text/") {
		return "", nil
	}
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	data, err := io.ReadAll(body)
	return string(data), err
}
