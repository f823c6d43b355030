package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/customerimport"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/multipass/multipasstest"
)

// reorderingControls are the bidirectional embeddings, overrides and
// isolates (U+202A–U+202E, U+2066–U+2069), and the format characters
// storekeep refuses with them: the deprecated U+206A–U+206F and the
// interlinear annotation characters U+FFF9–U+FFFB.
var reorderingControls = map[string]string{
	"LRE": "\u202a", "RLE": "\u202b", "PDF": "\u202c", "LRO": "\u202d", "RLO": "\u202e",
	"LRI": "\u2066", "RLI": "\u2067", "FSI": "\u2068", "PDI": "\u2069",
	"national digit shapes": "\u206e", "interlinear annotation": "\ufff9",
}

// shownAsTyped are format characters names need, which storekeep keeps:
// ZWNJ in Persian, ZWJ in Indic scripts and emoji, LRM, RLM and ALM, a
// soft hyphen, a zero-width space between Thai words and the tag
// characters of a subdivision flag.
var shownAsTyped = []string{"می\u200cخواهم", "क्\u200dष", "👩\u200d💻", "Ada\u200e", "\u200fعلي", "\u061c١٢", "Lovel\u00adace",
	"สมชาย\u200bใจดี", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"}

// TestBidiControlsAreInvalidOnEveryDisplayedField sends each reordering
// control in every text a customer fills in through the API that a shop
// shows: names in customerCreate and customerUpdate, every line of an
// address in customerAddressCreate and customerAddressUpdate. Each is
// INVALID on its field, as a control character is; the format characters
// scripts need are kept as typed.
func TestBidiControlsAreInvalidOnEveryDisplayedField(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.Account.AddressChangesPerCustomer = storekeep.Limit{Count: 1000, Per: time.Hour}
	})
	n.signUp("ada@example.com", "first-secret-1")
	token := n.login("ada@example.com", "first-secret-1")
	i := 0
	for name, c := range reorderingControls {
		i++
		email := fmt.Sprintf("new-%d@example.com", i)
		spoof := "Ada" + c + "gpj.exe"
		t.Run(name, func(t *testing.T) {
			in := map[string]any{"email": email, "password": "new-secret-1", "firstName": "New", "lastName": spoof}
			var p payload
			n.post(createMutation, map[string]any{"input": in}).field(t, "customerCreate", &p)
			if p.Customer != nil || !hasUserError(p, "INVALID", []string{"input", "lastName"}) {
				t.Fatalf("customerCreate: %+v", p)
			}
			p = payload{}
			n.post(updateMutation, map[string]any{"t": token, "c": map[string]any{"firstName": spoof}}).field(t, "customerUpdate", &p)
			if p.Customer != nil || !hasUserError(p, "INVALID", []string{"customer", "firstName"}) {
				t.Fatalf("customerUpdate: %+v", p)
			}
			for _, field := range []string{"firstName", "company", "address1", "address2", "city", "zip", "province"} {
				in := map[string]any{"address1": "1 Main St", "city": "Paris", "country": "FR"}
				in[field] = spoof
				a := n.addressMutation("customerAddressCreate", addressCreate, map[string]any{"t": token, "a": in})
				if a.CustomerAddress != nil || !hasAddressError(a, "INVALID", []string{"address", field}) {
					t.Fatalf("customerAddressCreate with %s: %+v", field, a)
				}
			}
		})
	}
	book := n.createAddress(token, map[string]any{"address1": "1 Main St", "city": "Paris", "country": "FR"})
	a := n.addressMutation("customerAddressUpdate", addressUpdate, map[string]any{"t": token, "id": book.ID,
		"a": map[string]any{"city": "Paris\u202e"}})
	if a.CustomerAddress != nil || !hasAddressError(a, "INVALID", []string{"address", "city"}) {
		t.Fatalf("customerAddressUpdate: %+v", a)
	}
	for _, s := range shownAsTyped {
		var p payload
		n.post(updateMutation, map[string]any{"t": token, "c": map[string]any{"lastName": s}}).field(t, "customerUpdate", &p)
		if p.Customer == nil || len(p.CustomerUserErrors) > 0 {
			t.Fatalf("customerUpdate lastName %q: %+v", s, p)
		}
		created := n.createAddress(token, map[string]any{"address1": s, "city": "Paris", "country": "FR"})
		if str(created.Address1) != s {
			t.Fatalf("address1 %q stored as %q", s, str(created.Address1))
		}
		n.addressMutation("customerAddressDelete", addressDelete, map[string]any{"t": token, "id": created.ID})
	}
}

func hasAddressError(p addressPayload, code string, field []string) bool {
	for _, e := range p.CustomerUserErrors {
		if e.Code == code && strings.Join(e.Field, ".") == strings.Join(field, ".") {
			return true
		}
	}
	return false
}

// TestMultipassAndImportRefuseBidiControls: the fields a Multipass token
// or an import carries pass the same check, so neither can store a name,
// tag or address a customer could not type.
func TestMultipassAndImportRefuseBidiControls(t *testing.T) {
	n := startMultipassNode(t)
	for field, extra := range map[string]map[string]any{
		"first_name": {"first_name": "Ada\u202e"},
		"last_name":  {"last_name": "\u2067Lovelace"},
		"tag_string": {"tag_string": "vip, \u202dnim"},
		"identifier": {"identifier": "user\u2066-1"},
		"address":    {"addresses": []map[string]any{{"address1": "1 Main\u202e St", "city": "Toronto", "country": "Canada", "province": "Ontario"}}},
	} {
		_, p := n.multipassSignIn(multipasstest.Mint(t, multipassSecret, n.multipassData(field+"@example.com", extra)))
		refusedMultipass(t, field, p)
	}
	csv := importHeader + "Ada\u202e,Lovelace,ada@example.com,no,,\n" +
		"Bob,Bytes,bob@example.com,no,,\"vip,\u2067x\"\n" +
		"Grace,Hop\u200dper,grace@example.com,no,,ok\n"
	im := customerimport.Importer{Store: n.app.Store, Accounts: n.app.Accounts, Shop: n.shop, Now: n.clock.Now}
	sum, err := im.Run(context.Background(), strings.NewReader(csv))
	if err != nil || sum.Created != 1 || len(sum.Errors) != 2 {
		t.Fatalf("import: %+v %v", sum, err)
	}
	for _, email := range []string{"ada@example.com", "bob@example.com"} {
		if c, err := n.app.Store.CustomerByEmail(context.Background(), n.shop.ID, email); err == nil {
			t.Errorf("%s stored: %q %q", email, c.FirstName, c.Tags)
		}
	}
}
