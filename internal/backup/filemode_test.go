package backup

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Issue 15, 6: a backup, the copy a restore keeps of the database it
// replaces, and a database restored where none was are 0600 under the usual
// umask (022).
func TestBackupFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	db := newDatabase(t, dir, "North")
	mode := func(p string) os.FileMode {
		t.Helper()
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return st.Mode().Perm()
	}
	backup := filepath.Join(dir, "backup.db")
	if _, err := Backup(context.Background(), db, backup); err != nil {
		t.Fatal(err)
	}
	if m := mode(backup); m != privateMode {
		t.Errorf("backup: mode %v, want %v", m, privateMode)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	kept, err := Restore(context.Background(), backup, db, now)
	if err != nil {
		t.Fatal(err)
	}
	if m := mode(kept); m != privateMode {
		t.Errorf("%s: mode %v, want %v", filepath.Base(kept), m, privateMode)
	}
	fresh := filepath.Join(dir, "new", "clinic.db")
	if _, err := Restore(context.Background(), backup, fresh, now); err != nil {
		t.Fatal(err)
	}
	if m := mode(fresh); m != privateMode {
		t.Errorf("restored into a new file: mode %v, want %v", m, privateMode)
	}
}
