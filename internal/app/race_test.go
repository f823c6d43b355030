package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/multipass/multipasstest"
)

// One signed-in client that sends several customerUpdate profile edits of
// its own account at once gets each applied, or at worst told to slow
// down (THROTTLED, storekeep.ContendedMessage), never an internal error:
// an edit that keeps losing the customer to concurrent edits must not give
// up with INTERNAL_SERVER_ERROR (and an ERROR line).
func TestConcurrentProfileEditsOfOneCustomerNeverFailInternally(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.Now = time.Now // a real clock: each write moves updated_at, as in production
	})
	n.signUp("busy@example.com", "first-secret-1")
	tok := n.login("busy@example.com", "first-secret-1")
	const clients, each = 8, 6
	var mu sync.Mutex
	var failures []string
	atOnce(clients, func(i int) {
		for j := range each {
			r := n.post(updateEmail, map[string]any{"t": tok, "c": map[string]any{"firstName": fmt.Sprintf("Ada%d-%d", i, j)}})
			if len(r.Errors) > 0 && !isThrottled(r, "customerUpdate", storekeep.ContendedMessage) {
				mu.Lock()
				failures = append(failures, string(r.Raw))
				mu.Unlock()
			}
		}
	})
	if len(failures) > 0 {
		t.Errorf("%d of %d concurrent profile edits failed, first: %s", len(failures), clients*each, failures[0])
	}
	if logs := n.logs.String(); strings.Contains(logs, `"level":"ERROR"`) {
		t.Errorf("concurrent edits logged errors:\n%s", firstErrorLine(logs))
	}
}

// Two accounts that swap their addresses at once (a client holding both,
// or two clients) must each get TAKEN (the other account still holds the
// address) or succeed; never an internal error from a deadlock between
// the two UPDATEs' unique-index checks.
func TestConcurrentEmailSwapGivesTakenNotAnInternalError(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.Account.EmailChangesPerCustomer = storekeep.Limit{Count: 100000, Per: time.Hour}
		c.Account.EmailChangedPerEmail = storekeep.Limit{Count: 100000, Per: time.Hour}
	})
	n.signUp("one@example.com", "first-secret-1")
	n.signUp("two@example.com", "first-secret-1")
	tokens := []string{n.login("one@example.com", "first-secret-1"), n.login("two@example.com", "first-secret-1")}
	to := []string{"two@example.com", "one@example.com"}
	const rounds = 300
	for round := range rounds {
		results := make([]gqlResponse, 2)
		atOnce(2, func(i int) {
			results[i] = n.post(updateEmail, map[string]any{"t": tokens[i], "c": map[string]any{"email": to[i]}})
		})
		for i, r := range results {
			if len(r.Errors) > 0 {
				t.Fatalf("round %d, account %d: %s\n%s", round, i, r.Raw, firstErrorLine(n.logs.String()))
			}
			var p payload
			r.field(t, "customerUpdate", &p)
			if len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != "TAKEN" {
				t.Fatalf("round %d, account %d: %s", round, i, r.Raw)
			}
		}
	}
}

func firstErrorLine(logs string) string {
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, `"level":"ERROR"`) {
			return l
		}
	}
	return ""
}

// concurrentMultipassSignUps sends at Multipass tokens at once for one new
// customer (the same identifier, email and address in each), as a
// double-clicked or retried sign-in does, and returns the answers and the
// customer's addresses.
func concurrentMultipassSignUps(t *testing.T, n *node, round, at int) ([]string, []storekeep.MailingAddress) {
	t.Helper()
	email := fmt.Sprintf("sso-%d@example.com", round)
	data := n.multipassData(email, map[string]any{
		"first_name": "Ada", "identifier": fmt.Sprintf("user-%d", round),
		"addresses": []map[string]any{{"address1": "1 Main St", "city": "Toronto", "country": "Canada",
			"province": "Ontario", "zip": "M5V 2T6", "default": true}},
	})
	tokens := make([]string, at)
	for i := range tokens {
		tokens[i] = multipasstest.Mint(t, multipassSecret, data)
	}
	raws := make([]string, at)
	atOnce(at, func(i int) {
		r, _ := n.multipassSignIn(tokens[i])
		raws[i] = string(r.Raw)
	})
	c, err := n.app.Store.CustomerByEmail(context.Background(), n.shop.ID, email)
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	list, err := n.app.Store.Addresses(context.Background(), n.shop.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return raws, list
}

func multipassNodeForRaces(t *testing.T) *node {
	return startMultipassNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.Account.LoginPerIP = storekeep.Limit{Count: 100000, Per: time.Hour}
	})
}

// Each of several Multipass sign-ins sent at once for one new customer
// signs the customer in; none is refused as "the email address is already
// used by another customer (with a different Multipass identifier)" when
// every token carries the same identifier.
func TestConcurrentMultipassSignUpsWithOneIdentifierAreNotRefused(t *testing.T) {
	n := multipassNodeForRaces(t)
	for round := range 150 {
		raws, _ := concurrentMultipassSignUps(t, n, round, 4)
		for i, raw := range raws {
			if !strings.Contains(raw, `"accessToken"`) {
				t.Fatalf("round %d, sign-in %d: %s", round, i, raw)
			}
		}
	}
}

// Several Multipass sign-ins sent at once for one new customer, each
// carrying the same address, leave one copy of it: addAddresses promises
// that an address already held is not added twice.
func TestConcurrentMultipassSignUpsStoreTheirAddressOnce(t *testing.T) {
	n := multipassNodeForRaces(t)
	for round := range 40 {
		_, list := concurrentMultipassSignUps(t, n, round, 3)
		if len(list) != 1 {
			t.Fatalf("round %d: the customer holds %d copies of the one address every token carries", round, len(list))
		}
	}
}

// Several Multipass sign-ins of one existing customer at once (real clock)
// each succeed; none gives up with the store's ErrStale as an internal error.
func TestConcurrentMultipassSignInsOfAnExistingCustomerNeverFailInternally(t *testing.T) {
	n := startMultipassNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.Account.LoginPerIP = storekeep.Limit{Count: 100000, Per: time.Hour}
		c.Now = time.Now
	})
	data := func() map[string]any {
		return map[string]any{"email": "known@example.com", "created_at": time.Now().Format(time.RFC3339), "first_name": "Ada"}
	}
	if _, p := n.multipassSignIn(multipasstest.Mint(t, multipassSecret, data())); p.CustomerAccessToken == nil {
		t.Fatalf("first sign-in: %+v", p)
	}
	const at = 12
	for round := range 5 {
		raws := make([]string, at)
		tokens := make([]string, at)
		for i := range tokens {
			tokens[i] = multipasstest.Mint(t, multipassSecret, data())
		}
		atOnce(at, func(i int) {
			r, _ := n.multipassSignIn(tokens[i])
			raws[i] = string(r.Raw)
		})
		for i, raw := range raws {
			if !strings.Contains(raw, `"accessToken"`) {
				t.Errorf("round %d, sign-in %d: %s", round, i, raw)
			}
		}
		if t.Failed() {
			break
		}
	}
	if t.Failed() {
		t.Log(firstErrorLine(n.logs.String()))
	}
}

// Clients that change different fields of one address at once each keep
// their change: an update applies the fields it gives to the address as
// stored when it writes, never writing back the other fields as it read
// them, or answers THROTTLED (storekeep.ContendedMessage) and changes
// nothing. An update answered as made is in the address.
func TestConcurrentAddressUpdatesLoseNoChangeTheyAnswerAsMade(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.Account.AddressChangesPerCustomer = storekeep.Limit{Count: 100000, Per: time.Hour}
	})
	n.signUp("busy@example.com", "first-secret-1")
	tok := n.login("busy@example.com", "first-secret-1")
	a := n.createAddress(tok, map[string]any{"city": "Ottawa", "country": "CA", "province": "ON"})
	id, _ := storekeep.ParseMailingAddressGID(a.ID)
	customer := mustCustomerID(t, n, "busy@example.com")
	fields := []string{"firstName", "lastName", "company", "address1", "address2", "city", "zip"}
	for round := range 10 {
		value := fmt.Sprintf("Round %d", round)
		made := make([]bool, len(fields))
		atOnce(len(fields), func(i int) {
			r := n.post(addressUpdate, map[string]any{"t": tok, "id": a.ID, "a": map[string]any{fields[i]: value}})
			if isThrottled(r, "customerAddressUpdate", storekeep.ContendedMessage) {
				return
			}
			var p addressPayload
			r.field(t, "customerAddressUpdate", &p)
			if len(r.Errors) > 0 || len(p.CustomerUserErrors) > 0 || p.CustomerAddress == nil {
				t.Errorf("update of %s: %s", fields[i], r.Raw)
				return
			}
			made[i] = true
		})
		stored, err := n.app.Store.Address(context.Background(), n.shop.ID, customer, id)
		if err != nil {
			t.Fatal(err)
		}
		held := []string{stored.FirstName, stored.LastName, stored.Company, stored.Address1, stored.Address2, stored.City, stored.Zip}
		for i, field := range fields {
			if made[i] && held[i] != value {
				t.Fatalf("round %d: %s answered as changed to %q, stored %q (%+v)", round, field, value, held[i], stored)
			}
		}
	}
	if logs := n.logs.String(); strings.Contains(logs, `"level":"ERROR"`) {
		t.Errorf("concurrent address updates logged errors:\n%s", firstErrorLine(logs))
	}
}
