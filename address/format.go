package address

import (
	"regexp"
	"strings"

	"github.com/storekeep/storekeep"
)

// defaultFormat lays out an address whose country Shopify does not list.
const defaultFormat = "{firstName} {lastName}_{company}_{address1}_{address2}_{city} {province} {zip}_{country}_{phone}"

var field = regexp.MustCompile(`\{(\w+)\}`)

// Format returns a's lines in its country's order, as MailingAddress.
// formatted does: the name only withName, the company only withCompany,
// never the phone, and no empty line. A province shares its line by its
// code where the code is a short abbreviation ("Ottawa ON K2P 1L4") and
// is written out otherwise.
func Format(a storekeep.MailingAddress, withName, withCompany bool) []string {
	layout := defaultFormat
	if c, ok := LookupCountry(a.CountryCode); ok && a.CountryCode != "" {
		layout = c.Format
	}
	var lines []string
	for _, line := range strings.Split(layout, "_") {
		names := field.FindAllStringSubmatch(line, -1)
		skip, empty := false, true
		for _, n := range names {
			switch n[1] {
			case "firstName", "lastName":
				skip = skip || !withName
			case "company":
				skip = skip || !withCompany
			case "phone":
				skip = true
			}
			if value(a, n[1], len(names) > 1) != "" {
				empty = false
			}
		}
		if skip || empty {
			continue
		}
		text := field.ReplaceAllStringFunc(line, func(m string) string {
			return value(a, m[1:len(m)-1], len(names) > 1)
		})
		if text = strings.Join(strings.Fields(text), " "); text != "" {
			lines = append(lines, text)
		}
	}
	return lines
}

// FormatArea is MailingAddress.formattedArea: city, province and country,
// those that are set, separated by commas.
func FormatArea(a storekeep.MailingAddress) string {
	var parts []string
	for _, p := range []string{a.City, a.Province, a.Country} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

func value(a storekeep.MailingAddress, name string, shared bool) string {
	switch name {
	case "firstName":
		return a.FirstName
	case "lastName":
		return a.LastName
	case "company":
		return a.Company
	case "address1":
		return a.Address1
	case "address2":
		return a.Address2
	case "city":
		return a.City
	case "province":
		if shared && a.ProvinceCode != "" && !strings.Contains(a.ProvinceCode, "-") {
			return a.ProvinceCode
		}
		return a.Province
	case "zip":
		return a.Zip
	case "country":
		return a.Country
	case "phone":
		return a.Phone
	}
	return ""
}
