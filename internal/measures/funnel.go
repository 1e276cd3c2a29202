package measures

import "math"

// Funnel plots (issue 13) compare each therapist's or team's rate with the
// service's own, against the number of cases the rate is drawn from, so that
// a rate from a handful of cases is not read as a real difference.
// Control limits follow Spiegelhalter, D. J. (2005), "Funnel plots for
// comparing institutional performance", Statistics in Medicine 24(8),
// 1185–1202, section 3: for a proportion with target p (here the service's
// mean) and n cases, the normal approximation to the binomial gives limits
// p ± z·sqrt(p(1−p)/n), with z = 1.96 for 95% (about 2 standard
// deviations) and z = 3.09 for 99.8% (about 3), cut to the range 0 to 1.

// z of the funnel plot's two pairs of control limits (two-sided 95% and
// 99.8%; Spiegelhalter 2005, table I).
const (
	FunnelZ95  = 1.96
	FunnelZ998 = 3.09
)

// FunnelLimits are the lower and upper control limits, as proportions, of a
// rate drawn from n cases when the service's mean is p. With n below 1 there
// is no rate: the limits are the whole range 0 to 1.
func FunnelLimits(p float64, n int, z float64) (low, high float64) {
	if n < 1 {
		return 0, 1
	}
	half := z * math.Sqrt(p*(1-p)/float64(n))
	return max(0, p-half), min(1, p+half)
}

// FunnelPosition says where a rate of x out of n sits on the funnel plot of
// a service whose mean is p.
type FunnelPosition string

const (
	FunnelWithin    FunnelPosition = "within limits"
	FunnelAbove95   FunnelPosition = "above 95% limit"
	FunnelAbove998  FunnelPosition = "above 99.8% limit"
	FunnelBelow95   FunnelPosition = "below 95% limit"
	FunnelBelow998  FunnelPosition = "below 99.8% limit"
	FunnelNoFigures FunnelPosition = "no rate"
)

// FunnelPositionOf places x out of n against the limits around p. A rate
// exactly on a limit is within it (Spiegelhalter 2005 flags points outside
// the limits).
func FunnelPositionOf(p float64, x, n int) FunnelPosition {
	if n < 1 {
		return FunnelNoFigures
	}
	r := float64(x) / float64(n)
	lo95, hi95 := FunnelLimits(p, n, FunnelZ95)
	lo998, hi998 := FunnelLimits(p, n, FunnelZ998)
	switch {
	case r > hi998:
		return FunnelAbove998
	case r > hi95:
		return FunnelAbove95
	case r < lo998:
		return FunnelBelow998
	case r < lo95:
		return FunnelBelow95
	}
	return FunnelWithin
}
