package chart

import (
	"encoding/json"
	"html/template"
	"slices"
	"strings"
	"testing"

	"clinic/internal/measures"
)

func decode(t *testing.T, js template.JS) map[string]any {
	t.Helper()
	var opt map[string]any
	if err := json.Unmarshal([]byte(js), &opt); err != nil {
		t.Fatalf("option: %v\n%s", err, js)
	}
	return opt
}

func instrument(t *testing.T, id measures.InstrumentID) measures.Instrument {
	t.Helper()
	in, ok := measures.Lookup(id)
	if !ok {
		t.Fatalf("no %s", id)
	}
	return in
}

// seriesNamed is the option's series of that name.
func seriesNamed(t *testing.T, opt map[string]any, name string) map[string]any {
	t.Helper()
	for _, s := range opt["series"].([]any) {
		if m := s.(map[string]any); m["name"] == name {
			return m
		}
	}
	t.Fatalf("no series %q", name)
	return nil
}

// TestProgressOnATimeAxis: points sit at their dates on a time axis (a
// five-week gap is five weeks wide), missed appointments are marked on the
// axis in a series of their own named in the legend, the caseness line is
// at the cut-off and labelled, and the axes hide overlapping labels.
func TestProgressOnATimeAxis(t *testing.T) {
	phq := instrument(t, measures.PHQ9)
	pts := []Point{
		{Number: 1, Date: "2026-01-05", Total: 18, Value: "18", When: "5 January 2026", Label: "1 · 5 Jan 2026: 18"},
		{Number: 2, Date: "2026-01-12", Total: 14, Value: "14", When: "12 January 2026", Label: "2 · 12 Jan 2026: 14"},
		{Number: 5, Date: "2026-02-16", Total: 10, Value: "10", When: "16 February 2026", Label: "5 · 16 Feb 2026: 10"},
	}
	missed := []Mark{{Date: "2026-01-19", What: "Did not attend", When: "19 January 2026"}, {Date: "2026-01-26", What: "Cancelled by the patient", When: "26 January 2026"}}
	cv, err := NewView(phq, pts, missed)
	if err != nil {
		t.Fatal(err)
	}
	opt := decode(t, cv.Option)
	x := axisAt(opt, "xAxis")
	if x["type"] != "time" {
		t.Fatalf("x axis %v, want a time axis", x["type"])
	}
	if x["min"] != "2026-01-03" || x["max"] != "2026-02-18" {
		t.Errorf("x axis runs %v to %v, want two days either side of the first and last dates", x["min"], x["max"])
	}
	label := x["axisLabel"].(map[string]any)
	if label["hideOverlap"] != true || label["formatter"].(map[string]any)["day"] != "{d} {MMM}" {
		t.Errorf("x axis labels %v, want overlaps hidden and UK dates", label)
	}
	if y := axisAt(opt, "yAxis"); y["min"] != 0.0 || y["max"] != 27.0 || y["axisLabel"].(map[string]any)["hideOverlap"] != true {
		t.Errorf("y axis %v, want 0 to 27 with overlaps hidden", y)
	}
	scores := seriesNamed(t, opt, "PHQ-9")
	var dates []string
	for _, d := range scores["data"].([]any) {
		v := d.(map[string]any)["value"].([]any)
		dates = append(dates, v[0].(string))
	}
	if !slices.Equal(dates, []string{"2026-01-05", "2026-01-12", "2026-02-16"}) {
		t.Errorf("points at %v, want at their contacts' dates", dates)
	}
	ml := scores["markLine"].(map[string]any)
	if y := ml["data"].([]any)[0].(map[string]any)["yAxis"]; y != 10.0 {
		t.Errorf("caseness line at %v, want 10", y)
	}
	if f := ml["label"].(map[string]any)["formatter"]; f != "Caseness ≥ 10" {
		t.Errorf("caseness line labelled %q, want %q", f, "Caseness ≥ 10")
	}
	marks := seriesNamed(t, opt, MissedName)
	if marks["type"] != "scatter" || marks["symbol"] != "triangle" || marks["clip"] != false {
		t.Errorf("missed appointments drawn as %v %v (clip %v), want unclipped triangles", marks["type"], marks["symbol"], marks["clip"])
	}
	for i, d := range marks["data"].([]any) {
		m := d.(map[string]any)
		v := m["value"].([]any)
		if v[0] != missed[i].Date || v[1] != 0.0 || !strings.HasPrefix(m["name"].(string), missed[i].What) {
			t.Errorf("mark %d = %v, want %s on the axis (0) named %q", i, m, missed[i].Date, missed[i].What)
		}
	}
	legend := opt["legend"].([]any)[0].(map[string]any)
	if legend["show"] != true || !slices.Contains(legend["data"].([]any), any(MissedName)) {
		t.Errorf("legend %v does not name the missed appointments", legend)
	}
	if !strings.Contains(cv.Caption, "2 missed or cancelled appointments are marked with a triangle on the date axis: did not attend on 19 January 2026; cancelled by the patient on 26 January 2026.") {
		t.Errorf("caption %q does not list the missed appointments", cv.Caption)
	}
	if !strings.Contains(cv.Caption, "at or above the dashed line (10) are in the clinical range") {
		t.Errorf("caption %q", cv.Caption)
	}

	// No missed appointment: no marks and no legend.
	cv, err = NewView(phq, pts, nil)
	if err != nil {
		t.Fatal(err)
	}
	opt = decode(t, cv.Option)
	if n := len(opt["series"].([]any)); n != 1 {
		t.Errorf("%d series with nothing missed, want the scores alone", n)
	}
	if strings.Contains(cv.Caption, "missed") {
		t.Errorf("caption %q speaks of missed appointments", cv.Caption)
	}
}

// TestPatientLineWording: the patients' chart labels the line from the side
// they read it, at or above (strictly above for the Mobility Inventory),
// in plain words with no clinical term.
func TestPatientLineWording(t *testing.T) {
	pts := []Point{{Date: "2026-01-05", Total: 10, Label: "Session 1 · 5 Jan 2026: 10"}}
	for _, tc := range []struct {
		id   measures.InstrumentID
		want string
	}{
		{measures.PHQ9, "At or above this line: likely to need help"},
		{measures.GAD7, "At or above this line: likely to need help"},
		{measures.MIAlone, "Above this line: likely to need help"},
	} {
		in := instrument(t, tc.id)
		js, err := Progress(in, pts, nil, PatientStyle(in))
		if err != nil {
			t.Fatal(err)
		}
		opt := decode(t, js)
		ml := seriesAt(opt, 0)["markLine"].(map[string]any)
		if got := ml["label"].(map[string]any)["formatter"]; got != tc.want {
			t.Errorf("%s: line labelled %q, want %q", tc.id, got, tc.want)
		}
		if y := ml["data"].([]any)[0].(map[string]any)["yAxis"]; y != in.Caseness {
			t.Errorf("%s: line at %v, want %v", tc.id, y, in.Caseness)
		}
		if strings.Contains(strings.ToLower(string(js)), "caseness") {
			t.Errorf("%s: the patient's chart says caseness", tc.id)
		}
	}
}

// TestMissedWordsOne: one mark is spoken of in the singular.
func TestMissedWordsOne(t *testing.T) {
	got := MissedWords([]Mark{{Date: "2026-01-19", What: "Too late to be seen", When: "19 January 2026"}})
	if got != "1 missed or cancelled appointment is marked with a triangle on the date axis: too late to be seen on 19 January 2026." {
		t.Errorf("%q", got)
	}
}
