package measures

import (
	"math"
	"testing"
)

// Newcombe (1998), Statistics in Medicine 17:857–872, Table II, method 3
// (Wilson score interval without continuity correction), to 4 decimals.
func TestWilsonNewcombeExamples(t *testing.T) {
	for _, tc := range []struct {
		k, n      int
		low, high float64
	}{
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{0, 20, 0, 0.1611},
		{1, 29, 0.0061, 0.1718},
	} {
		iv, ok := Wilson(tc.k, tc.n)
		if !ok {
			t.Fatalf("Wilson(%d, %d): no interval", tc.k, tc.n)
		}
		if math.Abs(iv.Low-tc.low) > 0.00005 || math.Abs(iv.High-tc.high) > 0.00005 {
			t.Errorf("Wilson(%d, %d) = [%.4f, %.4f], want [%.4f, %.4f]", tc.k, tc.n, iv.Low, iv.High, tc.low, tc.high)
		}
	}
}

func TestWilsonBoundaries(t *testing.T) {
	for _, n := range []int{1, 2, 9, 10, 11, 263, 100000} {
		zero, ok := Wilson(0, n)
		if !ok || zero.Low != 0 || zero.High <= 0 || zero.High >= 1 {
			t.Errorf("Wilson(0, %d) = %+v, %v; want [0, h] with 0 < h < 1", n, zero, ok)
		}
		all, ok := Wilson(n, n)
		if !ok || all.High != 1 || all.Low <= 0 || all.Low >= 1 {
			t.Errorf("Wilson(%d, %d) = %+v, %v; want [l, 1] with 0 < l < 1", n, n, all, ok)
		}
		// Symmetry: k of n and n-k of n mirror each other.
		if math.Abs(zero.High-(1-all.Low)) > 1e-12 {
			t.Errorf("n=%d: Wilson(0) high %v and Wilson(n) low %v do not mirror", n, zero.High, all.Low)
		}
		// The rate lies inside its interval, and the interval narrows as n grows.
		k := n / 3
		iv, _ := Wilson(k, n)
		if p := float64(k) / float64(n); p < iv.Low || p > iv.High {
			t.Errorf("Wilson(%d, %d) = %+v does not hold %v", k, n, iv, p)
		}
	}
	for _, tc := range [][2]int{{0, 0}, {1, 0}, {-1, 5}, {6, 5}, {0, -1}} {
		if iv, ok := Wilson(tc[0], tc[1]); ok {
			t.Errorf("Wilson(%d, %d) = %+v, want no interval", tc[0], tc[1], iv)
		}
	}
	// 1 of 1 is a long way from certain: the interval says so.
	if iv, _ := Wilson(1, 1); iv.Low > 0.21 || iv.Low < 0.2 {
		t.Errorf("Wilson(1, 1) low = %v, want about 0.207", iv.Low)
	}
}
