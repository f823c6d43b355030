package storekeep

import "time"

// AuditKind names a security event.
type AuditKind string

const (
	AuditRecoverRequested AuditKind = "recover_requested"
	AuditResetSucceeded   AuditKind = "reset_succeeded"
	AuditResetFailed      AuditKind = "reset_failed"
	AuditActivated        AuditKind = "activated"
	AuditThrottled        AuditKind = "throttled"
	AuditLoginFailed      AuditKind = "login_failed"
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
}
