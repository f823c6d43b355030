package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/storekeep/storekeep"
)

// ClockSkewWarn is how far a node's clock may be from the database's
// before the node warns, when it starts, that it is off. Leases and
// expiries are stamped by one node and compared by the others, so the
// nodes' clocks should agree within 100 ms (README, Clocks).
const ClockSkewWarn = 2 * time.Second

// databaseClock is a store that reads the database server's clock.
type databaseClock interface {
	DatabaseNow(ctx context.Context) (time.Time, error)
}

// checkClock compares now with the clock of store's database, allowing
// for the round trip, and logs a warning when they differ by more than
// ClockSkewWarn. A store without a clock, or one that fails to answer, is
// not checked.
func checkClock(ctx context.Context, store any, now storekeep.Clock, log *slog.Logger) {
	db, ok := store.(databaseClock)
	if !ok {
		return
	}
	before := now()
	at, err := db.DatabaseNow(ctx)
	after := now()
	if err != nil {
		return
	}
	half := after.Sub(before) / 2
	ahead := before.Add(half).Sub(at)
	if ahead > ClockSkewWarn+half || ahead < -ClockSkewWarn-half {
		log.Warn("clock: this node's clock is off the database's; another node's mail may be sent again and "+
			"links expire at other times (keep the nodes' clocks within 100 ms)",
			"ahead", ahead.Round(time.Millisecond).String())
	}
}
