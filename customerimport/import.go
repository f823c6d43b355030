package customerimport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/address"
)

// Store is the storage an import needs beside the account service.
type Store interface {
	CustomerByEmail(ctx context.Context, shopID int64, key string) (storekeep.Customer, error)
	UpdateCustomer(ctx context.Context, u storekeep.CustomerUpdate) (storekeep.Customer, error)
	Addresses(ctx context.Context, shopID, customerID int64) ([]storekeep.MailingAddress, error)
	EnqueueJob(ctx context.Context, j storekeep.Job) (int64, error)
}

// Accounts creates customers and adds addresses (package account).
type Accounts interface {
	CreateInvited(ctx context.Context, shop storekeep.Shop, in account.CreateInput) (storekeep.Customer, error)
	AddAddress(ctx context.Context, c storekeep.Customer, in address.Input, asDefault bool, caller storekeep.Caller) (storekeep.MailingAddress, error)
}

// DefaultInviteRate is how many invitations per second an import queues
// for one shop unless told otherwise.
const DefaultInviteRate = 10

// The invitation rates an import accepts, per second: from one every
// 1,000 seconds to a million a second, so that invitations fall due
// between 1µs and 1,000 s apart.
const (
	MinInviteRate = 0.001
	MaxInviteRate = 1e6
)

// CheckInviteRate refuses a rate outside [MinInviteRate, MaxInviteRate]:
// NaN, an infinity, or a rate whose interval between invitations would
// vanish or overflow.
func CheckInviteRate(rate float64) error {
	if rate >= MinInviteRate && rate <= MaxInviteRate {
		return nil
	}
	return fmt.Errorf("the invitation rate must be from %v to %d per second, not %v", MinInviteRate, int(MaxInviteRate), rate)
}

// interval is how far apart invitations at rate fall due.
func interval(rate float64) time.Duration { return time.Duration(float64(time.Second) / rate) }

// Importer imports exports into one shop.
type Importer struct {
	Store    Store
	Accounts Accounts
	Shop     storekeep.Shop
	// Invite queues an invitation for every customer the import creates.
	Invite bool
	// InviteRate is how many invitations fall due per second, the first
	// at once; DefaultInviteRate when 0. Run refuses a rate that
	// CheckInviteRate does.
	InviteRate float64
	// Now is the clock; time.Now when nil.
	Now storekeep.Clock
	// Progress, when not nil, is told after every row how many rows are
	// done and how many bytes of the file have been read.
	Progress func(rows int, bytes int64)
}

// Summary is what an import did.
type Summary struct {
	Created, Updated, Unchanged, Invited int
	// Errors are the rows that were left out, in file order.
	Errors []*LineError
}

// Rows is how many rows were read.
func (s Summary) Rows() int { return s.Created + s.Updated + s.Unchanged + len(s.Errors) }

type outcome int

const (
	unchanged outcome = iota
	updated
	created
)

var importCaller = storekeep.Caller{IP: "import"}

// Run imports every row of the export r holds. A row that is bad, or
// names a customer an earlier row named, is reported and left out; the
// others are imported. Run stops early only when the file has no Email
// column, the context ends or storage fails.
func (im *Importer) Run(ctx context.Context, r io.Reader) (Summary, error) {
	var sum Summary
	rate := im.InviteRate
	if rate == 0 {
		rate = DefaultInviteRate
	}
	if err := CheckInviteRate(rate); err != nil {
		return sum, err
	}
	rd, err := NewReader(r)
	if err != nil {
		return sum, err
	}
	nextInvite, every := im.now(), interval(rate)
	seen := map[string]int{}
	for {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return sum, nil
		}
		var o outcome
		var c storekeep.Customer
		if err == nil {
			key := storekeep.NormalizeEmail(row.Email)
			if first, dup := seen[key]; dup && row.Email != "" {
				err = &LineError{Line: row.Line, Err: errors.New("the email address of line " + strconv.Itoa(first) + " again; row left out")}
			} else {
				seen[key] = row.Line
				c, o, err = im.row(ctx, row)
			}
		}
		var le *LineError
		switch {
		case errors.As(err, &le):
			sum.Errors = append(sum.Errors, le)
		case err != nil:
			if _, user := storekeep.UserErrors(err); !user {
				return sum, err
			}
			sum.Errors = append(sum.Errors, &LineError{Line: row.Line, Err: err})
		case o == created:
			sum.Created++
			if im.Invite {
				if err := im.invite(ctx, c, im.now(), nextInvite); err != nil {
					return sum, err
				}
				sum.Invited++
				nextInvite = nextInvite.Add(every)
			}
		case o == updated:
			sum.Updated++
		default:
			sum.Unchanged++
		}
		if im.Progress != nil {
			im.Progress(sum.Rows(), rd.src.read)
		}
	}
}

// row imports one row: it validates all of it first, so that a bad row
// changes nothing. A row for an account that chose a password but has
// not proved it owns the address is left out: whoever signed up with the
// address is not given the shop's customer's names, phone and address.
func (im *Importer) row(ctx context.Context, row Row) (storekeep.Customer, outcome, error) {
	var addr storekeep.MailingAddress
	if row.Address != nil {
		if err := address.Apply(&addr, *row.Address, []string{"address"}); err != nil {
			return storekeep.Customer{}, unchanged, err
		}
	}
	phone := ""
	if row.Phone != "" {
		var ok bool
		if phone, ok = address.NormalizePhone(row.Phone, addr.CountryCode); !ok {
			return storekeep.Customer{}, unchanged, storekeep.NewError(storekeep.CodeInvalid, []string{"phone"}, "Phone is invalid")
		}
	}
	switch {
	case row.Email == "":
		return storekeep.Customer{}, unchanged, storekeep.NewError(storekeep.CodeBlank, []string{"email"}, "Email can't be blank")
	case !storekeep.ValidEmail(row.Email):
		return storekeep.Customer{}, unchanged, storekeep.NewError(storekeep.CodeInvalid, []string{"email"}, "Email is invalid")
	}
	if err := errors.Join(checkName(row.FirstName, "firstName", "First name"), checkName(row.LastName, "lastName", "Last name"),
		storekeep.CheckPlainLine(row.Email, []string{"email"}, "Email")); err != nil {
		return storekeep.Customer{}, unchanged, err
	}
	c, err := im.Store.CustomerByEmail(ctx, im.Shop.ID, storekeep.NormalizeEmail(row.Email))
	o := unchanged
	switch {
	case errors.Is(err, storekeep.ErrNotFound):
		c, err = im.Accounts.CreateInvited(ctx, im.Shop, account.CreateInput{Email: row.Email, FirstName: row.FirstName,
			LastName: row.LastName, Phone: &phone, AcceptsMarketing: row.AcceptsMarketing, Tags: row.Tags})
		o = created
	case err == nil && unproven(c):
		return c, o, unprovenHolder(row)
	case err == nil:
		if row.Address != nil {
			if err := im.roomForAddress(ctx, c, addr); err != nil {
				return c, o, err
			}
		}
		reread := false
		err = storekeep.RetryStale(ctx, func() (err error) {
			if reread {
				if c, err = im.Store.CustomerByEmail(ctx, im.Shop.ID, storekeep.NormalizeEmail(row.Email)); err != nil {
					return err
				}
			}
			reread = true
			if unproven(c) {
				return unprovenHolder(row)
			}
			c, o, err = im.update(ctx, c, row, phone)
			return err
		})
	}
	if err != nil {
		return c, o, err
	}
	if row.Address == nil {
		return c, o, nil
	}
	known, err := im.Store.Addresses(ctx, im.Shop.ID, c.ID)
	if err != nil {
		return c, o, err
	}
	for _, a := range known {
		if a.Default && sameAddress(a, addr) {
			return c, o, nil
		}
	}
	if _, err := im.Accounts.AddAddress(ctx, c, *row.Address, true, importCaller); err != nil {
		return c, o, err
	}
	return c, max(o, updated), nil
}

// unproven reports whether c, signed up with a password, has not proved
// it owns its address: someone who need not own the mailbox holds it.
func unproven(c storekeep.Customer) bool {
	return c.PasswordHash != "" && c.EmailVerifiedAt.IsZero()
}

// unprovenHolder is the error of a row left out because an unproven
// account holds its address.
func unprovenHolder(row Row) error {
	return &LineError{Line: row.Line, Err: errors.New("an account that has not proved it owns this address " +
		"has it (a sign-up); row left out until its owner proves the address by a reset")}
}

// roomForAddress refuses, before anything of its row is written, an
// address that c's address book, full, could not take: a row left out
// changes nothing.
func (im *Importer) roomForAddress(ctx context.Context, c storekeep.Customer, addr storekeep.MailingAddress) error {
	known, err := im.Store.Addresses(ctx, im.Shop.ID, c.ID)
	if err != nil {
		return err
	}
	for _, a := range known {
		if a.Default && sameAddress(a, addr) {
			return nil
		}
	}
	if len(known) >= storekeep.MaxAddressesPerCustomer {
		return storekeep.NewError(storekeep.CodeInvalid, []string{"address"},
			fmt.Sprintf("A customer can have at most %d addresses", storekeep.MaxAddressesPerCustomer))
	}
	return nil
}

// checkName checks a name the row has; nil, no column, is no name to check.
func checkName(name *string, field, label string) error {
	if name == nil {
		return nil
	}
	return storekeep.CheckName(*name, []string{field}, label)
}

// update gives an existing customer the fields the row has; a customer
// who has them already is left as is.
func (im *Importer) update(ctx context.Context, c storekeep.Customer, row Row, phone string) (storekeep.Customer, outcome, error) {
	want := c
	if row.FirstName != nil {
		want.FirstName = *row.FirstName
	}
	if row.LastName != nil {
		want.LastName = *row.LastName
	}
	if row.AcceptsMarketing != nil {
		want.AcceptsMarketing = *row.AcceptsMarketing
	}
	if row.Tags != nil {
		want.Tags = append([]string{}, row.Tags...)
	}
	if phone != "" {
		want.Phone = phone
	}
	if want.FirstName == c.FirstName && want.LastName == c.LastName && want.AcceptsMarketing == c.AcceptsMarketing &&
		want.Phone == c.Phone && slices.Equal(want.Tags, c.Tags) {
		return c, unchanged, nil
	}
	want.UpdatedAt = im.now()
	c, err := im.Store.UpdateCustomer(ctx, storekeep.CustomerUpdate{Customer: want, Read: c})
	return c, updated, err
}

func (im *Importer) now() time.Time {
	if im.Now == nil {
		return time.Now().UTC()
	}
	return im.Now().UTC()
}

// invite queues c's invitation, due at due.
func (im *Importer) invite(ctx context.Context, c storekeep.Customer, now, due time.Time) error {
	if due.Before(now) {
		due = now
	}
	_, err := im.Store.EnqueueJob(ctx, storekeep.Job{ShopID: im.Shop.ID, Kind: storekeep.JobInvite, Locale: im.Shop.Locale,
		CreatedAt: now, DueAt: due, Invite: storekeep.InviteRequest{CustomerID: c.ID, Email: c.Email}})
	return err
}

// sameAddress reports whether two addresses are the same place for the
// same person.
func sameAddress(a, b storekeep.MailingAddress) bool {
	return a.FirstName == b.FirstName && a.LastName == b.LastName && a.Company == b.Company &&
		a.Address1 == b.Address1 && a.Address2 == b.Address2 && a.City == b.City && a.Province == b.Province &&
		a.ProvinceCode == b.ProvinceCode && a.CountryCode == b.CountryCode && a.Zip == b.Zip && a.Phone == b.Phone
}
