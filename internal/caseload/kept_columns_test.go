package caseload

import (
	"database/sql"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A save writes the summary and report row column by column
// (writeChanged); a rebuild writes them with summaryUpsert, reportUpsert
// and factsUpdate. Both name the same columns in the same order, the order
// of summaryArgs, reportArgs and ReportFacts.args.
func TestKeptColumnsAsTheStatements(t *testing.T) {
	inserted := func(stmt string) []string {
		m := regexp.MustCompile(`(?s)INSERT INTO \w+ \((.*?)\)`).FindStringSubmatch(stmt)
		if m == nil {
			t.Fatalf("no column list in %s", stmt)
		}
		var out []string
		for _, c := range strings.Split(m[1], ",") {
			out = append(out, strings.TrimSpace(c))
		}
		return out
	}
	var updated []string
	for _, m := range regexp.MustCompile(`(\w+) = \?`).FindAllStringSubmatch(factsUpdate, -1) {
		if m[1] != "referral_id" {
			updated = append(updated, m[1])
		}
	}
	if diff := cmp.Diff(inserted(summaryUpsert), keptSummary.columns); diff != "" {
		t.Errorf("summary columns (-summaryUpsert +keptSummary):\n%s", diff)
	}
	if diff := cmp.Diff(append(inserted(reportUpsert), updated...), keptReport.columns); diff != "" {
		t.Errorf("report columns (-reportUpsert, factsUpdate +keptReport):\n%s", diff)
	}
}

// A recompute that finds nothing new writes nothing (every stored value
// reads back as the same type and value as the one written), and one that
// finds something writes it.
func TestRecomputeWritesOnlyWhatChanged(t *testing.T) {
	f := newFixture(t)
	if _, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, session("2026-02-02", answers(2, 2, 2, 2, 2, 2, 2, 2, 1), answers(2, 2, 2, 2, 2, 2, 2))); err != nil {
		t.Fatal(err)
	}
	// The save's audit row is found by its patient (the referral's, which
	// the save had read, not looked up again).
	var audited int64
	if err := f.s.DBForTest().QueryRow(`SELECT patient_id FROM audit_log WHERE action = ? AND entity_id = ?`,
		AuditRecordContact, f.referral.ID).Scan(&audited); err != nil || audited != f.patient.ID {
		t.Errorf("audit row of the save: patient %d (%v), want %d", audited, err, f.patient.ID)
	}
	changes := func(fn func(tx *sql.Tx) error) int {
		t.Helper()
		var before, after int
		err := f.s.withTx(f.ctx, func(tx *sql.Tx) error {
			if err := tx.QueryRow(`SELECT total_changes()`).Scan(&before); err != nil {
				return err
			}
			if err := fn(tx); err != nil {
				return err
			}
			return tx.QueryRow(`SELECT total_changes()`).Scan(&after)
		})
		if err != nil {
			t.Fatal(err)
		}
		return after - before
	}
	recompute := func(tx *sql.Tx) error {
		_, err := f.s.recomputeSummary(f.ctx, tx, f.referral.ID)
		return err
	}
	if n := changes(recompute); n != 0 {
		t.Errorf("a recompute with nothing new changed %d rows, want 0", n)
	}
	var computedAt string
	if err := f.s.DBForTest().QueryRow(`SELECT computed_at FROM referral_summary WHERE referral_id = ?`, f.referral.ID).Scan(&computedAt); err != nil {
		t.Fatal(err)
	}
	f.clock.t = f.clock.t.Add(time.Hour)
	if n := changes(recompute); n != 1 {
		t.Errorf("a recompute an hour later changed %d rows, want 1 (the summary's computed_at)", n)
	}
	var later string
	if err := f.s.DBForTest().QueryRow(`SELECT computed_at FROM referral_summary WHERE referral_id = ?`, f.referral.ID).Scan(&later); err != nil {
		t.Fatal(err)
	}
	if later == computedAt {
		t.Errorf("computed_at stayed %s", later)
	}
	// A session changes both rows.
	if n := changes(func(tx *sql.Tx) error {
		_, _, err := f.s.writeContact(f.ctx, tx, f.therapist, savedReferralOf(f.referral), session("2026-02-09", answers(1, 1, 1, 1, 1, 1, 1, 1, 0), answers(1, 1, 1, 1, 1, 1, 1)).normalised(), nil, nil)
		return err
	}); n < 3 {
		t.Errorf("a session changed %d rows, want its contact, the summary and the report row at least", n)
	}
}
