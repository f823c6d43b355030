package app_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
)

const createThrottled = "Creating Customer Limit exceeded. Please try again later."

// createAs sends customerCreate for email from buyerIP over a private token.
func (n *node) createAs(email, buyerIP string) gqlResponse {
	n.t.Helper()
	return n.post(createMutation, map[string]any{"input": map[string]any{"email": email, "password": "flood-secret-1"}}, privateAs(n, buyerIP))
}

// With the default limits, one client IP creates 10 accounts an hour; the
// 11th create, and every aliased field past the 10th, is THROTTLED with
// Shopify's message, while another IP still signs up.
func TestCustomerCreateIsThrottledPerIP(t *testing.T) {
	n := startNode(t)
	for i := range 10 {
		var p payload
		n.createAs(fmt.Sprintf("ip%d@example.com", i), "203.0.113.9").field(t, "customerCreate", &p)
		if p.Customer == nil {
			t.Fatalf("create %d refused: %+v", i+1, p)
		}
	}
	if r := n.createAs("ip10@example.com", "203.0.113.9"); !isThrottled(r, "customerCreate", createThrottled) {
		t.Fatalf("11th create from one IP in an hour: %s", r.Raw)
	}
	var p payload
	n.createAs("other@example.com", "203.0.113.10").field(t, "customerCreate", &p)
	if p.Customer == nil {
		t.Fatalf("another IP refused: %+v", p)
	}
	n.clock.Advance(time.Hour)
	n.createAs("later@example.com", "203.0.113.9").field(t, "customerCreate", &p)
	if p.Customer == nil {
		t.Fatalf("an hour later, still refused: %+v", p)
	}

	var aliases strings.Builder
	aliases.WriteString("mutation {")
	for i := range 12 {
		fmt.Fprintf(&aliases, ` c%d: customerCreate(input: {email: "alias%d@example.com", password: "flood-secret-1"}) { customer { id } }`, i, i)
	}
	aliases.WriteString(" }")
	r := n.post(aliases.String(), nil, privateAs(n, "198.51.100.4"))
	created, throttled := 0, 0
	for i := range 12 {
		if string(r.Data[fmt.Sprintf("c%d", i)]) == "null" {
			throttled++
		} else {
			created++
		}
	}
	if created != 10 || throttled != 2 || len(r.Errors) != 2 || r.Errors[0].Message != createThrottled || r.Errors[0].Extensions["code"] != "THROTTLED" {
		t.Fatalf("12 aliased creates from a fresh IP: %d created, %d throttled: %s", created, throttled, r.Raw)
	}
	accounts, err := n.app.Store.CustomerByEmail(context.Background(), n.shop.ID, "alias11@example.com")
	if err == nil {
		t.Fatalf("a throttled alias created %+v", accounts)
	}
}

const createFull = `mutation($input: CustomerCreateInput!) { customerCreate(input: $input) { customer { id email firstName lastName displayName phone acceptsMarketing createdAt updatedAt } customerUserErrors { code field message } userErrors { field message } } }`

// createRaw sends customerCreate with every scalar field of the customer
// and returns the answer and the customer's id ("" for none).
func (n *node) createRaw(email, pw string) (gqlResponse, string) {
	n.t.Helper()
	r := n.post(createFull, map[string]any{"input": map[string]any{"email": email, "password": pw, "firstName": "Ada", "lastName": "Byron", "acceptsMarketing": true}})
	var p payload
	r.field(n.t, "customerCreate", &p)
	if p.Customer == nil {
		return r, ""
	}
	return r, p.Customer.ID
}

// customerNumber is the number at the end of a customer gid.
func customerNumber(t *testing.T, gid string) int64 {
	t.Helper()
	id, ok := storekeep.ParseCustomerGID(gid)
	if !ok {
		t.Fatalf("customer id %q", gid)
	}
	return id
}

// In a private shop, signing up with an address that has an account gets
// the answer a new address gets, byte for byte but for the echoed address
// and the id, whose number comes from the same sequence as a real one's;
// the owner is mailed that someone tried, and the account is untouched.
func TestSignUpWithATakenAddressLooksLikeANewOneInPrivateMode(t *testing.T) {
	n := startNode(t)
	owner, ownerID := n.createRaw("owner@example.com", "owner-secret-1")
	if ownerID == "" {
		t.Fatalf("first sign-up: %s", owner.Raw)
	}

	_, before := n.createRaw("before@example.com", "flood-secret-1")
	taken, takenID := n.createRaw(" Owner@Example.com", "attacker-secret-1")
	_, between := n.createRaw("between@example.com", "flood-secret-1")
	fresh, freshID := n.createRaw(" Fresh@Example.com", "attacker-secret-1")
	_, after := n.createRaw("after@example.com", "flood-secret-1")
	if takenID == "" || freshID == "" {
		t.Fatalf("taken address: %s\nnew address: %s", taken.Raw, fresh.Raw)
	}
	ids := []int64{customerNumber(t, before), customerNumber(t, takenID), customerNumber(t, between), customerNumber(t, freshID), customerNumber(t, after)}
	for i := 1; i < len(ids); i++ {
		if ids[i] != ids[i-1]+1 {
			t.Errorf("ids around a taken and a new address: %v; want one sequence with no gap", ids)
		}
	}
	if takenID == ownerID {
		t.Error("the answer carries the owner's id")
	}
	blank := func(r gqlResponse, email, id string) []byte {
		out := bytes.ReplaceAll(r.Raw, []byte(email), []byte("EMAIL"))
		return bytes.ReplaceAll(out, []byte(id), []byte("ID"))
	}
	if a, b := blank(taken, "Owner@example.com", takenID), blank(fresh, "Fresh@example.com", freshID); !bytes.Equal(a, b) || taken.Status != fresh.Status {
		t.Fatalf("taken and new addresses answer differently:\n%d %s\n%d %s", taken.Status, a, fresh.Status, b)
	}

	mails := n.smtp.WaitForMatch(t, func(m smtpMessage) bool { return m.To == "owner@example.com" }, 1, 10*time.Second)
	m := mails[0]
	if !strings.Contains(m.Subject, "Example & Co") || !strings.Contains(m.Text, "already have an account") || !strings.Contains(m.HTML, "already have an account") {
		t.Fatalf("notice to the owner: %q\n%s", m.Subject, m.Text)
	}
	if strings.Contains(m.Text, "attacker-secret-1") {
		t.Fatal("the notice carries the password that was tried")
	}

	if n.login("owner@example.com", "owner-secret-1") == "" {
		t.Fatal("owner cannot sign in")
	}
	var p payload
	n.post(loginMutation, map[string]any{"input": map[string]any{"email": "owner@example.com", "password": "attacker-secret-1"}}).field(t, "customerAccessTokenCreate", &p)
	if p.CustomerAccessToken != nil {
		t.Fatal("the second sign-up's password opens the owner's account")
	}
	if n.login("fresh@example.com", "attacker-secret-1") == "" {
		t.Fatal("the new address's account does not work")
	}

	n.createRaw("owner@example.com", "attacker-secret-2")
	n.recover("owner@example.com")
	resets := n.smtp.WaitForMatch(t, func(m smtpMessage) bool { return m.To == "owner@example.com" && resetLink.MatchString(m.Text) }, 1, 10*time.Second)
	var notices int
	for _, m := range n.smtp.Messages() {
		if m.To == "owner@example.com" && m.Subject == mails[0].Subject {
			notices++
		}
	}
	if len(resets) != 1 || notices != 1 {
		t.Fatalf("%d notices after two attempts within the hour, want 1", notices)
	}
	for _, m := range n.smtp.Messages() {
		if m.To != "owner@example.com" {
			t.Errorf("mail to %s: %q", m.To, m.Subject)
		}
	}
}

// A shop in Shopify's enumeration mode keeps Shopify's answer, TAKEN, and
// mails nobody.
func TestSignUpWithATakenAddressIsTakenInShopifyMode(t *testing.T) {
	n := startNode(t, func(_ *app.Config, s *storekeep.Shop) { s.Enumeration = storekeep.EnumerationShopify })
	if _, id := n.createRaw("owner@example.com", "owner-secret-1"); id == "" {
		t.Fatal("first sign-up refused")
	}
	r, id := n.createRaw("OWNER@example.com", "attacker-secret-1")
	var p payload
	r.field(t, "customerCreate", &p)
	if id != "" || len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != "TAKEN" {
		t.Fatalf("taken address in Shopify mode: %s", r.Raw)
	}
	n.recover("owner@example.com")
	n.smtp.WaitForMatch(t, func(m smtpMessage) bool { return resetLink.MatchString(m.Text) }, 1, 10*time.Second)
	if got := len(n.smtp.Messages()); got != 1 {
		t.Fatalf("%d mails, want only the reset", got)
	}
}
