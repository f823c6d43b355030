package sqlite

import (
	"context"
	"strings"

	"github.com/storekeep/storekeep"
)

const mailboxColumns = `id, shop_id, message_id, sender, recipient, subject, text_body, html_body, received_at`

func scanMailboxMessage(row scanner) (storekeep.MailboxMessage, error) {
	var m storekeep.MailboxMessage
	var received int64
	if err := row.Scan(&m.ID, &m.ShopID, &m.MessageID, &m.From, &m.To, &m.Subject, &m.Text, &m.HTML, &received); err != nil {
		return storekeep.MailboxMessage{}, mapErr(err)
	}
	m.ReceivedAt = fromUnix(received)
	return m, nil
}

// SaveMailboxMessage stores m in the development mailbox.
func (s *Store) SaveMailboxMessage(ctx context.Context, m storekeep.MailboxMessage) (storekeep.MailboxMessage, error) {
	m.ReceivedAt = stamp(m.ReceivedAt)
	err := s.writer.QueryRowContext(ctx, `INSERT INTO mailbox (shop_id, message_id, sender, recipient, recipient_key,
			subject, text_body, html_body, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		m.ShopID, m.MessageID, m.From, m.To, strings.ToLower(m.To), m.Subject, m.Text, m.HTML, toUnix(m.ReceivedAt)).Scan(&m.ID)
	if err != nil {
		return storekeep.MailboxMessage{}, mapErr(err)
	}
	return m, nil
}

// MailboxMessages lists up to limit messages (all when limit <= 0), newest
// first, only those to the address to when it is not empty.
func (s *Store) MailboxMessages(ctx context.Context, to string, limit int) ([]storekeep.MailboxMessage, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.reader.QueryContext(ctx, `SELECT `+mailboxColumns+` FROM mailbox
		WHERE ? = '' OR recipient_key = ?
		ORDER BY received_at DESC, id DESC LIMIT ?`, to, strings.ToLower(to), limit)
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
	return scanMailboxMessage(s.reader.QueryRowContext(ctx, `SELECT `+mailboxColumns+` FROM mailbox WHERE id = ?`, id))
}

// ClearMailbox deletes every message of the development mailbox.
func (s *Store) ClearMailbox(ctx context.Context) error {
	_, err := s.writer.ExecContext(ctx, `DELETE FROM mailbox`)
	return err
}
