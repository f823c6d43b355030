package storekeep

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestUserErrorsSeparatesUserFromFieldErrors(t *testing.T) {
	one := NewError(CodeInvalid, []string{"email"}, "x")
	if list, ok := UserErrors(one); !ok || len(list) != 1 {
		t.Fatal("single")
	}
	two := NewError(CodeTooShort, []string{"password"}, "y")
	if list, ok := UserErrors(errors.Join(one, two)); !ok || len(list) != 2 {
		t.Fatal("joined")
	}
	if _, ok := UserErrors(errors.Join(one, Throttled("slow down"))); ok {
		t.Fatal("a throttled error passed as a user error")
	}
	if _, ok := UserErrors(ErrNotFound); ok {
		t.Fatal("a plain error passed as a user error")
	}
}

func TestRetryStaleStartsOverOnlyAfterAStaleReadAndAtMostStaleRetriesTimes(t *testing.T) {
	other := errors.New("other")
	for _, tc := range []struct {
		name  string
		errs  []error
		calls int
		want  error
	}{
		{"fresh at once", []error{nil}, 1, nil},
		{"another error ends it", []error{other}, 1, other},
		{"stale, then fresh", []error{ErrStale, ErrStale, nil}, 3, nil},
		{"stale, then another error", []error{ErrStale, other}, 2, other},
		{"a wrapped stale read counts", []error{fmt.Errorf("created meanwhile: %w", ErrStale), nil}, 2, nil},
		{"stale every time", nil, 1 + StaleRetries, ErrStale},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			err := RetryStale(context.Background(), func() error {
				calls++
				if calls <= len(tc.errs) {
					return tc.errs[calls-1]
				}
				return ErrStale
			})
			if calls != tc.calls || !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Errorf("%d calls, %v; want %d calls, %v", calls, err, tc.calls, tc.want)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := 0
	if err := RetryStale(ctx, func() error { calls++; return ErrStale }); !errors.Is(err, context.Canceled) || calls != 1 {
		t.Errorf("a caller that left: %d calls, %v; want 1 call and its cancellation", calls, err)
	}
}
