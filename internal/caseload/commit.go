package caseload

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// Group commit (issue 17). SQLite has one writer, and with
// _synchronous=FULL every commit waits for the write-ahead log to reach the
// disk (an fsync). Committing each request's transaction alone puts an fsync
// per save and per audited view on the single writer's critical path: at 16
// clients requests queue behind one another's fsyncs and the service tops out
// at a few hundred writes a second.
//
// Instead one goroutine, the committer, owns the writer connection. withTx
// hands it the request's work; the committer takes every request waiting at
// that moment (up to maxBatch), opens one transaction (BEGIN IMMEDIATE), runs
// each request's work in a savepoint of its own, one after the other, and
// commits once: one fsync for the batch. Only then does each request get its
// own result, so nothing is acknowledged before it is durable, exactly as
// before; a request whose work fails is rolled back to its savepoint and the
// others in the batch are unaffected. While a batch commits, the next one
// gathers, so batching adds no waiting of its own: a lone request is
// committed at once.
//
// Within a batch the requests still run one at a time, each seeing the
// writes of those before it, so work that reads and then writes (the next
// number, a uniqueness check) is as safe as in a transaction of its own.

// maxBatch bounds how many requests share one commit, so that one commit's
// worth of work (and the time the first of them waits for the last) stays
// small.
const maxBatch = 64

// errStoreClosed answers work handed to a store that has been closed.
var errStoreClosed = errors.New("store closed")

// writeRequest is one withTx call waiting for the committer.
type writeRequest struct {
	ctx  context.Context
	fn   func(tx *sql.Tx) error
	done chan error // the request's result, sent once its batch has committed
	// referral is the one referral whose records the work may change, 0
	// when it may change any (changes.go).
	referral int64
}

// committer runs batches of write requests on the writer connection.
type committer struct {
	db       *sql.DB
	requests chan *writeRequest // the queue: requests waiting for a batch
	quit     chan struct{}
	stopped  chan struct{}
	limit    int          // requests per batch: maxBatch (1 in a benchmark of the old way)
	commits  atomic.Int64 // transactions begun, for tests
	durable  commitTimes  // how long the commits took (CommitTimes)
	changes  recordChanges
	ckpt     *checkpointer // told of each commit (checkpoint.go)
}

func newCommitter(db *sql.DB, ckpt *checkpointer) *committer {
	c := &committer{
		ckpt:     ckpt,
		db:       db,
		requests: make(chan *writeRequest, maxBatch),
		quit:     make(chan struct{}),
		stopped:  make(chan struct{}),
		limit:    maxBatch,
		changes:  newRecordChanges(),
	}
	go c.run()
	return c
}

// do runs fn in a write transaction shared with any other requests waiting at
// the time, and returns fn's error or, when fn succeeded, the commit's. It
// returns only once the transaction has committed or rolled back. A request
// whose context ends before its turn is not run.
func (c *committer) do(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return c.doOn(ctx, 0, fn)
}

// doOn is do for work that changes the records of one referral only (its
// contacts, their scores, its questionnaires, summary and report row), so
// that it does not count as a change to every referral's (changes.go).
func (c *committer) doOn(ctx context.Context, referralID int64, fn func(tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &writeRequest{ctx: ctx, fn: fn, done: make(chan error, 1), referral: referralID}
	select {
	case c.requests <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-c.quit:
		return errStoreClosed
	}
	// Once queued the request gets an answer only after its batch is over:
	// returning on ctx here could report as failed work that commits.
	select {
	case err := <-r.done:
		return err
	case <-c.stopped:
		// Answered before the committer stopped, or never taken.
		select {
		case err := <-r.done:
			return err
		default:
			return errStoreClosed
		}
	}
}

// close stops the committer after the batch it is running, if any.
func (c *committer) close() {
	select {
	case <-c.quit:
	default:
		close(c.quit)
	}
	<-c.stopped
}

func (c *committer) run() {
	defer close(c.stopped)
	var carried []*writeRequest
	for {
		batch := carried
		if len(batch) == 0 {
			select {
			case r := <-c.requests:
				batch = append(batch, r)
			case <-c.quit:
				return // requests still queued are answered errStoreClosed by do
			}
		}
	gather:
		for len(batch) < c.limit {
			select {
			case r := <-c.requests:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		carried = c.commit(batch)
	}
}

// commit runs one batch and answers its requests. It returns the requests
// not yet started when the transaction was lost (see runBatch), to go first
// in the next batch.
func (c *committer) commit(batch []*writeRequest) []*writeRequest {
	results := make([]error, len(batch))
	n, txErr := c.runBatch(batch, results)
	// Published before anyone is answered, and only once the batch's
	// transaction is over: a snapshot begun after reading it sees every
	// request counted in it that committed.
	c.changes.batchEnded()
	c.ckpt.nudge()
	for i, r := range batch[:n] {
		err := results[i]
		if err == nil {
			err = txErr
		}
		r.done <- err
	}
	return batch[n:]
}

// runBatch runs the requests of batch in one transaction, each in its own
// savepoint, putting each one's own error in results. It returns how many
// requests it dealt with (all of them, unless the transaction was lost
// half-way) and the error that ends the transaction for every request that
// succeeded: the commit's, or what lost the transaction. Requests after the
// first n were not started.
func (c *committer) runBatch(batch []*writeRequest, results []error) (int, error) {
	live := 0
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i] = err
		} else {
			live++
		}
	}
	if live == 0 {
		return len(batch), nil
	}
	// The transaction is the committer's, not any one request's: a request
	// that goes away must not roll back the others' work.
	ctx := context.Background()
	c.commits.Add(1)
	conn, err := c.db.Conn(ctx)
	if err != nil {
		return len(batch), err
	}
	defer conn.Close()
	if err := conn.Raw(c.changes.watch); err != nil {
		return len(batch), err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return len(batch), err
	}
	defer tx.Rollback()
	if err := c.changes.checkOthers(ctx, tx); err != nil {
		return len(batch), err
	}
	for i, r := range batch {
		if results[i] != nil {
			continue
		}
		if err := r.ctx.Err(); err != nil {
			results[i] = err // gone while the requests before it ran
			continue
		}
		c.changes.starting()
		fnErr, lost := runInSavepoint(ctx, tx, r)
		c.changes.finished(r.referral)
		results[i] = fnErr
		if lost != nil {
			// Some errors (an interrupted write, a full disk, an I/O
			// error) make SQLite roll back the whole transaction: every
			// request before this one has lost its work too.
			for j := range i {
				if results[j] == nil {
					results[j] = lost
				}
			}
			if fnErr == nil {
				results[i] = lost
			}
			return i + 1, lost
		}
	}
	t0 := time.Now()
	err = tx.Commit()
	c.durable.add(time.Since(t0))
	return len(batch), err
}

// SlowCommit is how long a commit may take before CommitTimes counts it
// as slow: the wait every request of its batch then shares.
const SlowCommit = 5 * time.Millisecond

// CommitTimes are how many write transactions the committer has committed
// (or tried to), how many of those took SlowCommit or more, and the
// longest. A commit is where SQLite writes the write-ahead log and waits
// for the disk (an fsync): every request of the batch, and every request
// queued behind it, waits that long. On a machine whose cores are all busy
// the disk's answer can wait several milliseconds for the kernel to run
// (docs/performance.md); the server logs these figures when it stops.
type CommitTimes struct {
	Commits, Slow int64
	Longest       time.Duration
}

type commitTimes struct {
	commits, slow, longest atomic.Int64
}

func (t *commitTimes) add(d time.Duration) {
	t.commits.Add(1)
	if d >= SlowCommit {
		t.slow.Add(1)
	}
	for {
		old := t.longest.Load()
		if int64(d) <= old || t.longest.CompareAndSwap(old, int64(d)) {
			return
		}
	}
}

// CommitTimes reports the committer's commits so far.
func (s *Store) CommitTimes() CommitTimes {
	t := &s.writes.durable
	return CommitTimes{Commits: t.commits.Load(), Slow: t.slow.Load(), Longest: time.Duration(t.longest.Load())}
}

// runInSavepoint runs r's work in a savepoint of tx: released when the work
// succeeds, rolled back when it fails (or panics). It returns the work's
// error, and lost when the savepoint could not be released or rolled back:
// the transaction itself is gone.
func runInSavepoint(ctx context.Context, tx *sql.Tx, r *writeRequest) (fnErr, lost error) {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT clinic_request`); err != nil {
		return nil, fmt.Errorf("savepoint: %w", err)
	}
	fnErr = runRecovered(r.fn, tx)
	if fnErr == nil {
		if _, err := tx.ExecContext(ctx, `RELEASE clinic_request`); err != nil {
			return nil, fmt.Errorf("release savepoint: %w", err)
		}
		return nil, nil
	}
	if _, err := tx.ExecContext(ctx, `ROLLBACK TO clinic_request`); err != nil {
		return fnErr, fmt.Errorf("roll back savepoint: %w (after %w)", err, fnErr)
	}
	if _, err := tx.ExecContext(ctx, `RELEASE clinic_request`); err != nil {
		return fnErr, fmt.Errorf("release savepoint: %w (after %w)", err, fnErr)
	}
	return fnErr, nil
}

// runRecovered runs fn, turning a panic into an error: a panic in one
// request's work must not stop the committer every request depends on.
func runRecovered(fn func(tx *sql.Tx) error, tx *sql.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("write transaction panicked: %v", p)
		}
	}()
	return fn(tx)
}
