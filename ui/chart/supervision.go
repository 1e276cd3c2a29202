package chart

import (
	"encoding/json"
	"fmt"
	"html/template"
	"strings"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// Charts for supervision (issue 4): the weekly review's mini progress
// charts, drawn as small inline SVGs on the server (a review can list
// hundreds of cases, and an SVG needs no script), and the expected band of
// comparable cases on the referral page's charts.

// Sparkline is a case's mini progress chart: PHQ-9 and the anxiety measure
// by treatment session, each on its instrument's whole range. Label says the
// same in words (also shown beside it): meaning never rests on colour, and
// the anxiety line is dashed as well as differently coloured.
type Sparkline struct {
	Width, Height int
	Lines         []SparkSeries
	Label         string
}

type SparkSeries struct {
	Name    string
	Class   string // app-spark-phq9 or app-spark-anxiety
	Points  string // SVG polyline points
	Dashed  bool
	Summary string
}

const sparkWidth, sparkHeight, sparkPad = 160, 48, 3

// sparkValues are a measure's scores by treatment session, or its first and
// last scores when none fall in treatment (an assessment-only course).
func sparkValues(m measures.MeasureOutcome) []float64 {
	switch {
	case len(m.BySession) > 0:
		return m.BySession
	case m.Count > 1:
		return []float64{m.First, m.Last}
	case m.Count == 1:
		return []float64{m.First}
	}
	return nil
}

func NewSparkline(o measures.Outcome, descriptor string) Sparkline {
	anxiety := o.Anxiety
	if anxiety == "" {
		anxiety = measures.PairedADSM(descriptor)
	}
	type series struct {
		m     measures.MeasureOutcome
		id    measures.InstrumentID
		class string
	}
	all := []series{{o.PHQ9, measures.PHQ9, "app-spark-phq9"}, {o.AnxietyM, anxiety, "app-spark-anxiety"}}
	n := 1
	for _, s := range all {
		n = max(n, len(sparkValues(s.m)))
	}
	sp := Sparkline{Width: sparkWidth, Height: sparkHeight}
	var words []string
	for i, s := range all {
		in, ok := measures.Lookup(s.id)
		if !ok {
			continue
		}
		vals := sparkValues(s.m)
		line := SparkSeries{Name: in.Name, Class: s.class, Dashed: i > 0}
		switch {
		case len(vals) == 0:
			line.Summary = "no " + in.Name + " scores"
		case s.m.Count > 1:
			line.Summary = fmt.Sprintf("%s %s → %s", in.Name, in.Format(s.m.First), in.Format(s.m.Last))
		default:
			line.Summary = fmt.Sprintf("%s %s (one score)", in.Name, in.Format(s.m.First))
		}
		words = append(words, line.Summary)
		var pts []string
		for k, v := range vals {
			x := float64(sparkPad)
			if n > 1 {
				x += float64(k) * float64(sparkWidth-2*sparkPad) / float64(n-1)
			}
			frac := 0.0
			if in.Max > in.Min {
				frac = (v - in.Min) / (in.Max - in.Min)
			}
			y := float64(sparkHeight-sparkPad) - frac*float64(sparkHeight-2*sparkPad)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
			if len(vals) == 1 { // one score: a short flat stroke, so that it shows
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x+6, y))
			}
		}
		line.Points = strings.Join(pts, " ")
		sp.Lines = append(sp.Lines, line)
	}
	sp.Label = "Progress by treatment session: " + strings.Join(words, "; ") + "."
	return sp
}

// treatmentSessionAt numbers each contact by the attended treatment
// sessions held up to and including it (0 before treatment starts).
func treatmentSessionAt(contacts []caseload.Contact) []int {
	out := make([]int, len(contacts))
	n := 0
	for i, c := range contacts {
		if c.Kind.IsTreatment() && c.Attendance.IsAttended() {
			n++
		}
		out[i] = n
	}
	return out
}

// AddExpectedBand shades, on a measure's chart, the middle half (25th to
// 75th percentile) of the service's comparable finished cases at each
// treatment session, where there are enough of them; a chart with no such
// session is left as it is. The caption says the same in words.
func AddExpectedBand(cv *View, d caseload.ReferralDetail, exp measures.Expectation) error {
	m, ok := d.Outcome.Measures[cv.Instrument.ID]
	if cv.Option == "" || exp == nil || !ok || m.Count == 0 {
		return nil
	}
	session := treatmentSessionAt(d.Contacts)
	// On the time axis each value sits at its contact's date; "-" is
	// ECharts' empty value. The two series stack by index.
	lows, widths := make([]any, len(cv.Points)), make([]any, len(cv.Points))
	var last *measures.Band
	lastSession := 0
	for i, pt := range cv.Points {
		lows[i], widths[i] = []any{pt.Date, "-"}, []any{pt.Date, "-"}
		if pt.Number < 1 || pt.Number > len(session) || session[pt.Number-1] < 1 {
			continue
		}
		b, ok := exp.Expected(cv.Instrument.ID, m.First, session[pt.Number-1])
		if !ok {
			continue
		}
		lows[i], widths[i] = []any{pt.Date, b.P25}, []any{pt.Date, b.P75 - b.P25}
		last, lastSession = &b, session[pt.Number-1]
	}
	if last == nil {
		return nil
	}
	var opt map[string]any
	if err := json.Unmarshal([]byte(cv.Option), &opt); err != nil {
		return err
	}
	series, _ := opt["series"].([]any)
	hidden := map[string]any{"opacity": 0}
	series = append(series,
		map[string]any{"type": "line", "name": "Expected 25th percentile", "data": lows, "stack": "expected",
			"symbol": "none", "lineStyle": hidden, "silent": true, "connectNulls": true, "tooltip": map[string]any{"show": false}},
		map[string]any{"type": "line", "name": "Expected range of similar cases", "data": widths, "stack": "expected",
			"symbol": "none", "lineStyle": hidden, "silent": true, "connectNulls": true, "tooltip": map[string]any{"show": false},
			"areaStyle": map[string]any{"color": "rgba(0, 94, 184, 0.15)"}},
	)
	opt["series"] = series
	b, err := json.Marshal(opt)
	if err != nil {
		return err
	}
	// json.Marshal escapes <, > and &: the option stays inside its
	// <script type="application/json"> block.
	cv.Option = template.JS(b) // #nosec G203 -- JSON from json.Marshal, escaped as above
	in := cv.Instrument
	cv.Caption += fmt.Sprintf(" The blue shaded band is the expected range: the middle half (25th to 75th percentile) of %d similar finished cases in this service at each treatment session; at session %d it is %s to %s.",
		last.N, lastSession, in.Format(last.P25), in.Format(last.P75))
	return nil
}
