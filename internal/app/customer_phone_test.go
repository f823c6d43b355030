package app_test

import (
	"strings"
	"testing"
)

// TestCustomerPhonesAreReadAsAddressPhonesAre: customerCreate and
// customerUpdate read a phone number as the address book and the import
// do, so that one number is stored as one E.164 string however it is
// typed, and a number no country has is refused.
func TestCustomerPhonesAreReadAsAddressPhonesAre(t *testing.T) {
	n := startNode(t)
	n.signUp("ada@example.com", "first-secret-1")
	tok := n.login("ada@example.com", "first-secret-1")
	const update = `mutation($t: String!, $c: CustomerUpdateInput!) { customerUpdate(customerAccessToken: $t, customer: $c) {
		customer { phone } customerUserErrors { code field message } } }`
	for _, tc := range []struct{ phone, want string }{
		{"+1 613 555 0100", "+16135550100"},
		{"+1 (613) 555-0100", "+16135550100"},
		{"＋１ ６１３ ５５５ ０１００", "+16135550100"},
		{"+44 (0) 20 7946 0958", "+442079460958"},
		{"+44 020 7946 0958", "+442079460958"},
		{"+999 123456789", "INVALID"},
		{"+1 613", "INVALID"},
		{"613-555-0100", "INVALID"},
	} {
		var p struct {
			Customer *struct {
				Phone *string `json:"phone"`
			} `json:"customer"`
			CustomerUserErrors []userError `json:"customerUserErrors"`
		}
		n.post(update, map[string]any{"t": tok, "c": map[string]any{"phone": tc.phone}}).field(t, "customerUpdate", &p)
		got := ""
		switch {
		case len(p.CustomerUserErrors) == 1 && strings.Join(p.CustomerUserErrors[0].Field, ".") == "customer.phone":
			got = p.CustomerUserErrors[0].Code
		case len(p.CustomerUserErrors) == 0 && p.Customer != nil && p.Customer.Phone != nil:
			got = *p.Customer.Phone
		}
		if got != tc.want {
			t.Errorf("customerUpdate phone %q: %+v, want %s", tc.phone, p, tc.want)
		}
	}
	var c struct {
		CustomerUserErrors []userError `json:"customerUserErrors"`
	}
	n.post(createMutation, map[string]any{"input": map[string]any{"email": "bob@example.com", "password": "first-secret-1",
		"phone": "+999 123456789"}}).field(t, "customerCreate", &c)
	if len(c.CustomerUserErrors) != 1 || c.CustomerUserErrors[0].Code != "INVALID" || strings.Join(c.CustomerUserErrors[0].Field, ".") != "input.phone" {
		t.Errorf("customerCreate with a phone no country has: %+v", c)
	}
}
