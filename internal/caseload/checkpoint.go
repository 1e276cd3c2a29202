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
// readers), beside the committer, after commits, at most every
// checkpointEvery. A passive checkpoint cannot start the log again from
// its beginning (only a writer can, once every page is copied), so the
// writer keeps a checkpoint of its own at walBackstop pages: it then copies
// only what the checkpointer has not yet, and the log starts again. A
// checkpoint never bears on durability: a commit is on disk, in the log,
// when it returns.

const (
	checkpointEvery = 50 * time.Millisecond
	walBackstop     = 4000 // pages (16 MB): the writer's wal_autocheckpoint
)

// checkpointer runs a passive checkpoint after commits (nudge), at most
// every checkpointEvery, until closed.
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
	for {
		select {
		case <-c.quit:
			return
		case <-c.nudges:
		}
		// A failure (another checkpoint running, a busy lock) leaves the
		// pages to the next one, or to the writer's backstop.
		_, _ = c.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		select {
		case <-c.quit:
			return
		case <-time.After(checkpointEvery):
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
