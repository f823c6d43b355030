package sqlstore

import (
	"context"
	"fmt"
	"time"
)

// History is the data a node gathers in production, to seed a database
// with before measuring it.
type History struct {
	// ShopID is the shop every row belongs to.
	ShopID int64
	// Customers are enabled customers with PasswordHash as their hash.
	Customers    int
	PasswordHash string
	// SentMail are sent outbox rows, half of them recover jobs and half
	// reset mails, queued evenly over the MailSpan before Now; each reset
	// mail has its spent reset token.
	SentMail int
	MailSpan time.Duration
	// AuditEvents are recover_requested events spread evenly over the
	// AuditSpan before Now.
	AuditEvents int
	AuditSpan   time.Duration
	// AccessTokens are live tokens that expire AccessTTL after Now.
	AccessTokens int
	AccessTTL    time.Duration
	Now          time.Time
	// Tag tells this seeding's customers' addresses apart from those of
	// another seeding of the same shop.
	Tag string
	// Progress, when not nil, is told each table's rows as they are
	// written.
	Progress func(table string, done, total int)
}

// seedChunk is how many rows one seeding statement inserts.
const seedChunk = 50_000

// SeedHistory fills the store with h's rows, seedChunk rows a statement,
// each statement generating its rows in the database. Customer tokens and
// audit events go to the seeded customers in turn.
func (s *Store) SeedHistory(ctx context.Context, h History) error {
	if h.Customers <= 0 {
		return fmt.Errorf("%s: seed: at least one customer is needed", s.d.Name)
	}
	var before int64
	if err := s.w.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM customers`).Scan(&before); err != nil {
		return err
	}
	t := func(base string, step string) string { return s.d.SeedTime(base, "i * "+step) }
	email := `'seed-' || CAST($2 AS TEXT) || '-' || i || '@history.example'`
	if err := s.seed(ctx, h, "customers", h.Customers, `INSERT INTO customers (shop_id, email, email_key, first_name,
			last_name, phone, accepts_marketing, tags, state, password_hash, number_of_orders, created_at, updated_at)
		SELECT $1, `+email+`, `+email+`, 'Seed', 'Customer', '', false, '[]', 'enabled', CAST($3 AS TEXT), 0, $4, $4`,
		h.ShopID, h.Tag, h.PasswordHash, s.at(h.Now)); err != nil {
		return err
	}
	var first, last int64
	if err := s.w.QueryRowContext(ctx, `SELECT min(id), max(id) FROM customers WHERE shop_id = $1 AND id > $2`,
		h.ShopID, before).Scan(&first, &last); err != nil {
		return err
	}
	n := last - first + 1
	mailStep := h.MailSpan.Microseconds() / int64(max(h.SentMail, 1))
	mailStart := h.Now.Add(-h.MailSpan)
	if err := s.seed(ctx, h, "outbox", h.SentMail, `INSERT INTO outbox (shop_id, kind, recipient, template, locale,
			message_id, status, attempts, next_attempt_at, created_at, sent_at)
		SELECT $1, CASE WHEN i % 2 = 0 THEN 'recover' ELSE 'mail' END, 'seed-' || CAST($2 AS TEXT) || '-' || (i % $3) || '@history.example',
			CASE WHEN i % 2 = 0 THEN '' ELSE 'reset' END, 'en', '<seed-' || CAST($2 AS TEXT) || '-' || i || '@history.example>',
			'sent', 1, `+t("$4", "$5")+`, `+t("$4", "$5")+`, `+t("$4", "$5")+``,
		h.ShopID, h.Tag, n, s.at(mailStart), mailStep); err != nil {
		return err
	}
	if err := s.seed(ctx, h, "customer_tokens", h.SentMail/2, `INSERT INTO customer_tokens (shop_id, customer_id, purpose,
			hash, expires_at, created_at, used_at)
		SELECT $1, $2 + i % $3, 'reset', `+s.d.SeedHash("i")+`, `+t("$5", "$6")+`, `+t("$4", "$6")+`, `+t("$4", "$6")+``,
		h.ShopID, first, n, s.at(mailStart), s.at(mailStart.Add(24*time.Hour)), 2*mailStep); err != nil {
		return err
	}
	auditStep := h.AuditSpan.Microseconds() / int64(max(h.AuditEvents, 1))
	if err := s.seed(ctx, h, "audit_events", h.AuditEvents, `INSERT INTO audit_events (shop_id, customer_id, kind, ip,
			user_agent, detail, at, count, last_at, repeat_key)
		SELECT $1, $2 + i % $3, 'recover_requested', '192.0.2.' || (i % 250), 'seed', '', `+t("$4", "$5")+`, 1, `+
		t("$4", "$5")+`, ''`,
		h.ShopID, first, n, s.at(h.Now.Add(-h.AuditSpan)), auditStep); err != nil {
		return err
	}
	if err := s.seed(ctx, h, "access_tokens", h.AccessTokens, `INSERT INTO access_tokens (shop_id, customer_id, hash,
			expires_at, created_at)
		SELECT $1, $2 + i % $3, `+s.d.SeedHash("i")+`, $4, $5`,
		h.ShopID, first, n, s.at(h.Now.Add(h.AccessTTL)), s.at(h.Now)); err != nil {
		return err
	}
	if s.d.Analyze != "" {
		_, err := s.w.ExecContext(ctx, s.d.Analyze+" customers, outbox, customer_tokens, audit_events, access_tokens")
		return err
	}
	return nil
}

// seed runs insert, which reads the series' i and takes args as $1 on,
// over i in [0, total), a chunk per statement.
func (s *Store) seed(ctx context.Context, h History, table string, total int, insert string, args ...any) error {
	lo, hi := fmt.Sprintf("$%d", len(args)+1), fmt.Sprintf("$%d", len(args)+2)
	with, from := s.d.Series(lo, hi)
	query := with + insert + " FROM " + from
	for done := 0; done < total; done += seedChunk {
		end := min(done+seedChunk, total) - 1
		if _, err := s.w.ExecContext(ctx, query, append(args, done, end)...); err != nil {
			return fmt.Errorf("%s: seed %s: %w", s.d.Name, table, err)
		}
		if h.Progress != nil {
			h.Progress(table, end+1, total)
		}
	}
	return nil
}
