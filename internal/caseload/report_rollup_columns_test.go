package caseload

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Both rollups (schema steps 24 and 25) follow a write of each column their
// triggers read, one column at a time, at the values where a count starts
// or stops: StepUpDays and the day after it, a count of 0, each intensity
// mix, a flag turned on and off, a course finished and not, ended and not,
// moved to another month, team, therapist or group. After every write both
// equal a recount of the report rows. Random writes
// (TestGroupRollupEqualsRecount) seldom reach these edges: a trigger that
// counted stepped up within 89 days, left a flag out of its WHEN list or
// took the wrong column away passed them.
func TestRollupsFollowEveryColumn(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	if err := s.LoadSynthetic(ctx, SyntheticConfig{Teams: 2, TherapistsPerTeam: 2, Referrals: 120, ContactsPerReferral: 6, Seed: 29}); err != nil {
		t.Fatal(err)
	}
	pick := func(where string) int64 {
		t.Helper()
		rows := testQuery(t, s.db, `SELECT referral_id, '' FROM report_referral WHERE `+where+` ORDER BY referral_id LIMIT 1`)
		if len(rows) == 0 {
			t.Fatalf("no report row where %s", where)
		}
		var id int64
		if _, err := fmt.Sscan(rows[0][0], &id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	finished := pick(`finished = 1 AND ended_on IS NOT NULL AND phq9_count > 0 AND anxiety_count > 0`)
	unfinished := pick(fmt.Sprintf(`finished = 1 AND ended_on IS NOT NULL AND referral_id <> %d`, finished))
	open := pick(`ended_on IS NULL`)
	otherTeam := testQuery(t, s.db, fmt.Sprintf(`SELECT MIN(id), '' FROM teams WHERE id <> (SELECT team_id FROM report_referral WHERE referral_id = %d)`, finished))[0][0]

	type state struct {
		groups map[rollupRow]rollupCounts
		ended  map[endedKey]endedRollupSums
	}
	read := func() state { return state{keptRollup(t, s), keptEndedRollup(t, s)} }
	last := read()
	// takeAndPutBack deletes a report row and inserts it again.
	takeAndPutBack := func(id int64) {
		t.Helper()
		for _, q := range []string{
			fmt.Sprintf(`CREATE TABLE taken AS SELECT * FROM report_referral WHERE referral_id = %d`, id),
			fmt.Sprintf(`DELETE FROM report_referral WHERE referral_id = %d`, id),
			`INSERT INTO report_referral SELECT * FROM taken`,
			`DROP TABLE taken`,
		} {
			if _, err := s.db.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
			checkRollup(t, s, q)
		}
		last = read()
	}
	// write sets columns of one report row; same says the write changes no
	// figure either rollup keeps (so neither may change), as when a
	// course moves within its month; either: it may change them or not.
	const either = 2
	write := func(id int64, set string, same int) {
		t.Helper()
		q := fmt.Sprintf(`UPDATE report_referral SET %s WHERE referral_id = %d`, set, id)
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
		checkRollup(t, s, q)
		now := read()
		changed := !cmp.Equal(last, now, cmp.AllowUnexported(state{}, rollupRow{}, rollupCounts{}, endedKey{}))
		if same != either && changed == (same == 1) {
			t.Errorf("%s: rollups changed %v, want %v", q, changed, same == 0)
		}
		last = now
	}

	// A key of either rollup that only one referral counts in is deleted
	// when its count is taken away, and with it whatever a trigger took
	// away wrongly: the rows written here share their keys with a
	// companion, so that a wrong sum stays to be seen.
	companion := pick(fmt.Sprintf(`finished = 1 AND ended_on IS NOT NULL AND referral_id NOT IN (%d, %d)`, finished, unfinished))
	share := func(from, to int64) {
		t.Helper()
		_, err := s.db.ExecContext(ctx, fmt.Sprintf(`UPDATE report_referral SET (ended_on, end_code, wait_days, team_id, therapist_id,
			ethnic_group, age_band, gender_identity, sexual_orientation, disability, employment_status, long_term_condition, consultation_medium) =
			(SELECT ended_on, end_code, wait_days, team_id, therapist_id,
			ethnic_group, age_band, gender_identity, sexual_orientation, disability, employment_status, long_term_condition, consultation_medium
			FROM report_referral WHERE referral_id = %d) WHERE referral_id = %d`, from, to))
		if err != nil {
			t.Fatal(err)
		}
		checkRollup(t, s, "after sharing keys")
		last = read()
	}
	share(finished, companion)
	share(finished, unfinished)

	write(finished, `step_up_days = -1`, either)
	for _, step := range []struct {
		days int
		same int
	}{{0, 0}, {89, 1}, {90, 1}, {91, 0}, {-1, 0}, {90, 0}, {120, 0}, {90, 0}} {
		write(finished, fmt.Sprintf(`step_up_days = %d`, step.days), step.same)
	}
	for _, mix := range []string{MixLowOnly, MixBoth, MixHighOnly, "", MixBoth} {
		write(finished, fmt.Sprintf(`intensity_mix = '%s'`, mix), 0)
	}
	// Each flag alone: counted when set, when the row is taken away and
	// put back, and when cleared.
	flags := []string{"recovered", "reliable_improvement", "reliable_recovery", "reliable_deterioration", "paired",
		"at_caseness", "adsm_expected", "adsm_paired", "anxiety_one_or_none", "wsas_complete"}
	for _, flag := range flags {
		write(finished, flag+` = 0`, either)
	}
	for _, flag := range flags {
		write(finished, flag+` = 1`, 0)
		takeAndPutBack(finished)
		write(finished, flag+` = 0`, 0)
	}
	write(finished, `at_caseness = 0`, either)
	for _, set := range []string{
		`phq9_count = 0`, `phq9_count = 4`, `anxiety_count = 0`, `anxiety_count = 4`,
		`treatment_sessions = 0`, `treatment_sessions = 3`,
		`dataset_problems = 0`, `dataset_problems = 1`, `dataset_problems = 2`, `dataset_problems = 1`, `dataset_problems = 0`,
		`end_code = 'zz'`, `wait_days = wait_days + 1`, `wait_days = -1`,
		`ethnic_group = 'zz'`, `age_band = 'zz'`, `gender_identity = 'zz'`, `sexual_orientation = 'zz'`,
		`disability = 'zz'`, `employment_status = 'zz'`, `long_term_condition = 'zz'`, `consultation_medium = 'zz'`,
		`team_id = ` + otherTeam, `therapist_id = therapist_id + 1`,
		`ended_on = date(ended_on, 'start of month', '+1 month')`,
		`finished = 0`, `finished = 1`, `ended_on = NULL`, `ended_on = '2026-01-15'`,
	} {
		write(finished, set, 0)
	}
	// Each count at its edge when the row is taken away and put back (its
	// key moved above: the companion follows it).
	share(finished, companion)
	for _, set := range []string{`dataset_problems = 1`, `treatment_sessions = 1`, `phq9_count = 1`, `anxiety_count = 1`, `step_up_days = 90`, `step_up_days = 0`} {
		write(finished, set, either)
		takeAndPutBack(finished)
	}
	write(finished, `ended_on = '2026-01-20'`, 1) // the same month
	write(finished, `received_on = received_on`, 1)

	// A course that ended without finishing counts among endings, not
	// outcomes; an open referral counts in neither until it ends.
	write(unfinished, `finished = 0`, 0)
	for _, set := range []string{`recovered = 1 - recovered`, `treatment_sessions = 0`, `dataset_problems = dataset_problems + 1`, `finished = 1`, `finished = 0`} {
		same := 0
		if set == `recovered = 1 - recovered` {
			same = 1
		}
		write(unfinished, set, same)
	}
	write(open, `finished = 1, recovered = 1, step_up_days = 90`, 1)
	write(open, `ended_on = '2026-02-03'`, 0)

	takeAndPutBack(unfinished)
	takeAndPutBack(finished)
}
