package measures

import "math"

// The expected-response curves as an additive histogram (issue 17): each
// finished course adds counts to a few cells, so a store can keep the cells
// current as courses finish, are reopened or corrected (adding a course's
// cells with sign +1 and taking its old ones away with -1), and build the
// curves from the cells without reading any course again. CurvesFromCells of
// the cells of a set of courses equals BuildExpectation of those courses.

// CurveCell is a cell of the histogram: courses on a measure whose first
// score was at grid level First and whose score at treatment session
// Session was at grid level Value. Levels are steps of the measure's curve
// grid (whole points; a twentieth of a point on the Mobility Inventory)
// above its minimum.
type CurveCell struct {
	Instrument            InstrumentID
	First, Session, Value int
}

// CurveLength counts courses on a measure by the last session they reach
// (capped at MaxCurveSessions): the longest sets how many sessions the
// measure's curve has.
type CurveLength struct {
	Instrument InstrumentID
	Sessions   int
}

// CurveCells is the histogram: Scores counts courses by their score at a
// session; Tails counts courses whose last score (Value, at Session) is
// carried forward to every later session; Lengths counts courses by the last
// session they reach. Counts of zero may be left in or deleted.
type CurveCells struct {
	Scores  map[CurveCell]int
	Tails   map[CurveCell]int
	Lengths map[CurveLength]int
}

// NewCurveCells returns an empty histogram.
func NewCurveCells() CurveCells {
	return CurveCells{Scores: map[CurveCell]int{}, Tails: map[CurveCell]int{}, Lengths: map[CurveLength]int{}}
}

// AddCourse adds a finished course's measures to the histogram, sign times
// (1 to add it, -1 to take it away). Only a measure's First, SessionFrom and
// BySession are read.
func (h CurveCells) AddCourse(ms map[InstrumentID]MeasureOutcome, sign int) {
	for id, m := range ms {
		in, ok := lookup(id)
		if !ok || !hasCurve(in) || len(m.BySession) == 0 || m.SessionFrom < 1 {
			continue
		}
		last := min(m.SessionFrom+len(m.BySession)-1, MaxCurveSessions)
		h.Lengths[CurveLength{id, last}] += sign
		step := curveStep(in)
		f, ok := gridLevel(in, step, m.First)
		if !ok {
			continue
		}
		v := -1 // as buildCurve: an invalid score leaves no level until the next valid one
		for s := m.SessionFrom; s <= last; s++ {
			if l, ok := gridLevel(in, step, m.BySession[s-m.SessionFrom]); ok {
				v = l
			} else {
				v = -1
			}
			if v >= 0 {
				h.Scores[CurveCell{id, f, s, v}] += sign
			}
		}
		if v >= 0 && last < MaxCurveSessions {
			h.Tails[CurveCell{id, f, last, v}] += sign
		}
	}
}

// Add adds every count of o to h.
func (h CurveCells) Add(o CurveCells) {
	for k, n := range o.Scores {
		h.Scores[k] += n
	}
	for k, n := range o.Tails {
		h.Tails[k] += n
	}
	for k, n := range o.Lengths {
		h.Lengths[k] += n
	}
}

func gridLevel(in *Instrument, step, x float64) (int, bool) {
	if math.IsNaN(x) || x < in.Min || x > in.Max {
		return 0, false
	}
	return int(math.Round((x - in.Min) / step)), true
}

// CurvesFromCells builds the curves from the histogram: the same curves
// BuildExpectation builds from the courses the cells were added from. Cells
// of unknown measures or outside a measure's grid are ignored.
func CurvesFromCells(h CurveCells) *Curves {
	sessions := map[InstrumentID]int{}
	for k, n := range h.Lengths {
		if n > 0 {
			sessions[k.Instrument] = max(sessions[k.Instrument], k.Sessions, 1)
		}
	}
	hists := map[InstrumentID][]int32{}
	levels := map[InstrumentID]int{}
	for id, ss := range sessions {
		in, ok := lookup(id)
		if !ok || !hasCurve(in) {
			delete(sessions, id)
			continue
		}
		l := int(math.Round((in.Max-in.Min)/curveStep(in))) + 1
		levels[id] = l
		hists[id] = make([]int32, l*ss*l)
	}
	put := func(k CurveCell, n, s int) {
		hist, ok := hists[k.Instrument]
		l := levels[k.Instrument]
		if ok && k.First >= 0 && k.First < l && k.Value >= 0 && k.Value < l && s >= 1 {
			hist[(k.First*sessions[k.Instrument]+s-1)*l+k.Value] += int32(n) // #nosec G115 -- counts of courses
		}
	}
	for k, n := range h.Scores {
		if k.Session <= sessions[k.Instrument] {
			put(k, n, k.Session)
		}
	}
	for k, n := range h.Tails {
		for s := k.Session + 1; s <= sessions[k.Instrument]; s++ {
			put(k, n, s)
		}
	}
	c := &Curves{curves: map[InstrumentID]*curve{}}
	for id, hist := range hists {
		in, _ := lookup(id)
		c.curves[id] = curveFromHist(in, hist, sessions[id])
	}
	return c
}
