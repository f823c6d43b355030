package storekeep

import (
	"reflect"
	"testing"
)

func TestPaginateFollowsRelay(t *testing.T) {
	ids := []int64{2, 4, 6, 8, 10}
	key := func(n int64) int64 { return n }
	one, two, zero := 1, 2, 0
	cursor := func(n int64) *string { c := encodeCursor(n); return &c }
	for _, tc := range []struct {
		name       string
		p          Page
		want       []int64
		prev, next bool
	}{
		{"first", Page{First: &two}, []int64{2, 4}, false, true},
		{"after", Page{First: &two, After: cursor(4)}, []int64{6, 8}, true, true},
		{"after a deleted item", Page{First: &two, After: cursor(5)}, []int64{6, 8}, true, true},
		{"last", Page{Last: &two}, []int64{8, 10}, true, false},
		{"last before", Page{Last: &two, Before: cursor(6)}, []int64{2, 4}, false, true},
		{"between", Page{First: &two, After: cursor(2), Before: cursor(8)}, []int64{4, 6}, true, true},
		{"first and last", Page{First: &two, Last: &one}, []int64{4}, true, true},
		{"reverse", Page{First: &two, Reverse: true}, []int64{10, 8}, false, true},
		{"reverse after", Page{First: &two, Reverse: true, After: cursor(8)}, []int64{6, 4}, true, true},
		{"none", Page{First: &zero}, nil, false, true},
	} {
		w, err := Paginate(ids, key, tc.p)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(w.Items) != len(tc.want) || len(tc.want) > 0 && !reflect.DeepEqual(w.Items, tc.want) ||
			w.HasPreviousPage != tc.prev || w.HasNextPage != tc.next || len(w.Cursors) != len(w.Items) {
			t.Errorf("%s: %v prev %v next %v, want %v prev %v next %v", tc.name, w.Items, w.HasPreviousPage, w.HasNextPage, tc.want, tc.prev, tc.next)
		}
	}
	tooMany := MaxPageSize + 1
	bad := "x"
	for _, p := range []Page{{}, {First: &tooMany}, {Last: &tooMany}, {First: &one, After: &bad}, {First: &one, Before: &bad}} {
		if _, err := Paginate(ids, key, p); ErrorCode(err) != CodeBadRequest {
			t.Errorf("%+v: %v, want BAD_REQUEST", p, err)
		}
	}
}

func TestParseMailingAddressGID(t *testing.T) {
	for in, want := range map[string]int64{
		"gid://shopify/MailingAddress/7?model_name=CustomerAddress":                           7,
		"gid://shopify/MailingAddress/7":                                                      7,
		"gid://shopify/MailingAddress/7?model_name=CustomerAddress&customer_access_token=abc": 7,
	} {
		if got, ok := ParseMailingAddressGID(in); !ok || got != want {
			t.Errorf("%q: %d %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "gid://shopify/Customer/7", "gid://shopify/MailingAddress/07", "gid://shopify/MailingAddress/-7",
		"gid://shopify/MailingAddress/7?%zz", "gid://shopify/MailingAddress/", "gid://shopify/MailingAddress/7?model_name=Address",
		"gid://shopify/MailingAddress/7?model_name=CustomerAddress&model_name=Address", "gid://shopify/MailingAddress/7?model_name="} {
		if got, ok := ParseMailingAddressGID(in); ok {
			t.Errorf("%q parsed as %d", in, got)
		}
	}
	if MailingAddressGID(7) != "gid://shopify/MailingAddress/7?model_name=CustomerAddress" {
		t.Error(MailingAddressGID(7))
	}
}
