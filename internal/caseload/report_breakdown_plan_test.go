package caseload

import (
	"database/sql"
	"strings"
	"testing"
)

// The breakdown's query of each date reads that date's index alone, for
// every kind of scope, and groups the rows by day, team and therapist in
// the index's own order: the one temporary b-tree of the plan is the outer
// grouping of those groups, never a sort of the period's rows.
func TestReportBreakdownSortsOnlyGroups(t *testing.T) {
	s, _ := openTest(t)
	if err := s.LoadSynthetic(t.Context(), SyntheticConfig{Teams: 2, TherapistsPerTeam: 2, Referrals: 400, ContactsPerReferral: 4, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	scopes := map[string]ReportFilter{
		"whole service": {WholeService: true},
		"a team":        {Teams: []int64{1}},
		"a therapist":   {WholeService: true, TherapistID: 2},
		"a descriptor":  {Teams: []int64{1, 2}, Descriptor: "F32"},
	}
	for name, f := range scopes {
		f.From, f.To = "2025-04-01", "2026-03-31"
		args, err := aggregateArgs(f)
		if err != nil {
			t.Fatal(err)
		}
		args = append(args, sql.Named("lo", "2025-04-01"), sql.Named("trend", "2025-04-01"))
		for _, date := range []string{byReceived, byFirstTreatment, byEnded} {
			plan := queryPlan(t, s, "EXPLAIN QUERY PLAN "+breakdownQuery(date), args)
			want := "USING COVERING INDEX report_referral_" + strings.TrimSuffix(date, "_on")
			inner, outer, _ := strings.Cut(plan, "\nSCAN g\n")
			if !strings.Contains(inner, want) || strings.Contains(plan, "SCAN x") ||
				strings.Contains(inner, "TEMP B-TREE") || strings.Count(outer, "TEMP B-TREE") != 1 {
				t.Errorf("%s, by %s: plan\n%s\nwant %q, no scan of report_referral, and one temporary b-tree, after the subquery", name, date, plan, want)
			}
		}
	}
}
