// Package backup copies a clinic database while it is in use and restores
// one, through SQLite's online backup API. It stands apart from the store:
// it works on database files, never through caseload's Store.
package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Backup writes a consistent copy of the database file at src to dest with
// SQLite's online backup API. It works while a server has the database open:
// the copy is taken in one step under a read transaction, so it is the
// database as of one commit, and in WAL mode writers are not held up. dest
// must not exist yet (a backup never overwrites anything).
func Backup(ctx context.Context, src, dest string) (pages int, err error) {
	if _, err := os.Stat(src); err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	if _, err := os.Stat(dest); err == nil {
		return 0, fmt.Errorf("backup: %s already exists; choose a new file", dest)
	} else if !errors.Is(err, os.ErrNotExist) {
		return 0, fmt.Errorf("backup: %w", err)
	}
	if err := createPrivate(dest, true); err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	pages, err = copyDatabase(ctx, src+"?mode=ro&_busy_timeout=5000", dest+"?_busy_timeout=5000")
	if err != nil {
		os.Remove(dest)
		return 0, fmt.Errorf("backup: %w", err)
	}
	if err := checkIntegrity(ctx, dest); err != nil {
		return 0, fmt.Errorf("backup: the copy failed its check: %w", err)
	}
	return pages, nil
}

// Restore replaces the database at dbPath with the backup at from. The
// backup is checked first (integrity and that it is a clinic database); the
// database it replaces is not deleted but kept beside it as
// dbPath.before-restore-<time>, so a restore loses nothing either. The server
// must be stopped while a restore runs.
func Restore(ctx context.Context, from, dbPath string, now time.Time) (kept string, err error) {
	if err := checkIntegrity(ctx, from); err != nil {
		return "", fmt.Errorf("restore: %s is not a usable backup: %w", from, err)
	}
	if err := checkClinicDatabase(ctx, from); err != nil {
		return "", fmt.Errorf("restore: %s: %w", from, err)
	}
	if _, err := os.Stat(dbPath); err == nil {
		kept = dbPath + ".before-restore-" + now.UTC().Format("20060102T150405Z")
		// Copy the current database aside with the backup API too, so that
		// its WAL content is included.
		if err := createPrivate(kept, true); err != nil {
			return "", fmt.Errorf("restore: keep the current database: %w", err)
		}
		if _, err := copyDatabase(ctx, dbPath+"?_busy_timeout=5000", kept); err != nil {
			os.Remove(kept)
			return "", fmt.Errorf("restore: keep the current database: %w", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("restore: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	if err := createPrivate(dbPath, false); err != nil {
		return kept, fmt.Errorf("restore: %w", err)
	}
	// Copying into the live file through SQLite (not a file copy) keeps its
	// WAL and shared-memory files consistent with the new content.
	if _, err := copyDatabase(ctx, from+"?mode=ro", dbPath+"?_busy_timeout=5000&_journal_mode=WAL"); err != nil {
		return kept, fmt.Errorf("restore: %w", err)
	}
	if err := checkIntegrity(ctx, dbPath); err != nil {
		return kept, fmt.Errorf("restore: the restored database failed its check: %w", err)
	}
	return kept, nil
}

// copyDatabase copies every page of the main database of src into dest.
func copyDatabase(ctx context.Context, srcDSN, destDSN string) (int, error) {
	srcDB, err := sql.Open("sqlite3", srcDSN)
	if err != nil {
		return 0, err
	}
	defer srcDB.Close()
	destDB, err := sql.Open("sqlite3", destDSN)
	if err != nil {
		return 0, err
	}
	defer destDB.Close()

	srcConn, err := srcDB.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("open source: %w", err)
	}
	defer srcConn.Close()
	destConn, err := destDB.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("open destination: %w", err)
	}
	defer destConn.Close()

	var pages int
	err = destConn.Raw(func(d any) error {
		dc, ok := d.(*sqlite3.SQLiteConn)
		if !ok {
			return errors.New("destination is not a SQLite connection")
		}
		return srcConn.Raw(func(s any) error {
			sc, ok := s.(*sqlite3.SQLiteConn)
			if !ok {
				return errors.New("source is not a SQLite connection")
			}
			b, err := dc.Backup("main", sc, "main")
			if err != nil {
				return err
			}
			// One step copies every page under one read transaction, so the
			// copy is of a single commit.
			done, err := b.Step(-1)
			pages = b.PageCount()
			if ferr := b.Finish(); err == nil {
				err = ferr
			}
			if err == nil && !done {
				err = errors.New("backup stopped before the last page")
			}
			return err
		})
	})
	return pages, err
}

func checkIntegrity(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite3", path+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("integrity_check: %s", res)
	}
	return nil
}

// checkClinicDatabase refuses a file that is not a clinic database.
func checkClinicDatabase(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite3", path+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var version, tables int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('referrals', 'contacts', 'scores')`).Scan(&tables); err != nil {
		return err
	}
	if version == 0 || tables != 3 {
		return errors.New("not a clinic database")
	}
	return nil
}
