package caseload

import (
	"strings"
	"testing"
)

// Each query of the aggregated reports reads its date's index of schema
// step 17 alone (issue 17): never a scan of report_referral, never a look
// into the table, for every group and every kind of scope, so that a team's
// or a therapist's period costs its own index entries and not the service's.
func TestReportAggregatesReadOnlyTheirIndex(t *testing.T) {
	s, _ := openTest(t) // LoadSynthetic ends with ANALYZE, as a real service's PRAGMA optimize would
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
		for _, date := range []string{byReceived, byFirstTreatment, byEnded} {
			for _, group := range []string{groupNone, groupMonth, groupTherapist, groupTeam} {
				plan := queryPlan(t, s, "EXPLAIN QUERY PLAN "+aggregateQuery(date, group), args)
				want := "USING COVERING INDEX report_referral_" + strings.TrimSuffix(date, "_on")
				if !strings.Contains(plan, want) || strings.Contains(plan, "SCAN x") {
					t.Errorf("%s, by %s, grouped by %s: plan\n%s\nwant %q and no scan of report_referral", name, date, group, plan, want)
				}
			}
		}
	}
}

// queryPlan is the plan SQLite reports for query, one step a line.
func queryPlan(t *testing.T, s *Store, query string, args []any) string {
	t.Helper()
	rows, err := s.read.QueryContext(t.Context(), query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The sections' queries (issue 13) read their date's index alone too: the
// first assessment's, the second treatment's, the received date's (open at
// the period's end), and the ended index with the facts of step 18.
func TestReportSectionsReadOnlyTheirIndex(t *testing.T) {
	s, _ := openTest(t)
	if err := s.LoadSynthetic(t.Context(), SyntheticConfig{Teams: 2, TherapistsPerTeam: 2, Referrals: 400, ContactsPerReferral: 4, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	queries := map[string]struct{ query, index string }{
		"assessment waits":  {assessmentWaitsQuery, "report_referral_first_assessment"},
		"treatment waits":   {treatmentWaitsQuery, "report_referral_ended"},
		"second treatments": {secondTreatmentsQuery, "report_referral_second_treatment"},
		"open at the end":   {openAtEndQuery, "report_referral_received_open"},
		"endings":           {endingsQuery, "report_referral_ended_facts"},
		"stepped care":      {steppedCareQuery, "report_referral_ended_facts"},
		"groups":            {groupsFromRowsQuery(), "report_referral_ended_facts"},
		"validation":        {validationQuery, "report_referral_ended_validation"},
	}
	scopes := map[string]ReportFilter{
		"whole service": {WholeService: true},
		"a team":        {Teams: []int64{1}},
		"a therapist":   {WholeService: true, TherapistID: 2},
		"a descriptor":  {Teams: []int64{1, 2}, Descriptor: "F32"},
	}
	for name, f := range scopes {
		f.From, f.To = "2025-04-01", "2026-03-31"
		args, err := sectionArgs(f)
		if err != nil {
			t.Fatal(err)
		}
		for what, q := range queries {
			plan := queryPlan(t, s, "EXPLAIN QUERY PLAN "+q.query, args)
			if !strings.Contains(plan, "USING COVERING INDEX "+q.index+" ") || strings.Contains(plan, "SCAN x") {
				t.Errorf("%s, %s: plan\n%s\nwant %q and no scan of report_referral", name, what, plan, q.index)
			}
		}
	}
}
