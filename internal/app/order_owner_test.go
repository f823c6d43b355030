package app_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/multipass/multipasstest"
)

// provenJon signs jon@example.com up and proves the address, as its
// owner would, returning the access token of the proof's reset.
func (n *node) provenJon() string {
	n.t.Helper()
	n.signUp("jon@example.com", "a-long-password-1")
	return n.proveMailbox("jon@example.com", "a-long-password-2", 1)
}

// proveMailbox does what the owner of email does to prove it: asks for a
// reset, opens the link the mail brings (the resets-th to that address)
// and chooses pw. It returns the access token the reset answers with. It
// first lets the orders_waiting job of a sign-up run, whose link the
// reset's would otherwise race to void.
func (n *node) proveMailbox(email, pw string, resets int) string {
	n.t.Helper()
	n.settledJobs(storekeep.JobOrdersWaiting)
	if r, p := n.recover(email); len(r.Errors) > 0 || len(p.CustomerUserErrors) > 0 {
		n.t.Fatalf("customerRecover %s: %s", email, r.Raw)
	}
	got := n.resetByURL(n.resetMailURL(email, resets), pw)
	if got.CustomerAccessToken == nil {
		n.t.Fatalf("reset of %s: %+v", email, got)
	}
	return got.CustomerAccessToken.AccessToken
}

// resetMailURL waits for the count-th mail to email that answers a
// customerRecover (not the orders_waiting mail, whose link a later reset
// voids) and returns its link.
func (n *node) resetMailURL(email string, count int) string {
	n.t.Helper()
	msgs := n.smtp.WaitForMatch(n.t, func(m smtpMessage) bool {
		return m.To == email && strings.HasPrefix(m.Subject, "Reset your")
	}, count, 10*time.Second)
	return resetLink.FindString(msgs[count-1].Text)
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

	n.settledJobs(storekeep.JobOrdersWaiting)
	n.recover("jon@example.com")
	owner := n.resetByURL(n.resetMailURL("JON@example.com", 1), "owners-password-1").CustomerAccessToken.AccessToken
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
	pending := n.resetMailURL("mallory@example.com", 2)

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

func TestAMultipassSignInShutsTheStrangerOutOfTheAccountItProves(t *testing.T) {
	n := startMultipassNode(t)
	n.importOrder(1, "ada@example.com", "2024-01-01T00:00:00Z")
	n.signUp("ada@example.com", "strangers-password-1")
	stranger := n.login("ada@example.com", "strangers-password-1")
	_, p := n.multipassSignIn(multipasstest.Mint(t, multipassSecret, n.multipassData("ada@example.com", nil)))
	if p.CustomerAccessToken == nil {
		t.Fatalf("multipass: %+v", p)
	}
	var who *customerJSON
	n.post(customerQuery, map[string]any{"token": stranger}).field(t, "customer", &who)
	if who != nil {
		t.Fatalf("the stranger's access token outlived the Multipass sign-in that proved the address: %+v", who)
	}
	if _, got := n.loginAs("ada@example.com", "strangers-password-1", "198.51.100.9"); got.CustomerAccessToken != nil {
		t.Fatal("the stranger's password still signs in to the account the shop vouched for")
	}
	if c := n.orders(p.CustomerAccessToken.AccessToken); orderIDs(c) != "1" {
		t.Fatalf("the owner sees %q, want 1", orderIDs(c))
	}

	owner := n.proveMailbox("ada@example.com", "owners-password-1", 1)
	_, again := n.multipassSignIn(multipasstest.Mint(t, multipassSecret, n.multipassData("ada@example.com", nil)))
	if again.CustomerAccessToken == nil {
		t.Fatalf("multipass: %+v", again)
	}
	n.post(customerQuery, map[string]any{"token": owner}).field(t, "customer", &who)
	if who == nil {
		t.Fatal("a Multipass sign-in ended the session of a customer who had proved the address")
	}
	n.login("ada@example.com", "owners-password-1")
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

// settledJobs waits until the outbox holds no pending job of kind.
func (n *node) settledJobs(kind storekeep.JobKind) {
	n.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		pending, err := n.app.Store.ListMail(context.Background(), storekeep.MailPending, 0)
		if err != nil {
			n.t.Fatal(err)
		}
		if !slices.ContainsFunc(pending, func(r storekeep.MailRecord) bool { return r.Job == kind }) {
			return
		}
		if time.Now().After(deadline) {
			n.t.Fatalf("%s jobs still pending after 10s", kind)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestASignUpOverWaitingOrdersMailsTheAddressALinkThatProvesIt(t *testing.T) {
	for _, mode := range []storekeep.Enumeration{storekeep.EnumerationPrivate, storekeep.EnumerationShopify} {
		t.Run(string(mode), func(t *testing.T) {
			n := startNode(t, func(_ *app.Config, s *storekeep.Shop) { s.Enumeration = mode })
			n.importOrder(1, "victim@example.com", "2024-01-01T00:00:00Z")
			n.signUp("victim@example.com", "strangers-password-1")
			stranger := n.login("victim@example.com", "strangers-password-1")
			n.signUp("nobody@example.com", "a-long-password-1")

			mail := n.smtp.WaitForMatch(t, func(m smtpMessage) bool {
				return m.To == "victim@example.com" && strings.Contains(m.Subject, "Confirm your email address")
			}, 1, 10*time.Second)[0]
			link := resetLink.FindString(mail.Text)
			if link == "" || !strings.Contains(mail.HTML, link) || strings.Contains(mail.Text, "Ada") {
				t.Fatalf("orders_waiting mail: link %q, text:\n%s", link, mail.Text)
			}
			owner := n.resetByURL(link, "owners-password-1")
			if owner.CustomerAccessToken == nil {
				t.Fatalf("the link: %+v", owner)
			}
			if c := n.orders(owner.CustomerAccessToken.AccessToken); orderIDs(c) != "1" {
				t.Fatalf("after the link the owner sees %q", orderIDs(c))
			}
			var who *customerJSON
			n.post(customerQuery, map[string]any{"token": stranger}).field(t, "customer", &who)
			if who != nil {
				t.Fatal("the stranger's session outlived the owner's link")
			}

			n.settledJobs(storekeep.JobOrdersWaiting)
			queued, err := n.app.Store.ListMail(context.Background(), "", 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range queued {
				if m.To == "nobody@example.com" && m.Template != "" {
					t.Errorf("an address without orders got a %s mail", m.Template)
				}
			}
		})
	}
}

// An order whose email the shop changes (a typo put right, the order
// handed to its real buyer) leaves the customer of its former address:
// that customer must not go on seeing the new address's order.
func TestAnOrderMovedToAnotherAddressLeavesItsFormerCustomer(t *testing.T) {
	n := startNode(t)
	n.signUp("alice@example.com", "alices-password-1")
	alice := n.proveMailbox("alice@example.com", "alices-password-2", 1)
	n.importOrder(5, "alice@example.com", "2024-01-01T00:00:00Z")
	if c := n.orders(alice); orderIDs(c) != "5" {
		t.Fatalf("alice's own order: %q", orderIDs(c))
	}
	n.importOrder(5, "bob@example.com", "2024-01-01T00:00:00Z",
		`"updated_at": "2021-12-31T19:00:00-05:00"`, `"updated_at": "2024-02-01T00:00:00Z"`)
	if c := n.orders(alice); c.NumberOfOrders != "0" || orderIDs(c) != "" {
		t.Fatalf("after the order moved to bob@example.com alice sees %q (%s orders)", orderIDs(c), c.NumberOfOrders)
	}
	n.signUp("bob@example.com", "bobs-password-1")
	bob := n.proveMailbox("bob@example.com", "bobs-password-2", 1)
	if c := n.orders(bob); orderIDs(c) != "5" {
		t.Fatalf("bob, having proved his address, sees %q", orderIDs(c))
	}
}

// TestAnOrderMovedToAnotherAddressNoLongerOpensWithItsFormerID moves an
// order from alice@example.com, who was shown it with its id and key, to
// bob@example.com. Alice's id opens nothing any more; Bob is shown the
// order under a new id, and a customerUrl with its key, that do.
func TestAnOrderMovedToAnotherAddressNoLongerOpensWithItsFormerID(t *testing.T) {
	n := startNode(t)
	n.signUp("alice@example.com", "alices-password-1")
	alice := n.proveMailbox("alice@example.com", "alices-password-2", 1)
	n.importOrder(5, "alice@example.com", "2024-01-01T00:00:00Z")
	c := n.orders(alice)
	if orderIDs(c) != "5" {
		t.Fatalf("alice's own order: %q", orderIDs(c))
	}
	alicesID := c.Orders.Nodes[0].ID
	n.importOrder(5, "bob@example.com", "2024-01-01T00:00:00Z",
		`"updated_at": "2021-12-31T19:00:00-05:00"`, `"updated_at": "2024-02-01T00:00:00Z"`)
	nodeOf := func(id string) string {
		r := n.post(`query($id: ID!) { node(id: $id) { ... on Order { name email shippingAddress { address1 } } } }`, map[string]any{"id": id})
		if r.Errors != nil {
			t.Fatalf("node(%s): %s", id, r.Raw)
		}
		return string(r.Data["node"])
	}
	if got := nodeOf(alicesID); got != "null" {
		t.Fatalf("the id alice was shown still opens bob's order: %s", got)
	}
	n.signUp("bob@example.com", "bobs-password-1")
	bob := n.proveMailbox("bob@example.com", "bobs-password-2", 1)
	c = n.orders(bob)
	if orderIDs(c) != "5" || c.Orders.Nodes[0].ID == alicesID {
		t.Fatalf("bob's order list: %+v", c.Orders.Nodes)
	}
	if got := nodeOf(c.Orders.Nodes[0].ID); !strings.Contains(got, `"email":"bob@example.com"`) {
		t.Fatalf("bob's id for his order: %s", got)
	}
	if key := strings.SplitN(c.Orders.Nodes[0].ID, "?key=", 2)[1]; c.Orders.Nodes[0].CustomerURL != "https://shop.example/account/orders/5?key="+key {
		t.Fatalf("bob's customerUrl %s does not carry his key", c.Orders.Nodes[0].CustomerURL)
	}
}
