package caseload_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"clinic/internal/caseload"
	"clinic/internal/demo"
)

// The outcomes by group from the rollup and the rows (ReportSections)
// equal those counted from the rows alone, as before the rollup, for
// periods of whole and partial months, single days, years, and every
// scope, on the demo and a synthetic service with referrals moved between
// teams.
func TestGroupsFromRollupEqualRows(t *testing.T) {
	demoStore, synth := demoAndSynthetic(t, 17)
	if _, err := synth.DBForTest().ExecContext(t.Context(), `
		UPDATE report_referral SET team_id = (SELECT MIN(t.id) FROM teams t WHERE t.id <> report_referral.team_id) WHERE referral_id % 7 = 4`); err != nil {
		t.Fatal(err)
	}
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
			if err := s.DBForTest().QueryRowContext(ctx, `SELECT MIN(ended_on), MAX(ended_on) FROM report_referral WHERE finished = 1`).Scan(&first, &last); err != nil {
				t.Fatal(err)
			}
			today := s.Today()
			periods := [][2]string{
				{first, last}, // everything, from and to mid-month
				{first[:8] + "01", today},
				{prevYear(today[:4]) + today[4:8] + "01", today[:8] + "01"},
				{prevYear(today[:4]) + "-04-01", today[:4] + "-03-31"}, // a financial year
				{prevYear(today[:4]) + "-06-17", today[:4] + "-01-09"},
				{last, last}, // a single day
				{last[:8] + "01", last},
				{first, first[:8] + "28"},
				{prevYear(today[:4]) + "-02-01", prevYear(today[:4]) + "-02-28"},
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
			counted := 0
			for _, p := range periods {
				for _, f := range scopes {
					f.From, f.To = p[0], p[1]
					want, err := s.GroupsFromRowsForTest(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					got, err := s.ReportSections(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(want, got.Groups); diff != "" {
						t.Errorf("%+v: outcomes by group (-rows +rollup):\n%s", f, diff)
					}
					for _, g := range got.Groups[0].Groups {
						counted += g.Rates.Finished
					}
				}
			}
			if counted == 0 {
				t.Fatal("no period had a finished course: the comparison checked nothing")
			}
		})
	}
}

// demoAndSynthetic opens two stores for comparing reports read two ways:
// the demo, and a synthetic service of 1,200 referrals from seed.
func demoAndSynthetic(t *testing.T, seed uint64) (demoStore, synth *caseload.Store) {
	t.Helper()
	demoStore, _ = openTest(t)
	if _, err := demo.Load(t.Context(), demoStore); err != nil {
		t.Fatal(err)
	}
	synth, _ = openTest(t)
	if err := synth.LoadSynthetic(t.Context(), caseload.SyntheticConfig{Teams: 3, TherapistsPerTeam: 2, Referrals: 1200, ContactsPerReferral: 6, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	return demoStore, synth
}
