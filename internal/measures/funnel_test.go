package measures

import (
	"math"
	"testing"
)

// TestFunnelLimits checks the limits against hand calculation of
// p ± z·sqrt(p(1−p)/n) at several n (Spiegelhalter 2005's normal
// approximation), and that they are cut to 0 to 1.
func TestFunnelLimits(t *testing.T) {
	for _, tc := range []struct {
		name      string
		p         float64
		n         int
		z         float64
		low, high float64
	}{
		// sqrt(0.25/100) = 0.05; 1.96 × 0.05 = 0.098; 3.09 × 0.05 = 0.1545.
		{"half, 100 cases, 95%", 0.5, 100, FunnelZ95, 0.402, 0.598},
		{"half, 100 cases, 99.8%", 0.5, 100, FunnelZ998, 0.3455, 0.6545},
		// England's 47.5% reliable recovery over 25 cases: sqrt(0.475 × 0.525 / 25)
		// = 0.0998749; × 1.96 = 0.195755; × 3.09 = 0.308613.
		{"47.5%, 25 cases, 95%", 0.475, 25, FunnelZ95, 0.279245, 0.670755},
		{"47.5%, 25 cases, 99.8%", 0.475, 25, FunnelZ998, 0.166387, 0.783613},
		// 0.2 over 400: sqrt(0.16/400) = 0.02; × 1.96 = 0.0392.
		{"20%, 400 cases, 95%", 0.2, 400, FunnelZ95, 0.1608, 0.2392},
		// Few cases: sqrt(0.25/4) = 0.25; 3.09 × 0.25 = 0.7725 runs past 0 and 1.
		{"half, 4 cases, 99.8%: cut to 0 and 1", 0.5, 4, FunnelZ998, 0, 1},
		{"half, 1 case, 95%", 0.5, 1, FunnelZ95, 0, 1},
		{"no case: the whole range", 0.5, 0, FunnelZ95, 0, 1},
		{"a mean of 0 has no spread", 0, 50, FunnelZ95, 0, 0},
		{"a mean of 1 has no spread", 1, 50, FunnelZ998, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lo, hi := FunnelLimits(tc.p, tc.n, tc.z)
			if math.Abs(lo-tc.low) > 1e-6 || math.Abs(hi-tc.high) > 1e-6 {
				t.Errorf("FunnelLimits(%v, %d, %v) = %.6f, %.6f; want %.6f, %.6f", tc.p, tc.n, tc.z, lo, hi, tc.low, tc.high)
			}
		})
	}
	// The funnel narrows as n grows.
	prevLo, prevHi := FunnelLimits(0.475, 10, FunnelZ95)
	for n := 11; n <= 1000; n++ {
		lo, hi := FunnelLimits(0.475, n, FunnelZ95)
		if lo < prevLo || hi > prevHi {
			t.Fatalf("limits at n=%d (%v, %v) are wider than at n=%d (%v, %v)", n, lo, hi, n-1, prevLo, prevHi)
		}
		prevLo, prevHi = lo, hi
	}
}

// TestFunnelPosition places rates either side of each limit: around a mean
// of 0.5 over 100 cases the limits are 40.2–59.8% (95%) and 34.55–65.45%
// (99.8%).
func TestFunnelPosition(t *testing.T) {
	for _, tc := range []struct {
		x, n int
		want FunnelPosition
	}{
		{50, 100, FunnelWithin},
		{59, 100, FunnelWithin},
		{60, 100, FunnelAbove95},
		{65, 100, FunnelAbove95},
		{66, 100, FunnelAbove998},
		{41, 100, FunnelWithin},
		{40, 100, FunnelBelow95},
		{35, 100, FunnelBelow95},
		{34, 100, FunnelBelow998},
		{2, 2, FunnelWithin}, // 100% of 2: inside the funnel's mouth
		{0, 0, FunnelNoFigures},
	} {
		if got := FunnelPositionOf(0.5, tc.x, tc.n); got != tc.want {
			t.Errorf("%d of %d around 50%%: %q, want %q", tc.x, tc.n, got, tc.want)
		}
	}
}
