package caseload

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"clinic/internal/dataset"
)

// rollupRow is a row of report_group_month: its key and counts.
type rollupRow struct {
	month, dimension, group string
	team, therapist         int64
}

type rollupCounts struct{ finished, notAtCaseness, recovered, reliablyRecovered int }

// keptRollup reads report_group_month.
func keptRollup(t *testing.T, s *Store) map[rollupRow]rollupCounts {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), `
		SELECT month, dimension, group_key, team_id, therapist_id, finished, not_at_caseness, recovered, reliable_recovery
		FROM report_group_month`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[rollupRow]rollupCounts{}
	for rows.Next() {
		var k rollupRow
		var c rollupCounts
		if err := rows.Scan(&k.month, &k.dimension, &k.group, &k.team, &k.therapist, &c.finished, &c.notAtCaseness, &c.recovered, &c.reliablyRecovered); err != nil {
			t.Fatal(err)
		}
		out[k] = c
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// recountRollup adds up the rollup from scratch: every report row read
// and counted here, by plain loops.
func recountRollup(t *testing.T, s *Store) map[rollupRow]rollupCounts {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), `
		SELECT team_id, therapist_id, COALESCE(ended_on, ''), finished, phq9_count, anxiety_count, at_caseness, recovered, reliable_recovery,
			ethnic_group, age_band, gender_identity, sexual_orientation, disability, employment_status, long_term_condition, consultation_medium
		FROM report_referral`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[rollupRow]rollupCounts{}
	for rows.Next() {
		var team, therapist int64
		var ended string
		var finished, phq9, anxiety int
		var atCaseness, recovered, reliably bool
		groups := map[string]*string{}
		var g [8]string
		for i, d := range dataset.Dimensions() {
			groups[d.Key] = &g[i]
		}
		if err := rows.Scan(&team, &therapist, &ended, &finished, &phq9, &anxiety, &atCaseness, &recovered, &reliably,
			groups[dataset.DimEthnicGroup], groups[dataset.DimAgeBand], groups[dataset.DimGenderIdentity], groups[dataset.DimSexualOrientation],
			groups[dataset.DimDisability], groups[dataset.DimEmployment], groups[dataset.DimLongTermCondition], groups[dataset.DimConsultationMedium]); err != nil {
			t.Fatal(err)
		}
		if finished == 0 || ended == "" {
			continue
		}
		for _, d := range dataset.Dimensions() {
			k := rollupRow{month: ended[:7], dimension: d.Key, group: *groups[d.Key], team: team, therapist: therapist}
			c := out[k]
			c.finished++
			if phq9 > 0 && anxiety > 0 && !atCaseness {
				c.notAtCaseness++
			}
			if recovered {
				c.recovered++
			}
			if reliably {
				c.reliablyRecovered++
			}
			out[k] = c
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func checkRollup(t *testing.T, s *Store, when string) map[rollupRow]rollupCounts {
	t.Helper()
	want, got := recountRollup(t, s), keptRollup(t, s)
	if len(want) == 0 {
		t.Fatalf("%s: no finished course: the comparison checks nothing", when)
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(rollupRow{}, rollupCounts{})); diff != "" {
		t.Errorf("%s: rollup differs from a recount of the report rows (-recount +kept):\n%s", when, diff)
	}
	// The rollup of the figures by ending (schema step 25), kept by the
	// triggers through the same writes.
	checkEndedRollup(t, s, when)
	return got
}

// The rollups of the outcomes by group and of the figures by ending kept
// by the triggers equal a recount from the report rows after a bulk load and after every kind of
// write that changes a finished course: courses ending (one moved to
// another therapist first), reopened, scores corrected, end dates and
// demographics changed, finished courses put under another team and
// therapist, report rows deleted.
func TestGroupRollupEqualsRecount(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	if err := s.LoadSynthetic(ctx, SyntheticConfig{Teams: 2, TherapistsPerTeam: 2, Referrals: 500, ContactsPerReferral: 6, Seed: 13}); err != nil {
		t.Fatal(err)
	}
	last := checkRollup(t, s, "after the bulk load")
	stage := func(when string) {
		t.Helper()
		now := checkRollup(t, s, when)
		if cmp.Equal(last, now, cmp.AllowUnexported(rollupRow{}, rollupCounts{})) {
			t.Errorf("%s: the rollup did not change: the step tests nothing", when)
		}
		last = now
	}
	admin := s.mustUser(t, 1)
	ids := func(q string) []int64 {
		t.Helper()
		var out []int64
		for _, r := range testQuery(t, s.db, q) {
			var id int64
			if _, err := fmt.Sscan(r[0], &id); err != nil {
				t.Fatal(err)
			}
			out = append(out, id)
		}
		return out
	}
	therapist := func(referral int64) User {
		t.Helper()
		return s.mustUser(t, ids(fmt.Sprintf(`SELECT therapist_id, '' FROM referrals WHERE id = %d`, referral))[0])
	}

	// An open referral moves to another therapist, then it and others end.
	open := ids(`SELECT referral_id, '' FROM referral_summary WHERE is_open = 1 AND first_treatment_on IS NOT NULL ORDER BY referral_id LIMIT 10`)
	if len(open) < 10 {
		t.Fatalf("%d open referrals in treatment, want 10", len(open))
	}
	other := ids(fmt.Sprintf(`SELECT id, '' FROM users WHERE role = 'therapist' AND id <> (SELECT therapist_id FROM referrals WHERE id = %d) ORDER BY id LIMIT 1`, open[0]))[0]
	if _, err := s.MoveReferral(ctx, admin, open[0], NewMove{TherapistID: other, Intensity: "high", Reason: "transfer"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range open {
		if _, err := s.EndReferral(ctx, therapist(id), id, s.today(), "completed", "", EndRisk{Acknowledged: true, Note: "Risk reviewed"}); err != nil {
			t.Fatal(err)
		}
	}
	stage("after courses ended")

	// Some are reopened; finished courses have their first PHQ-9 corrected.
	for _, id := range open[:3] {
		if _, err := s.ReopenReferral(ctx, therapist(id), id, "ended by mistake"); err != nil {
			t.Fatal(err)
		}
	}
	corrected := ids(`
		SELECT (SELECT MIN(sc.id) FROM contacts c JOIN scores sc ON sc.contact_id = c.id
		        WHERE c.referral_id = x.referral_id AND sc.instrument = 'phq9'), ''
		FROM report_referral x WHERE x.finished = 1 ORDER BY x.referral_id LIMIT 8`)
	for i, scoreID := range corrected {
		v := 3 * (i % 2)
		if _, err := s.CorrectScore(ctx, admin, scoreID, ScoreInput{Items: answers(v, v, v, v, v, v, v, v, 0)}, "typo"); err != nil {
			t.Fatal(err)
		}
	}
	stage("after reopening and correcting")

	// A finished course's patient's demographics change.
	patients := ids(`SELECT r.patient_id, '' FROM report_referral x JOIN referrals r ON r.id = x.referral_id WHERE x.finished = 1 ORDER BY x.referral_id LIMIT 4`)
	for i, p := range patients {
		in := Demographics{EthnicCategory: []string{"M", "A"}[i%2]} // one dimension changes at a time
		if i >= 2 {
			in = Demographics{GenderIdentity: []string{"3", "4"}[i%2]}
		}
		if _, err := s.SetDemographics(ctx, admin, p, in); err != nil {
			t.Fatal(err)
		}
	}
	stage("after demographics changed")

	// Rows change directly: end dates into another month, finished courses
	// under another team and therapist, rows deleted.
	for _, q := range []string{
		`UPDATE report_referral SET ended_on = date(ended_on, '-40 days') WHERE finished = 1 AND referral_id % 11 = 1`,
		`UPDATE report_referral SET team_id = (SELECT MIN(id) FROM teams WHERE id <> team_id), therapist_id = therapist_id + 1 WHERE finished = 1 AND referral_id % 13 = 2`,
		`UPDATE report_referral SET recovered = 1 - recovered, last_contact_on = ended_on WHERE finished = 1 AND referral_id % 17 = 3`,
		`DELETE FROM report_referral WHERE referral_id % 19 = 4`,
	} {
		res, err := s.db.ExecContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			t.Fatalf("%s changed no row", q)
		}
		stage(q)
	}
}

func TestGroupParts(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		months   [2]string
		ok       bool
		days     [][2]string
	}{
		{"2025-06-01", "2026-05-31", [2]string{"2025-06", "2026-05"}, true, nil},
		{"2025-06-02", "2026-05-31", [2]string{"2025-07", "2026-05"}, true, [][2]string{{"2025-06-02", "2025-06-30"}}},
		{"2025-06-01", "2026-05-30", [2]string{"2025-06", "2026-04"}, true, [][2]string{{"2026-05-01", "2026-05-30"}}},
		{"2025-06-15", "2025-08-10", [2]string{"2025-07", "2025-07"}, true, [][2]string{{"2025-06-15", "2025-06-30"}, {"2025-08-01", "2025-08-10"}}},
		{"2024-02-01", "2024-02-29", [2]string{"2024-02", "2024-02"}, true, nil}, // a leap February
		{"2025-02-01", "2025-02-28", [2]string{"2025-02", "2025-02"}, true, nil},
		{"2024-02-01", "2024-02-28", [2]string{}, false, [][2]string{{"2024-02-01", "2024-02-28"}}},
		{"2025-06-02", "2025-07-30", [2]string{}, false, [][2]string{{"2025-06-02", "2025-07-30"}}},
		{"2025-06-10", "2025-06-10", [2]string{}, false, [][2]string{{"2025-06-10", "2025-06-10"}}},
		{"2025-06-30", "2025-07-01", [2]string{}, false, [][2]string{{"2025-06-30", "2025-07-01"}}},
		{"2025-12-31", "2026-02-01", [2]string{"2026-01", "2026-01"}, true, [][2]string{{"2025-12-31", "2025-12-31"}, {"2026-02-01", "2026-02-01"}}},
	} {
		months, ok, days := groupParts(tc.from, tc.to)
		if months != tc.months || ok != tc.ok || !cmp.Equal(days, tc.days) {
			t.Errorf("groupParts(%s, %s) = %v, %v, %v; want %v, %v, %v", tc.from, tc.to, months, ok, days, tc.months, tc.ok, tc.days)
		}
	}
}

// The rollup's read of whole months follows its primary key: no sort.
func TestGroupsFromRollupSortsNothing(t *testing.T) {
	s, _ := openTest(t)
	if err := s.LoadSynthetic(t.Context(), SyntheticConfig{Teams: 2, TherapistsPerTeam: 2, Referrals: 400, ContactsPerReferral: 4, Seed: 3}); err != nil {
		t.Fatal(err)
	}
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
		plan := queryPlan(t, s, "EXPLAIN QUERY PLAN "+groupsFromRollupQuery, args)
		if !strings.Contains(plan, "SEARCH g USING PRIMARY KEY (month>? AND month<?)") || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("%s: plan\n%s\nwant a search of the rollup's primary key by month and no sort", name, plan)
		}
	}
}
