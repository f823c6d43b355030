package mail

import (
	"context"
	"fmt"
	"time"

	"github.com/storekeep/storekeep"
)

// MailboxSender delivers into the development mailbox instead of sending.
type MailboxSender struct {
	store storekeep.MailboxStore
	now   storekeep.Clock
}

// NewMailboxSender returns a sender that saves every message into store,
// stamped with clock's time (time.Now when clock is nil).
func NewMailboxSender(store storekeep.MailboxStore, clock storekeep.Clock) *MailboxSender {
	if clock == nil {
		clock = time.Now
	}
	return &MailboxSender{store: store, now: clock}
}

// Send saves m. Store errors are temporary.
func (s *MailboxSender) Send(ctx context.Context, m Message) error {
	from := m.From
	if m.FromName != "" {
		from = fmt.Sprintf("%s <%s>", m.FromName, m.From)
	}
	_, err := s.store.SaveMailboxMessage(ctx, storekeep.MailboxMessage{
		ShopID:     m.ShopID,
		MessageID:  m.MessageID,
		From:       from,
		To:         m.To,
		Subject:    m.Subject,
		Text:       m.Text,
		HTML:       m.HTML,
		ReceivedAt: s.now(),
	})
	if err != nil {
		return fmt.Errorf("mail: save to mailbox: %w", err)
	}
	return nil
}
