package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/storekeep/storekeep"
)

// outboxRow is a pending outbox row to insert, its data sealed. A row
// with a lease is inserted leased until then with one attempt counted, as
// if claimed by the caller; one without waits for a claim.
type outboxRow struct {
	shopID                                int64
	kind, to, template, locale, messageID string
	sealed                                []byte
	created, due, lease                   time.Time
}

// leaseOf returns the claimed_until and attempts r is inserted with.
func (s *Store) leaseOf(r outboxRow) (until any, attempts int) {
	if r.lease.IsZero() {
		return nil, 0
	}
	return s.at(r.lease), 1
}

// mailRow is the row that queues m, due at once.
func (s *Store) mailRow(m storekeep.Mail) (outboxRow, error) {
	sealed, err := s.sealData(m.Data)
	return outboxRow{shopID: m.ShopID, kind: "mail", to: m.To, template: string(m.Template), locale: m.Locale,
		messageID: m.MessageID, sealed: sealed, created: s.stamp(m.CreatedAt), due: s.stamp(m.CreatedAt)}, err
}

// jobRow is the row that queues j, due at j.DueAt or else at once.
func (s *Store) jobRow(j storekeep.Job) (outboxRow, error) {
	var to string
	var payload any
	switch j.Kind {
	case storekeep.JobRecover, storekeep.JobOrdersWaiting, storekeep.JobAccountExists:
		to, payload = j.Recover.Email, j.Recover
	case storekeep.JobInvite:
		to, payload = j.Invite.Email, j.Invite
	default:
		return outboxRow{}, fmt.Errorf("%s: no job of kind %q", s.d.Name, j.Kind)
	}
	sealed, err := s.sealData(payload)
	due := j.DueAt
	if due.IsZero() {
		due = j.CreatedAt
	}
	row := outboxRow{shopID: j.ShopID, kind: string(j.Kind), to: to, locale: j.Locale, sealed: sealed,
		created: s.stamp(j.CreatedAt), due: s.stamp(due)}
	if !j.LeasedUntil.IsZero() {
		row.lease = s.stamp(j.LeasedUntil)
	}
	return row, err
}

// insert inserts r and returns its ID.
func (s *Store) insert(ctx context.Context, q Querier, r outboxRow) (int64, error) {
	var id int64
	until, attempts := s.leaseOf(r)
	err := q.QueryRowContext(ctx, `INSERT INTO outbox (shop_id, kind, recipient, template, locale, data, message_id,
			status, next_attempt_at, created_at, claimed_until, attempts)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10, $11) RETURNING id`,
		r.shopID, r.kind, r.to, r.template, r.locale, r.sealed, r.messageID, s.at(r.due), s.at(r.created),
		until, attempts).Scan(&id)
	return id, s.mapErr(err)
}

// insertRows is the write of the store's enqueue group: it inserts rows
// and returns their IDs in order. A lone row is one INSERT; several are
// one insertTable statement.
func (s *Store) insertRows(ctx context.Context, rows []outboxRow) ([]int64, error) {
	if len(rows) == 1 {
		id, err := s.insert(ctx, s.w, rows[0])
		return []int64{id}, err
	}
	return s.insertTable(ctx, s.w, rows)
}

// insertTable inserts rows in one statement, passed as the dialect's
// Table, and returns their IDs in rows' order: the ids are drawn in the
// order the rows are inserted, which is rows' order. A row without a
// lease goes in with its due time as lease and attempts 0, which the
// statement turns into no lease.
func (s *Store) insertTable(ctx context.Context, q Querier, rows []outboxRow) ([]int64, error) {
	n := len(rows)
	shops, data, attempts := make([]int64, n), make([][]byte, n), make([]int64, n)
	kinds, tos, templates, locales, messages := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	dues, created, leases := make([]time.Time, n), make([]time.Time, n), make([]time.Time, n)
	for i, r := range rows {
		shops[i], kinds[i], tos[i], templates[i], locales[i] = r.shopID, r.kind, r.to, r.template, r.locale
		data[i], messages[i], dues[i], created[i], leases[i] = r.sealed, r.messageID, r.due, r.created, r.due
		if !r.lease.IsZero() {
			leases[i], attempts[i] = r.lease, 1
		}
	}
	from, args, err := s.d.Table(1, []Column{{"shop_id", shops}, {"kind", kinds}, {"recipient", tos},
		{"template", templates}, {"locale", locales}, {"data", data}, {"message_id", messages},
		{"next_attempt_at", dues}, {"created_at", created}, {"lease", leases}, {"attempts", attempts}})
	if err != nil {
		return nil, err
	}
	got, err := q.QueryContext(ctx, `INSERT INTO outbox (shop_id, kind, recipient, template, locale, data, message_id,
			status, next_attempt_at, created_at, claimed_until, attempts)
		SELECT shop_id, kind, recipient, template, locale, data, message_id, 'pending', next_attempt_at, created_at,
			CASE WHEN attempts = 0 THEN NULL ELSE lease END, attempts
		FROM `+from+`
		RETURNING id`, args...)
	ids, err := collect(got, err, func(row scanner) (int64, error) {
		var id int64
		return id, row.Scan(&id)
	})
	if err != nil {
		return nil, s.mapErr(err)
	}
	if len(ids) != n {
		return nil, fmt.Errorf("%s: %d ids for %d outbox rows", s.d.Name, len(ids), n)
	}
	slices.Sort(ids)
	return ids, nil
}
