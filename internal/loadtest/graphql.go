package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/storekeep/storekeep/internal/server"
)

// The operations the bench sends, asking only for what it checks.
const (
	createMutation     = `mutation($input: CustomerCreateInput!) { customerCreate(input: $input) { customer { id } customerUserErrors { code message } } }`
	recoverMutation    = `mutation($email: String!) { customerRecover(email: $email) { customerUserErrors { code message } } }`
	loginMutation      = `mutation($input: CustomerAccessTokenCreateInput!) { customerAccessTokenCreate(input: $input) { customerAccessToken { accessToken } customerUserErrors { code message } } }`
	resetMutation      = `mutation($id: ID!, $input: CustomerResetInput!) { customerReset(id: $id, input: $input) { customer { id } customerAccessToken { accessToken } customerUserErrors { code message } } }`
	resetByURLMutation = `mutation($url: URL!, $password: String!) { customerResetByUrl(resetUrl: $url, password: $password) { customer { id } customerAccessToken { accessToken } customerUserErrors { code message } } }`
	probeQuery         = `query($token: String!) { customer(customerAccessToken: $token) { id } }`
)

// requestTimeout bounds one request, response body included.
const requestTimeout = 30 * time.Second

// api sends GraphQL requests to one endpoint with a private token.
type api struct {
	endpoint string
	token    string
	client   *http.Client
}

func newAPI(endpoint, token string, conns int) *api {
	transport := &http.Transport{
		DialContext:         dialLoopback,
		MaxIdleConns:        2 * conns,
		MaxIdleConnsPerHost: 2 * conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &api{endpoint: endpoint, token: token, client: &http.Client{
		Transport:     transport,
		Timeout:       requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (a *api) close() { a.client.CloseIdleConnections() }

type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

type answer struct {
	Data   map[string]json.RawMessage `json:"data"`
	Errors []gqlError                 `json:"errors"`
}

// payload is the part of a customer mutation's payload the bench reads.
type payload struct {
	Customer            *struct{ ID string } `json:"customer"`
	CustomerAccessToken *struct {
		AccessToken string `json:"accessToken"`
	} `json:"customerAccessToken"`
	CustomerUserErrors []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"customerUserErrors"`
}

// need names what a successful payload must carry.
type need struct{ customer, token bool }

// call sends one operation as buyer ip and classifies the answer of field.
func (a *api) call(ctx context.Context, ip, query string, vars map[string]any, field string, want need) result {
	var p payload
	ans, err := a.post(ctx, ip, query, vars)
	if err != nil {
		return result{outcomeError, err.Error()}
	}
	for _, e := range ans.Errors {
		if e.Extensions.Code == "THROTTLED" {
			return result{outcomeThrottled, e.Message}
		}
	}
	if len(ans.Errors) > 0 {
		e := ans.Errors[0]
		return result{outcomeError, fmt.Sprintf("%s: %s (%s)", field, e.Message, e.Extensions.Code)}
	}
	raw, ok := ans.Data[field]
	if !ok || string(raw) == "null" {
		return result{outcomeError, field + ": no payload"}
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return result{outcomeError, field + ": " + err.Error()}
	}
	if len(p.CustomerUserErrors) > 0 {
		e := p.CustomerUserErrors[0]
		if e.Code == "THROTTLED" {
			return result{outcomeThrottled, e.Message}
		}
		return result{outcomeUserError, e.Code + ": " + e.Message}
	}
	if want.customer && p.Customer == nil || want.token && p.CustomerAccessToken == nil {
		return result{outcomeError, field + ": success without customer or access token"}
	}
	return result{outcome: outcomeOK}
}

// post sends one request and decodes the answer of an HTTP 200.
func (a *api) post(ctx context.Context, ip, query string, vars map[string]any) (answer, error) {
	var ans answer
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return ans, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.endpoint, bytes.NewReader(body))
	if err != nil {
		return ans, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "storekeep-bench")
	req.Header.Set(server.PrivateTokenHeader, a.token)
	req.Header.Set(server.BuyerIPHeader, ip)
	resp, err := a.client.Do(req)
	if err != nil {
		return ans, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return ans, err
	}
	if resp.StatusCode != http.StatusOK {
		return ans, fmt.Errorf("HTTP %d: %s", resp.StatusCode, clip(raw))
	}
	if err := json.Unmarshal(raw, &ans); err != nil {
		return ans, fmt.Errorf("undecodable answer %s: %w", clip(raw), err)
	}
	return ans, nil
}

// probe checks the token is a private one allowed to read customers.
func (a *api) probe(ctx context.Context) error {
	ans, err := a.post(ctx, buyerIPBase.String(), probeQuery, map[string]any{"token": "storekeep-bench-probe"})
	if err != nil {
		return fmt.Errorf("the server refused the token (is it a private token for this server?): %w", err)
	}
	if len(ans.Errors) > 0 {
		return fmt.Errorf("probe: %s (%s)", ans.Errors[0].Message, ans.Errors[0].Extensions.Code)
	}
	return nil
}

func clip(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
