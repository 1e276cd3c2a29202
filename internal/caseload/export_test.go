package caseload

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"clinic/internal/measures"
)

// For the external tests (package caseload_test), which may import packages
// that import caseload, such as internal/demo.

// ReportFactsStepForTest is the schema step that adds the report facts.
const ReportFactsStepForTest = reportFactsStep

// DBForTest is the store's writer connection.
func (s *Store) DBForTest() *sql.DB { return s.db }

// RecomputeSummaryForTest recomputes and writes one referral's summary in tx.
func (s *Store) RecomputeSummaryForTest(ctx context.Context, tx *sql.Tx, referralID int64) (measures.Outcome, error) {
	return s.recomputeSummary(ctx, tx, referralID)
}

// LaterStepsForTest gives db, a database built by an earlier schema, the
// SQL of schema's steps from step from on, for a while: today's code writes
// the tables and columns of every step (the demo's data set fields, risk
// alerts, the audit's token), so an old database loaded through it needs
// them. The returned function takes away every table, index, trigger and
// column they added (with what was written to them), leaving the old
// database's schema for Open to upgrade. The steps' SQL runs without
// PRAGMA user_version or any backfill Open does in Go.
func LaterStepsForTest(t testing.TB, db *sql.DB, schema string, from int) (undo func()) {
	t.Helper()
	steps, err := parseSteps(schema)
	if err != nil || from < 1 || from > len(steps) {
		t.Fatalf("schema steps from %d of %d: %v", from, len(steps), err)
	}
	objects := func() map[string]string { // "type name" -> table
		out := map[string]string{}
		for _, r := range testQuery(t, db, `SELECT type || ' ' || name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'`) {
			out[r[0]] = r[1]
		}
		return out
	}
	columns := func(table string) map[string]bool {
		out := map[string]bool{}
		for _, r := range testQuery(t, db, `SELECT name, '' FROM pragma_table_info(?)`, table) {
			out[r[0]] = true
		}
		return out
	}
	before := objects()
	tableColumns := map[string]map[string]bool{}
	for o, table := range before {
		if strings.HasPrefix(o, "table ") {
			tableColumns[table] = columns(table)
		}
	}
	for _, st := range steps[from-1:] {
		if _, err := db.Exec(st.sql); err != nil {
			t.Fatalf("step %d: %v", st.n, err)
		}
	}
	return func() {
		t.Helper()
		var drops []string
		for o := range objects() {
			if _, ok := before[o]; !ok && !strings.HasPrefix(o, "table ") {
				kind, name, _ := strings.Cut(o, " ")
				drops = append(drops, `DROP `+strings.ToUpper(kind)+` IF EXISTS "`+name+`"`)
			}
		}
		for o := range objects() {
			if _, ok := before[o]; !ok && strings.HasPrefix(o, "table ") {
				drops = append(drops, `DROP TABLE "`+strings.TrimPrefix(o, "table ")+`"`)
			}
		}
		for table, had := range tableColumns {
			for col := range columns(table) {
				if !had[col] {
					drops = append(drops, `ALTER TABLE "`+table+`" DROP COLUMN "`+col+`"`)
				}
			}
		}
		if _, err := db.Exec(`PRAGMA foreign_keys = OFF`); err != nil {
			t.Fatal(err)
		}
		for _, q := range drops {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if _, err := db.Exec(`PRAGMA foreign_keys = ON`); err != nil {
			t.Fatal(err)
		}
	}
}

// testQuery returns the two text columns of every row of query.
func testQuery(t testing.TB, db *sql.DB, query string, args ...any) [][2]string {
	t.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var r [2]string
		if err := rows.Scan(&r[0], &r[1]); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// GroupsFromRowsForTest works out the filter's outcomes by group from the
// report rows alone, as before the rollup (schema step 24).
func (s *Store) GroupsFromRowsForTest(ctx context.Context, f ReportFilter) ([]DimensionFigures, error) {
	args, err := sectionArgs(f)
	if err != nil {
		return nil, err
	}
	var out Sections
	err = s.withRead(ctx, func(tx *sql.Tx) error { return groupsFromRows(ctx, tx, args, &out) })
	return out.Groups, err
}

// PreparedSavesForTest is how many saves were written as worked out on
// their snapshot (RecordContact), not worked out again in their turn.
func (s *Store) PreparedSavesForTest() int64 { return s.preparedSaves.Load() }

// SectionsFromRowsForTest works out the filter's sections with those
// counted by the date referrals ended read from the report rows alone, as
// before their rollup (schema step 25).
func (s *Store) SectionsFromRowsForTest(ctx context.Context, f ReportFilter) (Sections, error) {
	out, err := s.ReportSections(ctx, f)
	if err != nil {
		return Sections{}, err
	}
	args, err := sectionArgs(f)
	if err != nil {
		return Sections{}, err
	}
	err = s.withRead(ctx, func(tx *sql.Tx) error { return endedSectionsFromRows(ctx, tx, args, &out) })
	return out, err
}

// FiguresFromRowsForTest works out the filter's figures from the report
// rows alone, as before the rollup of schema step 25.
func (s *Store) FiguresFromRowsForTest(ctx context.Context, f ReportFilter) (Figures, error) {
	return s.reportFiguresFromRows(ctx, f)
}
