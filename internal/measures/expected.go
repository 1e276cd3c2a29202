package measures

import "math"

// Band is the expected range of a score at a point in treatment: the 25th,
// 50th and 75th percentiles of comparable finished cases, and how many cases
// there were.
type Band struct {
	P25, P50, P75 float64
	N             int
}

// Expectation gives the expected score at a treatment session for a case
// that started at first on the measure. ok is false when fewer than
// MinComparableCases comparable cases exist (the Band's N still says how
// many there were).
type Expectation interface {
	Expected(id InstrumentID, first float64, session int) (Band, bool)
}

// Curves is the expected treatment response of a service, built once from
// its finished courses and then queried in constant time: every band is
// worked out at build time, per measure, first score and session.
type Curves struct {
	curves map[InstrumentID]*curve
}

// curve holds one measure's precomputed bands on a grid of first scores.
type curve struct {
	min, step float64
	levels    int    // grid points of the measure's range
	sessions  int    // sessions with bands; later sessions use the last
	bands     []Band // [level*sessions + session-1]
}

// curveStep is the grid the curves are kept on: whole points, and for the
// Mobility Inventory a twentieth of a point (well inside its RC of 0.73), so
// that the whole grid stays small.
func curveStep(in *Instrument) float64 {
	if in.Decimals > 0 {
		return 0.05
	}
	return 1
}

// similarWithin is how close a first score must be to count as similar
// (issue 4): 2 points on PHQ-9 and GAD-7, a tenth of the range on an ADSM.
func similarWithin(in *Instrument) float64 {
	if in.ID == PHQ9 || in.ID == GAD7 {
		return SimilarFirstPoints
	}
	return SimilarFirstShare * (in.Max - in.Min)
}

// hasCurve reports whether expected curves are kept for a measure: PHQ-9,
// GAD-7 and the ADSMs, the measures outcomes are judged on.
func hasCurve(in *Instrument) bool {
	return in.HasCaseness && in.RC > 0
}

// BuildExpectation builds the expected treatment response from finished
// courses of treatment (outcomes with FinishedCourse; others are skipped).
// A case counts at a session from its measure's first score on
// (MeasureOutcome.SessionFrom), with its last score carried forward past
// the end of its treatment. Percentiles are nearest-rank: each is a score
// some case actually had.
func BuildExpectation(finished []Outcome) *Curves {
	// One pass over the outcomes (by index: an Outcome is large to copy),
	// gathering each measure's courses.
	courses := map[InstrumentID][]course{}
	for i := range finished {
		o := &finished[i]
		if !o.FinishedCourse {
			continue
		}
		for id, m := range o.Measures {
			if len(m.BySession) > 0 && m.SessionFrom >= 1 {
				courses[id] = append(courses[id], course{m.First, m.SessionFrom, m.BySession})
			}
		}
	}
	c := &Curves{curves: map[InstrumentID]*curve{}}
	for i := range catalogue {
		in := &catalogue[i]
		if hasCurve(in) && len(courses[in.ID]) > 0 {
			c.curves[in.ID] = buildCurve(in, courses[in.ID])
		}
	}
	return c
}

// course is one finished course's scores on a measure.
type course struct {
	first     float64
	from      int
	bySession []float64
}

func buildCurve(in *Instrument, courses []course) *curve {
	step := curveStep(in)
	levels := int(math.Round((in.Max-in.Min)/step)) + 1
	level := func(x float64) (int, bool) {
		if math.IsNaN(x) || x < in.Min || x > in.Max {
			return 0, false
		}
		return int(math.Round((x - in.Min) / step)), true
	}

	// The number of sessions to keep: the longest course, capped.
	sessions := 1
	for _, c := range courses {
		sessions = max(sessions, min(c.from+len(c.bySession)-1, MaxCurveSessions))
	}

	// hist[(first*sessions + s)*levels + value] counts cases by first score,
	// session and score at that session.
	hist := make([]int32, levels*sessions*levels)
	for _, c := range courses {
		f, ok := level(c.first)
		if !ok {
			continue
		}
		v := -1 // level of the score at session s; the last carried forward
		for s := c.from; s <= sessions; s++ {
			if i := s - c.from; i < len(c.bySession) {
				if l, ok := level(c.bySession[i]); ok {
					v = l
				} else {
					v = -1
				}
			}
			if v >= 0 {
				hist[(f*sessions+s-1)*levels+v]++
			}
		}
	}
	return curveFromHist(in, hist, sessions)
}

// curveFromHist works out a measure's bands from its histogram of scores,
// hist[(first*sessions + s-1)*levels + value].
func curveFromHist(in *Instrument, hist []int32, sessions int) *curve {
	step := curveStep(in)
	levels := int(math.Round((in.Max-in.Min)/step)) + 1
	// Make the first-score dimension cumulative, so that a window of
	// similar first scores is one subtraction.
	row := sessions * levels
	for f := 1; f < levels; f++ {
		for k := 0; k < row; k++ {
			hist[f*row+k] += hist[(f-1)*row+k]
		}
	}

	w := int(similarWithin(in)/step + 1e-9)
	cv := &curve{min: in.Min, step: step, levels: levels, sessions: sessions,
		bands: make([]Band, levels*sessions)}
	counts := make([]int32, levels)
	for q := 0; q < levels; q++ {
		lo, hi := max(q-w, 0), min(q+w, levels-1)
		for s := 1; s <= sessions; s++ {
			n := 0
			for v := 0; v < levels; v++ {
				c := hist[hi*row+(s-1)*levels+v]
				if lo > 0 {
					c -= hist[(lo-1)*row+(s-1)*levels+v]
				}
				counts[v] = c
				n += int(c)
			}
			b := Band{N: n}
			if n > 0 {
				b.P25 = in.Min + float64(rankLevel(counts, n, 25))*step
				b.P50 = in.Min + float64(rankLevel(counts, n, 50))*step
				b.P75 = in.Min + float64(rankLevel(counts, n, 75))*step
				b.P25, b.P50, b.P75 = roundTo(b.P25, in.Decimals), roundTo(b.P50, in.Decimals), roundTo(b.P75, in.Decimals)
			}
			cv.bands[q*sessions+s-1] = b
		}
	}
	return cv
}

// rankLevel is the nearest-rank percentile of a histogram of n values: the
// smallest level with at least ceil(p/100 × n) values at or below it.
func rankLevel(counts []int32, n, p int) int {
	rank := max((p*n+99)/100, 1)
	seen := 0
	for v, c := range counts {
		seen += int(c)
		if seen >= rank {
			return v
		}
	}
	return len(counts) - 1
}

// Expected returns the band of comparable finished cases at a treatment
// session (1-based; sessions past the longest course use its last band) for
// a case whose first score on the measure was first.
func (c *Curves) Expected(id InstrumentID, first float64, session int) (Band, bool) {
	if c == nil || session < 1 {
		return Band{}, false
	}
	cv, ok := c.curves[id]
	if !ok || math.IsNaN(first) {
		return Band{}, false
	}
	q := int(math.Round((first - cv.min) / cv.step))
	if q < 0 || q >= cv.levels {
		return Band{}, false
	}
	b := cv.bands[q*cv.sessions+min(session, cv.sessions)-1]
	return b, b.N >= MinComparableCases
}
