package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/storekeep/storekeep"
)

const mailboxColumns = `id, shop_id, message_id, sender, recipient, subject, text_body, html_body, received_at`

func scanMailboxMessage(row pgx.Row) (storekeep.MailboxMessage, error) {
	var m storekeep.MailboxMessage
	var received time.Time
	if err := row.Scan(&m.ID, &m.ShopID, &m.MessageID, &m.From, &m.To, &m.Subject, &m.Text, &m.HTML, &received); err != nil {
		return storekeep.MailboxMessage{}, mapErr(err)
	}
	m.ReceivedAt = fromTime(received)
	return m, nil
}

// SaveMailboxMessage stores m in the development mailbox.
func (s *Store) SaveMailboxMessage(ctx context.Context, m storekeep.MailboxMessage) (storekeep.MailboxMessage, error) {
	m.ReceivedAt = stamp(m.ReceivedAt)
	err := s.pool.QueryRow(ctx, `INSERT INTO mailbox (shop_id, message_id, sender, recipient, recipient_key,
			subject, text_body, html_body, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		m.ShopID, m.MessageID, m.From, m.To, strings.ToLower(m.To), m.Subject, m.Text, m.HTML, m.ReceivedAt).Scan(&m.ID)
	if err != nil {
		return storekeep.MailboxMessage{}, mapErr(err)
	}
	return m, nil
}

// MailboxMessages lists up to limit messages (all when limit <= 0), newest
// first, only those to the address to when it is not empty.
func (s *Store) MailboxMessages(ctx context.Context, to string, limit int) ([]storekeep.MailboxMessage, error) {
	const columns = `SELECT ` + mailboxColumns + ` FROM mailbox `
	query, args := columns+`ORDER BY received_at DESC, id DESC LIMIT $1`, []any{limitArg(limit)}
	if to != "" {
		query, args = columns+`WHERE recipient_key = $1 ORDER BY received_at DESC, id DESC LIMIT $2`,
			[]any{strings.ToLower(to), limitArg(limit)}
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []storekeep.MailboxMessage
	for rows.Next() {
		m, err := scanMailboxMessage(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, m)
	}
	return list, rows.Err()
}

// MailboxMessage returns one message of the development mailbox.
func (s *Store) MailboxMessage(ctx context.Context, id int64) (storekeep.MailboxMessage, error) {
	return scanMailboxMessage(s.pool.QueryRow(ctx, `SELECT `+mailboxColumns+` FROM mailbox WHERE id = $1`, id))
}

// ClearMailbox deletes every message of the development mailbox.
func (s *Store) ClearMailbox(ctx context.Context) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM mailbox`)
	return err
}
