package recovery

import (
	"context"
	"time"

	"github.com/storekeep/storekeep"
)

// Store is the storage the flow needs, each method as storekeep.Store
// documents it.
type Store interface {
	ShopByID(ctx context.Context, id int64) (storekeep.Shop, error)
	CustomerByID(ctx context.Context, shopID, id int64) (storekeep.Customer, error)
	CustomerByEmail(ctx context.Context, shopID int64, key string) (storekeep.Customer, error)
	CustomersByEmail(ctx context.Context, shopID int64, keys []string) ([]storekeep.Customer, error)
	IssueCustomerToken(ctx context.Context, t storekeep.CustomerToken, m storekeep.Mail, a storekeep.AuditEvent, job int64) error
	FinishJobs(ctx context.Context, outcomes []storekeep.JobOutcome, leaseUntil time.Time) ([]storekeep.Mail, error)
	CustomerTokenByHash(ctx context.Context, shopID, customerID int64, purpose storekeep.TokenPurpose, hashes [][]byte) (storekeep.CustomerToken, error)
	RedeemCustomerToken(ctx context.Context, r storekeep.Redemption) (storekeep.Customer, error)
	EnqueueJob(ctx context.Context, j storekeep.Job) (int64, error)
	RecordAudit(ctx context.Context, e storekeep.AuditEvent) error
	CountWaitingOrders(ctx context.Context, shopID int64, emailKey string) (int64, error)
}

// Passwords hashes passwords and judges them against the policy.
type Passwords interface {
	Hash(ctx context.Context, password string) (string, error)
	Check(password string, field []string) error
}

// Sessions is the account policy a redeemed link follows; *account.Service
// is one, so that sign-in, password changes and links agree on both.
type Sessions interface {
	// NewSession makes the access token a redeemed link returns.
	NewSession(shopID, customerID int64) (storekeep.AccessToken, storekeep.IssuedAccessToken, error)
	// PasswordChangeNotice builds the "your password was changed" mail,
	// or returns nil when none is sent.
	PasswordChangeNotice(shop storekeep.Shop, c storekeep.Customer, locale string) (*storekeep.Mail, error)
}

// Service runs the flow. Its methods are safe for concurrent use.
type Service struct {
	store     Store
	limiter   storekeep.Limiter
	keys      storekeep.Keyring
	passwords Passwords
	sessions  Sessions
	now       storekeep.Clock
	cfg       Config
	// mailQueued is called after a transaction that queued mail commits, so
	// the outbox can deliver at once instead of at its next poll.
	mailQueued func()
	// jobQueued is called after a private-mode recover job commits; it
	// must not run the job right behind the answer (see queueRecover).
	jobQueued func()
	handoff   Handoff
	pace      Pacer
}

// Deps are the Service's collaborators. MailQueued and Now are optional.
type Deps struct {
	Store      Store
	Limiter    storekeep.Limiter
	Keys       storekeep.Keyring
	Passwords  Passwords
	Sessions   Sessions
	Now        storekeep.Clock
	MailQueued func()
	// JobQueued is told of each recover job queued for a claim; optional.
	JobQueued func()
	// Handoff, when not nil, runs recover jobs on this node without a
	// claim; optional.
	Handoff Handoff
	// Pace, when not nil, holds each customerRecover that passed its
	// throttles while the outbox is behind (outbox.Pace); optional.
	Pace Pacer
}

// Handoff runs the recover jobs this node queues, without claiming them
// (*outbox.Worker is one): Reserve holds a place for a job and returns the
// lease its row is queued with, or false for a job to queue for a claim;
// Take hands over the job once its row is committed, Unreserve gives the
// place back when it is not.
type Handoff interface {
	Reserve(kind storekeep.JobKind) (leaseUntil time.Time, ok bool)
	Take(j storekeep.Job)
	Unreserve()
}

// Pacer holds a caller back while the mail it would add could not be
// delivered in time; Wait returns ctx's error if ctx ends first.
type Pacer interface {
	Wait(ctx context.Context) error
}

// New returns a Service.
func New(d Deps, cfg Config) *Service {
	s := &Service{
		store:      d.Store,
		limiter:    d.Limiter,
		keys:       d.Keys,
		passwords:  d.Passwords,
		sessions:   d.Sessions,
		now:        d.Now,
		cfg:        cfg.withDefaults(),
		mailQueued: d.MailQueued,
		jobQueued:  d.JobQueued,
		handoff:    d.Handoff,
		pace:       d.Pace,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.jobQueued == nil {
		s.jobQueued = func() {}
	}
	if s.mailQueued == nil {
		s.mailQueued = func() {}
	}
	return s
}

func (s *Service) clock() time.Time { return s.now().UTC() }

// linkBase is the base of shop's links, and linkPath its path.
func (s *Service) linkBase(shop storekeep.Shop) string {
	return shop.LinkBase(s.cfg.DefaultStorefrontURL)
}

func (s *Service) linkPath(shop storekeep.Shop) string { return LinkPath(s.linkBase(shop)) }

func (s *Service) audit(shop storekeep.Shop, customerID int64, kind storekeep.AuditKind, caller storekeep.Caller, detail string) storekeep.AuditEvent {
	return storekeep.AuditEvent{
		ShopID:     shop.ID,
		CustomerID: customerID,
		Kind:       kind,
		IP:         caller.IP,
		UserAgent:  caller.UserAgent,
		Detail:     detail,
		At:         s.clock(),
	}
}
