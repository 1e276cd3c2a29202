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

// Issue 15, 6: the database, its WAL and shared-memory files, a backup and
// the copy a restore keeps are all 0600, under the usual umask (022).
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
	backup := filepath.Join(dir, "backup.db")
	if _, err := Backup(context.Background(), db, backup); err != nil {
		t.Fatal(err)
	}
	if m := mode(backup); m != PrivateMode {
		t.Errorf("backup: mode %v, want %v", m, PrivateMode)
	}
	if exposed, _, err := Exposed(backup); err != nil || exposed {
		t.Errorf("Exposed(backup) = %v, %v", exposed, err)
	}
	s.Close()
	kept, err := Restore(context.Background(), backup, db, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if m := mode(kept); m != PrivateMode {
		t.Errorf("%s: mode %v, want %v", filepath.Base(kept), m, PrivateMode)
	}
	if err := os.Chmod(backup, 0o644); err != nil {
		t.Fatal(err)
	}
	if exposed, _, err := Exposed(backup); err != nil || !exposed {
		t.Errorf("Exposed of a 0644 file = %v, %v", exposed, err)
	}
}
