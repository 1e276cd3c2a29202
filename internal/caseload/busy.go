package caseload

import (
	"errors"
	"strings"

	"github.com/mattn/go-sqlite3"
)

// IsBusy reports whether err is SQLite's "database is locked" (SQLITE_BUSY
// or SQLITE_LOCKED) after the busy timeout: another connection or process
// (such as maintenance beside the live server) held the lock too long. The
// request did nothing and may be tried again shortly.
func IsBusy(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked
	}
	// Some paths of the driver report it only as text.
	return err != nil && strings.Contains(err.Error(), "database is locked")
}
