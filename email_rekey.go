package storekeep

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// StoredEmail is a customer's address as a store holds it.
type StoredEmail struct {
	CustomerID int64
	ShopID     int64
	Email      string
	Key        string
}

// RekeyEmails applies the address rules of ParseEmail to addresses stored
// under older rules, which lower-cased with Unicode case mapping. It returns
// the rows whose Email (the address mail goes to) or Key changes, with their
// new values. It fails, naming every such row, when ParseEmail refuses a
// stored address or when two customers of a shop turn out to share one
// mailbox; then nothing may change until an operator settles them.
func RekeyEmails(rows []StoredEmail) ([]StoredEmail, error) {
	type shopKey struct {
		shop int64
		key  string
	}
	owner := make(map[shopKey]StoredEmail, len(rows))
	var changes []StoredEmail
	var problems []error
	rows = slices.Clone(rows)
	slices.SortFunc(rows, func(a, b StoredEmail) int { return cmp.Compare(a.CustomerID, b.CustomerID) })
	for _, r := range rows {
		a, ok := ParseEmail(r.Email)
		if !ok {
			problems = append(problems, fmt.Errorf("shop %d: customer %d has the address %q, which is refused now", r.ShopID, r.CustomerID, r.Email))
			continue
		}
		next := StoredEmail{CustomerID: r.CustomerID, ShopID: r.ShopID, Email: a.String(), Key: a.Key()}
		if first, taken := owner[shopKey{r.ShopID, next.Key}]; taken {
			problems = append(problems, fmt.Errorf("shop %d: customers %d (%q) and %d (%q) are one mailbox, %s",
				r.ShopID, first.CustomerID, first.Email, r.CustomerID, r.Email, next.Key))
			continue
		}
		owner[shopKey{r.ShopID, next.Key}] = r
		if next != r {
			changes = append(changes, next)
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("customer addresses break the address rules; change or delete these customers with the database's own client, then start storekeep again: %w", errors.Join(problems...))
	}
	return changes, nil
}
