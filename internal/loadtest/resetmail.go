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
// message; ok is false when the message holds no reset link. Its text
// parts are read in order until one holds the link.
func parseResetMail(raw []byte) (m resetMail, ok bool, err error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return m, false, err
	}
	if to, err := msg.Header.AddressList("To"); err == nil && len(to) > 0 {
		m.To = strings.ToLower(to[0].Address)
	}
	found, err := findResetLink(textproto.MIMEHeader(msg.Header), msg.Body)
	if err != nil || found == nil {
		return m, false, err
	}
	m.URL, m.Token = string(found[0]), string(found[2])
	m.CustomerID, err = strconv.ParseInt(string(found[1]), 10, 64)
	return m, err == nil, err
}

// findResetLink returns resetLink's match in the first decoded text part
// of a possibly nested multipart body that holds one, or nil.
func findResetLink(h textproto.MIMEHeader, body io.Reader) ([][]byte, error) {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				return nil, nil
			}
			if err != nil {
				return nil, err
			}
			if found, err := findResetLink(part.Header, part); found != nil || err != nil {
				return found, err
			}
		}
	}
	if !strings.HasPrefix(mediaType, "text/") {
		return nil, nil
	}
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	return findLink(data), nil
}

// findLink is resetLink.FindSubmatch(data), with the search started at the
// word that holds the first "/account/reset/": no match can begin before
// it, since the link's characters exclude the ones that end a word.
func findLink(data []byte) [][]byte {
	i := bytes.Index(data, []byte("/account/reset/"))
	if i < 0 {
		return nil
	}
	from := bytes.LastIndexAny(data[:i], "\t\n\f\r \"'<>") + 1
	return resetLink.FindSubmatch(data[from:])
}
