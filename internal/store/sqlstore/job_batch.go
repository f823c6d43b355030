package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/storekeep/storekeep"
)

// FinishJobs writes the outcomes of a batch of jobs in one transaction; see
// storekeep.CustomerTokenStore. It runs one statement for each kind of row
// it touches, whatever the batch's size: the customers' look-up, the jobs'
// completion, the audit events, the tokens, the void of the tokens they
// replace and the mails. The look-up takes the customers' row locks first,
// in the order of their IDs, as every other batch does, so that two
// batches with customers in common wait for one another rather than
// deadlock.
func (s *Store) FinishJobs(ctx context.Context, outcomes []storekeep.JobOutcome, leaseUntil time.Time) ([]storekeep.Mail, error) {
	var queued []storekeep.Mail
	err := s.w.InTx(ctx, func(tx Querier) error {
		live, err := s.stillAddressed(ctx, tx, outcomes)
		if err != nil {
			return err
		}
		done, err := s.completeJobs(ctx, tx, live)
		if err != nil {
			return err
		}
		if err := s.insertAudits(ctx, tx, done); err != nil {
			return err
		}
		queued, err = s.issueTokens(ctx, tx, done, leaseUntil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return queued, nil
}

// addressee is what a token's issue checks of its customer under the lock.
type addressee struct {
	shopID int64
	email  string
}

// stillAddressed locks the customers of outcomes' tokens and returns the
// outcomes that issue no token or whose customer is still the token's
// shop's and has the address the mail goes to. The others are left out:
// their jobs stay pending, and the next run looks the address up again.
func (s *Store) stillAddressed(ctx context.Context, tx Querier, outcomes []storekeep.JobOutcome) ([]storekeep.JobOutcome, error) {
	var ids []int64
	for _, o := range outcomes {
		if o.Token != nil {
			ids = append(ids, o.Token.CustomerID)
		}
	}
	if len(ids) == 0 {
		return outcomes, nil
	}
	slices.Sort(ids)
	list, err := s.d.List(slices.Compact(ids))
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, s.d.LockCustomers, s.planEach(list)...)
	found := make(map[int64]addressee, len(ids))
	_, err = collect(rows, err, func(row scanner) (struct{}, error) {
		var id int64
		var a addressee
		err := row.Scan(&id, &a.shopID, &a.email)
		found[id] = a
		return struct{}{}, err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: lock customers: %w", s.d.Name, err)
	}
	live := make([]storekeep.JobOutcome, 0, len(outcomes))
	for _, o := range outcomes {
		if o.Token != nil && found[o.Token.CustomerID] != (addressee{o.Token.ShopID, o.Mail.To}) {
			continue
		}
		live = append(live, o)
	}
	return live, nil
}

// completeJobs marks the pending jobs of outcomes sent and returns the
// outcomes whose job it marked; a job no longer pending ran already.
func (s *Store) completeJobs(ctx context.Context, tx Querier, outcomes []storekeep.JobOutcome) ([]storekeep.JobOutcome, error) {
	if len(outcomes) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(outcomes))
	var at time.Time
	for i, o := range outcomes {
		ids[i] = o.Job
		if o.Audit.At.After(at) {
			at = o.Audit.At
		}
	}
	list, err := s.d.List(ids)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, s.markSent()+` RETURNING id`, s.planEach(s.at(s.stamp(at)), list)...)
	pending := make(map[int64]bool, len(ids))
	_, err = collect(rows, err, func(row scanner) (struct{}, error) {
		var id int64
		err := row.Scan(&id)
		pending[id] = true
		return struct{}{}, err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: complete jobs: %w", s.d.Name, err)
	}
	done := outcomes[:0:0]
	for _, o := range outcomes {
		if pending[o.Job] {
			delete(pending, o.Job)
			done = append(done, o)
		}
	}
	return done, nil
}

// insertAudits records the audit events of outcomes: those without a
// RepeatKey in one statement, any other as RecordAudit does.
func (s *Store) insertAudits(ctx context.Context, tx Querier, outcomes []storekeep.JobOutcome) error {
	var shops, customers, counts []int64
	var kinds, ips, agents, details []string
	var ats, lasts []time.Time
	for _, o := range outcomes {
		e := o.Audit
		if e.RepeatKey != "" {
			if err := s.insertAudit(ctx, tx, e); err != nil {
				return err
			}
			continue
		}
		at := s.stamp(e.At)
		last := at
		if !e.LastAt.IsZero() {
			last = s.stamp(e.LastAt)
		}
		shops, customers, counts = append(shops, e.ShopID), append(customers, e.CustomerID), append(counts, int64(max(e.Count, 1)))
		kinds, ips = append(kinds, string(e.Kind)), append(ips, e.IP)
		agents, details = append(agents, e.UserAgent), append(details, e.Detail)
		ats, lasts = append(ats, at), append(lasts, last)
	}
	if len(shops) == 0 {
		return nil
	}
	from, args, err := s.d.Table(1, []Column{{"shop_id", shops}, {"customer_id", customers}, {"kind", kinds},
		{"ip", ips}, {"user_agent", agents}, {"detail", details}, {"at", ats}, {"count", counts}, {"last_at", lasts}})
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_events (shop_id, customer_id, kind, ip, user_agent, detail, at, count,
			last_at, repeat_key)
		SELECT shop_id, customer_id, kind, ip, user_agent, detail, at, count, last_at, '' FROM `+from, args...)
	if err != nil {
		return fmt.Errorf("%s: record audit events: %w", s.d.Name, err)
	}
	return nil
}

// issueTokens stores the tokens of outcomes, voiding what each replaces,
// and queues their mails leased until leaseUntil; it returns the mails
// with their IDs and one attempt counted.
func (s *Store) issueTokens(ctx context.Context, tx Querier, outcomes []storekeep.JobOutcome, leaseUntil time.Time) ([]storekeep.Mail, error) {
	var tokens []storekeep.CustomerToken
	var mails []storekeep.Mail
	for _, o := range outcomes {
		if o.Token != nil {
			t := *o.Token
			t.CreatedAt = s.stamp(t.CreatedAt)
			tokens, mails = append(tokens, t), append(mails, o.Mail)
		}
	}
	if len(tokens) == 0 {
		return nil, nil
	}
	if err := s.storeTokens(ctx, tx, tokens); err != nil {
		return nil, err
	}
	return s.insertLeasedMails(ctx, tx, mails, leaseUntil)
}
