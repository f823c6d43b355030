package storekeep

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"time"
)

// Code classifies an Error. Codes that are values of the Storefront
// CustomerErrorCode enum become CustomerUserError entries; the others become
// top-level GraphQL errors.
type Code string

// CustomerErrorCode values, exactly as the Storefront schema names them.
const (
	CodeAlreadyEnabled                     Code = "ALREADY_ENABLED"
	CodeBadDomain                          Code = "BAD_DOMAIN"
	CodeBlank                              Code = "BLANK"
	CodeContainsHTMLTags                   Code = "CONTAINS_HTML_TAGS"
	CodeContainsURL                        Code = "CONTAINS_URL"
	CodeCustomerDisabled                   Code = "CUSTOMER_DISABLED"
	CodeInvalid                            Code = "INVALID"
	CodeInvalidMultipassRequest            Code = "INVALID_MULTIPASS_REQUEST"
	CodeNotFound                           Code = "NOT_FOUND"
	CodePasswordStartsOrEndsWithWhitespace Code = "PASSWORD_STARTS_OR_ENDS_WITH_WHITESPACE"
	CodeTaken                              Code = "TAKEN"
	CodeTokenInvalid                       Code = "TOKEN_INVALID"
	CodeTooLong                            Code = "TOO_LONG"
	CodeTooShort                           Code = "TOO_SHORT"
	CodeUnidentifiedCustomer               Code = "UNIDENTIFIED_CUSTOMER"
)

// Codes that are not CustomerErrorCode values: they fail the whole field.
const (
	// CodeThrottled means a rate limit tripped; the field resolves to null
	// with a top-level error whose extensions.code is THROTTLED.
	CodeThrottled Code = "THROTTLED"
	// CodeAccessDenied means the request's token lacks a required scope.
	CodeAccessDenied Code = "ACCESS_DENIED"
	// CodeInternal is any failure the client cannot act on.
	CodeInternal Code = "INTERNAL_SERVER_ERROR"
)

// CustomerErrorCodes lists every CustomerErrorCode value in schema order.
var CustomerErrorCodes = []Code{
	CodeAlreadyEnabled, CodeBadDomain, CodeBlank, CodeContainsHTMLTags, CodeContainsURL,
	CodeCustomerDisabled, CodeInvalid, CodeInvalidMultipassRequest, CodeNotFound,
	CodePasswordStartsOrEndsWithWhitespace, CodeTaken, CodeTokenInvalid, CodeTooLong,
	CodeTooShort, CodeUnidentifiedCustomer,
}

// IsUserError reports whether c is a CustomerErrorCode value, that is, an
// error the client sees in customerUserErrors rather than as a failed field.
func (c Code) IsUserError() bool {
	for _, v := range CustomerErrorCodes {
		if v == c {
			return true
		}
	}
	return false
}

// Error is the one error type that crosses from the domain to the API
// boundary. Field is the input path the error refers to (nil for none).
type Error struct {
	Code    Code
	Field   []string
	Message string
}

func (e *Error) Error() string {
	if len(e.Field) == 0 {
		return string(e.Code) + ": " + e.Message
	}
	return string(e.Code) + " on " + strings.Join(e.Field, ".") + ": " + e.Message
}

// NewError returns an *Error.
func NewError(code Code, field []string, message string) *Error {
	return &Error{Code: code, Field: field, Message: message}
}

// Throttled returns the error for a tripped rate limit.
func Throttled(message string) *Error {
	return &Error{Code: CodeThrottled, Message: message}
}

// UserErrors extracts every *Error with a CustomerErrorCode from err, which
// may be a single *Error or several joined with errors.Join. ok is false when
// err holds anything else, in which case the caller must treat err as a
// field failure.
func UserErrors(err error) (list []*Error, ok bool) {
	if err == nil {
		return nil, true
	}
	var walk func(error) bool
	walk = func(err error) bool {
		if joined, is := err.(interface{ Unwrap() []error }); is {
			for _, e := range joined.Unwrap() {
				if !walk(e) {
					return false
				}
			}
			return true
		}
		var e *Error
		if errors.As(err, &e) && e.Code.IsUserError() {
			list = append(list, e)
			return true
		}
		return false
	}
	if !walk(err) {
		return nil, false
	}
	return list, true
}

// ErrorCode returns the Code of the first *Error in err's chain, or
// CodeInternal when there is none.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// Storage sentinels returned by every Store implementation.
var (
	// ErrNotFound: no row matched.
	ErrNotFound = errors.New("storekeep: not found")
	// ErrConflict: a uniqueness rule would be broken (an email already taken).
	ErrConflict = errors.New("storekeep: conflict")
	// ErrLimit: a write would take something past its bound (a customer's
	// MaxAddressesPerCustomer).
	ErrLimit = errors.New("storekeep: limit reached")
	// ErrTokenSpent: a one-time token was used, voided or expired between
	// lookup and redemption.
	ErrTokenSpent = errors.New("storekeep: token already spent")
	// ErrJobDone: the outbox job a write was to complete is no longer
	// pending; another attempt at it finished first.
	ErrJobDone = errors.New("storekeep: job already done")
	// ErrStale: the row a read-modify-write read has been written since,
	// so the write was not applied; read it again and start over.
	ErrStale = errors.New("storekeep: changed since it was read")
)

// StaleRetries bounds how many times RetryStale starts a
// read-modify-write over after it met ErrStale.
const StaleRetries = 8

// ContendedMessage is the message of Contended's error.
const ContendedMessage = "The customer is being changed by other requests. Please try again."

// Contended is the error of a read-modify-write that met ErrStale on
// every attempt: a client that sends many changes of one customer at once
// is told to slow down (THROTTLED), which is no server failure.
func Contended() *Error { return Throttled(ContendedMessage) }

// RetryStale runs attempt, a read-modify-write, and runs it again while
// it returns ErrStale (an error that wraps it), at most StaleRetries more
// times, each after a random wait of up to 0.5 ms doubled at each retry so
// that writers that met each other spread out. It returns attempt's last
// error (ErrStale still when every attempt met it; callers answering a
// client give Contended for that), or ctx's when ctx ends while it waits.
func RetryStale(ctx context.Context, attempt func() error) error {
	err := attempt()
	for retry := 0; retry < StaleRetries && errors.Is(err, ErrStale); retry++ {
		if err := staleBackoff(ctx, retry); err != nil {
			return err
		}
		err = attempt()
	}
	return err
}

// staleBackoff waits RetryStale's random time before retry, or until ctx
// ends.
func staleBackoff(ctx context.Context, retry int) error {
	t := time.NewTimer(time.Duration(rand.Int64N(int64(500*time.Microsecond) << min(retry, 7))))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
