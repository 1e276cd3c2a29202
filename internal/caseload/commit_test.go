package caseload

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"clinic"
)

// probeStore is a store with a table of named rows for the group-commit
// tests to write.
func probeStore(t *testing.T) *Store {
	t.Helper()
	s, _ := openTest(t)
	err := s.withTx(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`CREATE TABLE probe (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func insertProbe(name string) func(tx *sql.Tx) error {
	return func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO probe (name) VALUES (?)`, name)
		return err
	}
}

// probeNames are the committed rows, as a reader sees them.
func probeNames(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.read.Query(`SELECT name FROM probe ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// holdWriter keeps the committer busy in a batch of its own until the
// returned release is called, so that the requests sent meanwhile queue up
// and go together into the next batch.
func holdWriter(t *testing.T, s *Store) (release func()) {
	t.Helper()
	started, gate := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.withTx(context.Background(), func(tx *sql.Tx) error {
			close(started)
			<-gate
			return nil
		})
	}()
	<-started
	return func() {
		close(gate)
		if err := <-done; err != nil {
			t.Errorf("holding batch: %v", err)
		}
	}
}

// waitQueued waits until n requests wait for the committer.
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(s.writes.requests) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests queued, want %d", len(s.writes.requests), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// send runs withTx in a goroutine and waits until it is queued behind the
// held writer; the result arrives on the returned channel.
func send(t *testing.T, s *Store, ctx context.Context, fn func(tx *sql.Tx) error) <-chan error {
	t.Helper()
	queued := len(s.writes.requests)
	done := make(chan error, 1)
	go func() { done <- s.withTx(ctx, fn) }()
	waitQueued(t, s, queued+1)
	return done
}

func TestConcurrentWritesShareOneCommit(t *testing.T) {
	s := probeStore(t)
	release := holdWriter(t, s)
	before := s.writes.commits.Load()
	const n = 40
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.withTx(context.Background(), insertProbe(fmt.Sprintf("w%02d", i)))
		}()
	}
	waitQueued(t, s, n)
	release()
	wg.Wait()
	var want []string
	for i, err := range errs {
		if err != nil {
			t.Errorf("write %d: %v", i, err)
		}
		want = append(want, fmt.Sprintf("w%02d", i))
	}
	if got := s.writes.commits.Load() - before; got != 1 {
		t.Errorf("%d writes waiting together took %d commits, want 1", n, got)
	}
	if diff := cmp.Diff(want, probeNames(t, s)); diff != "" {
		t.Errorf("committed rows (-want +got):\n%s", diff)
	}
}

func TestFailingWorkInBatchLeavesOthersCommitted(t *testing.T) {
	s := probeStore(t)
	release := holdWriter(t, s)
	errBad := errors.New("bad input")
	ctx := context.Background()
	first := send(t, s, ctx, insertProbe("first"))
	failing := send(t, s, ctx, func(tx *sql.Tx) error {
		if err := insertProbe("failing, rolled back")(tx); err != nil {
			return err
		}
		return errBad
	})
	duplicate := send(t, s, ctx, insertProbe("first")) // violates UNIQUE
	panicking := send(t, s, ctx, func(tx *sql.Tx) error {
		if err := insertProbe("panicking, rolled back")(tx); err != nil {
			return err
		}
		panic("a bug in one request")
	})
	last := send(t, s, ctx, insertProbe("last"))
	before := s.writes.commits.Load()
	release()
	if err := <-first; err != nil {
		t.Errorf("first: %v", err)
	}
	if err := <-failing; !errors.Is(err, errBad) {
		t.Errorf("failing: got %v, want its own error", err)
	}
	if err := <-duplicate; !isUnique(err) {
		t.Errorf("duplicate: got %v, want a UNIQUE violation", err)
	}
	if err := <-panicking; err == nil || !strings.Contains(err.Error(), "a bug in one request") {
		t.Errorf("panicking: got %v, want an error naming the panic", err)
	}
	if err := <-last; err != nil {
		t.Errorf("last: %v", err)
	}
	if got := s.writes.commits.Load() - before; got != 1 {
		t.Errorf("the batch took %d commits, want 1", got)
	}
	if diff := cmp.Diff([]string{"first", "last"}, probeNames(t, s)); diff != "" {
		t.Errorf("committed rows (-want +got):\n%s", diff)
	}
}

func TestWriteNotAcknowledgedBeforeCommit(t *testing.T) {
	s := probeStore(t)
	release := holdWriter(t, s)
	ctx := context.Background()
	early := send(t, s, ctx, insertProbe("early"))
	lateStarted, lateGate := make(chan struct{}), make(chan struct{})
	late := send(t, s, ctx, func(tx *sql.Tx) error {
		close(lateStarted)
		<-lateGate
		return insertProbe("late")(tx)
	})
	release()
	<-lateStarted
	// early's work is done, but its batch has not committed while late's
	// runs: early must not be answered yet, nor its row be visible.
	select {
	case err := <-early:
		t.Fatalf("early answered (%v) before its batch committed", err)
	case <-time.After(200 * time.Millisecond):
	}
	if got := probeNames(t, s); len(got) != 0 {
		t.Errorf("rows visible before the commit: %q", got)
	}
	close(lateGate)
	if err := <-early; err != nil {
		t.Errorf("early: %v", err)
	}
	if err := <-late; err != nil {
		t.Errorf("late: %v", err)
	}
	if diff := cmp.Diff([]string{"early", "late"}, probeNames(t, s)); diff != "" {
		t.Errorf("committed rows (-want +got):\n%s", diff)
	}
}

func TestCancelledWriteIsNotRun(t *testing.T) {
	s := probeStore(t)
	t.Run("cancelled before it is sent", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ran := false
		err := s.withTx(ctx, func(tx *sql.Tx) error { ran = true; return nil })
		if !errors.Is(err, context.Canceled) || ran {
			t.Errorf("got %v (ran: %v), want context.Canceled and not run", err, ran)
		}
	})
	t.Run("cancelled while it waits its turn", func(t *testing.T) {
		release := holdWriter(t, s)
		ctx, cancel := context.WithCancel(context.Background())
		ran := make(chan struct{}, 1)
		cancelled := send(t, s, ctx, func(tx *sql.Tx) error {
			ran <- struct{}{}
			return insertProbe("cancelled")(tx)
		})
		other := send(t, s, context.Background(), insertProbe("other"))
		cancel()
		release()
		if err := <-cancelled; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled: got %v, want context.Canceled", err)
		}
		if err := <-other; err != nil {
			t.Errorf("other: %v", err)
		}
		select {
		case <-ran:
			t.Error("the cancelled request's work ran")
		default:
		}
		if diff := cmp.Diff([]string{"other"}, probeNames(t, s)); diff != "" {
			t.Errorf("committed rows (-want +got):\n%s", diff)
		}
	})
}

// TestLostTransactionFailsOnlyWhatItHeld: when SQLite rolls back the whole
// transaction mid-batch (an interrupted write or an I/O error; here the work
// rolls it back itself), the requests whose work it held are answered with
// an error, not acknowledged, and the requests not yet started are run in
// the next batch.
func TestLostTransactionFailsOnlyWhatItHeld(t *testing.T) {
	s := probeStore(t)
	release := holdWriter(t, s)
	ctx := context.Background()
	before := send(t, s, ctx, insertProbe("before, lost"))
	losing := send(t, s, ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`ROLLBACK`)
		return err
	})
	after := send(t, s, ctx, insertProbe("after"))
	release()
	if err := <-before; err == nil {
		t.Error("before: acknowledged, but the transaction holding it was rolled back")
	}
	if err := <-losing; err == nil {
		t.Error("losing: acknowledged, but its transaction was rolled back")
	}
	if err := <-after; err != nil {
		t.Errorf("after: %v", err)
	}
	if diff := cmp.Diff([]string{"after"}, probeNames(t, s)); diff != "" {
		t.Errorf("committed rows (-want +got):\n%s", diff)
	}
}

// TestConcurrentSavesAndViewsAreDurable saves sessions and audits views from
// many goroutines at once, through the store's own methods, then reopens the
// database: every acknowledged write is there.
func TestConcurrentSavesAndViewsAreDurable(t *testing.T) {
	f := newFixture(t)
	path := filepath.Join(t.TempDir(), "copy.db")
	const n = 24
	var wg sync.WaitGroup
	errs := make([]error, 2*n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			day := fmt.Sprintf("2026-02-%02d", 1+i)
			_, errs[2*i] = f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, session(day, answers(1, 1, 1, 1, 1, 1, 1, 1, 0), answers(1, 1, 1, 1, 1, 1, 1)))
		}()
		go func() {
			defer wg.Done()
			errs[2*i+1] = f.s.RecordView(f.ctx, f.supervisor, "referral", f.referral.ID, fmt.Sprintf("view %d", i))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if _, err := f.s.db.Exec(`VACUUM INTO ?`, path); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, clinic.Schema, f.clock.now)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var contacts, views int
	if err := s.read.QueryRow(`SELECT count(*) FROM contacts WHERE referral_id = ?`, f.referral.ID).Scan(&contacts); err != nil {
		t.Fatal(err)
	}
	if err := s.read.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'view' AND entity_id = ? AND user_id = ?`, f.referral.ID, f.supervisor.ID).Scan(&views); err != nil {
		t.Fatal(err)
	}
	if contacts != n || views != n {
		t.Errorf("after reopening: %d contacts and %d views, want %d of each", contacts, views, n)
	}
	var sessions int
	if err := s.read.QueryRow(`SELECT treatment_sessions FROM referral_summary WHERE referral_id = ?`, f.referral.ID).Scan(&sessions); err != nil {
		t.Fatal(err)
	}
	if sessions != n {
		t.Errorf("summary counts %d treatment sessions, want %d: saves in one batch must each see the others'", sessions, n)
	}
}

// BenchmarkGroupCommit writes one small row per request from 16 goroutines,
// each write durable (synchronous=FULL) before it returns, and reports how
// many requests shared each commit: grouped (as the store runs) and one
// commit per request (as it did before issue 17).
//
//	go test ./internal/caseload -run '^$' -bench GroupCommit -benchtime 2s
func BenchmarkGroupCommit(b *testing.B) {
	for _, bc := range []struct {
		name  string
		limit int
	}{{"grouped", maxBatch}, {"one commit per write", 1}} {
		b.Run(bc.name, func(b *testing.B) {
			s, err := Open(filepath.Join(b.TempDir(), "clinic.db"), clinic.Schema, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			s.writes.limit = bc.limit // the committer reads it only between batches, and none has run
			ctx := context.Background()
			if _, err := s.db.Exec(`CREATE TABLE probe (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)`); err != nil {
				b.Fatal(err)
			}
			var next atomic.Int64
			before := s.writes.commits.Load()
			b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := s.withTx(ctx, insertProbe(fmt.Sprintf("b%d", next.Add(1)))); err != nil {
						b.Error(err)
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/float64(s.writes.commits.Load()-before), "writes/commit")
		})
	}
}

// The committer's commit times count every commit, those of SlowCommit or
// more, and keep the longest, whatever order they come in.
func TestCommitTimesCountSlowCommits(t *testing.T) {
	s := &Store{writes: &committer{}}
	for _, d := range []time.Duration{time.Millisecond, SlowCommit, 12 * time.Millisecond, SlowCommit - 1, 7 * time.Millisecond} {
		s.writes.durable.add(d)
	}
	if got, want := s.CommitTimes(), (CommitTimes{Commits: 5, Slow: 3, Longest: 12 * time.Millisecond}); got != want {
		t.Errorf("CommitTimes = %+v, want %+v", got, want)
	}
}

// A store counts the commits its writes make.
func TestStoreCountsItsCommits(t *testing.T) {
	f := newFixture(t)
	before := f.s.CommitTimes()
	if err := f.s.RecordView(f.ctx, f.therapist, "patient", f.patient.ID, "patient page"); err != nil {
		t.Fatal(err)
	}
	after := f.s.CommitTimes()
	if after.Commits != before.Commits+1 || after.Longest <= 0 {
		t.Errorf("one view: commit times %+v, then %+v", before, after)
	}
}
