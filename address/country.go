package address

import (
	_ "embed"
	"encoding/json"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Country is a country or region as Shopify lists it.
type Country struct {
	// Code is the ISO 3166-1 alpha-2 code, such as "CA".
	Code string `json:"code"`
	// Name is Shopify's English name, such as "Canada".
	Name string `json:"name"`
	// Format is Shopify's display format: lines separated by "_", fields
	// written {firstName}, {lastName}, {company}, {address1}, {address2},
	// {city}, {province}, {zip}, {country} and {phone}.
	Format string `json:"format"`
	// Zones are the provinces, states or prefectures an address in the
	// country must name one of; empty where Shopify lists none.
	Zones []Zone `json:"zones"`
}

// Zone is a province, state or other subdivision of a Country.
type Zone struct {
	// Code is Shopify's provinceCode, such as "ON" or "JP-13".
	Code string `json:"code"`
	// Name is Shopify's English name, such as "Ontario".
	Name string `json:"name"`
}

//go:embed countries.json
var countriesJSON []byte

// table is countries.json read and indexed, once, when first needed: a
// command that never looks a country up does not pay for it at start.
type table struct {
	countries     []Country
	countryByKey  map[string]int
	zoneByCountry map[string]map[string]int
}

var data = sync.OnceValue(func() table {
	var doc struct {
		Countries []Country `json:"countries"`
	}
	if err := json.Unmarshal(countriesJSON, &doc); err != nil {
		panic("address: countries.json: " + err.Error())
	}
	t := table{countries: doc.Countries, countryByKey: map[string]int{}, zoneByCountry: map[string]map[string]int{}}
	for i, c := range t.countries {
		t.countryByKey[fold(c.Code)] = i
		t.countryByKey[fold(c.Name)] = i
		zones := map[string]int{}
		for j, z := range c.Zones {
			zones[fold(z.Code)] = j
			zones[fold(z.Name)] = j
		}
		t.zoneByCountry[c.Code] = zones
	}
	return t
})

// Countries returns every country Shopify lists, in its order.
func Countries() []Country { return append([]Country(nil), data().countries...) }

// LookupCountry finds a country by its code or English name, as Shopify
// accepts either: letter case, accents and surrounding or repeated spaces
// do not matter ("ca", "Canada", "aland islands" for "Åland Islands").
func LookupCountry(s string) (Country, bool) {
	t := data()
	i, ok := t.countryByKey[fold(s)]
	if !ok {
		return Country{}, false
	}
	return t.countries[i], true
}

// LookupZone finds one of c's zones by its code or English name, compared
// as LookupCountry compares; a code given without the country prefix some
// codes carry ("13" for "JP-13") is accepted too.
func (c Country) LookupZone(s string) (Zone, bool) {
	zones := data().zoneByCountry[c.Code]
	key := fold(s)
	j, ok := zones[key]
	if !ok {
		j, ok = zones[fold(c.Code+"-"+s)]
	}
	if !ok || key == "" {
		return Zone{}, false
	}
	return c.Zones[j], true
}

var stripMarks = runes.Remove(runes.In(unicode.Mn))

// fold is the form names and codes are compared in: without accents, in
// lower case, with single spaces.
func fold(s string) string {
	if isASCII(s) {
		return strings.Join(strings.Fields(strings.ToLower(s)), " ")
	}
	t, _, err := transform.String(transform.Chain(norm.NFD, stripMarks, norm.NFC), s)
	if err != nil {
		t = s
	}
	return strings.Join(strings.Fields(strings.ToLower(t)), " ")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
