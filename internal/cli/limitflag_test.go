package cli

import (
	"testing"
	"time"

	"github.com/storekeep/storekeep"
)

func TestLimitFlag(t *testing.T) {
	tests := []struct {
		in   string
		want storekeep.Limit
		ok   bool
	}{
		{"20/10m", storekeep.Limit{Count: 20, Per: 10 * time.Minute}, true},
		{" 50000/1h ", storekeep.Limit{Count: 50000, Per: time.Hour}, true},
		{"20", storekeep.Limit{}, false},
		{"0/1h", storekeep.Limit{}, false},
		{"-3/1h", storekeep.Limit{}, false},
		{"3/0s", storekeep.Limit{}, false},
		{"3/soon", storekeep.Limit{}, false},
		{"x/1h", storekeep.Limit{}, false},
	}
	for _, tt := range tests {
		var got storekeep.Limit
		err := limitFlag{&got}.Set(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Set(%q) = %+v, %v; want %+v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	l := storekeep.Limit{Count: 3, Per: 15 * time.Minute}
	if s := (limitFlag{&l}).String(); s != "3/15m0s" {
		t.Errorf("String() = %q", s)
	}
}
