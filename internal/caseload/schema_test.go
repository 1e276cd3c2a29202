package caseload

import (
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"clinic"
	"clinic/internal/measures"
)

var update = flag.Bool("update", false, "rewrite schema_current.sql from schema.sql")

// snapshotPath is the readable snapshot of the schema with every step
// applied, kept at the repository's root beside schema.sql.
var snapshotPath = filepath.Join("..", "..", "schema_current.sql")

// schemaSnapshot is the schema of a new database with every step of
// schema.sql applied, as sqlite_master holds it: each table followed by its
// indexes and triggers, tables by name.
func schemaSnapshot(t *testing.T) string {
	t.Helper()
	s, _ := openTest(t)
	var version int
	if err := s.db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	rows, err := s.db.Query(`
		SELECT type, name, sql
		FROM sqlite_master
		WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'
		ORDER BY tbl_name, CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "-- clinic's schema with every step of schema.sql applied (PRAGMA user_version = %d),\n", version)
	b.WriteString("-- as SQLite holds it in sqlite_master: each table, then its indexes and triggers.\n")
	b.WriteString("-- Generated, for reading only (schema.sql is what runs); regenerate with\n")
	b.WriteString("--   go test ./internal/caseload -run TestSchemaSnapshot -update\n")
	for rows.Next() {
		var typ, name, text string
		if err := rows.Scan(&typ, &name, &text); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "\n-- %s %s\n%s;\n", typ, name, strings.TrimSpace(text))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// schema_current.sql is the schema that schema.sql's steps add up to: a
// step added without regenerating it fails here.
func TestSchemaSnapshot(t *testing.T) {
	got := schemaSnapshot(t)
	if *update {
		if err := os.WriteFile(snapshotPath, []byte(got), 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(snapshotPath)
	if err != nil {
		t.Fatalf("%v; create it with: go test ./internal/caseload -run TestSchemaSnapshot -update", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("schema_current.sql is stale: regenerate it with\n\tgo test ./internal/caseload -run TestSchemaSnapshot -update\n(-snapshot +schema.sql applied):\n%s", diff)
	}
}

// goFieldNames are the names of every field of measures.Outcome and the
// types it holds: encoding/json writes outcome_json under these names.
func goFieldNames() map[string]bool {
	names := map[string]bool{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t.PkgPath() != reflect.TypeFor[measures.Outcome]().PkgPath() {
			return
		}
		for f := range t.Fields() {
			if !names[f.Name] {
				names[f.Name] = true
				walk(f.Type)
			}
		}
	}
	walk(reflect.TypeFor[measures.Outcome]())
	return names
}

// jsonPath finds a JSON path's first member name in SQL: '$.Name.
var jsonPath = regexp.MustCompile(`'\$\.([A-Za-z_][A-Za-z0-9_]*)`)

// anyJSONPath finds any JSON path's first member in SQL, however spelt.
var anyJSONPath = regexp.MustCompile(`'\$\.([^'.\[]*)`)

// goFieldPaths lists the JSON paths in sql that name a Go field.
func goFieldPaths(sql string, fields map[string]bool) []string {
	var found []string
	for _, m := range jsonPath.FindAllStringSubmatch(sql, -1) {
		if fields[m[1]] {
			found = append(found, m[0])
		}
	}
	return found
}

// No SQL reads the outcome JSON by a Go field name: renaming a field of
// measures.Outcome would silently turn such a read into NULL (and a report
// into zeros). What is derived from an outcome is written from Go, so
// schema.sql has no JSON path naming a Go field, in any step or comment; the
// steps as they first shipped are test data
// (testdata/schema_steps_1_9_as_shipped.sql). The one kind of path allowed
// starts at an instrument's id ('$.phq9[8]' in a patient's stored answers):
// ids are data, stored as such in scores.instrument, not Go names.
func TestSchemaNamesNoGoField(t *testing.T) {
	ids := map[string]bool{}
	for _, in := range measures.Instruments() {
		ids[string(in.ID)] = true
	}
	for i, line := range strings.Split(clinic.Schema, "\n") {
		for _, m := range anyJSONPath.FindAllStringSubmatch(line, -1) {
			if !ids[m[1]] {
				t.Errorf("schema.sql:%d has a JSON path not starting at an instrument id: write the value from Go (summary.go) instead\n\t%s", i+1, line)
			}
		}
	}
	fields := goFieldNames()
	if !fields["AtCaseness"] || !fields["Count"] {
		t.Fatalf("field names of measures.Outcome not found: %v", fields)
	}
	// Nor does anything in the database as every step leaves it.
	if found := goFieldPaths(schemaSnapshot(t), fields); len(found) > 0 {
		t.Errorf("the schema as it stands reads outcome JSON by Go field names: %v", found)
	}
	// The check itself finds such a path.
	if len(goFieldPaths(`json_extract(outcome_json, '$.Recovered')`, fields)) != 1 {
		t.Error("goFieldPaths missed '$.Recovered'")
	}
}

// The one JSON path Go code reads outcome_json by (expectation.go) names a
// member the store's encoding of an outcome has.
func TestOutcomeMeasuresPath(t *testing.T) {
	s, _ := openTest(t)
	js, err := json.Marshal(measures.Outcome{Measures: map[measures.InstrumentID]measures.MeasureOutcome{measures.PHQ9: {First: 12}}})
	if err != nil {
		t.Fatal(err)
	}
	var got sql.NullString
	if err := s.db.QueryRow(`SELECT json_extract(?, '`+outcomeMeasuresPath+`')`, string(js)).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if !got.Valid || !strings.Contains(got.String, `"First":12`) {
		t.Errorf("json_extract(outcome, %q) = %v, want the measures", outcomeMeasuresPath, got)
	}
}
