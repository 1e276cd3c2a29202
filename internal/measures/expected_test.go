package measures

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// finishedCase is a finished course whose only measure is id.
func finishedCase(id InstrumentID, first float64, from int, bySession ...float64) Outcome {
	return Outcome{FinishedCourse: true, Measures: map[InstrumentID]MeasureOutcome{
		id: {Instrument: id, Count: len(bySession) + 1, First: first, BySession: bySession, SessionFrom: from},
	}}
}

// referenceBand works out a band the slow way: every case whose first score
// is within tol, its score at the session (carried forward past its end),
// nearest-rank percentiles of the sorted scores.
func referenceBand(cases []Outcome, id InstrumentID, first, tol float64, session int) Band {
	var vs []float64
	for _, o := range cases {
		m, ok := o.Measures[id]
		if !o.FinishedCourse || !ok || len(m.BySession) == 0 || math.Abs(m.First-first) > tol+1e-9 || session < m.SessionFrom {
			continue
		}
		vs = append(vs, m.BySession[min(session-m.SessionFrom, len(m.BySession)-1)])
	}
	sort.Float64s(vs)
	b := Band{N: len(vs)}
	if len(vs) == 0 {
		return b
	}
	at := func(p int) float64 {
		rank := int(math.Ceil(float64(p) / 100 * float64(len(vs))))
		return vs[max(rank, 1)-1]
	}
	b.P25, b.P50, b.P75 = at(25), at(50), at(75)
	return b
}

func TestExpectedSmall(t *testing.T) {
	var cases []Outcome
	// 40 cases starting within 2 points of 14; half have one session, half
	// three.
	for i := range 40 {
		first := float64(12 + i%5)
		if i%2 == 0 {
			cases = append(cases, finishedCase(PHQ9, first, 1, float64(i%20)))
		} else {
			cases = append(cases, finishedCase(PHQ9, first, 1, 14, 12, float64(i%10)))
		}
	}
	// Not comparable: too far from 14, not finished, another measure.
	cases = append(cases,
		finishedCase(PHQ9, 17, 1, 27), finishedCase(PHQ9, 11, 1, 27),
		Outcome{Measures: finishedCase(PHQ9, 14, 1, 27).Measures},
		finishedCase(GAD7, 14, 1, 21))
	c := BuildExpectation(cases)
	for s := 1; s <= 5; s++ {
		got, ok := c.Expected(PHQ9, 14, s)
		want := referenceBand(cases, PHQ9, 14, 2, s)
		if !ok || want.N != 40 {
			t.Fatalf("session %d: ok %v, reference N %d", s, ok, want.N)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("session %d (-want +got):\n%s", s, diff)
		}
	}
	// Session 3 by hand: the one-session cases carry 0..18 (even), the
	// three-session ones 1,3,5,7,9 each four times.
	b, _ := c.Expected(PHQ9, 14, 3)
	if diff := cmp.Diff(Band{P25: 3, P50: 6, P75: 9, N: 40}, b); diff != "" {
		t.Errorf("session 3 by hand (-want +got):\n%s", diff)
	}
}

func TestExpectedTooFewCases(t *testing.T) {
	var cases []Outcome
	for i := range 29 {
		cases = append(cases, finishedCase(GAD7, 12, 1, float64(i%21)))
	}
	c := BuildExpectation(cases)
	if b, ok := c.Expected(GAD7, 12, 1); ok || b.N != 29 {
		t.Errorf("29 cases: ok %v, N %d; want false, 29", ok, b.N)
	}
	cases = append(cases, finishedCase(GAD7, 14, 1, 3)) // 2 points away: comparable
	c = BuildExpectation(cases)
	if b, ok := c.Expected(GAD7, 12, 1); !ok || b.N != 30 {
		t.Errorf("30 cases: ok %v, N %d; want true, 30", ok, b.N)
	}
	if b, ok := c.Expected(GAD7, 11, 1); ok || b.N != 29 {
		t.Errorf("first 11, 3 points from 14: ok %v, N %d; want false, 29", ok, b.N)
	}
}

func TestExpectedEdges(t *testing.T) {
	var cases []Outcome
	for i := range 40 {
		cases = append(cases, finishedCase(PHQ9, 14, 2, float64(i%27)))
	}
	c := BuildExpectation(cases)
	tests := []struct {
		name    string
		c       *Curves
		id      InstrumentID
		first   float64
		session int
	}{
		{"nil curves", nil, PHQ9, 14, 2},
		{"no data for the measure", c, GAD7, 14, 2},
		{"no curves for WSAS", c, WSAS, 14, 2},
		{"session 0", c, PHQ9, 14, 0},
		{"session before any case's first score", c, PHQ9, 14, 1},
		{"first below range", c, PHQ9, -1, 2},
		{"first above range", c, PHQ9, 28, 2},
		{"first not a number", c, PHQ9, math.NaN(), 2},
		{"nobody similar", c, PHQ9, 20, 2},
	}
	for _, tt := range tests {
		if _, ok := tt.c.Expected(tt.id, tt.first, tt.session); ok {
			t.Errorf("%s: ok = true", tt.name)
		}
	}
	if _, ok := c.Expected(PHQ9, 14, 100); !ok {
		t.Error("session past the longest course: want the last band")
	}
	if got := BuildExpectation(nil); len(got.curves) != 0 {
		t.Errorf("no cases: %d curves", len(got.curves))
	}
	// Scores outside the range (a corrupt summary) are skipped.
	bad := append([]Outcome{finishedCase(PHQ9, 40, 1, 3), finishedCase(PHQ9, 14, 1, 30)}, cases...)
	if b, _ := BuildExpectation(bad).Expected(PHQ9, 14, 2); b.N != 40 {
		t.Errorf("with corrupt cases N = %d, want 40", b.N)
	}
}

// TestExpectedMatchesReference compares the precomputed curves with the slow
// reference on random services, for every whole-point measure.
func TestExpectedMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, id := range []InstrumentID{PHQ9, GAD7, SPIN, PDSS, OCI, IESR, HAI} {
		in, _ := lookup(id)
		var cases []Outcome
		for range 600 {
			// Clustered first scores so that windows hold 30 or more.
			first := float64(rng.IntN(int(in.Max)/3+1) + int(in.Max)/3)
			n := 1 + rng.IntN(8)
			by := make([]float64, n)
			for k := range by {
				by[k] = float64(rng.IntN(int(in.Max) + 1))
			}
			cases = append(cases, finishedCase(id, first, 1+rng.IntN(2), by...))
		}
		c := BuildExpectation(cases)
		tol := similarWithin(in)
		checked := 0
		for first := in.Min; first <= in.Max; first++ {
			for s := 1; s <= 10; s++ {
				want := referenceBand(cases, id, first, tol, s)
				got, ok := c.Expected(id, first, s)
				if ok != (want.N >= MinComparableCases) {
					t.Fatalf("%s first %v session %d: ok %v with reference N %d", id, first, s, ok, want.N)
				}
				if want.N == 0 {
					continue
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("%s first %v session %d (-want +got):\n%s", id, first, s, diff)
				}
				checked++
			}
		}
		if checked < 50 {
			t.Errorf("%s: only %d bands checked", id, checked)
		}
	}
}

// TestExpectedMI checks the Mobility Inventory, kept on a 0.05 grid: similar
// first scores are within 0.4 (a tenth of its 1–5 range).
func TestExpectedMI(t *testing.T) {
	var cases []Outcome
	for i := range 30 {
		cases = append(cases, finishedCase(MIAlone, 3.0+float64(i%9-4)/10, 1, 1.5+float64(i)/20))
	}
	cases = append(cases, finishedCase(MIAlone, 3.45, 1, 5)) // 0.45 away: not similar
	c := BuildExpectation(cases)
	b, ok := c.Expected(MIAlone, 3.0, 1)
	want := Band{P25: 1.85, P50: 2.2, P75: 2.6, N: 30}
	if !ok {
		t.Fatalf("ok = false, N %d", b.N)
	}
	if diff := cmp.Diff(want, b); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// BenchmarkExpected measures building curves from a large service and
// querying them, as the weekly review does for hundreds of referrals.
func BenchmarkBuildExpectation(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	var cases []Outcome
	for range 50000 {
		n := 1 + rng.IntN(20)
		phq, gad, oci := make([]float64, n), make([]float64, n), make([]float64, n)
		for k := range n {
			phq[k], gad[k], oci[k] = float64(rng.IntN(28)), float64(rng.IntN(22)), float64(rng.IntN(169))
		}
		cases = append(cases, Outcome{FinishedCourse: true, Measures: map[InstrumentID]MeasureOutcome{
			PHQ9: {First: float64(rng.IntN(28)), BySession: phq, SessionFrom: 1},
			GAD7: {First: float64(rng.IntN(22)), BySession: gad, SessionFrom: 1},
			OCI:  {First: float64(rng.IntN(169)), BySession: oci, SessionFrom: 1},
		}})
	}
	b.ResetTimer()
	for b.Loop() {
		c := BuildExpectation(cases)
		for q := range 500 {
			c.Expected(PHQ9, float64(q%28), 1+q%20)
		}
	}
}
