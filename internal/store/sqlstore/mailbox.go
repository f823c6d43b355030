package sqlstore

import (
	"context"
	"strings"

	"github.com/storekeep/storekeep"
)

const mailboxColumns = `id, shop_id, message_id, sender, recipient, subject, text_body, html_body, received_at`

func (s *Store) scanMailboxMessage(row scanner) (storekeep.MailboxMessage, error) {
	var m storekeep.MailboxMessage
	err := row.Scan(&m.ID, &m.ShopID, &m.MessageID, &m.From, &m.To, &m.Subject, &m.Text, &m.HTML, scanTime(&m.ReceivedAt))
	if err != nil {
		return storekeep.MailboxMessage{}, s.mapErr(err)
	}
	return m, nil
}

// SaveMailboxMessage stores m in the development mailbox.
func (s *Store) SaveMailboxMessage(ctx context.Context, m storekeep.MailboxMessage) (storekeep.MailboxMessage, error) {
	m.ReceivedAt = s.stamp(m.ReceivedAt)
	err := s.w.QueryRowContext(ctx, `INSERT INTO mailbox (shop_id, message_id, sender, recipient, recipient_key,
			subject, text_body, html_body, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		m.ShopID, m.MessageID, m.From, m.To, strings.ToLower(m.To), m.Subject, m.Text, m.HTML, s.at(m.ReceivedAt)).
		Scan(&m.ID)
	if err != nil {
		return storekeep.MailboxMessage{}, s.mapErr(err)
	}
	return m, nil
}

// MailboxMessages lists up to limit messages (all when limit <= 0), newest
// first, only those to the address to when it is not empty.
func (s *Store) MailboxMessages(ctx context.Context, to string, limit int) ([]storekeep.MailboxMessage, error) {
	const columns = `SELECT ` + mailboxColumns + ` FROM mailbox `
	query, args := columns+`ORDER BY received_at DESC, id DESC LIMIT $1`, []any{s.limit(limit)}
	if to != "" {
		query, args = columns+`WHERE recipient_key = $1 ORDER BY received_at DESC, id DESC LIMIT $2`,
			[]any{strings.ToLower(to), s.limit(limit)}
	}
	rows, err := s.r.QueryContext(ctx, query, args...)
	return collect(rows, err, s.scanMailboxMessage)
}

// MailboxMessage returns one message of the development mailbox.
func (s *Store) MailboxMessage(ctx context.Context, id int64) (storekeep.MailboxMessage, error) {
	return s.scanMailboxMessage(s.r.QueryRowContext(ctx, `SELECT `+mailboxColumns+` FROM mailbox WHERE id = $1`, id))
}

// ClearMailbox deletes every message of the development mailbox.
func (s *Store) ClearMailbox(ctx context.Context) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM mailbox`)
	return err
}
