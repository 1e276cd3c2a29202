package caseload

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// The database holds patients' records: its file, and the WAL and
// shared-memory files beside it, are readable by the owner only (issue 15:
// under the usual umask SQLite made them 0644). SQLite gives the -wal and
// -shm files the database file's permissions, so creating the database
// file 0600 before SQLite opens it is enough; backups and the copy a
// restore keeps are created 0600 the same way.

// PrivateMode is the permission of every file clinic writes patient data to.
const PrivateMode fs.FileMode = 0o600

// createPrivate creates an empty file at path, 0600, unless it exists.
// With exclusive, an existing file is an error.
func createPrivate(path string, exclusive bool) error {
	flags := os.O_RDWR | os.O_CREATE
	if exclusive {
		flags |= os.O_EXCL
	}
	f, err := os.OpenFile(path, flags, PrivateMode) // #nosec G304 -- the operator's own database path
	if err != nil {
		if !exclusive && errors.Is(err, fs.ErrExist) {
			return nil
		}
		return fmt.Errorf("create %s: %w", path, err)
	}
	return f.Close()
}

// Exposed reports whether the file at path can be read or written by its
// group or by everyone, and its mode, so that the server can warn at start.
func Exposed(path string) (bool, fs.FileMode, error) {
	st, err := os.Stat(path)
	if err != nil {
		return false, 0, err
	}
	return st.Mode().Perm()&0o077 != 0, st.Mode().Perm(), nil
}
