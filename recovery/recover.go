package recovery

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/storekeep/storekeep"
)

// ThrottledRecoverMessage is Shopify's message for a throttled
// customerRecover.
const ThrottledRecoverMessage = "Resetting password limit exceeded. Please try again later."

var emailField = []string{"email"}

// Recover handles customerRecover: it validates email and applies the
// throttles. For a known enabled customer it then issues a reset token and
// queues the mail carrying it, in one transaction. What an unknown or
// disabled address gets depends on the shop's enumeration mode.
//
// In private mode the lookup and everything after it run off the request
// path (see queueRecover), so the answer and its timing are the same
// whether or not the address has an account. A recover that passed its
// throttles waits on the Pacer, if any, before it writes anything, the
// same whatever the address.
func (s *Service) Recover(ctx context.Context, shop storekeep.Shop, email string, caller storekeep.Caller) error {
	if strings.TrimSpace(email) == "" {
		return storekeep.NewError(storekeep.CodeBlank, emailField, "Email can't be blank")
	}
	if !storekeep.ValidEmail(email) {
		return storekeep.NewError(storekeep.CodeInvalid, emailField, "Email is invalid")
	}
	key := storekeep.NormalizeEmail(email)
	if err := s.throttleRecover(ctx, shop, key, caller); err != nil {
		return err
	}
	if s.pace != nil {
		if err := s.pace.Wait(ctx); err != nil {
			return err
		}
	}
	if shop.Enumeration == storekeep.EnumerationShopify {
		_, err := s.recoverNow(ctx, shop, key, caller, 0)
		return err
	}
	return s.queueRecover(ctx, shop, key, caller)
}

// recoverNow looks the address up and issues the reset token, or records
// that no mail was sent; issued tells which. job, when not 0, is the
// recover job being run, which the issue marks done. In shopify mode an
// address that gets no mail is answered with Shopify's error for it.
func (s *Service) recoverNow(ctx context.Context, shop storekeep.Shop, key string, caller storekeep.Caller, job int64) (issued bool, err error) {
	customer, err := s.store.CustomerByEmail(ctx, shop.ID, key)
	o, refusal, err := s.recoverOutcome(shop, customer, err, caller)
	if err != nil {
		return false, err
	}
	if o.Token == nil {
		if err := s.store.RecordAudit(ctx, o.Audit); err != nil {
			return false, err
		}
		if shop.Enumeration == storekeep.EnumerationShopify {
			return false, refusal
		}
		return false, nil
	}
	return true, s.write(ctx, o, job)
}

// recoverOutcome decides a recover of customer, whom the address's look-up
// found unless lookupErr: it returns what the recover writes (a token and
// its mail for an enabled customer, an audit event alone otherwise) and,
// when it issues nothing, the error Shopify answers with.
func (s *Service) recoverOutcome(shop storekeep.Shop, customer storekeep.Customer, lookupErr error, caller storekeep.Caller) (storekeep.JobOutcome, *storekeep.Error, error) {
	var refusal *storekeep.Error
	switch {
	case errors.Is(lookupErr, storekeep.ErrNotFound):
		refusal = storekeep.NewError(storekeep.CodeUnidentifiedCustomer, emailField, "Could not find customer")
	case lookupErr != nil:
		return storekeep.JobOutcome{}, nil, lookupErr
	case customer.State == storekeep.CustomerDisabled:
		refusal = storekeep.NewError(storekeep.CodeCustomerDisabled, emailField, "Customer is disabled")
	default:
		token, err := s.keys.NewToken()
		if err != nil {
			return storekeep.JobOutcome{}, nil, err
		}
		o, err := s.grant(shop, customer, storekeep.PurposeReset, "", token, caller)
		return o, nil, err
	}
	return storekeep.JobOutcome{Audit: s.audit(shop, 0, storekeep.AuditRecoverRequested, caller, "no mail sent")}, refusal, nil
}

// queueRecover answers a private-mode customerRecover with one write that
// is the same whoever the address belongs to: a recover job in the
// outbox, committed before the answer, so that a crash cannot lose it. The
// outbox worker runs it with the others queued about then: a job handed
// to it (Handoff.Take) or jobQueued (the worker's KickSoon) wakes it a
// fixed delay after the first of them, never for one job at once, which
// would put the lookup's cost, which does depend on the address, right
// behind the answer, where a client timing its next request could see it.
// Every private-mode recover queues a job and hands it over, or calls
// jobQueued, alike, known address or not.
func (s *Service) queueRecover(ctx context.Context, shop storekeep.Shop, key string, caller storekeep.Caller) error {
	job := storekeep.Job{
		ShopID:    shop.ID,
		Kind:      storekeep.JobRecover,
		Locale:    caller.Locale,
		CreatedAt: s.clock(),
		Recover:   storekeep.RecoverRequest{Email: key, IP: caller.IP, UserAgent: caller.UserAgent},
	}
	held := false
	if s.handoff != nil {
		job.LeasedUntil, held = s.handoff.Reserve(job.Kind)
	}
	id, err := s.store.EnqueueJob(ctx, job)
	switch {
	case err != nil && held:
		s.handoff.Unreserve()
	case held:
		job.ID = id
		s.handoff.Take(job)
	case err == nil:
		s.jobQueued()
	}
	return err
}

// ProcessRecoverRequest finishes a recover job queued by a
// private-mode customerRecover: it looks the address up and issues the reset
// mail, or records that none was sent. done reports whether the job's row
// is already marked done: the issue does that in its own transaction, so a
// job run twice (its lease ran out, or its node died before recording it)
// issues one link. When done is false the caller marks the row. An error
// leaves the job to be tried again.
func (s *Service) ProcessRecoverRequest(ctx context.Context, job storekeep.Job) (done bool, err error) {
	shop, err := s.jobShop(ctx, job, storekeep.JobRecover)
	if err != nil {
		return false, err
	}
	issued, err := s.recoverNow(ctx, shop, job.Recover.Email, jobCaller(job), job.ID)
	if errors.Is(err, storekeep.ErrJobDone) {
		return true, nil
	}
	return issued && err == nil, err
}

// ProcessRecoverRequests finishes a batch of recover jobs as
// ProcessRecoverRequest does each, with one look-up of the addresses of
// each shop and one write for the whole batch: it issues the tokens,
// queues the mails leased until leaseUntil and marks the jobs done in one
// transaction. It returns the mails, for the caller to send at once. A job
// already done (it ran twice) issues nothing. An error leaves every job of
// the batch to be tried again.
func (s *Service) ProcessRecoverRequests(ctx context.Context, jobs []storekeep.Job, leaseUntil time.Time) ([]storekeep.Mail, error) {
	byShop := map[int64][]storekeep.Job{}
	for _, job := range jobs {
		if job.Kind != storekeep.JobRecover {
			return nil, wrongKind(job, storekeep.JobRecover)
		}
		byShop[job.ShopID] = append(byShop[job.ShopID], job)
	}
	outcomes := make([]storekeep.JobOutcome, 0, len(jobs))
	for _, batch := range byShop {
		shop, err := s.jobShop(ctx, batch[0], storekeep.JobRecover)
		if err != nil {
			return nil, err
		}
		customers, err := s.customersByEmail(ctx, shop.ID, batch)
		if err != nil {
			return nil, err
		}
		for _, job := range batch {
			customer, found := customers[job.Recover.Email]
			var lookupErr error
			if !found {
				lookupErr = storekeep.ErrNotFound
			}
			o, _, err := s.recoverOutcome(shop, customer, lookupErr, jobCaller(job))
			if err != nil {
				return nil, err
			}
			o.Job = job.ID
			outcomes = append(outcomes, o)
		}
	}
	return s.store.FinishJobs(ctx, outcomes, leaseUntil)
}

// customersByEmail looks up, in one query, the shop's customers whose
// addresses jobs ask about, by EmailKey.
func (s *Service) customersByEmail(ctx context.Context, shopID int64, jobs []storekeep.Job) (map[string]storekeep.Customer, error) {
	keys := make([]string, len(jobs))
	for i, job := range jobs {
		keys[i] = job.Recover.Email
	}
	list, err := s.store.CustomersByEmail(ctx, shopID, keys)
	if err != nil {
		return nil, err
	}
	customers := make(map[string]storekeep.Customer, len(list))
	for _, c := range list {
		customers[c.EmailKey] = c
	}
	return customers, nil
}

// ProcessInvite runs a JobInvite: it issues the customer's activation
// token and queues the invitation mail, marking the job done in the same
// transaction. A customer who is gone or no longer invited (they activated,
// or were disabled, meanwhile) gets nothing and the job is done.
func (s *Service) ProcessInvite(ctx context.Context, job storekeep.Job) (done bool, err error) {
	shop, err := s.jobShop(ctx, job, storekeep.JobInvite)
	if err != nil {
		return false, err
	}
	c, err := s.store.CustomerByID(ctx, shop.ID, job.Invite.CustomerID)
	if errors.Is(err, storekeep.ErrNotFound) || err == nil && c.State != storekeep.CustomerInvited {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	token, err := s.keys.NewToken()
	if err != nil {
		return false, err
	}
	err = s.issue(ctx, shop, c, storekeep.PurposeActivation, "", token, storekeep.Caller{IP: "import", Locale: job.Locale}, job.ID)
	if errors.Is(err, storekeep.ErrJobDone) {
		return true, nil
	}
	return err == nil, err
}

// ProcessOrdersWaiting runs a JobOrdersWaiting, queued with a sign-up: if
// the address's account is enabled, has not proved the address, and orders
// placed with it wait, it issues a reset token and mails the address an
// orders_waiting mail with its link, whose redemption proves the address,
// at most OrdersWaitingPerEmail to one address. Otherwise nothing is sent.
// Either way the client that signed up got the same answer at once:
// whether orders wait is known only to the mailbox.
func (s *Service) ProcessOrdersWaiting(ctx context.Context, job storekeep.Job) (done bool, err error) {
	shop, err := s.jobShop(ctx, job, storekeep.JobOrdersWaiting)
	if err != nil {
		return false, err
	}
	c, err := s.store.CustomerByEmail(ctx, shop.ID, job.Recover.Email)
	if errors.Is(err, storekeep.ErrNotFound) || err == nil && (c.State != storekeep.CustomerEnabled || !c.EmailVerifiedAt.IsZero()) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	waiting, err := s.store.CountWaitingOrders(ctx, shop.ID, c.EmailKey)
	if err != nil || waiting == 0 {
		return false, err
	}
	key := "orderswaiting:notice:" + strconv.FormatInt(shop.ID, 10) + ":" + c.EmailKey
	if spent, err := s.limiter.Exhausted(ctx, key, s.cfg.OrdersWaitingPerEmail); err != nil || spent {
		return false, err
	}
	token, err := s.keys.NewToken()
	if err != nil {
		return false, err
	}
	err = s.issue(ctx, shop, c, storekeep.PurposeReset, storekeep.TemplateOrdersWaiting, token, jobCaller(job), job.ID)
	if errors.Is(err, storekeep.ErrJobDone) {
		return true, nil
	}
	if err == nil {
		// Counted once queued, so that a run that failed before leaves its
		// retry the allowance; a limiter that fails now only lets the next go.
		_, _ = s.limiter.Allow(ctx, key, s.cfg.OrdersWaitingPerEmail)
	}
	return err == nil, err
}

// jobShop returns the shop of job, a job of kind.
func (s *Service) jobShop(ctx context.Context, job storekeep.Job, kind storekeep.JobKind) (storekeep.Shop, error) {
	if job.Kind != kind {
		return storekeep.Shop{}, wrongKind(job, kind)
	}
	shop, err := s.store.ShopByID(ctx, job.ShopID)
	if err != nil {
		return storekeep.Shop{}, fmt.Errorf("recovery: shop of job %d: %w", job.ID, err)
	}
	return shop, nil
}

func wrongKind(job storekeep.Job, want storekeep.JobKind) error {
	return fmt.Errorf("recovery: job %d is a %q, not a %q", job.ID, job.Kind, want)
}

// jobCaller is the client whose request queued job.
func jobCaller(job storekeep.Job) storekeep.Caller {
	return storekeep.Caller{IP: job.Recover.IP, UserAgent: job.Recover.UserAgent, Locale: job.Locale}
}

// Invite issues an activation token to an invited customer and queues the
// invitation mail.
func (s *Service) Invite(ctx context.Context, shop storekeep.Shop, customer storekeep.Customer, caller storekeep.Caller) error {
	if customer.State != storekeep.CustomerInvited {
		return storekeep.NewError(storekeep.CodeAlreadyEnabled, nil, "Customer is already enabled")
	}
	token, err := s.keys.NewToken()
	if err != nil {
		return err
	}
	return s.issue(ctx, shop, customer, storekeep.PurposeActivation, "", token, caller, 0)
}

func (s *Service) throttleRecover(ctx context.Context, shop storekeep.Shop, emailKey string, caller storekeep.Caller) error {
	shopKey := strconv.FormatInt(shop.ID, 10)
	ok, err := storekeep.AllowClientThen(ctx, s.limiter, "recover:ip:"+shopKey, caller.IP, s.cfg.RecoverPerIP,
		storekeep.Counter{Key: "recover:email:" + shopKey + ":" + emailKey, Limit: s.cfg.RecoverPerEmail},
		storekeep.Counter{Key: "recover:shop:" + shopKey, Limit: s.cfg.RecoverPerShop})
	if err != nil || ok {
		return err
	}
	ev := s.audit(shop, 0, storekeep.AuditThrottled, caller, "customerRecover").Folded()
	if err := s.store.RecordAudit(ctx, ev); err != nil {
		return err
	}
	return storekeep.Throttled(ThrottledRecoverMessage)
}

// issue stores a token of purpose for customer and queues the mail that
// carries its link: template, or the purpose's own when empty.
func (s *Service) issue(ctx context.Context, shop storekeep.Shop, customer storekeep.Customer, purpose storekeep.TokenPurpose, template storekeep.Template, token string, caller storekeep.Caller, job int64) error {
	o, err := s.grant(shop, customer, purpose, template, token, caller)
	if err != nil {
		return err
	}
	return s.write(ctx, o, job)
}

// write stores the token of o, a grant, queues its mail and records its
// audit event, completing job when not 0.
func (s *Service) write(ctx context.Context, o storekeep.JobOutcome, job int64) error {
	if err := s.store.IssueCustomerToken(ctx, *o.Token, o.Mail, o.Audit, job); err != nil {
		return err
	}
	s.mailQueued()
	return nil
}

// grant builds what issuing token to customer writes: the token's record,
// the mail carrying it (template, or the purpose's own when empty) and the
// audit event.
func (s *Service) grant(shop storekeep.Shop, customer storekeep.Customer, purpose storekeep.TokenPurpose, template storekeep.Template, token string, caller storekeep.Caller) (storekeep.JobOutcome, error) {
	now := s.clock()
	ttl, own, segment := s.cfg.ResetTokenTTL, storekeep.TemplateReset, "reset"
	if purpose == storekeep.PurposeActivation {
		ttl, own, segment = s.cfg.ActivationTokenTTL, storekeep.TemplateActivation, "activate"
	}
	detail := string(purpose) + " mail queued"
	if template == "" {
		template = own
	} else {
		detail = string(template) + " mail queued"
	}
	messageID, err := storekeep.NewMessageID(shop.Domain)
	if err != nil {
		return storekeep.JobOutcome{}, err
	}
	return storekeep.JobOutcome{
		Token: &storekeep.CustomerToken{
			ShopID:     shop.ID,
			CustomerID: customer.ID,
			Purpose:    purpose,
			Hash:       s.keys.Hash(token),
			ExpiresAt:  now.Add(ttl),
			CreatedAt:  now,
		},
		Mail: storekeep.Mail{
			ShopID:    shop.ID,
			To:        customer.Email,
			Template:  template,
			Locale:    caller.Locale,
			MessageID: messageID,
			CreatedAt: now,
			Data: storekeep.MailData{
				URL:          AccountURL(s.linkBase(shop), segment, customer.ID, token),
				ShopName:     shop.Name,
				FirstName:    customer.GreetingName(),
				Email:        customer.Email,
				ExpiresHours: strconv.Itoa(int(ttl / time.Hour)),
			},
		},
		Audit: s.audit(shop, customer.ID, storekeep.AuditRecoverRequested, caller, detail),
	}, nil
}
