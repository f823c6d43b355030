package account

import (
	"context"
	"time"

	"github.com/storekeep/storekeep"
)

// EmailChangedNotice builds the "your email address was changed" mail
// that tells former's address its account now has newEmail, or returns
// nil when that address has had its EmailChangedPerEmail (the change is
// then made unannounced). Queue it in the change's own write and, once
// that is stored, call EmailChangeAnnounced; a change that is refused
// spends nothing. customerUpdate and a Multipass sign-in that moves a
// customer to another address both follow it.
func (s *Service) EmailChangedNotice(ctx context.Context, shop storekeep.Shop, former storekeep.Customer, newEmail, locale string, at time.Time) (*storekeep.Mail, error) {
	spent, err := s.Limiter.Exhausted(ctx, emailNoticeKey(shop, former.EmailKey), s.cfg.EmailChangedPerEmail)
	if err != nil || spent {
		return nil, err
	}
	m, err := storekeep.EmailChangedMail(shop, former, newEmail, locale, at)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// EmailChangeAnnounced counts a stored notice of EmailChangedNotice
// against the allowance of the former address, whose key is formerKey,
// and wakes the outbox. The change is stored and its mail queued, so a
// limiter that fails now only lets the next notice go.
func (s *Service) EmailChangeAnnounced(ctx context.Context, shop storekeep.Shop, formerKey string) {
	_, _ = s.Limiter.Allow(ctx, emailNoticeKey(shop, formerKey), s.cfg.EmailChangedPerEmail)
	s.MailQueued()
}
