package backup

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"clinic"
	"clinic/internal/caseload"
)

// newDatabase makes a clinic database with one team in dir and returns its
// path; the store stays open (as a running server's would) until the test
// ends.
func newDatabase(t *testing.T, dir, team string) string {
	t.Helper()
	path := filepath.Join(dir, "clinic.db")
	s, err := caseload.Open(path, clinic.Schema, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.CreateUser(context.Background(), caseload.NewUser{Email: "ana@example.org", Name: "Ana", Role: caseload.RoleTherapist, Team: team, Password: "a long pass phrase"}); err != nil {
		t.Fatal(err)
	}
	return path
}

func teamNames(t *testing.T, path string) []string {
	t.Helper()
	db, err := sql.Open("sqlite3", path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM teams ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

// A backup of an open database restores over another, which is kept.
func TestBackupAndRestore(t *testing.T) {
	ctx := t.Context()
	src := newDatabase(t, t.TempDir(), "North")
	dest := filepath.Join(t.TempDir(), "copy.db")
	pages, err := Backup(ctx, src, dest)
	if err != nil || pages < 1 {
		t.Fatalf("backup: %d pages, %v", pages, err)
	}
	if got := teamNames(t, dest); len(got) != 1 || got[0] != "North" {
		t.Errorf("backup holds teams %v, want [North]", got)
	}
	if _, err := Backup(ctx, src, dest); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a second backup over the first: %v, want a refusal", err)
	}

	dir := t.TempDir()
	other := filepath.Join(dir, "clinic.db")
	{
		s, err := caseload.Open(other, clinic.Schema, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(ctx, caseload.NewUser{Email: "bo@example.org", Name: "Bo", Role: caseload.RoleTherapist, Team: "South", Password: "a long pass phrase"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 11, 21, 8, 30, 0, 0, time.UTC)
	kept, err := Restore(ctx, dest, other, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := other + ".before-restore-20261121T083000Z"; kept != want {
		t.Errorf("kept %q, want %q", kept, want)
	}
	if got := teamNames(t, other); len(got) != 1 || got[0] != "North" {
		t.Errorf("restored database holds teams %v, want [North]", got)
	}
	if got := teamNames(t, kept); len(got) != 1 || got[0] != "South" {
		t.Errorf("kept database holds teams %v, want [South]", got)
	}
}

// Restore refuses a file that is not a clinic database, and changes nothing.
func TestRestoreRefusesOtherFiles(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	stranger := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite3", stranger)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE notes (text TEXT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	target := filepath.Join(dir, "clinic.db")
	if _, err := Restore(ctx, stranger, target, time.Now()); err == nil || !strings.Contains(err.Error(), "not a clinic database") {
		t.Errorf("restore from a stranger: %v, want a refusal", err)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Errorf("a refused restore left %s: %v", target, err)
	}
}
