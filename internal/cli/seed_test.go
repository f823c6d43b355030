package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
)

func TestSeedFillsAShopWithAHistoryInsideTheRetentionsOnlyOnThisMachine(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sk.db")
	env := map[string]string{"STOREKEEP_DB": db}
	if code, _, errOut := runCLI(t, env, "shop", "create", "--domain", "a.example"); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut := runCLI(t, env, "seed", "--shop", "a.example", "--customers", "120", "--sent-mail", "60000",
		"--audit-events", "70000", "--access-tokens", "30", "--password", "seeded password")
	if code != 0 || !strings.HasPrefix(out, "seeded a.example") {
		t.Fatalf("seed: %d %s %s", code, out, errOut)
	}
	store, shop := openShop(t, db, "a.example")
	ctx := context.Background()
	for id, want := range map[int64]error{120: nil, 121: storekeep.ErrNotFound} {
		if c, err := store.CustomerByID(ctx, shop.ID, id); err != want || (err == nil && c.State != storekeep.CustomerEnabled) {
			t.Errorf("customer %d: %+v, %v; want 120 enabled customers", id, c, err)
		}
	}
	sent, err := store.ListMail(ctx, storekeep.MailSent, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != 60000 || time.Since(sent[len(sent)-1].CreatedAt) > 7*24*time.Hour {
		t.Errorf("%d sent rows, the oldest queued %s: want 60,000 inside the mail retention", len(sent), sent[len(sent)-1].CreatedAt)
	}
	events, err := store.AuditEvents(ctx, shop.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 70000 || time.Since(events[len(events)-1].At) > 90*24*time.Hour {
		t.Errorf("%d audit events: want 70,000 inside the audit retention", len(events))
	}
	n, err := store.PruneTokens(ctx, time.Now().Add(60*24*time.Hour), 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	if n != 30+30000 {
		t.Errorf("%d access and reset tokens, want 30 and 30,000", n)
	}
	code, out, errOut = runCLI(t, nil, "seed", "--db", "postgres://postgres@192.0.2.1:5432/test", "--secret-key",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "--shop", "a.example")
	if code == 0 || !strings.Contains(errOut, "loopback") {
		t.Errorf("seed of a database on another machine: %d %s %s", code, out, errOut)
	}
}
