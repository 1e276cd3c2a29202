package caseload

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	_ "time/tzdata" // the clinic's calendar is Europe/London, on any host

	"github.com/mattn/go-sqlite3"
)

// Store is clinic's database: every read and write of the domain goes through
// its methods, each one statement or one transaction.
type Store struct {
	db     *sql.DB       // writes: one connection, BEGIN IMMEDIATE
	writes *committer    // runs withTx's work on db, committing concurrent requests together (commit.go)
	ckpt   *checkpointer // copies the write-ahead log into the database, off the committer (checkpoint.go)
	read   *sql.DB       // reads: a pool of query-only connections, deferred transactions
	now    func() time.Time

	expect *expectationCache // expected-response curves for supervision flags (expectation.go)

	preparedSaves atomic.Int64 // saves written as worked out on their snapshot (RecordContact), for tests

	counts writeCounts // writes begun and ended, for Version (version.go)

	tokenUsers tokenUsers // API tokens' users, kept between writes (tokens.go)
}

// The connection settings, chosen so that no acknowledged write is lost:
//
//   - _journal_mode=WAL: readers never block the writer nor the writer them,
//     and a crash mid-write leaves the database as of the last commit.
//   - _synchronous=FULL: in WAL mode, NORMAL syncs the log only at
//     checkpoints, so a power cut or OS crash can lose the last commits even
//     though the application was told they succeeded; FULL syncs the log on
//     every commit, so a commit that returned is on disk.
//   - _foreign_keys=on: SQLite leaves foreign keys off unless asked, per
//     connection.
//   - _busy_timeout=5000: wait up to 5 s for another connection's lock
//     instead of failing at once with SQLITE_BUSY.
//   - _txlock=immediate (writer): take the write lock at BEGIN, so that a
//     transaction that reads and then writes cannot fail half-way with
//     SQLITE_BUSY when another writer got in between (a deferred transaction
//     cannot be upgraded while another holds the lock, and busy_timeout does
//     not help there).
//   - the writer pool has one connection: SQLite allows one writer at a time
//     anyway, and Go's pool queues waiters more fairly than busy_timeout.
//   - readers use deferred transactions and _query_only, so reads run in
//     parallel against a consistent snapshot and can never write.
//   - _stmt_cache_size: each connection keeps its most recently used
//     prepared statements, so that a query run again (every save runs the
//     same few dozen) is not parsed and planned again: under load,
//     preparing statements was a fifth of the server's CPU (issue 17). A
//     statement in use is taken out of the cache, so two uses never share
//     one; the cache is per connection, so it needs no locking of ours.
//   - _mutex=no: SQLite need not lock a connection against use by two
//     threads at once, because it never is: database/sql gives a connection
//     to one goroutine at a time, and go-sqlite3 guards its own state; the
//     one call made from elsewhere, sqlite3_interrupt, takes no lock. With
//     the lock, every sqlite3_column_* call of every row took and released
//     it: 3% of the server's CPU under a load of saves, and a sixth of the
//     cost of reading a referral's contacts (issue 17).
const (
	writerOptions = "_journal_mode=WAL&_synchronous=FULL&_foreign_keys=on&_busy_timeout=5000&_txlock=immediate&_stmt_cache_size=128&_mutex=no"
	readerOptions = "_journal_mode=WAL&_synchronous=FULL&_foreign_keys=on&_busy_timeout=5000&_txlock=deferred&_query_only=true&_stmt_cache_size=64&_mutex=no"
)

// idleReaders is how many read connections are kept open when idle.
const idleReaders = 16

// Open opens (creating if need be) the database file at path, applies the
// schema steps it has not yet had, and returns the store. now is the clock;
// nil means time.Now.
func Open(path string, schema string, now func() time.Time) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") || path == ":memory:" {
		return nil, fmt.Errorf("open store: %q is not a plain file path", path)
	}
	if now == nil {
		now = time.Now
	}
	steps, err := parseSteps(schema)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := createPrivate(path, true); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
	}
	db, err := sql.Open(writerDriver, path+"?"+writerOptions) // statements run to their end (writer_driver.go)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db.SetMaxOpenConns(1)
	if err := migrate(db, steps); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	read, err := sql.Open(readerDriver, path+"?"+readerOptions) // SQLite with export_pseudonym (pseudonym_export.go)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	// Up to this many readers stay open between bursts: opening one costs
	// its pragmas and loses its statement cache. The pool itself is not
	// capped: a streamed export holds a reader while its client reads.
	read.SetMaxIdleConns(idleReaders)
	ckpt, err := startCheckpointer(path)
	if err != nil {
		db.Close()
		read.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	return &Store{db: db, writes: newCommitter(db, ckpt), ckpt: ckpt, read: read, now: now, expect: newExpectationCache()}, nil
}

// Close stops the store's background work (a rebuild of the expected-response
// curves) and closes the database, letting SQLite refresh its query
// statistics.
func (s *Store) Close() error {
	s.expect.close()
	s.writes.close()
	cerr := s.ckpt.close()
	_, optErr := s.db.Exec("PRAGMA optimize")
	rerr := s.read.Close()
	werr := s.db.Close()
	if err := errors.Join(werr, rerr, optErr, cerr); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// Now returns the store's clock reading, in UTC.
func (s *Store) Now() time.Time { return s.now().UTC() }

// london is the clinic's calendar: "today" for a contact date is the date in
// England, which is an hour ahead of UTC in summer.
var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// Today returns the clinic's calendar date, YYYY-MM-DD: the date in England
// by the store's clock. Contact, referral and end dates may not be after it;
// forms should default to it.
func (s *Store) Today() string { return s.today() }

// today is the current calendar date in England, YYYY-MM-DD.
func (s *Store) today() string { return s.now().In(london).Format(dateLayout) }

type step struct {
	n   int
	sql string
}

var stepLine = regexp.MustCompile(`(?m)^-- step: *(\d+) *$`)

// parseSteps splits the schema at its "-- step: N" lines; steps must be
// numbered 1, 2, 3... in order.
func parseSteps(schema string) ([]step, error) {
	locs := stepLine.FindAllStringSubmatchIndex(schema, -1)
	if len(locs) == 0 {
		return nil, errors.New("schema has no \"-- step: N\" lines")
	}
	var steps []step
	for i, loc := range locs {
		n, err := strconv.Atoi(schema[loc[2]:loc[3]])
		if err != nil {
			return nil, fmt.Errorf("schema step number: %w", err)
		}
		if n != i+1 {
			return nil, fmt.Errorf("schema step %d found where step %d was expected", n, i+1)
		}
		end := len(schema)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		steps = append(steps, step{n: n, sql: schema[loc[1]:end]})
	}
	return steps, nil
}

// reportsFromGoStep is the schema step from which report_referral is
// written only from Go (schema.sql, step 10). Steps 7 and 8 create the report
// tables without filling them, so a database that had summaries before that
// step (one that was at steps 1 to 9) gets every report row written from its
// stored outcomes in the step's own transaction: the new user_version is
// committed only with the rows. A new database has no summaries to report.
const reportsFromGoStep = 10

// reportFactsStep is the schema step that adds report_referral's facts
// (issue 13); datasetProblemsStep adds their count of data set validation
// problems. A database that had report rows gets every row's facts written
// from Go, from its contacts, in the transaction of the later of the two
// (the facts are written whole, so not before every column of theirs is
// there).
const (
	reportFactsStep     = 18
	datasetProblemsStep = 21
)

// reviewStateStep is the schema step that adds the summaries' review
// columns; a database that had summaries before it gets them filled from Go
// (backfillReviewState) in the step's own transaction.
const reviewStateStep = 22

// migrate applies each step above the database's user_version, each in its
// own transaction together with the new user_version.
func migrate(db *sql.DB, steps []step) error {
	var version int
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version > len(steps) {
		return fmt.Errorf("database schema version %d is newer than this program's (%d)", version, len(steps))
	}
	for _, st := range steps[version:] {
		backfill := st.n == reportsFromGoStep && version >= 1
		facts := st.n == datasetProblemsStep && version >= 1
		review := st.n == reviewStateStep && version >= 1
		if err := applyStep(db, st, backfill, facts, review); err != nil {
			return fmt.Errorf("schema step %d: %w", st.n, err)
		}
	}
	return nil
}

// applyStep runs one step and sets user_version to its number in one
// transaction, writing every report row from Go after the step's SQL when
// backfill is set.
func applyStep(db *sql.DB, st step, backfill, facts, review bool) error {
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, st.sql); err != nil {
		return err
	}
	if backfill {
		if err := backfillReports(ctx, tx); err != nil {
			return fmt.Errorf("report rows: %w", err)
		}
	}
	if facts {
		if err := refreshAllReportFacts(ctx, tx); err != nil {
			return fmt.Errorf("report facts: %w", err)
		}
	}
	if review {
		if err := backfillReviewState(ctx, tx); err != nil {
			return fmt.Errorf("review state: %w", err)
		}
	}
	// PRAGMA takes no placeholders; n is an integer we parsed.
	if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(st.n)); err != nil {
		return err
	}
	return tx.Commit()
}

// withTx runs fn in a write transaction (BEGIN IMMEDIATE) and returns once
// it has committed (durably) or rolled back: fn's error, or the commit's.
// The transaction may be shared with other requests' work (see commit.go),
// each in a savepoint of its own, so fn must not commit or roll back tx
// itself, and Go-side state that depends on fn's writes must be changed only
// after withTx returns nil (a later commit can still fail). A request whose
// ctx ends before its turn is not run.
//
// Every withTx counts as a possible change for Version (version.go).
func (s *Store) withTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.withTxOn(ctx, 0, fn)
}

// withTxOn is withTx for work that changes the records of one referral only
// (a save: see doOn in commit.go); it counts for Version as withTx does, but
// not for AccessVersion (version.go): such work changes no user, team,
// cover or token.
func (s *Store) withTxOn(ctx context.Context, referralID int64, fn func(tx *sql.Tx) error) error {
	s.counts.begun.Add(1)
	defer s.counts.ended.Add(1)
	if referralID == 0 {
		s.counts.accessBegun.Add(1)
		defer s.counts.accessEnded.Add(1)
		return s.writes.doOn(ctx, referralID, fn)
	}
	// A save leaves AccessVersion alone, so it looks for other processes'
	// commits as an audited view does: under a load of saves alone, a
	// user's teams or cover changed by another process would otherwise
	// stay kept until the next view (version.go).
	return s.writes.doOn(ctx, referralID, func(tx *sql.Tx) error {
		if err := s.noticeOtherWriters(ctx, tx); err != nil {
			return err
		}
		return fn(tx)
	})
}

// withRead runs fn in a read transaction, so that its queries see one
// snapshot of the database.
func (s *Store) withRead(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

const (
	dateLayout  = "2006-01-02"
	stampLayout = "2006-01-02T15:04:05.000000Z"
)

// stamp formats an instant for storage: UTC, fixed width, sortable as text.
func stamp(t time.Time) string { return t.UTC().Format(stampLayout) }

// parseStamp reads an instant written by stamp; NULL or empty is the zero time.
func parseStamp(v sql.NullString) (time.Time, error) {
	if !v.Valid || v.String == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(stampLayout, v.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad stored instant %q: %w", v.String, err)
	}
	return t, nil
}

// parseDate reads a YYYY-MM-DD calendar date as UTC midnight.
func parseDate(s string) (time.Time, bool) {
	if len(s) != len(dateLayout) {
		return time.Time{}, false
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// isUnique reports whether err is a violation of a UNIQUE constraint.
func isUnique(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

// validation collects field messages.
type validation map[string]string

func (v validation) add(field, msg string) {
	if _, ok := v[field]; !ok {
		v[field] = msg
	}
}

func (v validation) err() error {
	if len(v) == 0 {
		return nil
	}
	return &ValidationError{Fields: v}
}
