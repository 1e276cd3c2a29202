package caseload_test

// Tests of the summaries on the demo service (internal/demo, which imports
// caseload: hence an external test package, with the few internals it needs
// exported in export_test.go).

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"clinic"
	"clinic/internal/caseload"
	"clinic/internal/demo"
	"clinic/internal/measures"
)

// testNow is the tests' clock: a Tuesday morning in March (GMT), as in the
// package's internal tests.
var testNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func openTest(t *testing.T) (*caseload.Store, *clock) {
	t.Helper()
	return openSchema(t, filepath.Join(t.TempDir(), "clinic.db"), clinic.Schema, &clock{t: testNow})
}

// openSchema opens the store at path with the given schema and clock.
func openSchema(t *testing.T, path, schema string, c *clock) (*caseload.Store, *clock) {
	t.Helper()
	s, err := caseload.Open(path, schema, c.now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s, c
}

func answers(vals ...int) []*int {
	out := make([]*int, len(vals))
	for i, v := range vals {
		if v >= 0 {
			out[i] = &v
		}
	}
	return out
}

// Every stored total equals what measures computes from the stored raw
// answers: the database never holds a total it cannot justify.
func TestStoredScoresRecomputeFromRawAnswers(t *testing.T) {
	s, _ := openTest(t)
	if _, err := demo.Load(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	rows, err := s.DBForTest().Query(`SELECT id, instrument, items_json, total, prorated FROM scores ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id int64
		var instrument string
		var items sql.NullString
		var stored float64
		var prorated bool
		if err := rows.Scan(&id, &instrument, &items, &stored, &prorated); err != nil {
			t.Fatal(err)
		}
		var sc measures.Score
		if items.Valid {
			var answers []*int
			if err := json.Unmarshal([]byte(items.String), &answers); err != nil {
				t.Fatalf("score %d: %v", id, err)
			}
			sc, err = measures.ScoreItems(measures.InstrumentID(instrument), answers)
		} else {
			sc, err = measures.ScoreTotal(measures.InstrumentID(instrument), stored)
		}
		if err != nil {
			t.Errorf("score %d (%s %s): stored answers are invalid: %v", id, instrument, items.String, err)
			continue
		}
		if sc.Total != stored || sc.Prorated != prorated {
			t.Errorf("score %d (%s %s): stored %v prorated %v, measures gives %v prorated %v", id, instrument, items.String, stored, prorated, sc.Total, sc.Prorated)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 500 {
		t.Errorf("checked %d scores, want the demo's hundreds", n)
	}
}

// The summaries kept write by write equal a rebuild from scratch.
func TestKeptSummariesEqualRebuild(t *testing.T) {
	s, c := openTest(t)
	ctx := t.Context()
	if _, err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	// On top of the demo's contacts and endings: a correction, and a
	// referral whose only score is corrected to a risk answer.
	th, err := s.Authenticate(ctx, "therapist1@demo.example", "demo-therapist-1")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.Caseload(ctx, th.ID)
	if err != nil || len(rows) == 0 {
		t.Fatalf("caseload: %v", err)
	}
	d, err := s.ReferralDetail(ctx, rows[0].Referral.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := d.Contacts[len(d.Contacts)-1]
	if _, err := s.CorrectScore(ctx, th, last.Scores[len(last.Scores)-1].ID, caseload.ScoreInput{Items: answers(3, 3, 3, 3, 3, 3, 3, 3)}, "typo"); err == nil {
		t.Fatal("an answer list of the wrong length was accepted")
	}
	for _, sc := range last.Scores {
		if sc.Instrument == measures.PHQ9 {
			if _, err := s.CorrectScore(ctx, th, sc.ID, caseload.ScoreInput{Items: answers(3, 3, 3, 3, 3, 3, 3, 3, 2)}, "typo"); err != nil {
				t.Fatal(err)
			}
		}
	}

	type summary struct {
		ID                                 int64
		RuleSet, Outcome                   string
		Open                               bool
		Therapist, Team                    int64
		Received                           string
		Ended, FirstTreatment, LastContact sql.NullString
		Finished                           bool
		Sessions                           int
	}
	read := func() []summary {
		rows, err := s.DBForTest().Query(`
			SELECT referral_id, rule_set, outcome_json, is_open, therapist_id, team_id, received_on,
				ended_on, first_treatment_on, last_contact_on, finished, treatment_sessions
			FROM referral_summary ORDER BY referral_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []summary
		for rows.Next() {
			var s summary
			if err := rows.Scan(&s.ID, &s.RuleSet, &s.Outcome, &s.Open, &s.Therapist, &s.Team, &s.Received,
				&s.Ended, &s.FirstTreatment, &s.LastContact, &s.Finished, &s.Sessions); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	kept := read()
	keptReport := reportRows(t, s.DBForTest())
	var referrals int
	if err := s.DBForTest().QueryRow(`SELECT COUNT(*) FROM referrals`).Scan(&referrals); err != nil {
		t.Fatal(err)
	}
	if len(kept) != referrals || referrals < 40 {
		t.Fatalf("%d summaries for %d referrals", len(kept), referrals)
	}
	if len(keptReport) != referrals {
		t.Fatalf("%d report rows for %d referrals", len(keptReport), referrals)
	}
	if _, err := s.DBForTest().Exec(`DELETE FROM referral_summary; DELETE FROM report_referral`); err != nil {
		t.Fatal(err)
	}
	c.t = testNow.Add(24 * time.Hour)
	n, err := s.RebuildSummaries(ctx)
	if err != nil || n != referrals {
		t.Fatalf("rebuilt %d (%v), want %d", n, err, referrals)
	}
	if diff := cmp.Diff(kept, read()); diff != "" {
		t.Errorf("kept summaries differ from a rebuild (-kept +rebuilt):\n%s", diff)
	}
	if diff := cmp.Diff(keptReport, reportRows(t, s.DBForTest())); diff != "" {
		t.Errorf("kept report rows differ from a rebuild (-kept +rebuilt):\n%s", diff)
	}
}

// reportRows reads every report_referral row, every column with the type
// SQLite stored it as.
func reportRows(t *testing.T, db *sql.DB) [][]any {
	t.Helper()
	return reportColumns(t, db, "*")
}

// reportColumnsStep8 are the columns report_referral had from step 8 to
// step 17, which a database upgraded from before step 16 (with no
// demographics or EndCode to report) compares on.
const reportColumnsStep8 = `referral_id, team_id, therapist_id, received_on, first_treatment_on, ended_on,
	is_open, finished, treatment_sessions, at_caseness, recovered, reliable_improvement, reliable_recovery,
	reliable_deterioration, no_reliable_change, paired, wait_days, anxiety, phq9_count, phq9_first,
	phq9_last, phq9_paired, anxiety_count, anxiety_first, anxiety_last, anxiety_paired`

// reportColumns reads the given columns of every report_referral row.
func reportColumns(t *testing.T, db *sql.DB, columns string) [][]any {
	t.Helper()
	rows, err := db.Query(`SELECT ` + columns + ` FROM report_referral ORDER BY referral_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]any
	for rows.Next() {
		row := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// A stored outcome reads back as the outcome measures computed: the JSON
// round trip loses nothing (times, maps, nil pointers).
func TestOutcomeJSONRoundTrip(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	if _, err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	rows, err := s.DBForTest().Query(`SELECT referral_id FROM referral_summary ORDER BY referral_id`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		d, err := s.ReferralDetail(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := s.DBForTest().Begin()
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := s.RecomputeSummaryForTest(ctx, tx, id)
		tx.Rollback()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(fresh, d.Outcome); diff != "" {
			t.Errorf("referral %d: stored outcome differs from a fresh one (-fresh +stored):\n%s", id, diff)
		}
	}
}
