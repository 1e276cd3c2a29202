package ui

import (
	"context"
	"strings"
	"testing"

	"clinic/internal/caseload"
)

// TestReportFunnels: the report page's funnel plots carry each therapist's
// and each team's reliable recovery counts as the store adds them up, for
// the reader's scope: the whole service for an admin (two teams, so a plot
// by team), a supervisor's own team only (no plot by team, and no other
// team's therapist).
func TestReportFunnels(t *testing.T) {
	e := newSupervisionEnv(t)
	ctx := context.Background()
	// A finished course in South, at caseness at the start and recovered.
	sam := e.referral(e.south, "Sam South", "F32")
	e.contact(e.south, sam, "2026-01-05", ints(2, 2, 2, 2, 2, 2, 2, 2, 0), ints(2, 2, 2, 2, 2, 2, 2))
	e.contact(e.south, sam, "2026-02-02", ints(0, 0, 0, 0, 0, 0, 0, 0, 0), ints(0, 0, 0, 0, 0, 0, 0))
	if _, err := e.store.EndReferral(ctx, e.south, sam.ID, "2026-02-23", "completed", "", caseload.EndRisk{}); err != nil {
		t.Fatal(err)
	}
	const q = "/reports/outcomes?period=custom&from=2026-01-01&to=2026-03-16"
	f := caseload.ReportFilter{From: "2026-01-01", To: "2026-03-16", WholeService: true}
	teams, err := e.store.ReportTeams(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	therapists, err := e.store.ReportTherapists(ctx, f)
	if err != nil {
		t.Fatal(err)
	}

	admin := e.signedIn(e.admin).get(q)
	opts := chartOptions(t, admin.Body)
	want := map[string]map[string][2]float64{"chart-funnel-teams": {}, "chart-funnel-therapists": {}}
	for _, tf := range teams {
		if n := tf.Rates.Finished - tf.Rates.NotAtCaseness; n > 0 {
			want["chart-funnel-teams"][tf.TeamName] = [2]float64{float64(n), float64(tf.Rates.ReliablyRecovered)}
		}
	}
	for _, tf := range therapists {
		if n := tf.Rates.Finished - tf.Rates.NotAtCaseness; n > 0 {
			want["chart-funnel-therapists"][tf.TherapistName] = [2]float64{float64(n), float64(tf.Rates.ReliablyRecovered)}
		}
	}
	if len(want["chart-funnel-teams"]) != 2 {
		t.Fatalf("fixture: teams with courses at caseness %v, want North and South", want["chart-funnel-teams"])
	}
	for id, w := range want {
		got := funnelPoints(t, opts[id])
		if len(got) != len(w) {
			t.Errorf("%s: points %v, want %v", id, got, w)
		}
		for name, v := range w {
			if got[name] != v {
				t.Errorf("%s: %s at %v, want %v (courses, reliably recovered) as the store counts", id, name, got[name], v)
			}
		}
	}
	if !strings.Contains(admin.Body, `data-funnel="chart-funnel-teams"`) || !strings.Contains(admin.Body, "Against the control limits") {
		t.Errorf("the admin's report has no table beside the funnel plot by team")
	}

	sup := e.signedIn(e.supervisor).get(q)
	opts = chartOptions(t, sup.Body)
	if _, ok := opts["chart-funnel-teams"]; ok {
		t.Errorf("a supervisor of one team sees a funnel plot by team")
	}
	for name := range funnelPoints(t, opts["chart-funnel-therapists"]) {
		if name == e.south.Name {
			t.Errorf("a North supervisor's funnel plot shows South's %s", name)
		}
	}
	if strings.Contains(sup.Body, "Sam South") || strings.Contains(sup.Body, ">"+e.south.Name+"<") {
		t.Errorf("a North supervisor's report names South's therapist or patient")
	}
}

// funnelPoints reads a funnel plot's points by name: (courses, reliably
// recovered).
func funnelPoints(t *testing.T, opt map[string]any) map[string][2]float64 {
	t.Helper()
	out := map[string][2]float64{}
	if opt == nil {
		return out
	}
	for _, d := range opt["series"].([]any)[0].(map[string]any)["data"].([]any) {
		m := d.(map[string]any)
		name, _, _ := strings.Cut(m["name"].(string), ": ")
		v := m["value"].([]any)
		out[name] = [2]float64{v[0].(float64), v[2].(float64)}
	}
	return out
}
