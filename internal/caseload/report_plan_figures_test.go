package caseload

import (
	"strings"
	"testing"
)

// A period's figures (one group) are added up without sorting the rows into
// a temporary b-tree, which a GROUP BY over a constant does (about half the
// time of a national year's query), and an empty period still gives no row.
func TestReportFiguresNeedNoGrouping(t *testing.T) {
	s, _ := openTest(t)
	if err := s.LoadSynthetic(t.Context(), SyntheticConfig{Teams: 2, TherapistsPerTeam: 2, Referrals: 200, ContactsPerReferral: 4, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	for _, period := range [][2]string{{"2020-01-01", "2030-12-31"}, {"1990-01-01", "1990-12-31"}} {
		args, err := aggregateArgs(ReportFilter{WholeService: true, From: period[0], To: period[1]})
		if err != nil {
			t.Fatal(err)
		}
		for _, date := range []string{byReceived, byFirstTreatment, byEnded} {
			if plan := queryPlan(t, s, "EXPLAIN QUERY PLAN "+aggregateQuery(date, groupNone), args); strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("by %s: plan\n%s\nwant no temporary b-tree", date, plan)
			}
			rows, err := s.read.QueryContext(t.Context(), aggregateQuery(date, groupNone), args...)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			rows.Close()
			if want := map[bool]int{true: 1, false: 0}[period[0] == "2020-01-01"]; n != want {
				t.Errorf("by %s, %v: %d rows, want %d", date, period, n, want)
			}
		}
	}
}
