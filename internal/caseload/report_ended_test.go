package caseload

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// endedKey is the key of a row of report_ended_month.
type endedKey struct {
	month, code     string
	wait            int
	team, therapist int64
}

// endedRollupSums are a row's sums, in the table's order of columns: ended,
// finished, with treatment, not at caseness, recovered, reliably improved,
// reliably recovered, deteriorated, paired, low only, both, high only,
// stepped up, stepped up within StepUpDays, ADSM expected, ADSM paired, one
// or no anxiety score, WSAS complete, failing validation, problems.
type endedRollupSums [20]int

// keptEndedRollup reads report_ended_month.
func keptEndedRollup(t *testing.T, s *Store) map[endedKey]endedRollupSums {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), `SELECT * FROM report_ended_month`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[endedKey]endedRollupSums{}
	for rows.Next() {
		var k endedKey
		var c endedRollupSums
		dest := []any{&k.month, &k.code, &k.wait, &k.team, &k.therapist}
		for i := range c {
			dest = append(dest, &c[i])
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		out[k] = c
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// recountEndedRollup adds up the rollup from scratch: every report row
// read and counted here, by plain loops, with the Go constants of the
// sections (intensity mixes, StepUpDays).
func recountEndedRollup(t *testing.T, s *Store) map[endedKey]endedRollupSums {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), `
		SELECT COALESCE(ended_on, ''), end_code, wait_days, team_id, therapist_id,
			finished, treatment_sessions, phq9_count, anxiety_count, at_caseness, recovered, reliable_improvement,
			reliable_recovery, reliable_deterioration, paired, intensity_mix, step_up_days,
			adsm_expected, adsm_paired, anxiety_one_or_none, wsas_complete, dataset_problems
		FROM report_referral`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[endedKey]endedRollupSums{}
	b := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	for rows.Next() {
		var ended, mix string
		var k endedKey
		var finished, sessions, phq9, anxiety, stepUp, problems int
		var atCaseness, recovered, improved, reliably, deteriorated, paired, adsmExpected, adsmPaired, oneOrNone, wsas bool
		if err := rows.Scan(&ended, &k.code, &k.wait, &k.team, &k.therapist,
			&finished, &sessions, &phq9, &anxiety, &atCaseness, &recovered, &improved,
			&reliably, &deteriorated, &paired, &mix, &stepUp,
			&adsmExpected, &adsmPaired, &oneOrNone, &wsas, &problems); err != nil {
			t.Fatal(err)
		}
		if ended == "" {
			continue
		}
		k.month = ended[:7]
		f := finished != 0
		add := endedRollupSums{
			1, finished, b(sessions > 0),
			b(f && phq9 > 0 && anxiety > 0 && !atCaseness), b(f && recovered), b(f && improved),
			b(f && reliably), b(f && deteriorated), b(f && paired),
			b(f && mix == MixLowOnly), b(f && mix == MixBoth), b(f && mix == MixHighOnly),
			b(f && stepUp >= 0), b(f && stepUp >= 0 && stepUp <= StepUpDays),
			b(f && adsmExpected), b(f && adsmPaired), b(f && oneOrNone), b(f && wsas),
			b(problems > 0), problems,
		}
		c := out[k]
		for i := range c {
			c[i] += add[i]
		}
		out[k] = c
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkEndedRollup fails the test unless the kept rollup of the figures
// by the date referrals ended equals a recount of the report rows.
func checkEndedRollup(t *testing.T, s *Store, when string) {
	t.Helper()
	want, got := recountEndedRollup(t, s), keptEndedRollup(t, s)
	if len(want) == 0 {
		t.Fatalf("%s: no referral ended: the comparison checks nothing", when)
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(endedKey{})); diff != "" {
		t.Errorf("%s: rollup of the figures by ending differs from a recount of the report rows (-recount +kept):\n%s", when, diff)
	}
}

// The rollup's read of whole months follows its primary key: no sort.
func TestEndedFromRollupSortsNothing(t *testing.T) {
	s, _ := openTest(t)
	if err := s.LoadSynthetic(t.Context(), SyntheticConfig{Teams: 2, TherapistsPerTeam: 2, Referrals: 400, ContactsPerReferral: 4, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	checkEndedRollup(t, s, "after the bulk load")
	for name, f := range map[string]ReportFilter{
		"whole service": {WholeService: true},
		"a team":        {Teams: []int64{1}},
		"a therapist":   {WholeService: true, TherapistID: 2},
	} {
		f.From, f.To = "2025-04-01", "2026-03-31"
		args, err := sectionArgs(f)
		if err != nil {
			t.Fatal(err)
		}
		args = append(args, sql.Named("month_from", "2025-04"), sql.Named("month_to", "2026-03"))
		plan := queryPlan(t, s, "EXPLAIN QUERY PLAN "+endedFromRollupQuery, args)
		if !strings.Contains(plan, "SEARCH e USING PRIMARY KEY (month>? AND month<?)") || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("%s: plan\n%s\nwant a search of the rollup's primary key by month and no sort", name, plan)
		}
	}
}
