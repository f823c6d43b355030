package storekeep

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// AuditKind names a security event.
type AuditKind string

const (
	AuditRecoverRequested AuditKind = "recover_requested"
	AuditResetSucceeded   AuditKind = "reset_succeeded"
	AuditResetFailed      AuditKind = "reset_failed"
	AuditActivated        AuditKind = "activated"
	AuditThrottled        AuditKind = "throttled"
	AuditLoginFailed      AuditKind = "login_failed"
	// Multipass sign-in; a failure's Detail says what was wrong, for the
	// operator only.
	AuditMultipassLogin  AuditKind = "multipass_login"
	AuditMultipassFailed AuditKind = "multipass_failed"
	// Changes to a customer's address book; Detail is the address's GID.
	AuditAddressCreated        AuditKind = "address_created"
	AuditAddressUpdated        AuditKind = "address_updated"
	AuditAddressDeleted        AuditKind = "address_deleted"
	AuditDefaultAddressChanged AuditKind = "default_address_changed"
	// customerUpdate changed the customer's password, or its email
	// address; an email change's Detail is the former address.
	AuditPasswordChanged AuditKind = "password_changed"
	AuditEmailChanged    AuditKind = "email_changed"
	// An operator revoked a Storefront API token (storekeep token
	// revoke); Detail is the token's Label.
	AuditAPITokenRevoked AuditKind = "api_token_revoked"
)

// AuditEvent records a security event. It never holds a token or password.
type AuditEvent struct {
	ID         int64
	ShopID     int64
	CustomerID int64 // 0 when unknown
	Kind       AuditKind
	IP         string
	UserAgent  string
	Detail     string
	At         time.Time
	// Count is how many events the row stands for: more than 1 once
	// repeats were folded into it (see RepeatKey). Stored as 1 when 0.
	Count int
	// LastAt is when the last of them happened; At when zero.
	LastAt time.Time
	// RepeatKey, when not empty, folds the event into the shop's stored
	// event with the same key, if any: that row's Count grows by the
	// event's and its LastAt moves to the later of the two; nothing else
	// of the event is kept.
	RepeatKey string
}

// AuditRepeatWindow is the span within which Folded events from one
// client are stored as one row with a count: windows start at multiples
// of it since the Unix epoch.
const AuditRepeatWindow = 10 * time.Minute

// Folded returns e with a RepeatKey shared by every event of its shop,
// kind and detail from its client in its AuditRepeatWindow, so that a
// client repeating a refused request adds one row per window, not one per
// request. The client is the widest network per-IP limits count its IP
// in (ThrottleNetwork): an IPv6 host rotating its address within its /64,
// or its /64s within its /48, is one client. The first event's IP,
// customer and user agent are the ones kept.
func (e AuditEvent) Folded() AuditEvent {
	window := e.At.UTC().Truncate(AuditRepeatWindow).Unix()
	e.RepeatKey = strings.Join([]string{string(e.Kind), ThrottleNetwork(e.IP), e.Detail, strconv.FormatInt(window, 10)}, "|")
	return e
}

// MaxUserAgentBytes is how much of a client's User-Agent storekeep keeps.
const MaxUserAgentBytes = 512

// ClipUserAgent returns ua as valid UTF-8 of at most MaxUserAgentBytes
// bytes: invalid bytes are dropped and the rest is cut at a character
// boundary.
func ClipUserAgent(ua string) string {
	ua = strings.ToValidUTF8(ua, "")
	if len(ua) <= MaxUserAgentBytes {
		return ua
	}
	cut := MaxUserAgentBytes
	for cut > 0 && !utf8.RuneStart(ua[cut]) {
		cut--
	}
	return ua[:cut]
}
