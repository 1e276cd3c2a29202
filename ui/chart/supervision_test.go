package chart

import (
	"encoding/json"
	"strings"
	"testing"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// stubExpectation gives every session of PHQ-9 the same band, enough when
// it is drawn from enough cases.
type stubExpectation struct{ b measures.Band }

func (s stubExpectation) Expected(id measures.InstrumentID, first float64, session int) (measures.Band, bool) {
	return s.b, id == measures.PHQ9 && session >= 1 && s.b.N >= measures.MinComparableCases
}

func TestExpectedBandOnChart(t *testing.T) {
	in, ok := measures.Lookup(measures.PHQ9)
	if !ok {
		t.Fatal("no PHQ-9")
	}
	d := caseload.ReferralDetail{
		Contacts: []caseload.Contact{{Kind: "assessment", Attendance: "attended"}, {Kind: "treatment", Attendance: "attended"}, {Kind: "treatment", Attendance: "attended"}},
		Outcome:  measures.Outcome{Measures: map[measures.InstrumentID]measures.MeasureOutcome{measures.PHQ9: {Count: 3, First: 15}}},
	}
	pts := []Point{{Number: 1, Date: "2026-01-05", Total: 15}, {Number: 2, Date: "2026-01-12", Total: 13}, {Number: 3, Date: "2026-02-16", Total: 12}}
	cv, err := NewView(in, pts, nil)
	if err != nil {
		t.Fatal(err)
	}
	before := cv.Option
	if err := AddExpectedBand(&cv, d, stubExpectation{measures.Band{P25: 8, P50: 10, P75: 12, N: 40}}); err != nil {
		t.Fatal(err)
	}
	var opt map[string]any
	if err := json.Unmarshal([]byte(cv.Option), &opt); err != nil {
		t.Fatal(err)
	}
	series := opt["series"].([]any)
	if len(series) != 3 {
		t.Fatalf("%d series, want the scores and two band series", len(series))
	}
	// On the time axis each value is a [date, value] pair, "-" where empty.
	low, width := series[1].(map[string]any)["data"].([]any), series[2].(map[string]any)["data"].([]any)
	at := func(d []any, i int) []any { p, _ := d[i].([]any); return p }
	if l0, l1, w2 := at(low, 0), at(low, 1), at(width, 2); len(l0) != 2 || l0[1] != "-" || len(l1) != 2 || l1[0] != "2026-01-12" || l1[1] != 8.0 || len(w2) != 2 || w2[0] != "2026-02-16" || w2[1] != 4.0 {
		t.Errorf("band low %v width %v; want none at assessment, then 8 and 12-8 at the contacts' dates", low, width)
	}
	if !strings.Contains(cv.Caption, "40 similar finished cases") || !strings.Contains(cv.Caption, "at session 2 it is 8 to 12") {
		t.Errorf("caption %q", cv.Caption)
	}
	// Without enough comparable cases, the chart is left alone.
	cv2, _ := NewView(in, pts, nil)
	if err := AddExpectedBand(&cv2, d, stubExpectation{}); err != nil || cv2.Option != before {
		t.Errorf("band drawn with no expectation: %v", err)
	}
	var none measures.Expectation = (*measures.Curves)(nil)
	if err := AddExpectedBand(&cv2, d, none); err != nil || cv2.Option != before {
		t.Errorf("band drawn from nil curves: %v", err)
	}
}
