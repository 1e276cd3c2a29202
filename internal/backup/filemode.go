package backup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// A backup holds every patient's record: it, and the copy a restore keeps of
// the database it replaces, are readable by the owner only (issue 15: under
// the usual umask SQLite made them 0644). Creating the file 0600 before
// SQLite opens it is enough, as SQLite keeps an existing file's mode. The
// same rule for the live database is caseload's (caseload.PrivateMode).

// privateMode is the permission of every file a backup or restore writes.
const privateMode fs.FileMode = 0o600

// createPrivate creates an empty file at path, 0600, unless it exists.
// With exclusive, an existing file is an error.
func createPrivate(path string, exclusive bool) error {
	flags := os.O_RDWR | os.O_CREATE
	if exclusive {
		flags |= os.O_EXCL
	}
	f, err := os.OpenFile(path, flags, privateMode) // #nosec G304 -- the operator's own database or backup path
	if err != nil {
		if !exclusive && errors.Is(err, fs.ErrExist) {
			return nil
		}
		return fmt.Errorf("create %s: %w", path, err)
	}
	return f.Close()
}
