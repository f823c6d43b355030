package address

import (
	"reflect"
	"strings"
	"testing"

	"github.com/storekeep/storekeep"
)

func TestLookupCountryTakesCodesAndNamesAsShopifyDoes(t *testing.T) {
	for in, want := range map[string]string{
		"CA": "CA", "ca": "CA", " canada ": "CA", "United  States": "US", "Åland Islands": "AX",
		"aland islands": "AX", "Côte d’Ivoire": "CI", "japan": "JP",
	} {
		c, ok := LookupCountry(in)
		if !ok || c.Code != want {
			t.Errorf("LookupCountry(%q) = %q, %v; want %s", in, c.Code, ok, want)
		}
	}
	for _, in := range []string{"", "Atlantis", "XX", "USA ", "C A"} {
		if c, ok := LookupCountry(in); ok {
			t.Errorf("LookupCountry(%q) = %s, want none", in, c.Code)
		}
	}
	if n := len(Countries()); n < 200 {
		t.Errorf("%d countries, want Shopify's full list", n)
	}
}

func TestLookupZoneTakesCodesAndNamesOfTheCountryOnly(t *testing.T) {
	us, _ := LookupCountry("US")
	jp, _ := LookupCountry("JP")
	for _, tc := range []struct {
		c        Country
		in, want string
	}{
		{us, "CA", "CA"}, {us, "california", "CA"}, {jp, "Tokyo", "JP-13"}, {jp, "jp-13", "JP-13"}, {jp, "13", "JP-13"},
	} {
		z, ok := tc.c.LookupZone(tc.in)
		if !ok || z.Code != tc.want {
			t.Errorf("%s.LookupZone(%q) = %q, %v; want %s", tc.c.Code, tc.in, z.Code, ok, tc.want)
		}
	}
	for _, in := range []string{"", "Ontario", "ON", "JP-13"} {
		if z, ok := us.LookupZone(in); ok {
			t.Errorf("US.LookupZone(%q) = %s, want none", in, z.Code)
		}
	}
}

func ptr(s string) *string { return &s }

func TestApplyKeepsAbsentFieldsAndChecksTheProvinceAgainstANewCountry(t *testing.T) {
	a := storekeep.MailingAddress{}
	if err := Apply(&a, Input{Country: ptr("us"), Province: ptr("New York"), Phone: ptr("(212) 555-0100"), City: ptr(" NYC ")}, []string{"address"}); err != nil {
		t.Fatal(err)
	}
	if a.CountryCode != "US" || a.Country != "United States" || a.ProvinceCode != "NY" || a.Phone != "+12125550100" || a.City != "NYC" {
		t.Fatalf("%+v", a)
	}
	before := a
	err := Apply(&a, Input{Country: ptr("Canada")}, []string{"address"})
	if list, ok := storekeep.UserErrors(err); !ok || len(list) != 1 || strings.Join(list[0].Field, ".") != "address.province" {
		t.Fatalf("moving a New York address to Canada: %v", err)
	}
	a = before
	if err := Apply(&a, Input{Country: ptr("France"), Province: ptr("Île-de-France")}, []string{"address"}); err != nil {
		t.Fatal(err)
	}
	if a.Province != "Île-de-France" || a.ProvinceCode != "" || a.City != "NYC" || a.Phone != "+12125550100" {
		t.Fatalf("a country without zones keeps the province as text, absent fields stay: %+v", a)
	}
	if err := Apply(&a, Input{Phone: ptr(""), Country: ptr("")}, []string{"address"}); err != nil || a.Phone != "" || a.CountryCode != "" {
		t.Fatalf("clearing: %+v %v", a, err)
	}
}

func TestFormatFollowsTheCountrysOrder(t *testing.T) {
	a := storekeep.MailingAddress{FirstName: "Ada", LastName: "Lovelace", Company: "Engines", Address1: "10 Downing St",
		City: "London", Zip: "SW1A 2AA", Country: "United Kingdom", CountryCode: "GB", Province: "England", ProvinceCode: "ENG", Phone: "+442071234567"}
	for _, tc := range []struct {
		withName, withCompany bool
		want                  []string
	}{
		{false, true, []string{"Engines", "10 Downing St", "London", "SW1A 2AA", "United Kingdom"}},
		{true, false, []string{"Ada Lovelace", "10 Downing St", "London", "SW1A 2AA", "United Kingdom"}},
	} {
		if got := Format(a, tc.withName, tc.withCompany); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Format(%v, %v) = %q, want %q", tc.withName, tc.withCompany, got, tc.want)
		}
	}
	it := storekeep.MailingAddress{Address1: "Via del Corso 1", City: "Roma", Zip: "00186", Province: "Rome", ProvinceCode: "RM", Country: "Italy", CountryCode: "IT"}
	if got, want := Format(it, false, true), []string{"Via del Corso 1", "00186 Roma RM", "Italy"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Italy: %q, want %q", got, want)
	}
	none := storekeep.MailingAddress{Address1: "1 Nowhere"}
	if got := Format(none, true, true); !reflect.DeepEqual(got, []string{"1 Nowhere"}) {
		t.Errorf("no country: %q", got)
	}
	if got := FormatArea(it); got != "Roma, Rome, Italy" {
		t.Errorf("FormatArea = %q", got)
	}
}
