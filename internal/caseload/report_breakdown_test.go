package caseload_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"clinic/internal/caseload"
	"clinic/internal/demo"
)

// The page's breakdown, one walk of each date's index rolled up in Go,
// equals the separate queries (ReportFigures, ReportMonths from the trend's
// start, ReportTherapists, ReportTeams) and the recomputation from scratch
// over the rows (Summarise, ByMonth, ByTherapist), for every scope a report
// can have, with periods that start and end mid-month and trends that start
// before the period, with it, and after it (a period longer than the trend),
// on the demo and on a synthetic service with courses of unknown caseness.
func TestReportBreakdownEqualsSeparateQueries(t *testing.T) {
	demoStore, _ := openTest(t)
	if _, err := demo.Load(t.Context(), demoStore); err != nil {
		t.Fatal(err)
	}
	synth, _ := openTest(t)
	if err := synth.LoadSynthetic(t.Context(), caseload.SyntheticConfig{Teams: 3, TherapistsPerTeam: 3, Referrals: 1500, ContactsPerReferral: 6, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	withoutFirstScores(t, synth)
	transferSome(t, synth)
	for name, s := range map[string]*caseload.Store{"demo": demoStore, "synthetic": synth} {
		t.Run(name, func(t *testing.T) {
			today := s.Today()
			year, lastYear := today[:4], prevYear(today[:4])
			trends := []struct{ from, to, trend string }{
				{lastYear + today[4:], today, lastYear + today[4:8] + "01"},                     // a year, the trend from its first month's start
				{today[:8] + "03", today, lastYear + today[4:8] + "01"},                         // a month, the trend a year back
				{today[:8] + "01", today, today[:8] + "01"},                                     // the trend is the period
				{prevYear(prevYear(lastYear)) + "-02-14", year + "-01-20", lastYear + "-03-01"}, // the trend starts after the period
			}
			finished := 0
			for _, p := range trends {
				for _, f := range aggregateFilters(t, s) {
					f.From, f.To = p.from, p.to
					finished += checkBreakdown(t, s, f, p.trend)
				}
			}
			if finished == 0 {
				t.Fatal("no period had a finished referral: the comparison checked nothing")
			}
		})
	}
}

// transferSome moves one in seven referrals to another team, as a transfer
// does, so that therapists have referrals in two teams (a therapist is
// shown in the team of their first referral in the period).
func transferSome(t *testing.T, s *caseload.Store) {
	t.Helper()
	ctx := t.Context()
	db := s.DBForTest()
	for _, q := range []string{
		`UPDATE referrals SET team_id = (SELECT MIN(t.id) FROM teams t WHERE t.id <> referrals.team_id) WHERE id % 7 = 4`,
		`UPDATE referral_summary SET team_id = (SELECT r.team_id FROM referrals r WHERE r.id = referral_summary.referral_id)`,
		`UPDATE report_referral SET team_id = (SELECT r.team_id FROM referrals r WHERE r.id = report_referral.referral_id)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var split int
	if err := db.QueryRowContext(ctx, `
		SELECT COUNT(*) FROM (SELECT therapist_id FROM report_referral GROUP BY therapist_id HAVING COUNT(DISTINCT team_id) > 1)`).Scan(&split); err != nil || split == 0 {
		t.Fatalf("therapists with referrals in two teams: %d, %v; want some", split, err)
	}
}

// checkBreakdown compares the breakdown with both other paths for one
// filter and returns how many finished referrals the period had.
func checkBreakdown(t *testing.T, s *caseload.Store, f caseload.ReportFilter, trendFrom string) int {
	t.Helper()
	ctx := t.Context()
	got, err := s.ReportBreakdown(ctx, f, trendFrom)
	if err != nil {
		t.Fatal(err)
	}
	figures, err := s.ReportFigures(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	trend := f
	trend.From = trendFrom
	months, err := s.ReportMonths(ctx, trend)
	if err != nil {
		t.Fatal(err)
	}
	therapists, err := s.ReportTherapists(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	teams, err := s.ReportTeams(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	want := caseload.ReportBreakdown{Figures: figures, Months: months, Therapists: therapists, Teams: teams}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%+v from %s: breakdown (-separate queries +breakdown):\n%s", f, trendFrom, diff)
	}
	rows, err := s.ReportRows(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	trendRows, err := s.ReportRows(ctx, trend)
	if err != nil {
		t.Fatal(err)
	}
	fromRows := caseload.ReportBreakdown{
		Figures:    caseload.Summarise(rows, f.From, f.To),
		Months:     caseload.ByMonth(trendRows, trendFrom, f.To),
		Therapists: caseload.ByTherapist(rows, f.From, f.To),
	}
	if fromRows.Therapists == nil {
		fromRows.Therapists = []caseload.TherapistFigures{}
	}
	checkTeams(t, s, f, rows) // ReportTeams, the breakdown's teams, against the rows
	got.Teams = nil
	if diff := cmp.Diff(fromRows, got); diff != "" {
		t.Errorf("%+v from %s: breakdown (-rows +breakdown):\n%s", f, trendFrom, diff)
	}
	return got.Figures.Rates.Finished
}
