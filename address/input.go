package address

import (
	"errors"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/storekeep/storekeep"
)

// Input is a MailingAddressInput: what a customer typed. A nil field is
// absent: an update leaves it as it is.
type Input struct {
	Address1  *string
	Address2  *string
	City      *string
	Company   *string
	Country   *string
	FirstName *string
	LastName  *string
	Phone     *string
	Province  *string
	Zip       *string
}

// Apply validates in and writes what it gives into a, reporting every
// problem at once, each on field plus the input's name ("address",
// "country"). The country may be a code or a name and is stored as both;
// so is the province where the country lists provinces, which it must
// then be one of. The phone number is stored in E.164 form, read in the
// address's country when it has no international prefix.
func Apply(a *storekeep.MailingAddress, in Input, field []string) error {
	at := func(name string) []string { return append(append([]string(nil), field...), name) }
	var errs []error
	text := func(dst *string, v *string, name, label string, check func(string, []string, string) error) bool {
		if v == nil {
			return false
		}
		if err := check(*v, at(name), label); err != nil {
			errs = append(errs, err)
			return false
		}
		*dst = strings.TrimSpace(*v)
		return true
	}
	text(&a.FirstName, in.FirstName, "firstName", "First name", storekeep.CheckName)
	text(&a.LastName, in.LastName, "lastName", "Last name", storekeep.CheckName)
	text(&a.Company, in.Company, "company", "Company", checkLine)
	text(&a.Address1, in.Address1, "address1", "Address1", checkLine)
	text(&a.Address2, in.Address2, "address2", "Address2", checkLine)
	text(&a.City, in.City, "city", "City", checkLine)
	text(&a.Zip, in.Zip, "zip", "Zip", checkLine)
	country, province, phone := a.CountryCode, a.Province, a.Phone
	newCountry := text(&country, in.Country, "country", "Country", checkLine)
	newProvince := text(&province, in.Province, "province", "Province", checkLine)
	newPhone := text(&phone, in.Phone, "phone", "Phone", checkLine)
	if newCountry {
		if err := setCountry(a, country, at("country")); err != nil {
			errs = append(errs, err)
			newProvince = false
		}
	}
	if newCountry || newProvince {
		if err := setProvince(a, province, at("province")); err != nil {
			errs = append(errs, err)
		}
	}
	if newPhone {
		if err := setPhone(a, phone, at("phone")); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// checkLine accepts one ShownLine of at most MaxNameLength bytes.
func checkLine(s string, field []string, label string) error {
	if len(s) > storekeep.MaxNameLength {
		return storekeep.NewError(storekeep.CodeTooLong, field, label+" is too long (maximum is 255 characters)")
	}
	return storekeep.CheckShownLine(s, field, label)
}

func setCountry(a *storekeep.MailingAddress, s string, field []string) error {
	if s == "" {
		a.Country, a.CountryCode = "", ""
		return nil
	}
	c, ok := LookupCountry(s)
	if !ok {
		return storekeep.NewError(storekeep.CodeInvalid, field, "Country is invalid")
	}
	a.Country, a.CountryCode = c.Name, c.Code
	return nil
}

// setProvince resolves s against the address's country: a zone of it
// where it lists zones, free text elsewhere.
func setProvince(a *storekeep.MailingAddress, s string, field []string) error {
	c, known := LookupCountry(a.CountryCode)
	if !known || len(c.Zones) == 0 || s == "" {
		a.Province, a.ProvinceCode = s, ""
		return nil
	}
	z, ok := c.LookupZone(s)
	if !ok {
		return storekeep.NewError(storekeep.CodeInvalid, field, "Province is not a province of "+c.Name)
	}
	a.Province, a.ProvinceCode = z.Name, z.Code
	return nil
}

// setPhone stores s in E.164 form: an international number as it is, a
// national one in the address's country.
func setPhone(a *storekeep.MailingAddress, s string, field []string) error {
	if s == "" {
		a.Phone = ""
		return nil
	}
	phone, ok := NormalizePhone(s, a.CountryCode)
	if !ok {
		return storekeep.NewError(storekeep.CodeInvalid, field, "Phone is invalid")
	}
	a.Phone = phone
	return nil
}

// NormalizePhone returns s in E.164 form, reading a number without an
// international prefix as one of country (an ISO code; none when empty),
// or ok false when s is no possible phone number.
func NormalizePhone(s, country string) (string, bool) {
	if country == "" {
		country = "ZZ"
	}
	n, err := phonenumbers.Parse(s, country)
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return "", false
	}
	return phonenumbers.Format(n, phonenumbers.E164), true
}
