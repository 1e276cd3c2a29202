package measures

import "math"

// Interval is a 95% confidence interval for a proportion, as fractions 0–1.
type Interval struct {
	Low, High float64
}

// z95 is the standard normal quantile for a two-sided 95% interval.
const z95 = 1.959963984540054

// SmallNumbers is the count of cases below which a rate is shown as
// uncertain ("fewer than 10: interpret with care"), as NHS England
// suppresses or flags rates from small counts in its published statistics.
const SmallNumbers = 10

// Wilson is the Wilson score interval (Wilson 1927, without continuity
// correction) for k successes in n trials at 95%: the interval Newcombe
// (1998, "Two-sided confidence intervals for the single proportion",
// Statistics in Medicine 17:857–872, method 3) recommends for small counts
// and proportions near 0 or 1, where the simple normal interval fails. It
// is never outside [0, 1]; false when n is 0 (no rate, no interval) or k is
// outside [0, n].
func Wilson(k, n int) (Interval, bool) {
	if n <= 0 || k < 0 || k > n {
		return Interval{}, false
	}
	nf := float64(n)
	p := float64(k) / nf
	z2 := z95 * z95
	denom := 1 + z2/nf
	centre := (p + z2/(2*nf)) / denom
	half := z95 / denom * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	iv := Interval{Low: math.Max(0, centre-half), High: math.Min(1, centre+half)}
	// At 0 and n the bound is exactly 0 or 1; rounding must not leave a
	// hair's breadth.
	if k == 0 {
		iv.Low = 0
	}
	if k == n {
		iv.High = 1
	}
	return iv, true
}
