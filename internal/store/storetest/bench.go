package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
)

// BenchmarkFinishJobs times FinishJobs on s with batches of batch recover
// outcomes, each for a different customer of 500 who has a token to void,
// and reports the time per job. Queuing the jobs is not timed.
func BenchmarkFinishJobs(b *testing.B, s storekeep.Store, batch int) {
	ctx := b.Context()
	keys := NewKeyring(b)
	shop, err := s.CreateShop(ctx, storekeep.Shop{Domain: "bench.example", Name: "Bench", StorefrontURL: "https://bench.example"}, storekeep.ShopSecrets{})
	if err != nil {
		b.Fatal(err)
	}
	customers := make([]storekeep.Customer, 500)
	for i := range customers {
		email := fmt.Sprintf("customer-%d@bench.example", i)
		customers[i], err = s.CreateCustomer(ctx, storekeep.Customer{ShopID: shop.ID, Email: email, EmailKey: email,
			FirstName: "Ada", State: storekeep.CustomerEnabled, PasswordHash: "seeded", CreatedAt: t0, UpdatedAt: t0})
		if err != nil {
			b.Fatal(err)
		}
	}
	next := 0
	outcome := func() storekeep.JobOutcome {
		c := customers[next%len(customers)]
		next++
		job, err := s.EnqueueJob(ctx, storekeep.Job{ShopID: shop.ID, Kind: storekeep.JobRecover, CreatedAt: t0,
			Recover: storekeep.RecoverRequest{Email: c.EmailKey, IP: "203.0.113.9", UserAgent: "bench/1"}})
		if err != nil {
			b.Fatal(err)
		}
		clear := fmt.Sprintf("token-%d", next)
		return storekeep.JobOutcome{Job: job,
			Audit: storekeep.AuditEvent{ShopID: shop.ID, CustomerID: c.ID, Kind: storekeep.AuditRecoverRequested,
				IP: "203.0.113.9", UserAgent: "bench/1", Detail: "reset mail queued", At: t0},
			Token: &storekeep.CustomerToken{ShopID: shop.ID, CustomerID: c.ID, Purpose: storekeep.PurposeReset,
				Hash: keys.Hash(clear), ExpiresAt: t0.Add(time.Hour), CreatedAt: t0},
			Mail: storekeep.Mail{ShopID: shop.ID, To: c.Email, Template: storekeep.TemplateReset, Locale: "en",
				MessageID: fmt.Sprintf("<%s@bench.example>", clear), CreatedAt: t0,
				Data: storekeep.MailData{URL: fmt.Sprintf("https://bench.example/account/reset/%d/%s", c.ID, clear),
					ShopName: "Bench", FirstName: "Ada", Email: c.Email, ExpiresHours: "1"}}}
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		outcomes := make([]storekeep.JobOutcome, batch)
		for i := range outcomes {
			outcomes[i] = outcome()
		}
		b.StartTimer()
		mails, err := s.FinishJobs(ctx, outcomes, t0.Add(time.Minute))
		if err != nil || len(mails) != batch {
			b.Fatalf("FinishJobs queued %d mails of %d: %v", len(mails), batch, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/job")
}

// BenchmarkAccessTokenByHash times the look-up an authenticated request
// makes, AccessTokenByHash with one hash, among 1,000 live tokens of 100
// customers.
func BenchmarkAccessTokenByHash(b *testing.B, s storekeep.Store) {
	ctx := b.Context()
	keys := NewKeyring(b)
	shop, err := s.CreateShop(ctx, storekeep.Shop{Domain: "bench.example", Name: "Bench", StorefrontURL: "https://bench.example"}, storekeep.ShopSecrets{})
	if err != nil {
		b.Fatal(err)
	}
	var hashes [][]byte
	for i := range 100 {
		email := fmt.Sprintf("customer-%d@bench.example", i)
		c, err := s.CreateCustomer(ctx, storekeep.Customer{ShopID: shop.ID, Email: email, EmailKey: email,
			FirstName: "Ada", State: storekeep.CustomerEnabled, PasswordHash: "seeded", CreatedAt: t0, UpdatedAt: t0})
		if err != nil {
			b.Fatal(err)
		}
		for j := range 10 {
			h := keys.Hash(fmt.Sprintf("access-%d-%d", i, j))
			if _, err := s.CreateAccessToken(ctx, storekeep.AccessToken{ShopID: shop.ID, CustomerID: c.ID, Hash: h,
				ExpiresAt: t0.Add(24 * time.Hour), CreatedAt: t0}, ""); err != nil {
				b.Fatal(err)
			}
			hashes = append(hashes, h)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		h := hashes[i%len(hashes)]
		if _, err := s.AccessTokenByHash(ctx, shop.ID, [][]byte{h}, t0); err != nil {
			b.Fatal(err)
		}
	}
}
