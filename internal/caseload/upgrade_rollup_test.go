package caseload_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"clinic"
	"clinic/internal/caseload"
	"clinic/internal/demo"
)

// A database at the step before the rollup of the outcomes by group comes
// through Open with the rollup filled from its report rows: the same rows
// as the triggers keep while the same service is written.
func TestUpgradeToGroupRollupFillsIt(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "clinic.db")
	cut := strings.Index(clinic.Schema, "\n-- step: 24\n")
	if cut < 0 || !strings.Contains(clinic.Schema[cut:], "CREATE TABLE report_group_month") {
		t.Fatal("step 24 of the schema is not the one that adds the rollup of the outcomes by group")
	}
	old, err := caseload.Open(path, clinic.Schema[:cut+1], (&clock{t: testNow}).now)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	dropLaterSteps := caseload.LaterStepsForTest(t, old.DBForTest(), clinic.Schema, 24)
	if _, err := demo.Load(ctx, old); err != nil {
		t.Fatal(err)
	}
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
