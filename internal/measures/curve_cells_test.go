package measures

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// randomCourses makes finished courses on PHQ-9, GAD-7 and the Mobility
// Inventory (a grid of twentieths), some with invalid scores, late first
// scores and courses longer than MaxCurveSessions.
func randomCourses(rng *rand.Rand, n int) []Outcome {
	var out []Outcome
	for i := 0; i < n; i++ {
		o := Outcome{FinishedCourse: rng.IntN(10) != 0, Measures: map[InstrumentID]MeasureOutcome{}}
		for _, id := range []InstrumentID{PHQ9, GAD7, MIAlone} {
			if rng.IntN(4) == 0 {
				continue
			}
			in, _ := Lookup(id)
			score := func() float64 {
				switch rng.IntN(40) {
				case 0:
					return math.NaN()
				case 1:
					return in.Max + 1
				}
				x := in.Min + rng.Float64()*(in.Max-in.Min)
				return roundTo(x, in.Decimals)
			}
			length := 1 + rng.IntN(12)
			if rng.IntN(15) == 0 {
				length = MaxCurveSessions + rng.IntN(5)
			}
			m := MeasureOutcome{Instrument: id, First: score(), SessionFrom: 1}
			if rng.IntN(5) == 0 {
				m.SessionFrom = 2 + rng.IntN(3)
			}
			if rng.IntN(30) == 0 {
				length = 0
			}
			for k := 0; k < length; k++ {
				m.BySession = append(m.BySession, score())
			}
			o.Measures[id] = m
		}
		out = append(out, o)
	}
	return out
}

func cellsOf(courses []Outcome) CurveCells {
	h := NewCurveCells()
	for _, o := range courses {
		if o.FinishedCourse {
			h.AddCourse(o.Measures, 1)
		}
	}
	return h
}

// The curves built from the cells of some courses are the curves built
// from the courses themselves, also after courses were added and taken
// away again (a course reopened or corrected).
func TestCurvesFromCellsEqualBuildExpectation(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	for _, n := range []int{0, 1, 40, 3000} {
		courses := randomCourses(rng, n)
		want := BuildExpectation(courses)
		if n >= 40 && len(want.curves) != 3 {
			t.Fatalf("%d courses: curves for %d measures, want 3", n, len(want.curves))
		}
		h := cellsOf(courses)
		if got := CurvesFromCells(h); !reflect.DeepEqual(got, want) {
			t.Errorf("%d courses: curves from cells differ from BuildExpectation", n)
		}
		// Add more courses, then take them away: back where we were.
		extra := randomCourses(rng, n/2+1)
		h.Add(cellsOf(extra))
		if n > 0 && reflect.DeepEqual(CurvesFromCells(h), want) {
			t.Errorf("%d courses: adding %d courses changed nothing", n, len(extra))
		}
		for _, o := range extra {
			if o.FinishedCourse {
				h.AddCourse(o.Measures, -1)
			}
		}
		if got := CurvesFromCells(h); !reflect.DeepEqual(got, want) {
			t.Errorf("%d courses: curves after adding and taking away courses differ from BuildExpectation", n)
		}
	}
}
