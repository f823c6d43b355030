package multipass

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/address"
)

// Bounds of what a token may carry.
const (
	// MaxAge is how long after its created_at a token is accepted:
	// Shopify's 15 minutes. At created_at+MaxAge it is refused, so that
	// it is never accepted once its spent record may be gone.
	MaxAge = 15 * time.Minute
	// MaxSkew is how far ahead of storekeep's clock a token's created_at
	// may be, for the issuer's clock running fast. A spent token's record
	// is kept MaxSkew past its expiry too, for a node whose clock runs
	// behind the one that deletes it.
	MaxSkew = time.Minute
	// MaxAddresses is how many addresses one token may carry.
	MaxAddresses = 10
)

// Login is what a verified token asks for: the customer it names, with
// the fields it sets. A nil field leaves the customer's as it is.
type Login struct {
	Email     storekeep.Address
	CreatedAt time.Time
	FirstName *string
	LastName  *string
	// Tags replace the customer's tags when not nil.
	Tags []string
	// Identifier is the customer's id in the shop's own system, or "".
	Identifier string
	// RemoteIP, when valid, is the only client address the token is for.
	RemoteIP  netip.Addr
	Addresses []Address
}

// Address is an address a token carries, as given and as it will be
// stored.
type Address struct {
	Input   address.Input
	Default bool
	// Stored is Input applied to an empty address.
	Stored storekeep.MailingAddress
}

// document is a token's JSON, named as Shopify names its fields. Fields
// storekeep does not know, return_to among them (there is no page to
// send the customer to), are ignored.
type document struct {
	Email      *string           `json:"email"`
	CreatedAt  *string           `json:"created_at"`
	FirstName  *string           `json:"first_name"`
	LastName   *string           `json:"last_name"`
	TagString  *string           `json:"tag_string"`
	Identifier *identifier       `json:"identifier"`
	RemoteIP   *string           `json:"remote_ip"`
	Addresses  []documentAddress `json:"addresses"`
}

type documentAddress struct {
	Address1     *string `json:"address1"`
	Address2     *string `json:"address2"`
	City         *string `json:"city"`
	Company      *string `json:"company"`
	Country      *string `json:"country"`
	CountryCode  *string `json:"country_code"`
	FirstName    *string `json:"first_name"`
	LastName     *string `json:"last_name"`
	Phone        *string `json:"phone"`
	Province     *string `json:"province"`
	ProvinceCode *string `json:"province_code"`
	Zip          *string `json:"zip"`
	Default      bool    `json:"default"`
}

// identifier is a JSON string or integer: issuers send their user ids
// either way.
type identifier string

func (id *identifier) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*id = identifier(s)
		return nil
	}
	if _, err := strconv.ParseInt(string(b), 10, 64); err != nil {
		return errors.New("identifier is neither a string nor an integer")
	}
	*id = identifier(b)
	return nil
}

// problem is why a verified token is refused; the client is told.
type problem string

func (p problem) Error() string { return string(p) }

// ParseLogin reads and checks the plaintext of a verified token at now.
func ParseLogin(plaintext []byte, now time.Time) (Login, error) {
	var d document
	dec := json.NewDecoder(bytes.NewReader(plaintext))
	if err := dec.Decode(&d); err != nil || dec.More() {
		return Login{}, problem("the token's data is not a JSON object of Multipass fields")
	}
	var l Login
	var err error
	if l.CreatedAt, err = createdAt(d.CreatedAt, now); err != nil {
		return Login{}, err
	}
	if d.Email == nil || strings.TrimSpace(*d.Email) == "" {
		return Login{}, problem("email is missing")
	}
	var ok bool
	if l.Email, ok = storekeep.ParseEmail(*d.Email); !ok {
		return Login{}, problem("email is invalid")
	}
	if err := asProblem(errors.Join(name(d.FirstName, "First name"), name(d.LastName, "Last name"))); err != nil {
		return Login{}, err
	}
	l.FirstName, l.LastName = trimmed(d.FirstName), trimmed(d.LastName)
	if d.TagString != nil {
		if l.Tags, err = storekeep.ParseTags(*d.TagString); err != nil {
			return Login{}, asProblem(err)
		}
	}
	if d.Identifier != nil {
		l.Identifier = strings.TrimSpace(string(*d.Identifier))
		if !storekeep.ShownLine(l.Identifier) || len(l.Identifier) > storekeep.MaxNameLength {
			return Login{}, problem("identifier must be one line of at most 255 bytes")
		}
	}
	if d.RemoteIP != nil && *d.RemoteIP != "" {
		if l.RemoteIP, err = netip.ParseAddr(*d.RemoteIP); err != nil {
			return Login{}, problem("remote_ip is not an IP address")
		}
	}
	if l.Addresses, err = addresses(d.Addresses); err != nil {
		return Login{}, err
	}
	return l, nil
}

// createdAt accepts an ISO 8601 time less than MaxAge before now and at
// most MaxSkew after it.
func createdAt(s *string, now time.Time) (time.Time, error) {
	if s == nil {
		return time.Time{}, problem("created_at is missing")
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		if t, err = time.Parse("2006-01-02T15:04:05Z0700", *s); err != nil {
			return time.Time{}, problem("created_at is not an ISO 8601 time")
		}
	}
	switch {
	case now.Sub(t) >= MaxAge:
		return time.Time{}, problem("the token has expired: created_at is 15 minutes ago or more")
	case t.Sub(now) > MaxSkew:
		return time.Time{}, problem("created_at is in the future")
	}
	return t, nil
}

func name(s *string, label string) error {
	if s == nil {
		return nil
	}
	return storekeep.CheckName(*s, nil, label)
}

func trimmed(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	return &t
}

// addresses checks each address as customerAddressCreate would, the
// country and province given by code or by name.
func addresses(list []documentAddress) ([]Address, error) {
	if len(list) > MaxAddresses {
		return nil, problem(fmt.Sprintf("a token carries at most %d addresses", MaxAddresses))
	}
	out := make([]Address, len(list))
	for i, d := range list {
		in := address.Input{
			Address1: d.Address1, Address2: d.Address2, City: d.City, Company: d.Company,
			Country: firstGiven(d.CountryCode, d.Country), FirstName: d.FirstName, LastName: d.LastName,
			Phone: d.Phone, Province: firstGiven(d.ProvinceCode, d.Province), Zip: d.Zip,
		}
		out[i] = Address{Input: in, Default: d.Default}
		field := []string{"addresses", strconv.Itoa(i)}
		if err := address.Apply(&out[i].Stored, in, field); err != nil {
			return nil, asProblem(err)
		}
	}
	return out, nil
}

func firstGiven(a, b *string) *string {
	if a != nil && strings.TrimSpace(*a) != "" {
		return a
	}
	return b
}

// asProblem turns validation errors into one problem naming each.
func asProblem(err error) error {
	if err == nil {
		return nil
	}
	list, ok := storekeep.UserErrors(err)
	if !ok {
		return err
	}
	msgs := make([]string, len(list))
	for i, e := range list {
		msgs[i] = e.Message
		if len(e.Field) > 0 {
			msgs[i] = strings.Join(e.Field, ".") + ": " + e.Message
		}
	}
	return problem(strings.Join(msgs, "; "))
}
