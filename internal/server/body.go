package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"
)

// requestError is a request refused before GraphQL sees it.
type requestError struct {
	status  int
	message string
	code    string
}

func badRequest(message string) *requestError {
	return &requestError{http.StatusBadRequest, message, "BAD_REQUEST"}
}

// readBody reads a GraphQL request body of at most limit bytes and checks
// what the GraphQL layer would otherwise answer less clearly, or by
// echoing the body back: the content type, the size, a batch (a JSON
// array of operations, which storekeep does not run), malformed JSON and
// envelope members of the wrong type, given twice or misspelled.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, *requestError) {
	mediaType, ok := requestMediaType(r.Header.Get("Content-Type"))
	if !ok || mediaType != "application/json" && mediaType != "application/graphql" {
		return nil, &requestError{http.StatusUnsupportedMediaType, "Content-Type must be application/json or application/graphql.", "UNSUPPORTED_MEDIA_TYPE"}
	}
	if r.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	body, err := readAll(http.MaxBytesReader(w, r.Body, limit), r.ContentLength)
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		return nil, tooLarge(limit)
	case bodyBudgetStatus(err) == http.StatusTooManyRequests:
		refuseBody(w)
		return nil, &requestError{http.StatusTooManyRequests, "Too many request bytes at once from this client; try again shortly.", "THROTTLED"}
	case bodyBudgetStatus(err) != 0:
		refuseBody(w)
		return nil, &requestError{http.StatusServiceUnavailable, "The server is busy; try again shortly.", "SERVICE_UNAVAILABLE"}
	case err != nil:
		return nil, badRequest("Could not read the request body.")
	}
	if !utf8.Valid(body) {
		return nil, badRequest("Request body is not valid UTF-8.")
	}
	if mediaType == "application/json" {
		if e := checkEnvelope(body); e != nil {
			return nil, e
		}
	}
	return body, nil
}

func tooLarge(limit int64) *requestError {
	return &requestError{http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body is larger than %d bytes.", limit), "PAYLOAD_TOO_LARGE"}
}

// requestMediaType is mime.ParseMediaType's media type, without parsing
// the header when it is exactly the type most clients send.
func requestMediaType(contentType string) (string, bool) {
	if contentType == "application/json" {
		return contentType, true
	}
	mediaType, _, err := mime.ParseMediaType(contentType)
	return mediaType, err == nil
}

// bodyReserve bounds the buffer readAll makes before a byte of the body
// has arrived: a client may declare the largest body the API takes and
// send nothing, and it costs no more than this until it sends more. A
// Storefront request is rarely over 16 KiB; a larger one grows the buffer
// as io.ReadAll does.
const bodyReserve = 16 << 10

// readAll is io.ReadAll starting from a buffer of the declared length, up
// to bodyReserve, so that a body of a usual length is read without
// growing the buffer (readBody has bounded the length).
func readAll(r io.Reader, declared int64) ([]byte, error) {
	b := make([]byte, 0, min(max(declared, 511), bodyReserve)+1)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// envelopeMembers are the request members whose JSON type checkEnvelope
// checks, in the order it reports them.
var envelopeMembers = [...]struct {
	name, kind string
	first      byte
}{
	{"query", "a string", '"'},
	{"operationName", "a string", '"'},
	{"variables", "an object", '{'},
	{"extensions", "an object", '{'},
}

// checkEnvelope accepts one JSON object whose query and operationName are
// strings and whose variables and extensions are objects, each optional
// or null. A member is named as gqlgen's decoding into a struct names it,
// in any case (encoding/json folds names as bytes.EqualFold does). Of a
// member given twice, decoding keeps the last value but fails on any of
// the wrong type, so each is checked. Then each member must be given at
// most once and spelled exactly: parsers differ on both (the first or the
// last; "QUERY" as query or as another member), so a proxy that vetted
// one operation could otherwise pass a body storekeep reads as another.
func checkEnvelope(body []byte) *requestError {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		return badRequest("Batched queries are not supported: send one operation per request.")
	}
	if bytes.HasPrefix(trimmed, []byte("\ufeff")) {
		return badRequest("Request body must not open with a byte order mark.")
	}
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return badRequest(`Request body must be a JSON object: {"query": "...", "variables": {...}, "operationName": "..."}.`)
	}
	if !json.Valid(trimmed) {
		return badRequest("Request body is not valid JSON.")
	}
	var wrong, misspelled [len(envelopeMembers)]bool
	var given [len(envelopeMembers)]int
	eachMember(trimmed, func(key, value []byte) {
		name := key[1 : len(key)-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			var unquoted string
			json.Unmarshal(key, &unquoted)
			name = []byte(unquoted)
		}
		for i, m := range envelopeMembers {
			if !bytes.EqualFold(name, []byte(m.name)) {
				continue
			}
			given[i]++
			misspelled[i] = misspelled[i] || string(name) != m.name
			wrong[i] = wrong[i] || string(value) != "null" && value[0] != m.first
		}
	})
	for i, m := range envelopeMembers {
		if wrong[i] {
			return badRequest(fmt.Sprintf("%s must be %s.", m.name, m.kind))
		}
	}
	for i, m := range envelopeMembers {
		switch {
		case given[i] > 1:
			return badRequest(fmt.Sprintf("%s must be given once.", m.name))
		case misspelled[i]:
			return badRequest(fmt.Sprintf("%s must be spelled %s: member names are case-sensitive.", m.name, m.name))
		}
	}
	return nil
}

// eachMember calls fn with the raw key (quoted) and raw value of each
// member of obj, a valid JSON object, in order.
func eachMember(obj []byte, fn func(key, value []byte)) {
	i := skipSpace(obj, 1)
	for i < len(obj) && obj[i] == '"' {
		keyEnd := stringEnd(obj, i)
		start := skipSpace(obj, skipSpace(obj, keyEnd)+1)
		end := valueEnd(obj, start)
		fn(obj[i:keyEnd], obj[start:end])
		i = skipSpace(obj, end)
		if i < len(obj) && obj[i] == ',' {
			i = skipSpace(obj, i+1)
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string starting at i.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// valueEnd returns the index just past the JSON value starting at i.
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && strings.IndexByte(",}] \t\r\n", b[j]) < 0 {
		j++
	}
	return j
}
