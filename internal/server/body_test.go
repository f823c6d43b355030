package server

import (
	"encoding/json"
	"fmt"
	"testing"
)

// envelopeByDecoding is checkEnvelope's rule stated by decoding the whole
// body as gqlgen does, into a struct (whose member names match in any
// case): what checkEnvelope must answer for every body.
func envelopeByDecoding(body []byte) string {
	var members struct {
		Query         json.RawMessage `json:"query"`
		OperationName json.RawMessage `json:"operationName"`
		Variables     json.RawMessage `json:"variables"`
		Extensions    json.RawMessage `json:"extensions"`
	}
	if err := json.Unmarshal(body, &members); err != nil {
		return "Request body is not valid JSON."
	}
	for i, m := range envelopeMembers {
		v := [...]json.RawMessage{members.Query, members.OperationName, members.Variables, members.Extensions}[i]
		if len(v) > 0 && string(v) != "null" && v[0] != m.first {
			return fmt.Sprintf("%s must be %s.", m.name, m.kind)
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
