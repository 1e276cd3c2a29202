package caseload

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/mattn/go-sqlite3"
)

// Which referrals' records changed since a snapshot (issue 17). A save can
// read what it needs (its referral, its contacts, their scores) and work out
// the referral's summary and report row on a read snapshot, in parallel with
// other requests, before it takes its turn on the single committer; in its
// turn it then only writes, provided nothing it read has changed since. The
// committer answers that question without reading: it counts the requests it
// runs, and remembers the last one that changed each referral's records and
// the last one that may have changed any referral's. A save that read its
// snapshot after request n had committed may use what it worked out if no
// request after n changed its referral's records, nor anybody's; otherwise
// it works everything out again in its turn, as every save did before.
//
// "Changed" is what SQLite says was written, not what the code meant to
// write: an update hook on the writer connection counts every row inserted,
// updated or deleted in any table but a few that no summary is worked out
// from (notRecords). A request that wrote any such row changed its
// referral's records when it was made with doOn (a save), and anybody's
// otherwise (every other withTx): a change of a patient's demographics, an
// ending, a transfer, a rebuild. Audited views and token bookkeeping write
// only audit_log and api_tokens and change nothing. Rows written on the
// writer connection outside the committer, and commits by any other
// connection (another process: PRAGMA data_version), count as anybody's.

// notRecords are the tables no referral's summary or report row is worked
// out from, written by requests that change no records (an audited view, a
// token's last use, a sign-in).
var notRecords = map[string]bool{
	"audit_log":        true,
	"api_tokens":       true,
	"sign_in_failures": true,
}

// recordChanges is the committer's account of which requests changed whose
// records. Its fields without atomics belong to the committer's goroutine.
type recordChanges struct {
	rows      atomic.Int64  // rows of records written on the writer connection (the update hook)
	committed atomic.Uint64 // requests whose batch has ended

	seq      uint64           // requests started
	rowsSeen int64            // rows as of the end of the last request
	anyAfter uint64           // the last request that may have changed anybody's records
	byRef    map[int64]uint64 // referral: the last request that changed its records
	version  int64            // PRAGMA data_version as of the last batch
	watched  *sqlite3.SQLiteConn
}

// maxRemembered bounds byRef: past it, the referrals are forgotten, and
// counted as all changed by the request then last (snapshots then in
// flight fall back to the work in their turn; none is ever wrong).
const maxRemembered = 20000

func newRecordChanges() recordChanges {
	return recordChanges{byRef: map[int64]uint64{}}
}

// snapshotSeq is what a request reads before it begins a read snapshot to
// work from: every request counted in it that committed is in that snapshot.
func (c *recordChanges) snapshotSeq() uint64 { return c.committed.Load() }

// unchangedSince says whether no request after seq changed referral's
// records, nor anybody's: what a snapshot read after snapshotSeq returned
// seq says of them is still so. Only for a request's work in its turn.
func (c *recordChanges) unchangedSince(referral int64, seq uint64) bool {
	return seq >= c.anyAfter && seq >= c.byRef[referral]
}

// watch puts the update hook on the writer's SQLite connection (conn.Raw),
// once per connection, and sets it up for the committer:
//
//   - temp_store = MEMORY: each request runs in a savepoint, and SQLite
//     keeps the original of every page a savepoint changes in a
//     sub-journal, to roll back to; past 64 KB (a save's few dozen pages)
//     that went to a temporary file, written on the committer's goroutine,
//     which was a third of the committer's time a save (issue 17). In
//     memory it is at most what one request changes (a rebuild's batch: a
//     few MB), and is dropped at its release.
//   - wal_autocheckpoint = walBackstop: checkpoints are the
//     checkpointer's (checkpoint.go), but for the backstop.
func (c *recordChanges) watch(driverConn any) error {
	conn, ok := sqliteConnOf(driverConn)
	if !ok {
		return fmt.Errorf("watch the writer: a %T is no SQLite connection", driverConn)
	}
	if conn == c.watched {
		return nil
	}
	for _, pragma := range []string{"temp_store = MEMORY", "wal_autocheckpoint = " + strconv.Itoa(walBackstop)} {
		if _, err := conn.Exec("PRAGMA "+pragma, nil); err != nil {
			return err
		}
	}
	conn.RegisterUpdateHook(func(_ int, _, table string, _ int64) {
		if !notRecords[table] {
			c.rows.Add(1)
		}
	})
	c.watched = conn
	return nil
}

// checkOthers counts, at the start of a batch (tx holds the write lock),
// any commit by another connection since the last batch as a change of
// anybody's records. Until the writer's connection is watched, every
// request is counted so.
func (c *recordChanges) checkOthers(ctx context.Context, tx *sql.Tx) error {
	var v int64
	if err := tx.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
		return err
	}
	if v != c.version || c.watched == nil {
		c.version = v
		c.seq++
		c.anyAfter = c.seq
	}
	return nil
}

// starting counts the next request, and any rows written on the connection
// outside the committer since the last one as a change of anybody's records.
func (c *recordChanges) starting() {
	c.seq++
	if rows := c.rows.Load(); rows != c.rowsSeen || c.watched == nil {
		c.rowsSeen = rows
		c.anyAfter = c.seq
	}
}

// finished records what the request just run changed: its referral's
// records when it was made for one (referral not 0), anybody's otherwise.
// Work rolled back counts as changed: a snapshot falls back for nothing.
func (c *recordChanges) finished(referral int64) {
	rows := c.rows.Load()
	if rows == c.rowsSeen {
		return
	}
	c.rowsSeen = rows
	if referral == 0 {
		c.anyAfter = c.seq
		return
	}
	c.byRef[referral] = c.seq
}

// batchEnded publishes the requests counted so far, the batch's transaction
// being over (committed or rolled back).
func (c *recordChanges) batchEnded() {
	if len(c.byRef) > maxRemembered {
		clear(c.byRef)
		c.anyAfter = c.seq
	}
	c.committed.Store(c.seq)
}
