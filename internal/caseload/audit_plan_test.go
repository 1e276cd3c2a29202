package caseload

import (
	"strings"
	"testing"
)

// A search of the audit log by action reads the action's index, not the
// whole log by time: on a log of many views and a few break-glass entries,
// with and without the planner's statistics, and with a date range too.
func TestAuditSearchByActionUsesItsIndex(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20000; i++ {
		action := AuditView
		if i%5000 == 0 {
			action = AuditBreakGlass
		}
		at := "2026-0" + string(rune('1'+i%9)) + "-10T10:00:00.000000Z"
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, action, entity, entity_id) VALUES (?, ?, 'referral', ?)`, at, action, i); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		for _, q := range []AuditQuery{
			{Action: AuditBreakGlass, Page: 1, PerPage: 50},
			{Action: AuditBreakGlass, From: "2026-01-01", To: "2026-12-31", Page: 1, PerPage: 50},
		} {
			query, args := auditSearchQuery(q)
			plan := queryPlan(t, s, "EXPLAIN QUERY PLAN "+query, args)
			if !strings.Contains(plan, "USING INDEX audit_log_action") {
				t.Errorf("%s: searching by action %+v does not use audit_log_action:\n%s", when, q, plan)
			}
		}
		page, err := s.SearchAudit(ctx, AuditQuery{Action: AuditBreakGlass})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Entries) != 4 {
			t.Errorf("%s: %d break-glass entries found, want 4", when, len(page.Entries))
		}
	}
	check("without statistics")
	if _, err := s.db.Exec(`ANALYZE`); err != nil {
		t.Fatal(err)
	}
	check("after ANALYZE")
}
