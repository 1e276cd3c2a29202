package caseload_test

// Upgrades from the schema as it shipped: steps 7 and 8 kept report rows by
// triggers that read outcome_json by Go field names until issue 10 rewrote
// them to create the tables only (see schema.sql's header). A database built
// by the old steps must come through Open with nothing lost.

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"clinic"
	"clinic/internal/caseload"
	"clinic/internal/demo"
)

// shippedSteps returns schema.sql's steps 1 to n (at most 9) exactly as
// they shipped, before issue 10.
func shippedSteps(t *testing.T, n int) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "schema_steps_1_9_as_shipped.sql"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if !strings.Contains(text, "'$.AtCaseness'") || !strings.Contains(text, "\n-- step: 9\n") || strings.Contains(text, "\n-- step: 10\n") {
		t.Fatal("testdata/schema_steps_1_9_as_shipped.sql is not steps 1 to 9 as they shipped")
	}
	if n < 9 {
		cut := strings.Index(text, fmt.Sprintf("\n-- step: %d\n", n+1))
		if cut < 0 {
			t.Fatalf("no step %d in the shipped steps", n+1)
		}
		text = text[:cut+1]
	}
	return text
}

// schemaOf lists what sqlite_master holds (type, name, SQL), in order.
func schemaOf(t *testing.T, db *sql.DB) []string {
	t.Helper()
	return queryStrings(t, db, `
		SELECT type || ' ' || name || ': ' || sql
		FROM sqlite_master
		WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'
		ORDER BY type, name`)
}

// checkSchemaAsNew fails unless db's schema and version are those of a new
// database: the rewritten steps end where the shipped ones did.
func checkSchemaAsNew(t *testing.T, db *sql.DB) {
	t.Helper()
	fresh, _ := openTest(t)
	if diff := cmp.Diff(schemaOf(t, fresh.DBForTest()), schemaOf(t, db)); diff != "" {
		t.Errorf("the upgraded database's schema differs from a new one's (-new +upgraded):\n%s", diff)
	}
	var got, want int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if err := fresh.DBForTest().QueryRow(`PRAGMA user_version`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("upgraded to user_version %d, want %d", got, want)
	}
}

// checkReportRowsRebuild fails unless db's report rows are non-empty and
// equal those a rebuild of every summary writes.
func checkReportRowsRebuild(t *testing.T, s *caseload.Store, want [][]any) {
	t.Helper()
	if len(want) < 40 {
		t.Fatalf("%d report rows, want the demo's", len(want))
	}
	if _, err := s.DBForTest().Exec(`DELETE FROM report_referral`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RebuildSummaries(t.Context()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, reportRows(t, s.DBForTest())); diff != "" {
		t.Errorf("report rows differ from a rebuild (-before the rebuild +rebuilt):\n%s", diff)
	}
}

// The report rows caseload writes from Go are the rows the triggers of
// schema step 8 (as shipped) wrote from the outcome JSON: a database kept by
// the triggers comes through Open (step 10 and its backfill from Go) with
// the same rows, the same schema as a new database, and no trigger left.
func TestReportRowsAsTheTriggersWrote(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "clinic.db")
	old, err := caseload.Open(path, shippedSteps(t, 9), (&clock{t: testNow}).now)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	// Today's Go code writes the tables and columns of the steps after 10
	// as it records the demo's contacts (risk alerts, the audit's token_id,
	// the data set's fields): the step 9 database has them for the load, and
	// loses them again before Open makes them.
	dropLaterSteps := caseload.LaterStepsForTest(t, old.DBForTest(), clinic.Schema, 11)
	if _, err := demo.Load(ctx, old); err != nil {
		t.Fatal(err)
	}
	dropLaterSteps()
	// Let the step 8 triggers write every row again from outcome_json alone.
	if _, err := old.DBForTest().Exec(`DELETE FROM report_referral; UPDATE referral_summary SET computed_at = computed_at`); err != nil {
		t.Fatal(err)
	}
	byTriggers := reportColumns(t, old.DBForTest(), reportColumnsStep8)
	if len(byTriggers) < 40 {
		t.Fatalf("the triggers wrote %d report rows, want the demo's", len(byTriggers))
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	// (The deferred Close then only reports that it is closed.)

	s, _ := openSchema(t, path, clinic.Schema, &clock{t: testNow})
	if diff := cmp.Diff(byTriggers, reportColumns(t, s.DBForTest(), reportColumnsStep8)); diff != "" {
		t.Errorf("the upgrade changed the report rows (-by the triggers +after Open):\n%s", diff)
	}
	var triggers int
	if err := s.DBForTest().QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'referral_summary' AND sql LIKE '%report_referral%'`).Scan(&triggers); err != nil || triggers != 0 {
		t.Errorf("%d triggers still write report_referral (%v)", triggers, err)
	}
	checkSchemaAsNew(t, s.DBForTest())
	// Step 18's facts, written at Open, are those a rebuild writes.
	checkReportRowsRebuild(t, s, reportRows(t, s.DBForTest()))
}

// A database built by the shipped steps up to 6 (before there were report
// rows), 7 or 8 (with the triggers) gets the report rows a rebuild writes,
// and a new database's schema, at Open: steps 7 and 8 now only create the
// tables, step 10 drops whatever triggers there are, and Open writes the
// rows from the stored outcomes.
func TestUpgradeFromShippedStepsWritesReportRows(t *testing.T) {
	// The demo service, loaded through today's store, is copied table by
	// table into a database that the shipped steps built.
	src, _ := openTest(t)
	if _, err := demo.Load(t.Context(), src); err != nil {
		t.Fatal(err)
	}
	var srcPath string
	if err := src.DBForTest().QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&srcPath); err != nil {
		t.Fatal(err)
	}
	// The steps before 16 have no demographics or EndCode to copy: the
	// rows compare on the columns before step 18's facts, and the facts
	// written at Open are those a rebuild writes.
	want := reportColumns(t, src.DBForTest(), reportColumnsStep8)
	for _, step := range []int{6, 7, 8} {
		t.Run(fmt.Sprintf("step %d", step), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "clinic.db")
			old, err := caseload.Open(path, shippedSteps(t, step), (&clock{t: testNow}).now)
			if err != nil {
				t.Fatal(err)
			}
			defer old.Close()
			copyTables(t, old.DBForTest(), srcPath)
			if err := old.Close(); err != nil {
				t.Fatal(err)
			}

			s, _ := openSchema(t, path, clinic.Schema, &clock{t: testNow})
			checkSchemaAsNew(t, s.DBForTest())
			if diff := cmp.Diff(want, reportColumns(t, s.DBForTest(), reportColumnsStep8)); diff != "" {
				t.Errorf("report rows after the upgrade differ from the source's (-source +upgraded):\n%s", diff)
			}
			checkReportRowsRebuild(t, s, reportRows(t, s.DBForTest()))
		})
	}
}

// copyTables copies every row of the database file at srcPath into db, for
// each table both have (a database at an earlier step lacks the later tables,
// and has the report_outcome table of step 7 that a new database lacks).
func copyTables(t *testing.T, db *sql.DB, srcPath string) {
	t.Helper()
	// The writer pool has one connection, so the pragma and the attachment
	// hold for every statement below.
	if _, err := db.Exec(`PRAGMA foreign_keys = OFF`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`ATTACH DATABASE ? AS src`, srcPath); err != nil {
		t.Fatal(err)
	}
	defer db.Exec(`DETACH DATABASE src`)
	tables := queryStrings(t, db, `
		SELECT name
		FROM main.sqlite_master
		WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
			AND name IN (SELECT name FROM src.sqlite_master WHERE type = 'table')
		ORDER BY name`)
	copied := 0
	for _, name := range tables {
		// The columns both have: a later step may add columns to a table
		// (step 12 to api_tokens and audit_log) that the earlier database
		// gets only when Open upgrades it.
		cols := strings.Join(queryStrings(t, db, `
			SELECT '"' || name || '"'
			FROM main.pragma_table_info('`+name+`')
			WHERE name IN (SELECT name FROM src.pragma_table_info('`+name+`'))
			ORDER BY cid`), ", ")
		res, err := db.Exec(`INSERT OR REPLACE INTO main."` + name + `" (` + cols + `) SELECT ` + cols + ` FROM src."` + name + `"`)
		if err != nil {
			t.Fatalf("copy %s: %v", name, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			copied++
		}
	}
	if copied < 8 {
		t.Fatalf("rows copied into %d of %d tables", copied, len(tables))
	}
	if _, err := db.Exec(`PRAGMA foreign_keys = ON`); err != nil {
		t.Fatal(err)
	}
}

// demoBeforeStep opens a database at path with the schema up to step
// (exclusive), which must be the step that first has adds, and loads the
// demo into it with today's code, which writes the columns of later steps:
// they are there while it does, and dropLaterSteps takes them away before
// the upgrade. The store is closed at the end of the test if not before.
func demoBeforeStep(t *testing.T, path string, step int, adds string) (old *caseload.Store, dropLaterSteps func()) {
	t.Helper()
	cut := strings.Index(clinic.Schema, fmt.Sprintf("\n-- step: %d\n", step))
	if cut < 0 || !strings.Contains(clinic.Schema[cut:], adds) || strings.Contains(clinic.Schema[:cut], adds) {
		t.Fatalf("step %d of the schema is not the one that adds %q", step, adds)
	}
	old, err := caseload.Open(path, clinic.Schema[:cut+1], (&clock{t: testNow}).now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { old.Close() })
	dropLaterSteps = caseload.LaterStepsForTest(t, old.DBForTest(), clinic.Schema, step)
	if _, err := demo.Load(t.Context(), old); err != nil {
		t.Fatal(err)
	}
	return old, dropLaterSteps
}

// queryStrings returns the one text column of every row of query.
func queryStrings(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// A database at step 17 (the demo, with demographics, EndCodes and
// contacts at their own intensity) gets at Open, in step 18's columns
// (written in step 21's transaction, with that step's count of data set
// problems), the report facts its saves would have written: every row equals the rows of the
// same service kept by today's code.
func TestUpgradeToStep18WritesReportFacts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clinic.db")
	old, dropLaterSteps := demoBeforeStep(t, path, caseload.ReportFactsStepForTest, "ADD COLUMN first_assessment_on")
	kept := reportRows(t, old.DBForTest())
	dropLaterSteps()
	if got := reportRows(t, old.DBForTest()); len(got) != len(kept) || len(got[0]) >= len(kept[0]) {
		t.Fatalf("the step 17 database has %d rows of %d columns; want %d rows without step 18's columns", len(got), len(got[0]), len(kept))
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	s, _ := openSchema(t, path, clinic.Schema, &clock{t: testNow})
	checkSchemaAsNew(t, s.DBForTest())
	upgraded := reportRows(t, s.DBForTest())
	if diff := cmp.Diff(kept, upgraded); diff != "" {
		t.Errorf("report rows after step 18 differ from those kept by the saves (-kept +upgraded):\n%s", diff)
	}
	var groups int
	if err := s.DBForTest().QueryRow(`SELECT COUNT(*) FROM report_referral WHERE ethnic_group <> 'not_stated' AND end_code <> ''`).Scan(&groups); err != nil || groups == 0 {
		t.Errorf("%d upgraded rows have an ethnic group and an EndCode (%v); the demo has some", groups, err)
	}
}

// reviewColumns are the review columns of every open summary (schema step
// 21), one string per referral.
func reviewColumns(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`
		SELECT referral_id || ' ' || review_flags_json || ' ' || outcome_hash || ' ' || COALESCE(last_attended_on, '-')
		FROM referral_summary WHERE is_open = 1 ORDER BY referral_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// A database from before schema step 22 gets every open summary's review
// columns filled from Go as the demo's saves wrote them.
func TestUpgradeToStep22FillsReviewColumns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clinic.db")
	old, dropLaterSteps := demoBeforeStep(t, path, 22, "ADD COLUMN review_flags_json")
	kept := reviewColumns(t, old.DBForTest())
	flagged := 0
	for _, k := range kept {
		if !strings.Contains(k, " {} ") {
			flagged++
		}
	}
	if len(kept) == 0 || flagged == 0 {
		t.Fatalf("the demo has %d open referrals, %d with flags kept: the comparison would test nothing", len(kept), flagged)
	}
	dropLaterSteps()
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	s, _ := openSchema(t, path, clinic.Schema, &clock{t: testNow})
	checkSchemaAsNew(t, s.DBForTest())
	if diff := cmp.Diff(kept, reviewColumns(t, s.DBForTest())); diff != "" {
		t.Errorf("review columns after step 22 differ from those kept by the saves (-kept +upgraded):\n%s", diff)
	}
}

// reviewListRows are, for every summary, the columns schema step 23 adds
// (kept) and the same worked out from the referral, its patient and its
// latest review (recomputed).
func reviewListRows(t *testing.T, db *sql.DB) (kept, recomputed []string) {
	t.Helper()
	read := func(q string) []string {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	kept = read(`
		SELECT referral_id || '|' || patient_name || '|' || brought || '|' || seen_hash || '|' || seen_severities_json
		FROM referral_summary ORDER BY referral_id`)
	recomputed = read(`
		SELECT m.referral_id || '|' || p.name || '|' || (r.bring_to_supervision <> '') || '|' ||
			COALESCE(v.outcome_hash, '') || '|' || COALESCE(v.flag_severities_json, '{}')
		FROM referral_summary m
		JOIN referrals r ON r.id = m.referral_id
		JOIN patients p ON p.id = r.patient_id
		LEFT JOIN reviews v ON v.id = (
			SELECT id FROM reviews WHERE referral_id = m.referral_id ORDER BY date DESC, id DESC LIMIT 1)
		ORDER BY m.referral_id`)
	return kept, recomputed
}

// A database from before schema step 23, with reviews (two of one
// referral, the later-dated recorded first) and a case brought, gets every
// summary's patient name, brought and latest review's hash and severities
// filled by the step, equal to a recomputation.
func TestUpgradeToStep23FillsReviewListColumns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clinic.db")
	old, dropLaterSteps := demoBeforeStep(t, path, 23, "ADD COLUMN seen_hash")
	dropLaterSteps()
	db := old.DBForTest()
	var first, second, supervisor int64
	if err := db.QueryRow(`
		SELECT
			(SELECT MIN(referral_id) FROM referral_summary),
			(SELECT MAX(referral_id) FROM referral_summary),
			(SELECT MIN(id) FROM users)`).Scan(&first, &second, &supervisor); err != nil || first == second {
		t.Fatalf("the demo has referrals %d and %d (%v); want two", first, second, err)
	}
	for _, q := range []string{
		`INSERT INTO reviews (referral_id, supervisor_id, date, decision, outcome_hash, flag_severities_json, created_at)
			VALUES (?1, ?2, '2026-03-01', 'continue', 'later', '{"risk":"high"}', '2026-03-01T10:00:00Z')`,
		`INSERT INTO reviews (referral_id, supervisor_id, date, decision, outcome_hash, flag_severities_json, created_at)
			VALUES (?1, ?2, '2026-02-01', 'continue', 'earlier', '{}', '2026-03-02T10:00:00Z')`,
		`UPDATE referrals SET bring_to_supervision = 'Stuck' WHERE id = ?3`,
	} {
		if _, err := db.Exec(q, first, supervisor, second); err != nil {
			t.Fatal(err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	s, _ := openSchema(t, path, clinic.Schema, &clock{t: testNow})
	checkSchemaAsNew(t, s.DBForTest())
	kept, recomputed := reviewListRows(t, s.DBForTest())
	if diff := cmp.Diff(recomputed, kept); diff != "" {
		t.Errorf("review list columns after step 23 differ from a recomputation (-recomputed +kept):\n%s", diff)
	}
	joined := strings.Join(kept, "\n")
	if !strings.Contains(joined, fmt.Sprintf("%d|", first)) || !strings.Contains(joined, `|later|{"risk":"high"}`) || !strings.Contains(joined, "|1||{}") {
		t.Errorf("the upgraded columns miss the latest review or the case brought:\n%s", joined)
	}
}
