package chart

import (
	"math"
	"strings"
	"testing"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// TestTrendOnATimeAxis: months sit at their first day on a time axis, the
// 50% recovery target is a labelled line, a month of fewer than 10 finished
// courses has hollow points and says so, and each point's tooltip carries
// its count and 95% Wilson interval.
func TestTrendOnATimeAxis(t *testing.T) {
	months := []caseload.MonthFigures{
		{Month: "2026-01", Figures: caseload.Figures{Rates: measures.WithRates(measures.Rates{Finished: 2, Recovered: 2, ReliablyImproved: 2, ReliablyRecovered: 2})}},
		{Month: "2026-02", Figures: caseload.Figures{Rates: measures.WithRates(measures.Rates{})}},
		{Month: "2026-03", Figures: caseload.Figures{Rates: measures.WithRates(measures.Rates{Finished: 30, Recovered: 15, ReliablyImproved: 20, ReliablyRecovered: 12, Deteriorated: 1})}},
	}
	rc, err := Trend(months)
	if err != nil {
		t.Fatal(err)
	}
	opt := decode(t, rc.Option)
	x := axisAt(opt, "xAxis")
	if x["type"] != "time" || x["min"] != "2025-12-17" || x["max"] != "2026-03-16" {
		t.Errorf("x axis %v from %v to %v, want a time axis half a month past the first and last months", x["type"], x["min"], x["max"])
	}
	if x["axisLabel"].(map[string]any)["hideOverlap"] != true {
		t.Errorf("x axis labels may overlap")
	}
	rec := seriesNamed(t, opt, "Recovery")
	data := rec["data"].([]any)
	jan, feb, mar := data[0].(map[string]any), data[1].(map[string]any), data[2].(map[string]any)
	if v := jan["value"].([]any); v[0] != "2026-01-01" || v[1] != 100.0 {
		t.Errorf("January at %v, want 100%% on 2026-01-01", v)
	}
	if jan["symbol"] != "emptyCircle" || !strings.Contains(jan["name"].(string), "fewer than 10 finished: interpret with care") {
		t.Errorf("January (2 finished) drawn as %v named %q, want hollow with the warning", jan["symbol"], jan["name"])
	}
	if !strings.Contains(jan["name"].(string), "2 of 2; 95% interval 34.2–100.0%") {
		t.Errorf("January's tooltip %q, want its count and Wilson interval", jan["name"])
	}
	if v := feb["value"].([]any); v[1] != "-" {
		t.Errorf("February, with no finished course, at %v, want no point", v)
	}
	if _, hollow := mar["symbol"]; hollow || !strings.Contains(mar["name"].(string), "15 of 30; 95% interval 33.2–66.8%") {
		t.Errorf("March (30 finished) = %v, want a solid point with 15 of 30, 33.2–66.8%%", mar)
	}
	if s := seriesNamed(t, opt, "Reliable improvement")["data"].([]any)[0].(map[string]any)["symbol"]; s != "emptyTriangle" {
		t.Errorf("reliable improvement's small month drawn as %v, want emptyTriangle", s)
	}
	ml := rec["markLine"].(map[string]any)
	if y := ml["data"].([]any)[0].(map[string]any)["yAxis"]; y != 50.0 {
		t.Errorf("target line at %v, want 50", y)
	}
	if f := ml["label"].(map[string]any)["formatter"]; f != "Recovery target 50%" {
		t.Errorf("target line labelled %q", f)
	}
	if note := seriesNamed(t, opt, FewCasesNote); note["symbol"] != "emptyCircle" {
		t.Errorf("the legend's note on hollow points is drawn as %v", note["symbol"])
	}
}

// TestFunnelPlot: the points are each group's rate against its number of
// courses, the mean line is the groups' pooled rate, the 95% and 99.8%
// limits are drawn from measures.FunnelLimits, and the table says where
// each point lies, a group with no courses included.
func TestFunnelPlot(t *testing.T) {
	pts := []FunnelPoint{{Name: "Ann", X: 40, N: 100}, {Name: "Bob", X: 60, N: 100}, {Name: "Cy", X: 2, N: 2}, {Name: "Di", X: 0, N: 0}}
	f, err := NewFunnel("chart-funnel-therapists", "therapist", pts)
	if err != nil {
		t.Fatal(err)
	}
	// Mean 102/202 = 50.5%; at n = 100 the 95% limits are 40.7–60.3%.
	want := []measures.FunnelPosition{measures.FunnelBelow95, measures.FunnelWithin, measures.FunnelWithin, measures.FunnelNoFigures}
	for i, p := range f.Points {
		if p.Position != want[i] {
			t.Errorf("%s (%d of %d): %q, want %q", p.Name, p.X, p.N, p.Position, want[i])
		}
	}
	if f.Mean != "50.5%" || f.Points[0].Rate != "40.0%" || f.Points[3].Rate != "–" {
		t.Errorf("mean %q, rates %q %q", f.Mean, f.Points[0].Rate, f.Points[3].Rate)
	}
	opt := decode(t, f.Option)
	points := seriesNamed(t, opt, "Therapists")
	data := points["data"].([]any)
	if len(data) != 3 {
		t.Fatalf("%d points drawn, want the three with courses", len(data))
	}
	for i, d := range data {
		m := d.(map[string]any)
		v := m["value"].([]any)
		p := pts[i]
		if !strings.HasPrefix(m["name"].(string), p.Name+": ") || v[0] != float64(p.N) || v[2] != float64(p.X) || math.Abs(v[1].(float64)-float64(p.X)/float64(p.N)*100) > 0.05 {
			t.Errorf("point %d = %v %v, want %s at %d courses, %d recovered", i, m["name"], v, p.Name, p.N, p.X)
		}
	}
	if y := points["markLine"].(map[string]any)["data"].([]any)[0].(map[string]any)["yAxis"]; y != 50.5 {
		t.Errorf("mean line at %v, want 50.5", y)
	}
	limits := map[string][][]any{}
	for _, s := range opt["series"].([]any) {
		m := s.(map[string]any)
		if m["type"] == "line" {
			name := m["name"].(string)
			for _, d := range m["data"].([]any) {
				if pt := d.([]any); pt[0] == 100.0 {
					limits[name] = append(limits[name], pt)
				}
			}
		}
	}
	mean := 102.0 / 202
	for name, z := range map[string]float64{"95% limits": measures.FunnelZ95, "99.8% limits": measures.FunnelZ998} {
		lo, hi := measures.FunnelLimits(mean, 100, z)
		got := limits[name]
		if len(got) != 2 || got[0][1] != math.Round(lo*1000)/10 || got[1][1] != math.Round(hi*1000)/10 {
			t.Errorf("%s at n = 100: %v, want %.1f and %.1f", name, got, lo*100, hi*100)
		}
	}
	if !strings.Contains(f.Caption, "service mean of 50.5% (102 of 202)") {
		t.Errorf("caption %q", f.Caption)
	}

	// Nothing to plot: a caption saying so, no chart.
	f, err = NewFunnel("chart-funnel-teams", "team", []FunnelPoint{{Name: "North"}, {Name: "South"}})
	if err != nil || f.Option != "" || !strings.Contains(f.Caption, "nothing to plot") {
		t.Errorf("empty funnel: %v, option %q, caption %q", err, f.Option, f.Caption)
	}
}

// TestTherapistBars: names down the side, a bar per rate, and a therapist
// with fewer than 10 finished courses drawn pale with the count in the
// label.
func TestTherapistBars(t *testing.T) {
	ts := []caseload.TherapistFigures{
		{TherapistName: "Ann", Figures: caseload.Figures{Rates: measures.WithRates(measures.Rates{Finished: 2, Recovered: 2, ReliablyImproved: 1})}},
		{TherapistName: "Bob", Figures: caseload.Figures{Rates: measures.WithRates(measures.Rates{Finished: 20, Recovered: 10, ReliablyImproved: 14})}},
	}
	rc, err := Therapists(ts)
	if err != nil {
		t.Fatal(err)
	}
	opt := decode(t, rc.Option)
	y := axisAt(opt, "yAxis")
	if y["type"] != "category" || len(y["data"].([]any)) != 2 || y["data"].([]any)[0] != "Ann" {
		t.Errorf("y axis %v, want the therapists' names", y)
	}
	if x := axisAt(opt, "xAxis"); x["type"] != "value" || x["max"] != 100.0 {
		t.Errorf("x axis %v, want 0 to 100%%", x)
	}
	rec := seriesNamed(t, opt, "Recovery")["data"].([]any)
	ann, bob := rec[0].(map[string]any), rec[1].(map[string]any)
	if ann["value"] != 100.0 || ann["label"].(map[string]any)["formatter"] != "{c}% (2)" || ann["itemStyle"].(map[string]any)["color"] != "rgba(0, 94, 184, 0.3)" {
		t.Errorf("Ann (2 finished) = %v, want a pale bar at 100 with her count", ann)
	}
	if _, pale := bob["itemStyle"]; pale || bob["value"] != 50.0 {
		t.Errorf("Bob (20 finished) = %v, want a full bar at 50", bob)
	}
	if rc.Height != 320 {
		t.Errorf("height %d for two therapists, want the usual 320", rc.Height)
	}
}

// TestTrendIntervalBand: the reliable recovery rate's 95% Wilson interval
// is shaded month by month, low end plus width, nothing where a month has
// no course.
func TestTrendIntervalBand(t *testing.T) {
	months := []caseload.MonthFigures{
		{Month: "2026-01", Figures: caseload.Figures{Rates: measures.WithRates(measures.Rates{Finished: 2, ReliablyRecovered: 2})}},
		{Month: "2026-02", Figures: caseload.Figures{Rates: measures.WithRates(measures.Rates{})}},
		{Month: "2026-03", Figures: caseload.Figures{Rates: measures.WithRates(measures.Rates{Finished: 30, ReliablyRecovered: 15})}},
	}
	rc, err := Trend(months)
	if err != nil {
		t.Fatal(err)
	}
	var band [][]any
	for _, s := range decode(t, rc.Option)["series"].([]any) {
		if m := s.(map[string]any); m["name"] == IntervalName {
			band = append(band, m["data"].([]any))
		}
	}
	if len(band) != 2 {
		t.Fatalf("%d interval series, want the low end and the width", len(band))
	}
	at := func(s, i int) []any { return band[s][i].([]any) }
	// 2 of 2: 34.2% to 100%; 15 of 30: 33.2% to 66.8%.
	if lo, w := at(0, 0), at(1, 0); lo[0] != "2026-01-01" || lo[1] != 34.2 || w[1] != 65.8 {
		t.Errorf("January's band %v + %v, want 34.2 + 65.8", lo, w)
	}
	if lo := at(0, 1); lo[1] != "-" {
		t.Errorf("February's band %v, want none", lo)
	}
	if lo, w := at(0, 2), at(1, 2); lo[1] != 33.2 || w[1] != 33.6 {
		t.Errorf("March's band %v + %v, want 33.2 + 33.6", lo, w)
	}
}
