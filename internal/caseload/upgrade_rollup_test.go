package caseload_test

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"clinic"
)

// A database at the step before the rollup of the outcomes by group comes
// through Open with the rollup filled from its report rows: the same rows
// as the triggers keep while the same service is written.
func TestUpgradeToGroupRollupFillsIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clinic.db")
	old, dropLaterSteps := demoBeforeStep(t, path, 24, "CREATE TABLE report_group_month")
	const rollup = `
		SELECT month || ' ' || dimension || ' ' || group_key || ' ' || team_id || ' ' || therapist_id,
			finished || ' ' || not_at_caseness || ' ' || recovered || ' ' || reliable_recovery
		FROM report_group_month ORDER BY 1`
	kept := testQueryAll(t, old.DBForTest(), rollup)
	if len(kept) == 0 {
		t.Fatal("the demo kept no outcomes by group: the comparison would test nothing")
	}
	dropLaterSteps()
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	s, _ := openSchema(t, path, clinic.Schema, &clock{t: testNow})
	checkSchemaAsNew(t, s.DBForTest())
	if diff := cmp.Diff(kept, testQueryAll(t, s.DBForTest(), rollup)); diff != "" {
		t.Errorf("the rollup filled by the step differs from the one the triggers kept (-kept +upgraded):\n%s", diff)
	}
}

// The same for the rollup of the figures by the date referrals ended
// (schema step 25).
func TestUpgradeToEndedRollupFillsIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clinic.db")
	old, dropLaterSteps := demoBeforeStep(t, path, 25, "CREATE TABLE report_ended_month")
	const rollup = `
		SELECT month || ' ' || end_code || ' ' || wait_days || ' ' || team_id || ' ' || therapist_id,
			ended || ' ' || finished || ' ' || with_treatment || ' ' || not_at_caseness || ' ' || recovered || ' ' ||
			reliable_improvement || ' ' || reliable_recovery || ' ' || reliable_deterioration || ' ' || paired || ' ' ||
			low_only || ' ' || both || ' ' || high_only || ' ' || stepped_up || ' ' || stepped_up_within || ' ' ||
			adsm_expected || ' ' || adsm_paired || ' ' || anxiety_one_or_none || ' ' || wsas_complete || ' ' ||
			failing_validation || ' ' || dataset_problems
		FROM report_ended_month ORDER BY 1`
	kept := testQueryAll(t, old.DBForTest(), rollup)
	if len(kept) == 0 {
		t.Fatal("the demo kept no figures by ending: the comparison would test nothing")
	}
	dropLaterSteps()
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	s, _ := openSchema(t, path, clinic.Schema, &clock{t: testNow})
	checkSchemaAsNew(t, s.DBForTest())
	if diff := cmp.Diff(kept, testQueryAll(t, s.DBForTest(), rollup)); diff != "" {
		t.Errorf("the rollup filled by the step differs from the one the triggers kept (-kept +upgraded):\n%s", diff)
	}
}
