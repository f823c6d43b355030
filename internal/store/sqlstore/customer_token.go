package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/storekeep/storekeep"
)

// lockCustomer takes the customer's row lock for the rest of the
// transaction where the dialect has row locks. Every transaction that
// changes a customer's tokens takes it first, so two of them on one
// customer run one after the other, and always lock rows in the same
// order: customer, then its tokens. (A database with a single writer
// needs no lock.)
func (s *Store) lockCustomer(ctx context.Context, tx Querier, customerID int64) error {
	if s.d.LockCustomer == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, s.d.LockCustomer, customerID)
	return err
}

// IssueCustomerToken voids the customer's unused tokens of t's purpose,
// stores t, queues m and records a, in one transaction; t is stored only
// while m goes to the customer's current address, checked under the row
// lock, so that no token mailed elsewhere can verify the address. The customer's row
// lock makes concurrent issues for one customer take turns, so the later
// one's UPDATE, which under READ COMMITTED sees every row committed before
// it starts, voids the earlier one's token: at most one stays unused.
func (s *Store) IssueCustomerToken(ctx context.Context, t storekeep.CustomerToken, m storekeep.Mail, a storekeep.AuditEvent, job int64) error {
	t.CreatedAt = s.stamp(t.CreatedAt)
	return s.w.InTx(ctx, func(tx Querier) error {
		if job != 0 {
			err := s.markJobDone(ctx, tx, job, t.CreatedAt)
			if errors.Is(err, storekeep.ErrNotFound) {
				return storekeep.ErrJobDone
			}
			if err != nil {
				return err
			}
		}
		if err := s.replaceTokens(ctx, tx, t, m.To); err != nil {
			return err
		}
		if _, err := s.insertMail(ctx, tx, m); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, a)
	})
}

// markJobDone marks a pending job sent at at; ErrNotFound when it is no
// longer pending.
func (s *Store) markJobDone(ctx context.Context, tx Querier, job int64, at time.Time) error {
	return affectedOne(tx.ExecContext(ctx, `UPDATE outbox
		SET status = 'sent', sent_at = $1, data = NULL, claimed_until = NULL
		WHERE id = $2 AND `+hasStatus(storekeep.MailPending), s.at(at), job))
}

// replaceTokens takes the customer's lock, then stores t as storeToken
// does; ErrNotFound, and nothing stored, when the customer no longer has
// the address to, where the mail goes.
func (s *Store) replaceTokens(ctx context.Context, tx Querier, t storekeep.CustomerToken, to string) error {
	if err := s.lockCustomer(ctx, tx, t.CustomerID); err != nil {
		return err
	}
	if err := s.hasAddress(ctx, tx, t, to); err != nil {
		return err
	}
	return s.storeToken(ctx, tx, t)
}

// storeToken voids the customer's unused tokens of t's purpose and stores
// t; the caller holds the customer's lock and has checked its address.
func (s *Store) storeToken(ctx context.Context, tx Querier, t storekeep.CustomerToken) error {
	if err := s.spendTokens(ctx, tx, t.CustomerID, t.Purpose, t.CreatedAt); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO customer_tokens (shop_id, customer_id, purpose, hash, expires_at,
			created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		t.ShopID, t.CustomerID, t.Purpose, t.Hash, s.at(t.ExpiresAt), s.at(t.CreatedAt))
	return s.mapErr(err)
}

// storeTokens stores tokens as storeToken would one after the other, in
// two statements: it inserts them all, then voids every unused token of
// their customers and purposes but the last of tokens for each, which
// stays the one unused. The caller holds the customers' locks and has
// checked their addresses.
func (s *Store) storeTokens(ctx context.Context, tx Querier, tokens []storekeep.CustomerToken) error {
	n := len(tokens)
	shops, customers := make([]int64, n), make([]int64, n)
	purposes, hashes := make([]string, n), make([][]byte, n)
	expires, created := make([]time.Time, n), make([]time.Time, n)
	type key struct {
		customer int64
		purpose  storekeep.TokenPurpose
	}
	last := make(map[key]int, n)
	for i, t := range tokens {
		shops[i], customers[i], purposes[i], hashes[i] = t.ShopID, t.CustomerID, string(t.Purpose), t.Hash
		expires[i], created[i] = t.ExpiresAt, t.CreatedAt
		last[key{t.CustomerID, t.Purpose}] = i
	}
	from, args, err := s.d.Table(1, []Column{{"shop_id", shops}, {"customer_id", customers}, {"purpose", purposes},
		{"hash", hashes}, {"expires_at", expires}, {"created_at", created}})
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO customer_tokens (shop_id, customer_id, purpose, hash, expires_at, created_at)
		SELECT shop_id, customer_id, purpose, hash, expires_at, created_at FROM `+from, args...)
	if err != nil {
		return s.mapErr(err)
	}
	kept := slices.Sorted(maps.Values(last))
	keptCustomers, keptPurposes := make([]int64, len(kept)), make([]string, len(kept))
	keptHashes, keptAt := make([][]byte, len(kept)), make([]time.Time, len(kept))
	for j, i := range kept {
		keptCustomers[j], keptPurposes[j], keptHashes[j], keptAt[j] = customers[i], purposes[i], hashes[i], created[i]
	}
	list, err := s.d.List(keptCustomers)
	if err != nil {
		return err
	}
	from, args, err = s.d.Table(2, []Column{{"customer_id", keptCustomers}, {"purpose", keptPurposes},
		{"kept", keptHashes}, {"at", keptAt}})
	if err != nil {
		return err
	}
	// The list of customers, redundant with v, has the planner look each
	// customer's tokens up rather than walk every unused token. Unlike the
	// store's other list look-ups it keeps its prepared plan (no planEach):
	// the partial index customer_tokens_open holds only open tokens, so
	// that plan is an index scan however small the table was when it was
	// made, while plans made for each list were bitmap scans, which leave
	// the entries of tokens voided before unmarked and read them again.
	_, err = tx.ExecContext(ctx, `UPDATE customer_tokens SET used_at = v.at
		FROM `+from+`
		WHERE `+s.d.ListIn("customer_tokens.customer_id", "$1")+` AND customer_tokens.customer_id = v.customer_id
			AND customer_tokens.purpose = v.purpose AND customer_tokens.used_at IS NULL AND customer_tokens.hash <> v.kept`,
		append([]any{list}, args...)...)
	return err
}

// hasAddress is ErrNotFound unless t's customer is the shop's and has the
// address to.
func (s *Store) hasAddress(ctx context.Context, tx Querier, t storekeep.CustomerToken, to string) error {
	var one int
	return s.mapErr(tx.QueryRowContext(ctx, `SELECT 1 FROM customers WHERE id = $1 AND shop_id = $2 AND email = $3`,
		t.CustomerID, t.ShopID, to).Scan(&one))
}

func (s *Store) spendTokens(ctx context.Context, q Querier, customerID int64, purpose storekeep.TokenPurpose, at time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE customer_tokens SET used_at = $1
		WHERE customer_id = $2 AND purpose = $3 AND used_at IS NULL`, s.at(at), customerID, purpose)
	return err
}

// CustomerTokenByHash returns customerID's unused token of purpose whose
// hash is one of hashes, expired or not, from the customer's open tokens
// (customer_tokens_open).
func (s *Store) CustomerTokenByHash(ctx context.Context, shopID, customerID int64, purpose storekeep.TokenPurpose, hashes [][]byte) (storekeep.CustomerToken, error) {
	if len(hashes) == 0 {
		return storekeep.CustomerToken{}, storekeep.ErrNotFound
	}
	in, args := s.d.HashIn("hash", 4, hashes)
	var t storekeep.CustomerToken
	err := s.r.QueryRowContext(ctx, `SELECT id, shop_id, customer_id, purpose, hash, expires_at, created_at
		FROM customer_tokens
		WHERE customer_id = $2 AND purpose = $3 AND used_at IS NULL AND shop_id = $1 AND `+in+` LIMIT 1`,
		append(s.planEach(shopID, customerID, purpose), args...)...).
		Scan(&t.ID, &t.ShopID, &t.CustomerID, &t.Purpose, &t.Hash, scanTime(&t.ExpiresAt), scanTime(&t.CreatedAt))
	if err != nil {
		return storekeep.CustomerToken{}, s.mapErr(err)
	}
	return t, nil
}

// RedeemCustomerToken spends r.Token and, with it, sets the customer's
// password, enables the account, marks its address verified, replaces
// its access tokens, queues r.Mail and records r.Audit, in one
// transaction.
//
// The conditional UPDATE ... WHERE id = $2 AND used_at IS NULL AND
// expires_at > $1 decides who wins. With a single writer, transactions
// simply take turns. Under PostgreSQL's READ COMMITTED it is race-free
// too: an UPDATE locks each row it changes until its transaction ends,
// and a concurrent UPDATE of that row waits for the lock; when the holder
// commits, the waiter re-evaluates its WHERE clause against the row's new
// version (EvalPlanQual) rather than its own snapshot, finds used_at set
// and changes nothing. If the holder rolls back, the waiter sees the row
// unchanged and may win instead. So exactly one transaction ever changes
// the row, and the others roll back with storekeep.ErrTokenSpent. The
// customer's row lock, taken first, only orders this transaction against
// others on the same customer (see lockCustomer); it decides nothing.
func (s *Store) RedeemCustomerToken(ctx context.Context, r storekeep.Redemption) (storekeep.Customer, error) {
	now := s.at(r.Now)
	var c storekeep.Customer
	err := s.w.InTx(ctx, func(tx Querier) error {
		if err := s.lockCustomer(ctx, tx, r.Token.CustomerID); err != nil {
			return err
		}
		err := affectedOne(tx.ExecContext(ctx, `UPDATE customer_tokens SET used_at = $1
			WHERE id = $2 AND shop_id = $3 AND customer_id = $4 AND purpose = $5 AND used_at IS NULL AND expires_at > $1`,
			now, r.Token.ID, r.Token.ShopID, r.Token.CustomerID, r.Token.Purpose))
		if errors.Is(err, storekeep.ErrNotFound) {
			return storekeep.ErrTokenSpent
		}
		if err != nil {
			return err
		}
		if err := s.spendTokens(ctx, tx, r.Token.CustomerID, r.Token.Purpose, r.Now); err != nil {
			return err
		}
		if r.Token.Purpose != storekeep.PurposeReset {
			if err := s.spendTokens(ctx, tx, r.Token.CustomerID, storekeep.PurposeReset, r.Now); err != nil {
				return err
			}
		}
		c, err = s.scanCustomer(tx.QueryRowContext(ctx, `UPDATE customers SET password_hash = $1, state = $2,
				updated_at = $3, version = version + 1, email_verified_at = COALESCE(email_verified_at, $3)
			WHERE shop_id = $4 AND id = $5 AND state <> $6 RETURNING `+customerColumns,
			r.PasswordHash, storekeep.CustomerEnabled, now, r.Token.ShopID, r.Token.CustomerID, storekeep.CustomerDisabled))
		if errors.Is(err, storekeep.ErrNotFound) {
			return storekeep.ErrTokenSpent
		}
		if err != nil {
			return fmt.Errorf("%s: redeem token %d: customer: %w", s.d.Name, r.Token.ID, err)
		}
		if err := s.replaceAccessTokens(ctx, tx, c, r.AccessToken, r.Now); err != nil {
			return err
		}
		if r.Mail != nil {
			if _, err := s.insertMail(ctx, tx, *r.Mail); err != nil {
				return err
			}
		}
		return s.insertAudit(ctx, tx, r.Audit)
	})
	if err != nil {
		return storekeep.Customer{}, err
	}
	return c, nil
}

// PruneTokens deletes up to limit of the access tokens, then of the
// customer tokens, that expired before cutoff, oldest first, each from its
// expiry index, and returns how many went.
func (s *Store) PruneTokens(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	return s.pruneInBatch(ctx, cutoff, limit,
		`DELETE FROM access_tokens WHERE `+s.d.IDsFrom(`SELECT id FROM access_tokens WHERE expires_at < $1 ORDER BY expires_at LIMIT $2`),
		`DELETE FROM customer_tokens WHERE `+s.d.IDsFrom(`SELECT id FROM customer_tokens WHERE expires_at < $1 ORDER BY expires_at LIMIT $2`))
}
