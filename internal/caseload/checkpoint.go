package caseload

import (
	"database/sql"
	"time"
)

// Checkpoints off the committer (issue 17). In WAL mode every commit
// appends the pages it changed to the write-ahead log, and they are copied
// into the database file by a checkpoint. By default the connection that
// commits runs one itself whenever the log passes 1,000 pages: every few
// dozen saves the committer stopped to copy a few megabytes and to wait
// for the database file's fsync, while every request queued behind it.
// A checkpointer on a connection of its own runs them instead, a passive
// checkpoint at a time (it never takes the write lock, nor waits for
// readers), beside the committer, after commits. A passive checkpoint
// cannot start the log again from its beginning (only a writer can, once
// every page is copied), so the writer keeps a checkpoint of its own at
// walBackstop pages: it then copies only what the checkpointer has not
// yet, and the log starts again. A checkpoint never bears on durability: a
// commit is on disk, in the log, when it returns.
//
// What the writer's backstop copies is what the log gained since the
// checkpointer's last run, and every request waits while it does. Under a
// load of audited reads the log gains about 20 pages a commit, 20,000 to
// 40,000 a second: with a 16 MB backstop and a checkpoint every 50 ms, the
// log started again several times a second, each time after the writer had
// copied about 1,000 pages itself (3–6 ms of its CPU, 5–13 ms before the
// batch's requests were answered); these were most of the commits of 5 ms
// or more, and set the reads' p99. So the backstop is 256 MB, reached
// sixteen times less often (the log only grows that large under such a
// load: whenever the checkpointer has copied every page when the writer
// begins, the log starts again), and the checkpointer runs every
// checkpointEvery only while the log is far from it: from each run's log
// size it estimates when the log will reach the backstop (nextCheckpoint)
// and runs again just before, then every minCheckpointGap, so that the
// writer finds almost nothing left to copy.
//
// checkpointEvery was 50 ms until the sixth session of issue 17, which
// found most of the commits of 5 ms or more under a load of saves to be the
// checkpoint's: each run ends in an fsync of the database file, and a
// commit's fsync of the log that comes during it waits for the disk to take
// the checkpoint's pages first. Every 200 ms there are a quarter as many
// such fsyncs, each with less than four times the pages (a page changed
// several times in between is copied once): on the 100k service with 16
// clients saving, 39–57 commits of 5 ms or more in a run against 79–115, and
// p99 16.0–20.5 ms against 19.8–21.8 ms (docs/performance.md). (Under a
// steady load of saves the log does not start again after a run either
// way: a reader nearly always holds a snapshot in it, so it grows to the
// backstop, about every 3.5 s under that load.)

const (
	checkpointEvery  = 200 * time.Millisecond
	minCheckpointGap = 2 * time.Millisecond
	backstopLead     = 20 * time.Millisecond // how long before the backstop the last runs start
	walBackstop      = 64000                 // pages (256 MB): the writer's wal_autocheckpoint
)

// nextCheckpoint is how long the checkpointer waits after a run that found
// logPages pages in the log, prevPages at the run before, elapsed earlier:
// checkpointEvery, or less when the log, gaining pages as fast as it did
// since that run, would reach walBackstop before then, so that the next run
// starts backstopLead before it does (at least minCheckpointGap).
func nextCheckpoint(logPages, prevPages int, elapsed time.Duration) time.Duration {
	gained := logPages - prevPages
	if gained < 0 { // the log started again in between
		gained = logPages
	}
	if gained <= 0 || elapsed <= 0 {
		return checkpointEvery
	}
	room := max(walBackstop-logPages, 0)
	untilBackstop := time.Duration(float64(elapsed) * float64(room) / float64(gained))
	return min(checkpointEvery, max(minCheckpointGap, untilBackstop-backstopLead))
}

// checkpointer runs a passive checkpoint after commits (nudge), at most
// every checkpointEvery (more often near the backstop: nextCheckpoint),
// until closed.
type checkpointer struct {
	db      *sql.DB
	nudges  chan struct{}
	quit    chan struct{}
	stopped chan struct{}
}

// startCheckpointer opens its connection to the database at path (in WAL
// mode already).
func startCheckpointer(path string) (*checkpointer, error) {
	db, err := sql.Open("sqlite3", path+"?_busy_timeout=5000&_synchronous=FULL")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	c := &checkpointer{db: db, nudges: make(chan struct{}, 1), quit: make(chan struct{}), stopped: make(chan struct{})}
	go c.run()
	return c, nil
}

// nudge tells the checkpointer a transaction has committed; it never waits.
func (c *checkpointer) nudge() {
	select {
	case c.nudges <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.stopped)
	prevPages, prevAt := 0, time.Now()
	for {
		select {
		case <-c.quit:
			return
		case <-c.nudges:
		}
		// A failure (another checkpoint running, a busy lock) leaves the
		// pages to the next one, or to the writer's backstop; the log's
		// size is then unknown (-1) and the next run comes checkpointEvery
		// later, as it always did.
		var busy, logPages, copied int
		wait := checkpointEvery
		err := c.db.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logPages, &copied)
		if err == nil && logPages >= 0 {
			now := time.Now()
			wait = nextCheckpoint(logPages, prevPages, now.Sub(prevAt))
			prevPages, prevAt = logPages, now
		}
		select {
		case <-c.quit:
			return
		case <-time.After(wait):
		}
	}
}

// close stops the checkpointer and closes its connection; again, it does
// nothing (a store may be closed twice).
func (c *checkpointer) close() error {
	select {
	case <-c.quit:
		return nil
	default:
		close(c.quit)
	}
	<-c.stopped
	return c.db.Close()
}
