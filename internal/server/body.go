package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
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
// envelope members of the wrong type.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, *requestError) {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/json" && mediaType != "application/graphql" {
		return nil, &requestError{http.StatusUnsupportedMediaType, "Content-Type must be application/json or application/graphql.", "UNSUPPORTED_MEDIA_TYPE"}
	}
	tooLarge := &requestError{http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body is larger than %d bytes.", limit), "PAYLOAD_TOO_LARGE"}
	if r.ContentLength > limit {
		return nil, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return nil, tooLarge
	}
	if err != nil {
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

// checkEnvelope accepts one JSON object whose query and operationName are
// strings and whose variables and extensions are objects, each optional
// or null.
func checkEnvelope(body []byte) *requestError {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		return badRequest("Batched queries are not supported: send one operation per request.")
	}
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return badRequest(`Request body must be a JSON object: {"query": "...", "variables": {...}, "operationName": "..."}.`)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return badRequest("Request body is not valid JSON.")
	}
	kinds := []struct {
		name, kind string
		first      byte
	}{
		{"query", "a string", '"'},
		{"operationName", "a string", '"'},
		{"variables", "an object", '{'},
		{"extensions", "an object", '{'},
	}
	for _, k := range kinds {
		v, ok := members[k.name]
		if !ok || string(v) == "null" {
			continue
		}
		if v[0] != k.first {
			return badRequest(fmt.Sprintf("%s must be %s.", k.name, k.kind))
		}
	}
	return nil
}
