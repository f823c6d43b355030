package customerimport

import (
	"math"
	"testing"
	"time"
)

func TestCheckInviteRateRefusesRatesThatWouldNotPace(t *testing.T) {
	for _, rate := range []float64{MinInviteRate, DefaultInviteRate, 0.5, MaxInviteRate} {
		if err := CheckInviteRate(rate); err != nil {
			t.Errorf("%v: %v", rate, err)
		}
		if every := interval(rate); every <= 0 || every > time.Duration(float64(time.Second)/MinInviteRate) {
			t.Errorf("%v: invitations %v apart", rate, every)
		}
	}
	for _, rate := range []float64{0, -1, math.NaN(), math.Inf(1), math.Inf(-1), 1e-12, MinInviteRate / 2, MaxInviteRate * 2} {
		if err := CheckInviteRate(rate); err == nil {
			t.Errorf("%v: accepted", rate)
		}
	}
}
