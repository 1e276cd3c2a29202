package ui

import (
	"fmt"
	"math"
	"strconv"

	"clinic/internal/measures"
)

// Honest small numbers (issue 13): every rate the report shows carries its
// 95% Wilson interval (measures.Wilson), and a rate from fewer than
// measures.SmallNumbers cases says so in words as well as in its style
// (app-small-n), never by colour alone. Comparisons with England are of a
// rate and its interval with England's rate, never of counts.

// rateCell is a rate as a report shows it: k of n.
type rateCell struct {
	K, N  int
	Rate  string // "50.5%", or "–" when n is 0
	CI    string // "45.1% to 55.8%", "" when n is 0
	Small bool   // 0 < n < measures.SmallNumbers
	Low   float64
	High  float64
	Value *float64
}

// smallNumbersWords is what a rate from few cases says beside it.
const smallNumbersWords = "fewer than 10: interpret with care"

func newRateCell(k, n int) rateCell {
	c := rateCell{K: k, N: n, Rate: "–"}
	iv, ok := measures.Wilson(k, n)
	if !ok {
		return c
	}
	v := float64(k) / float64(n)
	c.Value = &v
	c.Rate = percent(&v)
	c.Low, c.High = iv.Low, iv.High
	c.CI = percentOf(iv.Low) + " to " + percentOf(iv.High)
	c.Small = n < measures.SmallNumbers
	return c
}

func percentOf(x float64) string { return percent(&x) }

// ciJSON is an interval as the API gives it: [low, high] as fractions,
// rounded to 4 places; nil when there is no rate.
func ciJSON(k, n int) *[2]float64 {
	iv, ok := measures.Wilson(k, n)
	if !ok {
		return nil
	}
	r := func(x float64) float64 { return math.Round(x*10000) / 10000 }
	return &[2]float64{r(iv.Low), r(iv.High)}
}

// shareOf is k/n, nil when n is 0.
func shareOf(k, n int) *float64 {
	if n == 0 {
		return nil
	}
	v := float64(k) / float64(n)
	return &v
}

// versusEngland compares a rate and its interval with England's rate.
func versusEngland(c rateCell, england *float64) string {
	if england == nil || c.Value == nil {
		return ""
	}
	e := percent(england)
	switch {
	case *england < c.Low:
		return fmt.Sprintf("Higher than England's %s: England's rate is below this interval", e)
	case *england > c.High:
		return fmt.Sprintf("Lower than England's %s: England's rate is above this interval", e)
	default:
		return fmt.Sprintf("No clear difference from England's %s, which is within this interval", e)
	}
}

// points is the difference of two rates in whole percentage points.
func points(a, b float64) string {
	return strconv.FormatFloat(math.Round((a-b)*100), 'f', 0, 64)
}
