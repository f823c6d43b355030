package account

import (
	"errors"
	"strings"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/address"
)

// checkEmail validates a required email field.
func checkEmail(email string, field []string) error {
	switch {
	case strings.TrimSpace(email) == "":
		return storekeep.NewError(storekeep.CodeBlank, field, "Email can't be blank")
	case !storekeep.ValidEmail(email):
		return storekeep.NewError(storekeep.CodeInvalid, field, "Email is invalid")
	}
	return nil
}

// sendTo is the address stored for email, which its mail goes to: the
// local part as given at the ASCII form of the domain.
func sendTo(email string) string {
	if a, ok := storekeep.ParseEmail(email); ok {
		return a.String()
	}
	return strings.TrimSpace(email)
}

// normalizePhone returns phone, an international number, in E.164 form as
// an address's phone is stored, or ok false.
func normalizePhone(phone string) (string, bool) {
	return address.NormalizePhone(strings.TrimSpace(phone), "")
}

// profile is the part of a customer both create and update validate.
type profile struct {
	firstName, lastName, phone *string
}

// apply validates p, writing accepted values into c, and returns every
// problem found, joined. prefix is the input's path ("input", "customer").
func (p profile) apply(c *storekeep.Customer, prefix string) error {
	var errs []error
	if p.firstName != nil {
		if err := storekeep.CheckName(*p.firstName, []string{prefix, "firstName"}, "First name"); err != nil {
			errs = append(errs, err)
		}
		c.FirstName = strings.TrimSpace(*p.firstName)
	}
	if p.lastName != nil {
		if err := storekeep.CheckName(*p.lastName, []string{prefix, "lastName"}, "Last name"); err != nil {
			errs = append(errs, err)
		}
		c.LastName = strings.TrimSpace(*p.lastName)
	}
	if p.phone != nil {
		c.Phone = ""
		if strings.TrimSpace(*p.phone) != "" {
			phone, ok := normalizePhone(*p.phone)
			if !ok {
				errs = append(errs, storekeep.NewError(storekeep.CodeInvalid, []string{prefix, "phone"}, "Phone is invalid"))
			}
			c.Phone = phone
		}
	}
	return errors.Join(errs...)
}
