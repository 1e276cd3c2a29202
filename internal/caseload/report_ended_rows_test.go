package caseload_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"clinic/internal/caseload"
)

// The figures and sections counted by the date referrals ended, read from
// their rollup and the rows (ReportFigures, ReportSections), equal those
// counted from the rows alone, as before the rollup, for fixed periods of
// whole and partial months, single days and years and for random periods,
// in every scope, on the demo and on a synthetic service whose report rows
// were then changed at random (teams, therapists, end dates, EndCodes
// including one not in the list, waits, validation problems), which the
// triggers follow.
func TestEndedFromRollupEqualRows(t *testing.T) {
	demoStore, synth := demoAndSynthetic(t, 23)
	for _, q := range []string{
		`UPDATE report_referral SET team_id = (SELECT MIN(t.id) FROM teams t WHERE t.id <> report_referral.team_id) WHERE referral_id % 7 = 4`,
		`UPDATE report_referral SET therapist_id = (SELECT MAX(u.id) FROM users u WHERE u.role = 'therapist') WHERE referral_id % 11 = 5`,
		`UPDATE report_referral SET ended_on = date(ended_on, '-' || (referral_id % 45) || ' days') WHERE ended_on IS NOT NULL AND referral_id % 5 = 1`,
		`UPDATE report_referral SET end_code = CASE referral_id % 4 WHEN 0 THEN '10' WHEN 1 THEN '46' WHEN 2 THEN 'ZZ' ELSE '' END WHERE ended_on IS NOT NULL AND referral_id % 3 = 0`,
		`UPDATE report_referral SET wait_days = wait_days + referral_id % 60, dataset_problems = referral_id % 4 WHERE referral_id % 6 = 2`,
		`UPDATE report_referral SET finished = 1 - finished WHERE ended_on IS NOT NULL AND referral_id % 13 = 3`,
	} {
		res, err := synth.DBForTest().ExecContext(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			t.Fatalf("%s changed no row", q)
		}
	}
	rng := rand.New(rand.NewPCG(25, 17))
	for name, s := range map[string]*caseload.Store{"demo": demoStore, "synthetic": synth} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			teams, err := s.Teams(ctx)
			if err != nil || len(teams) == 0 {
				t.Fatalf("teams: %v, %v", teams, err)
			}
			therapists, err := s.TeamTherapists(ctx, []int64{teams[0].ID})
			if err != nil || len(therapists) == 0 {
				t.Fatalf("therapists: %v, %v", therapists, err)
			}
			var first, last string
			if err := s.DBForTest().QueryRowContext(ctx, `SELECT MIN(ended_on), MAX(ended_on) FROM report_referral`).Scan(&first, &last); err != nil {
				t.Fatal(err)
			}
			today := s.Today()
			periods := [][2]string{
				{first, last},
				{first[:8] + "01", today},
				{prevYear(today[:4]) + today[4:8] + "01", today[:8] + "01"},
				{prevYear(today[:4]) + "-04-01", today[:4] + "-03-31"},
				{prevYear(today[:4]) + "-06-17", today[:4] + "-01-09"},
				{last, last},
				{last[:8] + "01", last},
				{first, first[:8] + "28"},
			}
			start, _ := time.Parse(time.DateOnly, first)
			span := int(mustDate(t, last).Sub(start).Hours()/24) + 1
			for range 12 {
				a, b := rng.IntN(span), rng.IntN(span)
				if a > b {
					a, b = b, a
				}
				periods = append(periods, [2]string{start.AddDate(0, 0, a).Format(time.DateOnly), start.AddDate(0, 0, b).Format(time.DateOnly)})
			}
			scopes := []caseload.ReportFilter{
				{WholeService: true},
				{Teams: []int64{teams[0].ID}},
				{Teams: []int64{teams[0].ID, teams[len(teams)-1].ID}},
				{WholeService: true, TherapistID: therapists[0].ID},
				{Teams: []int64{teams[0].ID}, TherapistID: therapists[0].ID},
				{WholeService: true, Descriptor: "F32"},
				{},
			}
			ended, finished := 0, 0
			for _, p := range periods {
				for _, f := range scopes {
					f.From, f.To = p[0], p[1]
					want, err := s.SectionsFromRowsForTest(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					got, err := s.ReportSections(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("%+v: sections (-rows +rollup):\n%s", f, diff)
					}
					wantFig, err := s.FiguresFromRowsForTest(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					gotFig, err := s.ReportFigures(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(wantFig, gotFig); diff != "" {
						t.Errorf("%+v: figures (-rows +rollup):\n%s", f, diff)
					}
					ended += got.Endings.Ended
					finished += gotFig.Rates.Finished
				}
			}
			if ended == 0 || finished == 0 {
				t.Fatalf("%d ended and %d finished in all the periods: the comparison checked nothing", ended, finished)
			}
		})
	}
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
