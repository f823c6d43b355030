package server

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/ratelimit"
)

// DefaultRequestsPerClient is the API and hosted page requests one
// client may send to a node: 6,000 at once, then 100 a second, many times
// what a shopper's pages ask for even behind a household's or an office's
// one address, and a small share of what a node on two CPUs answers.
var DefaultRequestsPerClient = storekeep.Limit{Count: 6000, Per: time.Minute}

// RequestRate bounds the API and hosted page requests each client sends
// to the node, under the per-IP rules of storekeep.AllowClient (an IPv4
// address, an IPv6 /64, the shares of its /56 and /48). Its counters are
// the node's own: it bounds what one client takes of this node's CPUs,
// whatever other nodes count. It is safe for concurrent use.
type RequestRate struct {
	limit     storekeep.Limit
	counts    *ratelimit.Memory
	now       storekeep.Clock
	log       *slog.Logger
	throttled atomic.Int64
	uncounted atomic.Int64
	mu        sync.Mutex
	warned    time.Time
}

// RefusalLogEvery is how often, at most, a RequestRate logs that it
// refused a client's request; its Throttled count tells the rest.
const RefusalLogEvery = time.Hour

// NewRequestRate returns a RequestRate allowing each client limit,
// counted in a limiter of its own holding at most maxKeys counters that
// fails open when full (ratelimit.NewOpenMemory), since one that refused
// every new key would refuse every new visitor of the shop. It reads time
// from clock (time.Now when nil) and logs to log (slog.Default() when
// nil).
func NewRequestRate(limit storekeep.Limit, maxKeys int, clock storekeep.Clock, log *slog.Logger) *RequestRate {
	if clock == nil {
		clock = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &RequestRate{limit: limit, counts: ratelimit.NewOpenMemory(clock, maxKeys, log), now: clock, log: log}
}

// Throttled returns how many requests were refused.
func (r *RequestRate) Throttled() int64 { return r.throttled.Load() }

// Uncounted returns how many requests were let through because its
// limiter, full, held no counter of their client (an IPv4 address, an IPv6 /64):
// one a request, however many counters an IPv6 client's asked for.
func (r *RequestRate) Uncounted() int64 { return r.uncounted.Load() }

// allow counts a request of the client at ip and reports whether it is
// within the client's allowance. A limiter error lets it through.
func (r *RequestRate) allow(ctx context.Context, ip string) bool {
	if r == nil {
		return true
	}
	refused := r.counts.Refused()
	ok, err := storekeep.AllowClient(ctx, r.counts, "api", ip, r.limit)
	if ok && err == nil && r.counts.Refused() != refused && !r.counts.Holds("api:"+storekeep.ThrottleIP(ip)) {
		r.uncounted.Add(1)
	}
	return err != nil || ok
}

// spent reports, counting nothing, whether the client at ip has sent its
// allowance.
func (r *RequestRate) spent(ctx context.Context, ip string) bool {
	if r == nil {
		return false
	}
	spent, err := storekeep.ClientSpent(ctx, r.counts, "api", ip, r.limit)
	return err == nil && spent
}

// clientAllowance is the rest of one client's allowance, spent by its
// request's operation (storekeep.Allowance); the answer to a request it
// refuses carries a Retry-After, as refuse's does.
type clientAllowance struct {
	rate *RequestRate
	ip   string
	w    http.ResponseWriter
}

// Spend counts n more requests of the client, stopping at the first its
// allowance refuses.
func (a clientAllowance) Spend(ctx context.Context, n int) error {
	for range n {
		if !a.rate.allow(ctx, a.ip) {
			a.rate.refused(a.w, a.ip)
			return storekeep.Throttled(storekeep.RequestsRefusedMessage)
		}
	}
	return nil
}

// refuse answers an API request of the client at ip past its allowance:
// 429, THROTTLED, and the seconds until the allowance holds one more
// request.
func (r *RequestRate) refuse(w http.ResponseWriter, ip string) {
	r.refused(w, ip)
	writeErrors(w, http.StatusTooManyRequests, storekeep.RequestsRefusedMessage, "THROTTLED")
}

// refusePage answers a hosted page's request past its client's
// allowance as refuse does, in plain text.
func (r *RequestRate) refusePage(w http.ResponseWriter, ip string) {
	r.refused(w, ip)
	http.Error(w, storekeep.RequestsRefusedMessage, http.StatusTooManyRequests)
}

// refused counts a refusal of the client at ip and sets Retry-After. The
// first refusal of a RefusalLogEvery is logged with the client, since a
// proxy missing from --trusted-proxies is one client for all it carries.
func (r *RequestRate) refused(w http.ResponseWriter, ip string) {
	if n := r.throttled.Add(1); r.firstOfPeriod() {
		r.log.Warn("requests refused: a client sent more than --requests-per-ip (a proxy that carries many clients "+
			"belongs in --trusted-proxies)", "client", storekeep.ThrottleIP(ip), "throttled_total", n)
	}
	wait := r.limit.Per.Seconds() / float64(r.limit.Count)
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait)))))
}

// serversOwn reports whether r, authenticated with token, is a storefront
// server's own request: a private token's that names no buyer.
func serversOwn(r *http.Request, token storekeep.APIToken) bool {
	_, named := buyerIP(r, token)
	return token.Kind == storekeep.APITokenPrivate && !named
}

// firstOfPeriod reports whether no refusal was logged within the last
// RefusalLogEvery (a log time ahead of the clock, which has stepped back
// since, is as old), and if so starts a new period.
func (r *RequestRate) firstOfPeriod() bool {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.warned.IsZero() && !now.Before(r.warned) && now.Sub(r.warned) < RefusalLogEvery {
		return false
	}
	r.warned = now
	return true
}
