package storetest

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/store/sqlstore"
)

// Statement is a statement a store ran, with the arguments of its first
// run.
type Statement struct {
	Query string
	Args  []any
}

// Recorder wraps a store's pools and keeps each distinct statement they
// run once it is started, so that a backend's test can have the database
// plan every statement of the hot path and of the worker.
type Recorder struct {
	mu      sync.Mutex
	started bool
	seen    map[string]bool
	list    []Statement
}

// Start records from now on.
func (r *Recorder) Start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.started = true
}

// Statements returns what was recorded, in the order first run.
func (r *Recorder) Statements() []Statement {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.list)
}

func (r *Recorder) record(query string, args []any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.started || r.seen[query] {
		return
	}
	if r.seen == nil {
		r.seen = make(map[string]bool)
	}
	r.seen[query] = true
	r.list = append(r.list, Statement{Query: query, Args: slices.Clone(args)})
}

// Writer returns w recording into r, transactions included.
func (r *Recorder) Writer(w sqlstore.Writer) sqlstore.Writer {
	return recordingWriter{recordingQuerier{w, r}, w}
}

// Reader returns q recording into r.
func (r *Recorder) Reader(q sqlstore.Querier) sqlstore.Querier { return recordingQuerier{q, r} }

type recordingQuerier struct {
	q sqlstore.Querier
	r *Recorder
}

func (q recordingQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	q.r.record(query, args)
	return q.q.ExecContext(ctx, query, args...)
}

func (q recordingQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q.r.record(query, args)
	return q.q.QueryContext(ctx, query, args...)
}

func (q recordingQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	q.r.record(query, args)
	return q.q.QueryRowContext(ctx, query, args...)
}

type recordingWriter struct {
	recordingQuerier
	w sqlstore.Writer
}

func (w recordingWriter) InTx(ctx context.Context, fn func(tx sqlstore.Querier) error) error {
	return w.w.InTx(ctx, func(tx sqlstore.Querier) error { return fn(recordingQuerier{tx, w.r}) })
}

// HotPathNow is the time HotPath's operations run at, for a history
// seeded beside them.
var HotPathNow = t0

// HotPath runs, on s whose pools rec wraps, every store operation of the
// hot path (a request's look-ups, customerRecover and its job, a reset,
// sign-in, the account page's token checks and address book, Multipass,
// the audit trail, a customer's orders) and of the
// worker and the operator's commands (claims, outcomes, gauges, listings,
// every prune), recording from after the setup.
func HotPath(t *testing.T, s storekeep.Store, rec *Recorder) {
	f := newFixture(t, s)
	shop := f.shop("a.example")
	c := f.customer(shop, "ada@example.com")
	api, err := s.CreateAPIToken(f.ctx, storekeep.APIToken{ShopID: shop.ID, Kind: storekeep.APITokenPublic,
		Hash: f.keys.Hash("api"), CreatedAt: t0})
	f.must(err)
	rec.Start()

	_, _, err = s.APITokenByHash(f.ctx, [][]byte{api.Hash})
	f.must(err)
	_, err = s.ShopByDomain(f.ctx, shop.Domain)
	f.must(err)
	_, err = s.ShopByID(f.ctx, shop.ID)
	f.must(err)
	_, err = s.ShopOfCustomer(f.ctx, c.ID)
	f.must(err)
	_, err = s.CustomerByEmail(f.ctx, shop.ID, c.EmailKey)
	f.must(err)
	_, err = s.CustomerByID(f.ctx, shop.ID, c.ID)
	f.must(err)
	_, err = s.CustomersByEmail(f.ctx, shop.ID, []string{c.EmailKey, "nobody@example.com"})
	f.must(err)

	job := f.job(c)
	claimed, err := s.Claim(f.ctx, t0, time.Minute, 8)
	f.must(err)
	if len(claimed.Jobs) != 1 {
		f.Fatalf("claimed %+v, want the recover job", claimed)
	}
	reset := storekeep.CustomerToken{ShopID: shop.ID, CustomerID: c.ID, Purpose: storekeep.PurposeReset,
		Hash: f.keys.Hash("reset"), ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}
	m := f.mail(c, storekeep.TemplateReset, "reset")
	f.must(s.IssueCustomerToken(f.ctx, reset, m, f.audit(c, storekeep.AuditRecoverRequested, t0), job))
	claimed, err = s.Claim(f.ctx, t0, time.Minute, 8)
	f.must(err)
	if len(claimed.Mail) != 1 {
		f.Fatalf("claimed %+v, want the reset mail", claimed)
	}
	_, err = s.MarkMailsSent(f.ctx, []int64{claimed.Mail[0].ID}, t0)
	f.must(err)
	retried, err := s.EnqueueMail(f.ctx, m)
	f.must(err)
	f.must(s.MarkMailRetry(f.ctx, retried, t0, "421"))
	f.must(s.MarkMailFailed(f.ctx, retried, t0, "550"))
	f.must(s.RetryMail(f.ctx, retried, t0))

	token, err := s.CustomerTokenByHash(f.ctx, shop.ID, c.ID, storekeep.PurposeReset, [][]byte{reset.Hash})
	f.must(err)
	_, err = s.RedeemCustomerToken(f.ctx, storekeep.Redemption{Token: token, PasswordHash: "argon2id", Now: t0,
		AccessToken: storekeep.AccessToken{Hash: f.keys.Hash("after reset"), ExpiresAt: t0.Add(time.Hour)},
		Audit:       f.audit(c, storekeep.AuditResetSucceeded, t0)})
	f.must(err)

	batched := f.job(c)
	_, err = s.Claim(f.ctx, t0, time.Minute, 8)
	f.must(err)
	leased, err := s.FinishJobs(f.ctx, []storekeep.JobOutcome{{Job: batched, Audit: f.audit(c, storekeep.AuditRecoverRequested, t0),
		Mail: m, Token: &storekeep.CustomerToken{ShopID: shop.ID, CustomerID: c.ID, Purpose: storekeep.PurposeReset,
			Hash: f.keys.Hash("batched"), ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}}}, t0.Add(time.Minute))
	f.must(err)
	_, err = s.MarkMailsSent(f.ctx, []int64{leased[0].ID}, t0)
	f.must(err)

	access := f.accessToken(c, t0.Add(time.Hour))
	_, err = s.AccessTokenByHash(f.ctx, shop.ID, [][]byte{access.Hash}, t0)
	f.must(err)
	f.must(s.RenewAccessToken(f.ctx, access.ID, t0.Add(2*time.Hour), t0))
	f.must(s.RevokeAccessToken(f.ctx, access.ID))
	repeat := f.audit(c, storekeep.AuditLoginFailed, t0)
	repeat.RepeatKey = "login_failed 192.0.2.7"
	f.must(s.RecordAudit(f.ctx, repeat))
	f.must(s.RecordAudit(f.ctx, repeat))

	addr, err := s.CreateAddress(f.ctx, storekeep.MailingAddress{ShopID: shop.ID, CustomerID: c.ID, Address1: "1 Main St",
		City: "Springfield", CountryCode: "US", CreatedAt: t0, UpdatedAt: t0}, 100, f.audit(c, storekeep.AuditLoginFailed, t0))
	f.must(err)
	_, err = s.Address(f.ctx, shop.ID, c.ID, addr.ID)
	f.must(err)
	_, err = s.Addresses(f.ctx, shop.ID, c.ID)
	f.must(err)
	_, err = s.CountWaitingOrders(f.ctx, shop.ID, c.EmailKey)
	f.must(err)
	customerOrders(f, storekeep.OrderPage{ShopID: shop.ID, CustomerID: c.ID, EmailKey: c.EmailKey, Limit: 20})
	f.must(s.SpendMultipassToken(f.ctx, shop.ID, [][]byte{f.keys.Hash("multipass")}, t0.Add(time.Hour), t0))
	_, err = s.MultipassIdentifier(f.ctx, shop.ID, c.ID)
	f.must(err)

	_, _, err = s.OutboxStats(f.ctx, 10)
	f.must(err)
	_, err = s.OldestDue(f.ctx, t0)
	f.must(err)
	for _, status := range []storekeep.MailStatus{"", storekeep.MailSent} {
		_, err = s.ListMail(f.ctx, status, 50)
		f.must(err)
	}
	for _, shopID := range []int64{0, shop.ID} {
		_, err = s.AuditEvents(f.ctx, shopID, 50)
		f.must(err)
	}
	_, err = s.PruneMail(f.ctx, t0, 1000)
	f.must(err)
	_, err = s.PruneAudit(f.ctx, t0, 1000)
	f.must(err)
	_, err = s.PruneTokens(f.ctx, t0.Add(3*time.Hour), 1000)
	f.must(err)
}

// customerOrders lists and counts p's customer's orders by every sort key,
// both ways, from a cursor and filtered, with and without its address.
func customerOrders(f fixture, p storekeep.OrderPage) {
	for _, email := range []string{p.EmailKey, ""} {
		p.EmailKey = email
		_, err := f.s.CountCustomerOrders(f.ctx, p)
		f.must(err)
		for _, sort := range []storekeep.OrderSortKey{storekeep.OrderSortID, storekeep.OrderSortProcessedAt,
			storekeep.OrderSortTotalPrice} {
			value := "7"
			if sort == storekeep.OrderSortProcessedAt {
				value = t0.Format(time.RFC3339Nano)
			}
			for _, reverse := range []bool{false, true} {
				q := p
				q.Sort, q.Reverse = sort, reverse
				_, err = f.s.CustomerOrders(f.ctx, q)
				f.must(err)
				q.Cursor = &storekeep.OrderCursor{Value: value, ID: 7}
				_, err = f.s.CustomerOrders(f.ctx, q)
				f.must(err)
			}
		}
		q := p
		q.Sort = storekeep.OrderSortProcessedAt
		q.Filter = storekeep.OrderFilter{FinancialStatus: "paid", FulfillmentStatus: "fulfilled",
			ProcessedFrom: t0.Add(-time.Hour), ProcessedTo: t0}
		_, err = f.s.CustomerOrders(f.ctx, q)
		f.must(err)
	}
}

// OpenRowIndexes pins the statements that find or void a customer's open
// tokens to the partial indexes of open rows: planned through a whole
// index of the customer's tokens instead, each would walk every token the
// customer ever had until the prune. Each entry is a fragment of the statement and
// the index its plan must name; a backend's plan test checks both.
var OpenRowIndexes = []struct{ Statement, Index string }{
	{"DELETE FROM access_tokens WHERE customer_id = $1 AND revoked_at IS NULL", "access_tokens_open"},
	{"WHERE customer_id = $2 AND purpose = $3 AND used_at IS NULL", "customer_tokens_open"},
}

// CheckOpenRowIndexes fails t for a statement of OpenRowIndexes whose plan
// (any text naming the indexes it reads) does not name its index, and
// when one of them was not recorded at all.
func CheckOpenRowIndexes(t *testing.T, plans map[string]string) {
	t.Helper()
	for _, pin := range OpenRowIndexes {
		found := false
		for query, plan := range plans {
			if !strings.Contains(strings.Join(strings.Fields(query), " "), pin.Statement) {
				continue
			}
			found = true
			if !strings.Contains(plan, pin.Index) {
				t.Errorf("%s\nreads no %s: %s", pin.Statement, pin.Index, plan)
			}
		}
		if !found {
			t.Errorf("the hot path ran no statement like %q", pin.Statement)
		}
	}
}
