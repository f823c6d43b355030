package storekeep

import (
	"errors"
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
