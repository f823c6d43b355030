package storekeep

import "testing"

func TestParseCustomerGID(t *testing.T) {
	cases := []struct {
		gid string
		id  int64
		ok  bool
	}{
		{"gid://shopify/Customer/1", 1, true},
		{"gid://shopify/Customer/9223372036854775807", 9223372036854775807, true},
		{"gid://shopify/Customer/9223372036854775808", 0, false},
		{"gid://shopify/Customer/0", 0, false},
		{"gid://shopify/Customer/01", 0, false},
		{"gid://shopify/Customer/-1", 0, false},
		{"gid://shopify/Customer/1a", 0, false},
		{"gid://shopify/Customer/", 0, false},
		{"gid://shopify/Product/1", 0, false},
		{"1", 0, false},
	}
	for _, c := range cases {
		id, ok := ParseCustomerGID(c.gid)
		if id != c.id || ok != c.ok {
			t.Errorf("%q: got %d %v", c.gid, id, ok)
		}
	}
	if g := CustomerGID(5); g != "gid://shopify/Customer/5" {
		t.Fatal(g)
	}
}

func TestValidEmailAndNormalize(t *testing.T) {
	valid := []string{"a@b.co", "first.last+tag@example.com", " padded@example.com "}
	invalid := []string{"", "a", "a@b", "@b.co", "a@.co", "a@b.co.", "a@b..co", "A <a@b.co>", "a b@c.co", "a@b.co,c@d.co"}
	for _, e := range valid {
		if !ValidEmail(e) {
			t.Errorf("%q rejected", e)
		}
	}
	for _, e := range invalid {
		if ValidEmail(e) {
			t.Errorf("%q accepted", e)
		}
	}
	if NormalizeEmail("  Ada@Example.COM ") != "ada@example.com" {
		t.Fatal("normalisation")
	}
}
