package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/multipass/multipasstest"
)

// proveMailbox does what the owner of email does to prove it: asks for a
// reset, opens the link the mail brings (the resets-th to that address)
// and chooses pw. It returns the access token the reset answers with.
func (n *node) proveMailbox(email, pw string, resets int) string {
	n.t.Helper()
	if r, p := n.recover(email); len(r.Errors) > 0 || len(p.CustomerUserErrors) > 0 {
		n.t.Fatalf("customerRecover %s: %s", email, r.Raw)
	}
	got := n.resetByURL(n.resetURL(email, resets), pw)
	if got.CustomerAccessToken == nil {
		n.t.Fatalf("reset of %s: %+v", email, got)
	}
	return got.CustomerAccessToken.AccessToken
}

// orders reads the customer's numberOfOrders and first 10 orders.
func (n *node) orders(token string) ordersJSON {
	n.t.Helper()
	var c ordersJSON
	n.post(customerOrdersQuery, map[string]any{"token": token, "first": 10}).field(n.t, "customer", &c)
	return c
}

func orderIDs(c ordersJSON) string {
	var ids []string
	for _, o := range c.Orders.Nodes {
		id, _, _ := strings.Cut(strings.TrimPrefix(o.ID, "gid://shopify/Order/"), "?")
		ids = append(ids, id)
	}
	return strings.Join(ids, ",")
}

func TestAStrangerWhoSignsUpWithAGuestsAddressSeesNoneOfItsOrders(t *testing.T) {
	n := startNode(t)
	n.deliverSampleOrder()
	n.importOrder(2, "jon@example.com", "2024-03-01T10:00:00Z")

	n.signUp("JON@example.com", "strangers-password-1")
	stranger := n.login("jon@example.com", "strangers-password-1")
	if c := n.orders(stranger); c.NumberOfOrders != "0" || c.Orders.TotalCount != "0" || len(c.Orders.Nodes) != 0 {
		t.Fatalf("a stranger who signed up with the guest's address sees %+v", c)
	}
	n.importOrder(3, "jon@example.com", "2024-04-01T10:00:00Z")
	if c := n.orders(stranger); c.NumberOfOrders != "0" || len(c.Orders.Nodes) != 0 {
		t.Fatalf("a stranger sees an order placed after its sign-up: %+v", c)
	}

	n.recover("jon@example.com")
	owner := n.resetByURL(n.resetURL("JON@example.com", 1), "owners-password-1").CustomerAccessToken.AccessToken
	if c := n.orders(owner); c.NumberOfOrders != "3" || orderIDs(c) != "3,2,820982911946154508" {
		t.Fatalf("the owner, having proved the mailbox, sees %s (%s orders)", orderIDs(c), c.NumberOfOrders)
	}
	var who *customerJSON
	n.post(customerQuery, map[string]any{"token": stranger}).field(t, "customer", &who)
	if who != nil {
		t.Fatal("the stranger's access token outlived the owner's reset")
	}
}

func TestAnAddressTakenOverByCustomerUpdateShowsItsOrdersOnlyOnceProved(t *testing.T) {
	n := startNode(t)
	n.importOrder(1, "victim@example.com", "2024-01-01T00:00:00Z")
	n.importOrder(2, "mallory@example.com", "2024-02-01T00:00:00Z")
	n.signUp("mallory@example.com", "mallorys-password-1")
	token := n.proveMailbox("mallory@example.com", "mallorys-password-2", 1)
	if c := n.orders(token); orderIDs(c) != "2" {
		t.Fatalf("mallory's own orders: %s", orderIDs(c))
	}
	if r, _ := n.recover("mallory@example.com"); len(r.Errors) > 0 {
		t.Fatal(r.Raw)
	}
	pending := n.resetURL("mallory@example.com", 2)

	upd := `mutation($t: String!, $c: CustomerUpdateInput!) { customerUpdate(customerAccessToken: $t, customer: $c) { ` + payloadFields + ` } }`
	var p payload
	n.post(upd, map[string]any{"t": token, "c": map[string]any{"email": "victim@example.com"}}).field(t, "customerUpdate", &p)
	if p.Customer == nil || p.Customer.Email != "victim@example.com" {
		t.Fatalf("customerUpdate: %+v", p)
	}
	if c := n.orders(token); c.NumberOfOrders != "0" || orderIDs(c) != "" {
		t.Fatalf("after taking the victim's address mallory sees %s (%s orders)", orderIDs(c), c.NumberOfOrders)
	}
	n.importOrder(3, "victim@example.com", "2024-03-01T00:00:00Z")
	if c := n.orders(token); orderIDs(c) != "" {
		t.Fatalf("a later order of the victim's address shows to mallory: %s", orderIDs(c))
	}
	if got := n.resetByURL(pending, "mallorys-password-3"); got.CustomerAccessToken != nil {
		t.Fatalf("a link mailed to mallory's former address proved the victim's: %+v", got)
	}
	if c := n.orders(token); orderIDs(c) != "" {
		t.Fatalf("after the stale link mallory sees %s", orderIDs(c))
	}

	owner := n.proveMailbox("victim@example.com", "owners-password-1", 1)
	if c := n.orders(owner); orderIDs(c) != "3,1" {
		t.Fatalf("whoever proves the address sees %s, want its orders 3,1", orderIDs(c))
	}
}

func TestAMultipassSignInProvesTheAddressOfAStrangersAccount(t *testing.T) {
	n := startMultipassNode(t)
	n.importOrder(1, "ada@example.com", "2024-01-01T00:00:00Z")
	n.signUp("ada@example.com", "strangers-password-1")
	stranger := n.login("ada@example.com", "strangers-password-1")
	if c := n.orders(stranger); orderIDs(c) != "" {
		t.Fatalf("before the shop vouches for the address: %s", orderIDs(c))
	}
	_, p := n.multipassSignIn(multipasstest.Mint(t, multipassSecret, n.multipassData("ada@example.com", nil)))
	if p.CustomerAccessToken == nil {
		t.Fatalf("multipass: %+v", p)
	}
	if c := n.orders(p.CustomerAccessToken.AccessToken); orderIDs(c) != "1" {
		t.Fatalf("after a Multipass sign-in the customer sees %q, want 1", orderIDs(c))
	}
}

func TestAnOperatorsCustomerCreateVouchesForTheAddress(t *testing.T) {
	n := startNode(t)
	n.importOrder(1, "ada@example.com", "2024-01-01T00:00:00Z")
	pw := "operators-password-1"
	if _, err := n.app.Accounts.CreateByAdmin(context.Background(), n.shop, account.CreateInput{Email: "ada@example.com", Password: pw}); err != nil {
		t.Fatal(err)
	}
	if c := n.orders(n.login("ada@example.com", pw)); orderIDs(c) != "1" {
		t.Fatalf("a customer the operator created sees %q, want 1", orderIDs(c))
	}
}
