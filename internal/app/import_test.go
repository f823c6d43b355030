package app_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/address"
	"github.com/storekeep/storekeep/customerimport"
	"github.com/storekeep/storekeep/internal/mail/smtptest"
)

const importHeader = "First Name,Last Name,Email,Accepts Email Marketing,Default Address Country Code,Tags\n"

func pendingInvitations(t *testing.T, n *node) int {
	t.Helper()
	list, err := n.app.Store.ListMail(context.Background(), storekeep.MailPending, 0)
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for _, m := range list {
		if m.Job == storekeep.JobInvite {
			count++
		}
	}
	return count
}

// TestImportedInvitationsArePacedAndLiveMailDoesNotWait imports three
// customers with invitations at one per second on a stopped clock: one
// invitation goes out, the others wait for their time while a reset mail
// asked for meanwhile goes out at once; each second of the clock lets one
// more go.
func TestImportedInvitationsArePacedAndLiveMailDoesNotWait(t *testing.T) {
	n := startNode(t)
	n.signUp("live@example.com", "first-secret-1")
	csv := importHeader + "A,One,a1@example.com,no,CA,\nB,Two,b2@example.com,no,US,\nC,Three,c3@example.com,yes,FR,\"x, y\"\n"
	im := customerimport.Importer{Store: n.app.Store, Accounts: n.app.Accounts, Shop: n.shop, Invite: true, InviteRate: 1, Now: n.clock.Now}
	sum, err := im.Run(context.Background(), strings.NewReader(csv))
	if err != nil || sum.Created != 3 || sum.Invited != 3 || len(sum.Errors) != 0 {
		t.Fatalf("import: %+v %v", sum, err)
	}
	n.app.Outbox.Kick()
	isInvitation := func(m smtptest.Received) bool { return strings.Contains(m.Text, "/account/activate/") }
	first := n.smtp.WaitForMatch(t, isInvitation, 1, 10*time.Second)
	if first[0].To != "a1@example.com" {
		t.Fatalf("first invitation to %s, want the first row's", first[0].To)
	}
	if got := pendingInvitations(t, n); got != 2 {
		t.Fatalf("%d invitations pending before their time, want 2", got)
	}
	n.recover("live@example.com")
	n.resetURL("live@example.com", 1)
	if got := pendingInvitations(t, n); got != 2 {
		t.Fatalf("%d invitations pending after the reset mail went, want 2", got)
	}
	for i, want := range []string{"b2@example.com", "c3@example.com"} {
		n.clock.Advance(time.Second)
		n.app.Outbox.Kick()
		got := n.smtp.WaitForMatch(t, isInvitation, i+2, 10*time.Second)
		if got[i+1].To != want {
			t.Fatalf("invitation %d to %s, want %s", i+2, got[i+1].To, want)
		}
	}
}

func TestImportingTheSameExportTwiceChangesNothing(t *testing.T) {
	n := startNode(t)
	csv := importHeader + "Ada,Lovelace,ada@example.com,yes,CA,vip\nGrace,Hopper,grace@example.com,no,,\n"
	im := customerimport.Importer{Store: n.app.Store, Accounts: n.app.Accounts, Shop: n.shop, Invite: true, Now: n.clock.Now}
	ctx := context.Background()
	sum, err := im.Run(ctx, strings.NewReader(csv))
	if err != nil || sum.Created != 2 || sum.Invited != 2 {
		t.Fatalf("first run: %+v %v", sum, err)
	}
	ada, err := n.app.Store.CustomerByEmail(ctx, n.shop.ID, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	sum, err = im.Run(ctx, strings.NewReader(csv))
	if err != nil || sum.Unchanged != 2 || sum.Created+sum.Updated+sum.Invited+len(sum.Errors) != 0 {
		t.Fatalf("second run: %+v %v", sum, err)
	}
	again, err := n.app.Store.CustomerByEmail(ctx, n.shop.ID, "ada@example.com")
	if err != nil || again.UpdatedAt != ada.UpdatedAt {
		t.Fatalf("ada rewritten by the second run: %+v %v", again, err)
	}
	if addrs, err := n.app.Store.Addresses(ctx, n.shop.ID, ada.ID); err != nil || len(addrs) != 1 {
		t.Fatalf("ada's addresses after two runs: %+v %v", addrs, err)
	}
	sum, err = im.Run(ctx, strings.NewReader(importHeader+"Ada,King,ADA@Example.com,yes,JP,vip\n"))
	if err != nil || sum.Updated != 1 || sum.Invited != 0 {
		t.Fatalf("a changed row: %+v %v", sum, err)
	}
	addrs, err := n.app.Store.Addresses(ctx, n.shop.ID, ada.ID)
	if err != nil || len(addrs) != 2 {
		t.Fatalf("addresses after a new default: %+v %v", addrs, err)
	}
	for _, a := range addrs {
		if a.Default != (a.CountryCode == "JP") {
			t.Errorf("address %+v: the imported one should be the default", a)
		}
	}
}

// TestATagWithANULIsReportedAndTheRestIsImported: PostgreSQL's JSONB
// refuses \u0000, so a NUL reaching the store would stop the import.
func TestATagWithANULIsReportedAndTheRestIsImported(t *testing.T) {
	n := startNode(t)
	ctx := context.Background()
	csv := importHeader + "Ada,Lovelace,ada@example.com,no,,\"vip\x00,\x1b[31mred\"\n" +
		"Bob,Bytes,bob@example.com,no,,\"" + strings.Repeat("x", 100000) + "\"\n" +
		"Grace,Hopper,grace@example.com,no,,ok\n"
	im := customerimport.Importer{Store: n.app.Store, Accounts: n.app.Accounts, Shop: n.shop, Now: n.clock.Now}
	sum, err := im.Run(ctx, strings.NewReader(csv))
	if err != nil || sum.Created != 1 || len(sum.Errors) != 2 || sum.Errors[0].Line != 2 || sum.Errors[1].Line != 3 {
		t.Fatalf("import: %+v %v", sum, err)
	}
	for _, email := range []string{"ada@example.com", "bob@example.com"} {
		if c, err := n.app.Store.CustomerByEmail(ctx, n.shop.ID, email); err == nil {
			t.Errorf("%s stored with tags %q", email, c.Tags)
		}
	}
}

// A row left out is reported and changes nothing: a row for a customer
// whose address book is full cannot add its address, so its names, tags
// and consent are not written either.
func TestARowLeftOutForAFullAddressBookChangesNothing(t *testing.T) {
	n := startNode(t)
	ctx := context.Background()
	n.signUp("ada@example.com", "first-secret-1")
	n.proveMailbox("ada@example.com", "second-secret-1", 1)
	ada, err := n.app.Store.CustomerByEmail(ctx, n.shop.ID, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	for i := range storekeep.MaxAddressesPerCustomer {
		street, country := fmt.Sprintf("%d Main St", i+1), "CA"
		if _, err := n.app.Accounts.AddAddress(ctx, ada, address.Input{Address1: &street, Country: &country}, false, callerCLI); err != nil {
			t.Fatal(err)
		}
	}
	csv := "First Name,Last Name,Email,Accepts Email Marketing,Tags,Default Address Address1,Default Address Country Code\n" +
		"Mallory,Hijack,ada@example.com,yes,owned,999 Elsewhere Rd,CA\n"
	im := customerimport.Importer{Store: n.app.Store, Accounts: n.app.Accounts, Shop: n.shop, Now: n.clock.Now}
	sum, err := im.Run(ctx, strings.NewReader(csv))
	if err != nil || len(sum.Errors) != 1 || sum.Updated != 0 || !strings.Contains(sum.Errors[0].Error(), "at most") {
		t.Fatalf("import: %+v %v, want the row left out for the full address book", sum, err)
	}
	after, err := n.app.Store.CustomerByEmail(ctx, n.shop.ID, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if after.FirstName != ada.FirstName || after.LastName != ada.LastName || !slices.Equal(after.Tags, ada.Tags) ||
		after.AcceptsMarketing != ada.AcceptsMarketing {
		t.Errorf("the row was left out (%v) but the customer changed: %q %q %v %v, was %q %q %v %v", sum.Errors[0],
			after.FirstName, after.LastName, after.Tags, after.AcceptsMarketing, ada.FirstName, ada.LastName, ada.Tags, ada.AcceptsMarketing)
	}
}

// TestAnImportRefusesAnInviteRateThatWouldNotPace: NaN, infinities and
// rates whose interval overflows would make every invitation due at once.
func TestAnImportRefusesAnInviteRateThatWouldNotPace(t *testing.T) {
	n := startNode(t)
	ctx := context.Background()
	for _, rate := range []float64{math.NaN(), math.Inf(1), -1, 1e-12, 1e12} {
		im := customerimport.Importer{Store: n.app.Store, Accounts: n.app.Accounts, Shop: n.shop, Invite: true, InviteRate: rate, Now: n.clock.Now}
		sum, err := im.Run(ctx, strings.NewReader(importHeader+"A,One,a1@example.com,no,,\n"))
		if err == nil || sum.Rows() != 0 {
			t.Errorf("rate %v: %+v %v, want it refused before any row", rate, sum, err)
		}
	}
	if _, err := n.app.Store.CustomerByEmail(ctx, n.shop.ID, "a1@example.com"); err == nil {
		t.Fatal("a customer was imported")
	}
}

// TestAColumnTheFileLacksLeavesTheCustomersFieldAlone: a file with
// fewer columns says nothing of the others, while an empty cell still
// clears its field (but for the phone, which an empty cell keeps).
func TestAColumnTheFileLacksLeavesTheCustomersFieldAlone(t *testing.T) {
	n := startNode(t)
	ctx := context.Background()
	im := customerimport.Importer{Store: n.app.Store, Accounts: n.app.Accounts, Shop: n.shop, Now: n.clock.Now}
	if sum, err := im.Run(ctx, strings.NewReader("First Name,Last Name,Email,Phone,Accepts Email Marketing,Tags\n"+
		"Ada,Lovelace,ada@example.com,+16135550100,yes,vip\n")); err != nil || sum.Created != 1 {
		t.Fatalf("first import: %+v %v", sum, err)
	}
	if sum, err := im.Run(ctx, strings.NewReader("Email\nada@example.com\n")); err != nil || sum.Unchanged != 1 {
		t.Fatalf("a file of emails only: %+v %v", sum, err)
	}
	c, err := n.app.Store.CustomerByEmail(ctx, n.shop.ID, "ada@example.com")
	if err != nil || c.FirstName != "Ada" || c.LastName != "Lovelace" || c.Phone != "+16135550100" || !c.AcceptsMarketing || strings.Join(c.Tags, ",") != "vip" {
		t.Fatalf("after a file of emails only: %+v %v", c, err)
	}
	if sum, err := im.Run(ctx, strings.NewReader("Email,Last Name,Phone,Tags\nada@example.com,,,\n")); err != nil || sum.Updated != 1 {
		t.Fatalf("a file of empty cells: %+v %v", sum, err)
	}
	c, err = n.app.Store.CustomerByEmail(ctx, n.shop.ID, "ada@example.com")
	if err != nil || c.FirstName != "Ada" || c.LastName != "" || c.Phone != "+16135550100" || !c.AcceptsMarketing || len(c.Tags) != 0 {
		t.Fatalf("after a file of empty cells: %+v %v", c, err)
	}
}

// TestAnInvitationOfACustomerNoLongerInvitedSendsNothing disables an
// imported customer before their invitation falls due: the job is done
// and no mail goes out.
func TestAnInvitationOfACustomerNoLongerInvitedSendsNothing(t *testing.T) {
	n := startNode(t)
	csv := importHeader + "A,One,a1@example.com,no,,\nB,Two,b2@example.com,no,,\n"
	im := customerimport.Importer{Store: n.app.Store, Accounts: n.app.Accounts, Shop: n.shop, Invite: true, InviteRate: 1, Now: n.clock.Now}
	if sum, err := im.Run(context.Background(), strings.NewReader(csv)); err != nil || sum.Invited != 2 {
		t.Fatalf("import: %+v %v", sum, err)
	}
	n.app.Outbox.Kick()
	isInvitation := func(m smtptest.Received) bool { return strings.Contains(m.Text, "/account/activate/") }
	n.smtp.WaitForMatch(t, isInvitation, 1, 10*time.Second)
	n.disable(storekeep.CustomerGID(mustCustomerID(t, n, "b2@example.com")))
	n.clock.Advance(time.Second)
	n.app.Outbox.Kick()
	for deadline := time.Now().Add(10 * time.Second); pendingInvitations(t, n) > 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the invitation of a disabled customer is still pending")
		}
	}
	for _, m := range n.smtp.Messages() {
		if m.To == "b2@example.com" {
			t.Fatalf("a disabled customer was invited: %s", m.Text)
		}
	}
}

// activatesBeforeUpdate is the node's store, but before the import's
// first UpdateCustomer the customer activates their account (through the
// link mailed to them, which proves the address), as one who follows
// their invitation while the import runs would.
type activatesBeforeUpdate struct {
	customerimport.Store
	activate func(ctx context.Context)
	done     bool
}

func (s *activatesBeforeUpdate) UpdateCustomer(ctx context.Context, u storekeep.CustomerUpdate) (storekeep.Customer, error) {
	if !s.done {
		s.done = true
		s.activate(ctx)
	}
	return s.Store.UpdateCustomer(ctx, u)
}

// A customer who activates while a later import updates their profile
// keeps the account and password they chose: the import reads them again
// rather than writing back the invited state it read.
func TestAnImportNeverUndoesAnActivationMadeWhileItRuns(t *testing.T) {
	n := startNode(t)
	ctx := context.Background()
	im := customerimport.Importer{Store: n.app.Store, Accounts: n.app.Accounts, Shop: n.shop, Now: n.clock.Now}
	if sum, err := im.Run(ctx, strings.NewReader(importHeader+"Ada,Lovelace,ada@example.com,yes,,\n")); err != nil || sum.Created != 1 {
		t.Fatalf("first import: %+v %v", sum, err)
	}
	im.Store = &activatesBeforeUpdate{Store: n.app.Store, activate: func(ctx context.Context) {
		read, err := n.app.Store.CustomerByEmail(ctx, n.shop.ID, "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		c := read
		c.State, c.PasswordHash, c.UpdatedAt = storekeep.CustomerEnabled, "$argon2id$chosen-by-ada", read.UpdatedAt.Add(time.Second)
		if _, err := n.app.Store.UpdateCustomer(ctx, storekeep.CustomerUpdate{Customer: c, Read: read, VerifyEmail: true}); err != nil {
			t.Fatal(err)
		}
	}}
	if sum, err := im.Run(ctx, strings.NewReader(importHeader+"Ada,King,ada@example.com,yes,,\n")); err != nil || sum.Updated != 1 {
		t.Fatalf("second import: %+v %v", sum, err)
	}
	got, err := n.app.Store.CustomerByEmail(ctx, n.shop.ID, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got.State != storekeep.CustomerEnabled || got.PasswordHash != "$argon2id$chosen-by-ada" || got.LastName != "King" {
		t.Errorf("after an activation during the import: state %q, hash %q, last name %q; want enabled, the chosen hash, King",
			got.State, got.PasswordHash, got.LastName)
	}
}

// adaRow is an export of one shop customer, ada@example.com, with a
// phone, a tag and a default address.
const adaRow = "First Name,Last Name,Email,Phone,Tags,Default Address Address1,Default Address City,Default Address Province Code,Default Address Country Code,Default Address Zip\n" +
	"Ada,Lovelace,ada@example.com,+16135550100,vip,150 Elgin St,Ottawa,ON,CA,K2P 1L4\n"

// importedCustomer is what a customer shows of the fields an import writes.
type importedCustomer struct {
	LastName       string  `json:"lastName"`
	Phone          *string `json:"phone"`
	DefaultAddress *struct {
		Address1 string `json:"address1"`
	} `json:"defaultAddress"`
}

// importedFields reads those fields of the customer token signs in.
func importedFields(t *testing.T, n *node, token string) importedCustomer {
	t.Helper()
	var got importedCustomer
	n.post(`query($token: String!) { customer(customerAccessToken: $token) { lastName phone defaultAddress { address1 } } }`,
		map[string]any{"token": token}).field(t, "customer", &got)
	return got
}

// A stranger who signed up with a shop customer's address before the
// shop's export was imported has not proved it owns the mailbox: the
// import must not hand it that customer's name, phone and home address.
func TestAnImportGivesNothingToAnAccountThatHasNotProvedItsAddress(t *testing.T) {
	n := startNode(t)
	ctx := context.Background()
	n.signUp("ada@example.com", "strangers-password-1")
	stranger := n.login("ada@example.com", "strangers-password-1")
	im := customerimport.Importer{Store: n.app.Store, Accounts: n.app.Accounts, Shop: n.shop, Now: n.clock.Now}
	sum, err := im.Run(ctx, strings.NewReader(adaRow))
	if err != nil || len(sum.Errors) != 1 || sum.Updated != 0 {
		t.Fatalf("import: %+v %v, want the row left out", sum, err)
	}
	if got := importedFields(t, n, stranger); got.LastName != "" || got.Phone != nil || got.DefaultAddress != nil {
		t.Fatalf("the stranger's account now shows the shop customer's %q, %v, %+v", got.LastName, got.Phone, got.DefaultAddress)
	}
	owner := n.proveMailbox("ada@example.com", "owners-password-1", 1)
	if sum, err := im.Run(ctx, strings.NewReader(adaRow)); err != nil || sum.Updated != 1 || len(sum.Errors) != 0 {
		t.Fatalf("the import once the owner proved the address: %+v %v", sum, err)
	}
	if got := importedFields(t, n, owner); got.LastName != "Lovelace" || got.DefaultAddress == nil || got.DefaultAddress.Address1 != "150 Elgin St" {
		t.Fatalf("the owner after the import: %+v", got)
	}
}

// A row read for a customer that has proved its address, whose write
// meets a change of that address, is read again: by then a stranger who
// has proved nothing may hold the address, and must be given nothing.
func TestAnImportReadingAgainGivesNothingToAnAccountThatHasNotProvedItsAddress(t *testing.T) {
	n := startNode(t)
	ctx := context.Background()
	n.signUp("ada@example.com", "owners-password-1")
	owner := n.proveMailbox("ada@example.com", "owners-password-1", 1)
	n.signUp("mallory@example.com", "strangers-password-1")
	stranger := n.login("mallory@example.com", "strangers-password-1")
	const update = `mutation($t: String!, $c: CustomerUpdateInput!) { customerUpdate(customerAccessToken: $t, customer: $c) { ` + payloadFields + ` } }`
	move := func(token, email string) {
		var p payload
		n.post(update, map[string]any{"t": token, "c": map[string]any{"email": email}}).field(t, "customerUpdate", &p)
		if len(p.CustomerUserErrors) > 0 || p.Customer == nil {
			t.Fatalf("customerUpdate to %s: %+v", email, p)
		}
	}
	im := customerimport.Importer{Shop: n.shop, Accounts: n.app.Accounts, Now: n.clock.Now,
		Store: &activatesBeforeUpdate{Store: n.app.Store, activate: func(context.Context) {
			n.clock.Advance(time.Second)
			move(owner, "ada@elsewhere.example")
			move(stranger, "ada@example.com")
		}}}
	sum, err := im.Run(ctx, strings.NewReader(adaRow))
	if err != nil || len(sum.Errors) != 1 || sum.Updated != 0 {
		t.Fatalf("import: %+v %v, want the row left out", sum, err)
	}
	if got := importedFields(t, n, stranger); got.LastName != "" || got.Phone != nil || got.DefaultAddress != nil {
		t.Fatalf("the stranger's account now shows the shop customer's %q, %v, %+v", got.LastName, got.Phone, got.DefaultAddress)
	}
}
