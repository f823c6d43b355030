package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

// envelopeByDecoding is checkEnvelope's rule stated by decoding the whole
// body as gqlgen does, into a struct (whose member names match in any
// case, and which fails on a member of the wrong type even when a later
// one of the same name has the right type): what checkEnvelope must
// answer for every body.
func envelopeByDecoding(body []byte) string {
	if !json.Valid(body) {
		return "Request body is not valid JSON."
	}
	for _, m := range envelopeMembers {
		var err error
		switch m.name {
		case "query":
			err = json.Unmarshal(body, new(struct {
				V string `json:"query"`
			}))
		case "operationName":
			err = json.Unmarshal(body, new(struct {
				V string `json:"operationName"`
			}))
		case "variables":
			err = json.Unmarshal(body, new(struct {
				V map[string]any `json:"variables"`
			}))
		case "extensions":
			err = json.Unmarshal(body, new(struct {
				V map[string]any `json:"extensions"`
			}))
		}
		if err != nil {
			return fmt.Sprintf("%s must be %s.", m.name, m.kind)
		}
	}
	return namesByDecoding(body)
}

// namesByDecoding is checkEnvelope's second rule stated by reading the
// top-level names with a json.Decoder: a member given twice, or in
// another case, is refused.
func namesByDecoding(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.Token()
	var names []string
	for dec.More() {
		key, _ := dec.Token()
		names = append(names, key.(string))
		var skip json.RawMessage
		dec.Decode(&skip)
	}
	for _, m := range envelopeMembers {
		if n := len(slices.DeleteFunc(slices.Clone(names), func(s string) bool { return !strings.EqualFold(s, m.name) })); n > 1 {
			return fmt.Sprintf("%s must be given once.", m.name)
		}
	}
	for _, m := range envelopeMembers {
		if slices.ContainsFunc(names, func(s string) bool { return s != m.name && strings.EqualFold(s, m.name) }) {
			return fmt.Sprintf("%s must be spelled %s: member names are case-sensitive.", m.name, m.name)
		}
	}
	return ""
}

var envelopeBodies = []string{
	`{"query":"{ shop { name } }"}`,
	`{"query":"q","variables":{"a":[1,{"b":"}"}],"c":"\"]"},"operationName":null}`,
	` {"query" : "q" , "variables" : null , "extensions" : {} } `,
	`{"query":1}`,
	`{"query":"q","operationName":["x"]}`,
	`{"query":"q","variables":"{}"}`,
	`{"query":"q","variables":[]}`,
	`{"query":"q","extensions":true}`,
	`{"query":"q","query":5}`,
	`{"query":5,"query":"q"}`,
	`{"qu\u0065ry":5}`,
	`{"\u0071uery":"q","variables":1}`,
	`{"Query":5}`,
	`{"query":"q","Variables":"x"}`,
	`{"query":"q","variables":{},"VARIABLES":[]}`,
	"{\"query\":\"q\",\"variableſ\":1}",
	`{"query":"q","\u0056ariables":1}`,
	`{"query\\":5}`,
	`{"a":"\\","query":7}`,
	`{"a":{"query":7},"query":"q"}`,
	`{"a":["{",{"query":7}],"variables":-1.5e3}`,
	`{"variables":false,"query":3}`,
	`{"query":"q"} x`,
	`{"query":"q",}`,
	`{"query":"q"`,
	`{}`,
	`{"":null}`,
	"{\"query\":\"q\",\n\t\"variables\":\r\n{\"x\":\"\\u005c\"}}",
	`{"query":"q","query":"r"}`,
	`{"query":"q","QUERY":"r"}`,
	`{"Query":"q"}`,
	`{"query":"q","\u0051uery":"r"}`,
	"{\"query\":\"q\",\"variableſ\":{}}",
	`{"query":"q","operationName":null,"operationname":"A"}`,
	`{"query":"q","variables":null,"variables":{}}`,
	`{"query":"q","extensions":{},"Extensions":null,"Query":"r"}`,
	`{"query":"q","variables":{"query":"r","Query":"s"},"a":{"query":1}}`,
}

func TestCheckEnvelopeAnswersAsDecodingTheBodyWould(t *testing.T) {
	for _, b := range envelopeBodies {
		want := envelopeByDecoding([]byte(b))
		got := ""
		if e := checkEnvelope([]byte(b)); e != nil {
			got = e.message
		}
		if got != want {
			t.Errorf("%s: %q, want %q", b, got, want)
		}
	}
}

func FuzzCheckEnvelope(f *testing.F) {
	for _, b := range envelopeBodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) == 0 || body[0] != '{' {
			return
		}
		want := envelopeByDecoding(body)
		got := ""
		if e := checkEnvelope(body); e != nil {
			got = e.message
		}
		if got != want {
			t.Errorf("%q: %q, want %q", body, got, want)
		}
	})
}

// TestCheckEnvelopeAdmitsOnlyWhatGqlgenDecodes: gqlgen decodes the body
// into graphql.RawParams, and a member of the wrong type fails the
// decoding even when a later member of the same name, in any case, has
// the right one (encoding/json keeps the last value but reports the first
// mismatch), answering with Go types and the whole body.
func TestCheckEnvelopeAdmitsOnlyWhatGqlgenDecodes(t *testing.T) {
	for _, b := range append([]string{
		`{"query":"q","Variables":"x","variables":{}}`,
		`{"query":5,"query":"q"}`,
		`{"Query":{"a":1},"query":"q"}`,
		`{"query":"q","OperationName":["x"],"operationName":"A"}`,
	}, envelopeBodies...) {
		if checkEnvelope([]byte(b)) != nil {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader([]byte(b)))
		dec.UseNumber()
		if err := dec.Decode(new(graphql.RawParams)); err != nil {
			t.Errorf("%s: admitted, but gqlgen's decoding fails: %v", b, err)
		}
	}
}
