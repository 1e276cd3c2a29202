package caseload_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"clinic/internal/caseload"
	"clinic/internal/demo"
)

// The figures added up in SQL (ReportFigures, ReportMonths,
// ReportTherapists) equal a recomputation from scratch over the rows
// (Summarise, ByMonth, ByTherapist over ReportRows, the path that builds a
// measures.Outcome per referral and counts with measures.ServiceRates), for
// every scope a report can have, on the demo and on a synthetic service.
func TestAggregatesEqualSummarise(t *testing.T) {
	demoStore, _ := openTest(t)
	if _, err := demo.Load(t.Context(), demoStore); err != nil {
		t.Fatal(err)
	}
	synth, _ := openTest(t)
	if err := synth.LoadSynthetic(t.Context(), caseload.SyntheticConfig{Teams: 3, TherapistsPerTeam: 3, Referrals: 1500, ContactsPerReferral: 6, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	withoutFirstScores(t, synth)
	for name, s := range map[string]*caseload.Store{"demo": demoStore, "synthetic": synth} {
		t.Run(name, func(t *testing.T) {
			checked := 0
			for _, f := range aggregateFilters(t, s) {
				checked += checkAggregates(t, s, f)
			}
			if checked == 0 {
				t.Fatal("no report had a finished referral: the comparison checked nothing")
			}
		})
	}
}

// withoutFirstScores corrects away the scores of some finished courses of
// the synthetic service (every anxiety score of one in five, and every
// score of one in seven), as if they had been recorded in error, and
// rebuilds the summaries: finished courses whose caseness at the start is
// unknown, which NHS England counts neither at nor not at caseness
// (measures.NotAtCasenessAtStart), so that the two paths must agree on them.
func withoutFirstScores(t *testing.T, s *caseload.Store) {
	t.Helper()
	ctx := t.Context()
	db := s.DBForTest()
	if _, err := db.ExecContext(ctx, `
		UPDATE scores SET superseded_at = '2026-01-01T00:00:00Z', correction_reason = 'test: recorded in error'
		WHERE superseded_at IS NULL AND contact_id IN (
			SELECT c.id FROM contacts c JOIN report_referral x ON x.referral_id = c.referral_id
			WHERE x.finished AND (x.referral_id % 7 = 0 OR (x.referral_id % 5 = 0 AND scores.instrument <> 'phq9')))`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RebuildSummaries(ctx); err != nil {
		t.Fatal(err)
	}
	var none, phqOnly int
	if err := db.QueryRowContext(ctx, `
		SELECT SUM(phq9_count = 0 AND anxiety_count = 0), SUM(phq9_count > 0 AND anxiety_count = 0 AND NOT at_caseness)
		FROM report_referral WHERE finished`).Scan(&none, &phqOnly); err != nil {
		t.Fatal(err)
	}
	if none == 0 || phqOnly == 0 {
		t.Fatalf("finished courses with no scores: %d, with a PHQ-9 below caseness and no anxiety score: %d; want some of each", none, phqOnly)
	}
}

// aggregateFilters are the scopes to compare: the whole service, a team,
// two teams (where there are two), a therapist, a descriptor (and the codes beneath it), each for
// a month, a year and three years.
func aggregateFilters(t *testing.T, s *caseload.Store) []caseload.ReportFilter {
	t.Helper()
	teams, err := s.Teams(t.Context())
	if err != nil || len(teams) == 0 {
		t.Fatalf("teams: %v, %v", teams, err)
	}
	therapists, err := s.TeamTherapists(t.Context(), []int64{teams[0].ID})
	if err != nil || len(therapists) == 0 {
		t.Fatalf("therapists: %v, %v", therapists, err)
	}
	today := s.Today()
	year := today[:4]
	periods := [][2]string{
		{today[:8] + "01", today},
		{prevYear(year) + today[4:], today},
		{prevYear(prevYear(prevYear(year))) + today[4:], today},
	}
	last := teams[len(teams)-1].ID // the first again, on a service of one team
	var out []caseload.ReportFilter
	for _, p := range periods {
		for _, f := range []caseload.ReportFilter{
			{WholeService: true},
			{Teams: []int64{teams[0].ID}},
			{Teams: []int64{teams[0].ID, last}},
			{WholeService: true, TherapistID: therapists[0].ID},
			{WholeService: true, Descriptor: "F32"},
			{Teams: []int64{last}, Descriptor: "F41.1"},
			{}, // no teams: nothing
		} {
			f.From, f.To = p[0], p[1]
			out = append(out, f)
		}
	}
	return out
}

func prevYear(y string) string {
	n := 0
	for _, c := range y {
		n = n*10 + int(c-'0')
	}
	n--
	return string(rune('0'+n/1000)) + string(rune('0'+n/100%10)) + string(rune('0'+n/10%10)) + string(rune('0'+n%10))
}

// checkAggregates compares the two paths for one filter and returns how
// many finished referrals the period had.
func checkAggregates(t *testing.T, s *caseload.Store, f caseload.ReportFilter) int {
	t.Helper()
	ctx := t.Context()
	rows, err := s.ReportRows(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	want := caseload.Summarise(rows, f.From, f.To)
	got, err := s.ReportFigures(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%+v: figures (-rows +sql):\n%s", f, diff)
	}
	months, err := s.ReportMonths(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(caseload.ByMonth(rows, f.From, f.To), months); diff != "" {
		t.Errorf("%+v: months (-rows +sql):\n%s", f, diff)
	}
	therapists, err := s.ReportTherapists(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	wantT := caseload.ByTherapist(rows, f.From, f.To)
	if len(wantT) == 0 {
		wantT = []caseload.TherapistFigures{}
	}
	if diff := cmp.Diff(wantT, therapists); diff != "" {
		t.Errorf("%+v: therapists (-rows +sql):\n%s", f, diff)
	}
	checkTeams(t, s, f, rows)
	return want.Rates.Finished
}

// checkTeams compares ReportTeams with Summarise over each team's rows, and
// checks that a report on some teams (a supervisor's) names no other team.
func checkTeams(t *testing.T, s *caseload.Store, f caseload.ReportFilter, rows []caseload.ReportRow) {
	t.Helper()
	teams, err := s.ReportTeams(t.Context(), f)
	if err != nil {
		t.Fatal(err)
	}
	byTeam := map[int64][]caseload.ReportRow{}
	for _, r := range rows {
		byTeam[r.TeamID] = append(byTeam[r.TeamID], r)
	}
	if len(teams) != len(byTeam) {
		t.Errorf("%+v: %d teams, want %d", f, len(teams), len(byTeam))
	}
	finished := 0
	for _, tf := range teams {
		want := caseload.Summarise(byTeam[tf.TeamID], f.From, f.To)
		if diff := cmp.Diff(want, tf.Figures); diff != "" {
			t.Errorf("%+v: team %d (-rows +sql):\n%s", f, tf.TeamID, diff)
		}
		if tf.TeamName == "" || tf.TeamName != byTeam[tf.TeamID][0].TeamName {
			t.Errorf("%+v: team %d named %q, want %q", f, tf.TeamID, tf.TeamName, byTeam[tf.TeamID][0].TeamName)
		}
		if !f.WholeService && !slices.Contains(f.Teams, tf.TeamID) {
			t.Errorf("%+v: team %d is outside the report's teams", f, tf.TeamID)
		}
		finished += tf.Rates.Finished
	}
	if all := caseload.Summarise(rows, f.From, f.To); finished != all.Rates.Finished {
		t.Errorf("%+v: teams' finished add up to %d, want %d", f, finished, all.Rates.Finished)
	}
}
