package storetest

import (
	"testing"
	"time"

	"github.com/storekeep/storekeep"
)

// LegacyRecoverRequest is how a recover request for ada@example.com was
// queued before outbox rows had a kind: an outbox row of template
// recover_request, locale fr, whose data is what this returns, sealed.
func LegacyRecoverRequest(t testing.TB, sealer storekeep.Sealer) []byte {
	t.Helper()
	data, err := sealer.Seal([]byte(`{"ip":"203.0.113.9","user_agent":"probe/1"}`))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// ClaimsLegacyRecoverRequest fails t unless s, migrated over the one row
// LegacyRecoverRequest describes, claims it as a recover job.
func ClaimsLegacyRecoverRequest(t testing.TB, s storekeep.Store) {
	t.Helper()
	claimed, err := s.Claim(t.Context(), time.Now(), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := storekeep.RecoverRequest{Email: "ada@example.com", IP: "203.0.113.9", UserAgent: "probe/1"}
	if len(claimed.Mail) != 0 || len(claimed.Jobs) != 1 || claimed.Jobs[0].Kind != storekeep.JobRecover ||
		claimed.Jobs[0].Recover != want || claimed.Jobs[0].Locale != "fr" {
		t.Fatalf("claimed %+v, want the recover request as a job", claimed)
	}
}
