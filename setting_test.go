package storekeep

import (
	"strings"
	"testing"
	"time"
)

func TestSettingChecksNameTheSettingAndRefuseNonsense(t *testing.T) {
	for _, tc := range []struct {
		err error
		bad bool
	}{
		{CheckLimit("--a", Limit{Count: 1, Per: time.Second}), false},
		{CheckLimit("--a", Limit{Count: 0, Per: time.Second}), true},
		{CheckLimit("--a", Limit{Count: 3, Per: 0}), true},
		{CheckDuration("--a", time.Nanosecond), false},
		{CheckDuration("--a", 0), true},
		{CheckDuration("--a", -time.Hour), true},
		{CheckCount("--a", 1), false},
		{CheckCount("--a", 0), true},
	} {
		if (tc.err != nil) != tc.bad || (tc.bad && !strings.Contains(tc.err.Error(), "--a")) {
			t.Errorf("err = %v, want refused: %v, naming --a", tc.err, tc.bad)
		}
	}
}
