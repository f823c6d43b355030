package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
)

// loginAs signs in from buyer IP ip and returns the answer and its payload
// (empty when the field is null).
func (n *node) loginAs(email, pw, ip string) (gqlResponse, payload) {
	n.t.Helper()
	r := n.post(loginMutation, map[string]any{"input": map[string]any{"email": email, "password": pw}}, privateAs(n, ip))
	var p payload
	if string(r.Data["customerAccessTokenCreate"]) != "null" {
		r.field(n.t, "customerAccessTokenCreate", &p)
	}
	return r, p
}

// isThrottled reports whether r is field's THROTTLED answer with message.
func isThrottled(r gqlResponse, field, message string) bool {
	return string(r.Data[field]) == "null" && len(r.Errors) == 1 &&
		r.Errors[0].Extensions["code"] == "THROTTLED" && r.Errors[0].Message == message
}

const loginThrottled = "Login attempt limit exceeded. Please try again later."

func TestLoginIsThrottledPerIP(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.Account.LoginPerIP = storekeep.Limit{Count: 5, Per: time.Minute}
	})
	n.signUp("ip@example.com", "first-secret-1")
	for i := range 5 {
		if _, p := n.loginAs("ip@example.com", "first-secret-1", "203.0.113.7"); p.CustomerAccessToken == nil {
			t.Fatalf("sign-in %d refused: %+v", i+1, p)
		}
	}
	if r, _ := n.loginAs("ip@example.com", "first-secret-1", "203.0.113.7"); !isThrottled(r, "customerAccessTokenCreate", loginThrottled) {
		t.Fatalf("6th sign-in from one IP, right password: %s", r.Raw)
	}
	if _, p := n.loginAs("ip@example.com", "first-secret-1", "203.0.113.8"); p.CustomerAccessToken == nil {
		t.Fatalf("another IP was throttled: %+v", p)
	}
	n.clock.Advance(time.Minute)
	if _, p := n.loginAs("ip@example.com", "first-secret-1", "203.0.113.7"); p.CustomerAccessToken == nil {
		t.Fatalf("the IP's allowance did not refill: %+v", p)
	}
}

func TestLoginFailuresAreThrottledPerAddressFromAnyIPWithoutBlockingAReset(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.Account.FailedLoginsPerEmail = storekeep.Limit{Count: 3, Per: 15 * time.Minute}
	})
	n.signUp("target@example.com", "first-secret-1")
	n.signUp("bystander@example.com", "first-secret-1")
	for i := range 3 {
		_, p := n.loginAs("Target@Example.com", fmt.Sprintf("guess-%d", i), fmt.Sprintf("198.51.100.%d", i+1))
		if len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != "UNIDENTIFIED_CUSTOMER" {
			t.Fatalf("guess %d: %+v", i+1, p)
		}
	}
	if r, _ := n.loginAs("target@example.com", "first-secret-1", "198.51.100.99"); !isThrottled(r, "customerAccessTokenCreate", loginThrottled) {
		t.Fatalf("after 3 failures from 3 IPs, a 4th IP with the right password: %s", r.Raw)
	}
	if _, p := n.loginAs("bystander@example.com", "first-secret-1", "198.51.100.1"); p.CustomerAccessToken == nil {
		t.Fatalf("another address was throttled from a guessing IP: %+v", p)
	}

	if r, p := n.recover("target@example.com"); len(r.Errors) > 0 || len(p.CustomerUserErrors) > 0 {
		t.Fatalf("a locked sign-in blocked customerRecover: %s", r.Raw)
	}
	reset := n.resetByURL(n.resetURL("target@example.com", 1), "second-secret-2")
	if reset.CustomerAccessToken == nil {
		t.Fatalf("a locked sign-in blocked the reset: %+v", reset)
	}
	var who *customerJSON
	n.post(customerQuery, map[string]any{"token": reset.CustomerAccessToken.AccessToken}).field(t, "customer", &who)
	if who == nil || who.Email != "target@example.com" {
		t.Fatalf("the reset's access token does not sign the customer in: %+v", who)
	}

	n.clock.Advance(15 * time.Minute)
	if _, p := n.loginAs("target@example.com", "second-secret-2", "198.51.100.99"); p.CustomerAccessToken == nil {
		t.Fatalf("the address's allowance did not refill: %+v", p)
	}
}

const tokenThrottled = "Too many attempts. Please try again later."

func TestResetGuessesAreThrottledPerIPAcrossCustomers(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.Recovery.FailedTokensPerIP = storekeep.Limit{Count: 5, Per: time.Hour}
	})
	var numbers []string
	for i := range 7 {
		id := n.signUp(fmt.Sprintf("c%d@example.com", i), "first-secret-1")
		numbers = append(numbers, strings.TrimPrefix(id, "gid://shopify/Customer/"))
	}
	guess := func(customer int, ip string) gqlResponse {
		url := fmt.Sprintf("https://shop.example/account/reset/%s/guess-%d", numbers[customer], customer)
		return n.post(resetByURL, map[string]any{"url": url, "password": "good-secret-9"}, privateAs(n, ip))
	}
	for c := range 5 {
		var p payload
		guess(c, "203.0.113.66").field(t, "customerResetByUrl", &p)
		if len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != "TOKEN_INVALID" {
			t.Fatalf("guess %d: %+v", c+1, p)
		}
	}
	if r := guess(5, "203.0.113.66"); !isThrottled(r, "customerResetByUrl", tokenThrottled) {
		t.Fatalf("6th guess from one IP, at a customer never guessed before: %s", r.Raw)
	}
	var p payload
	guess(5, "203.0.113.67").field(t, "customerResetByUrl", &p)
	if len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != "TOKEN_INVALID" {
		t.Fatalf("another IP was throttled: %+v", p)
	}

	n.recover("c6@example.com")
	link := n.resetURL("c6@example.com", 1)
	n.post(resetByURL, map[string]any{"url": link, "password": "good-secret-9"}, privateAs(n, "203.0.113.66")).field(t, "customerResetByUrl", &p)
	if p.Customer == nil || p.CustomerAccessToken == nil {
		t.Fatalf("a genuine token from the throttled IP (a shared NAT) was refused: %+v", p)
	}
}
