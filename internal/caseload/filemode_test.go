package caseload

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"clinic"
)

// Issue 15, 6: the database, its WAL and shared-memory files are 0600, under
// the usual umask (022); Exposed tells a private file from an exposed one.
// (Backups and the copy a restore keeps: internal/backup's
// TestBackupFilesArePrivate.)
func TestDatabaseFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	db := filepath.Join(dir, "clinic.db")
	s, err := Open(db, clinic.Schema, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(context.Background(), NewUser{Email: "m@example.nhs.uk", Name: "Mo", Role: RoleAdmin, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	mode := func(p string) fs.FileMode {
		t.Helper()
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return st.Mode().Perm()
	}
	for _, p := range []string{db, db + "-wal", db + "-shm"} {
		if m := mode(p); m != PrivateMode {
			t.Errorf("%s: mode %v, want %v", filepath.Base(p), m, PrivateMode)
		}
	}
	s.Close()
	exposedFile := filepath.Join(dir, "exposed.db")
	if err := os.WriteFile(exposedFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if exposed, _, err := Exposed(exposedFile); err != nil || exposed {
		t.Errorf("Exposed of a 0600 file = %v, %v", exposed, err)
	}
	if err := os.Chmod(exposedFile, 0o644); err != nil {
		t.Fatal(err)
	}
	if exposed, _, err := Exposed(exposedFile); err != nil || !exposed {
		t.Errorf("Exposed of a 0644 file = %v, %v", exposed, err)
	}
}
