package app_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestEnvelopeMembersAreExactAndGivenOnce: JSON parsers differ on a
// member given twice (the first, the last, an error) and on a name in
// another case (Go's decoding, gqlgen's, folds "QUERY" into query; Ruby's
// and JavaScript's do not), so a proxy that vets the query a body holds
// could pass one operation while storekeep ran another. Each such body is
// a 400 that runs nothing, as is a body opening with a byte order mark;
// the plain body runs.
func TestEnvelopeMembersAreExactAndGivenOnce(t *testing.T) {
	n := startNode(t)
	n.signUp("ada@example.com", "first-secret-1")
	recover := quote(`mutation { customerRecover(email: "ada@example.com") { customerUserErrors { code } } }`)
	for name, body := range map[string]string{
		"query in capitals after query": `{"query": "{ __typename }", "QUERY": ` + recover + `}`,
		"query twice":                   `{"query": "{ __typename }", "query": ` + recover + `}`,
		"Query alone":                   `{"Query": ` + recover + `}`,
		"escaped capital":               `{"query": "{ __typename }", "\u0051uery": ` + recover + `}`,
		"long s in variables":           `{"query": ` + recover + `, "variables": {}, "variableſ": {}}`,
		"operationName twice":           `{"query": ` + recover + `, "operationName": "A", "operationName": null}`,
		"byte order mark":               "\ufeff{\"query\": " + recover + "}",
	} {
		a := n.send(t, rawRequest{contentType: "application/json", body: strings.NewReader(body)})
		refusal(t, a, http.StatusBadRequest, "BAD_REQUEST")
		assertNoLeak(t, name, a.body)
		if strings.Contains(string(a.body), "ada@example.com") {
			t.Errorf("%s: the answer echoes the body: %s", name, a.body)
		}
	}
	bom := refusal(t, n.send(t, rawRequest{contentType: "application/json", body: strings.NewReader("\ufeff{\"query\": \"{ __typename }\"}")}), http.StatusBadRequest, "BAD_REQUEST")
	if !strings.Contains(bom.Errors[0].Message, "byte order mark") {
		t.Errorf("a body opening with a byte order mark is told %q", bom.Errors[0].Message)
	}
	if a := n.send(t, rawRequest{contentType: "application/json", body: strings.NewReader(`{"query": "{ __typename }", "variables": null}`)}); a.status != http.StatusOK {
		t.Fatalf("the plain body: %d %s", a.status, a.body)
	}
	n.stop()
	if got := n.smtp.Messages(); len(got) != 0 {
		t.Fatalf("a refused body ran: %d mails", len(got))
	}
}
