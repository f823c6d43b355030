package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/storekeep/storekeep"
)

// outboxRow is a pending outbox row to insert, its data sealed.
type outboxRow struct {
	shopID                                int64
	kind, to, template, locale, messageID string
	sealed                                []byte
	created, due                          time.Time
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
	return outboxRow{shopID: j.ShopID, kind: string(j.Kind), to: to, locale: j.Locale, sealed: sealed,
		created: s.stamp(j.CreatedAt), due: s.stamp(due)}, err
}

// insert inserts r and returns its ID.
func (s *Store) insert(ctx context.Context, q Querier, r outboxRow) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO outbox (shop_id, kind, recipient, template, locale, data, message_id,
			status, next_attempt_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9) RETURNING id`,
		r.shopID, r.kind, r.to, r.template, r.locale, r.sealed, r.messageID, s.at(r.due), s.at(r.created)).Scan(&id)
	return id, s.mapErr(err)
}

// insertRows is the write of the store's enqueue group: it inserts rows
// in one transaction and returns their IDs in order. A lone row is one
// autocommitted INSERT; several are the dialect's InsertOutbox where it
// has one, else one INSERT each in a transaction.
func (s *Store) insertRows(ctx context.Context, rows []outboxRow) ([]int64, error) {
	ids := make([]int64, len(rows))
	if len(rows) == 1 {
		id, err := s.insert(ctx, s.w, rows[0])
		ids[0] = id
		return ids, err
	}
	if s.d.InsertOutbox != "" {
		return s.insertArrays(ctx, rows)
	}
	err := s.w.InTx(ctx, func(tx Querier) error {
		for i, r := range rows {
			id, err := s.insert(ctx, tx, r)
			if err != nil {
				return err
			}
			ids[i] = id
		}
		return nil
	})
	return ids, err
}

// insertArrays inserts rows with the dialect's InsertOutbox, one array
// parameter a column.
func (s *Store) insertArrays(ctx context.Context, rows []outboxRow) ([]int64, error) {
	n := len(rows)
	shops, data := make([]int64, n), make([][]byte, n)
	kinds, tos, templates, locales, messages := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	dues, created := make([]time.Time, n), make([]time.Time, n)
	for i, r := range rows {
		shops[i], kinds[i], tos[i], templates[i], locales[i] = r.shopID, r.kind, r.to, r.template, r.locale
		data[i], messages[i], dues[i], created[i] = r.sealed, r.messageID, r.due, r.created
	}
	got, err := s.w.QueryContext(ctx, s.d.InsertOutbox, shops, kinds, tos, templates, locales, data, messages, dues, created)
	return s.insertedIDs(got, err, n, "outbox rows")
}
