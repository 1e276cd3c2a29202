package caseload

import (
	"context"
	"database/sql"
	"sync/atomic"
)

// Knowing when a cached read is still current (issue 17). The HTTP layer may
// keep what a read showed (an API referral, encoded) and show it again while
// nothing has been written that could change it. The store cannot say cheaply
// which records a write touched, so it counts writes: every withTx is a
// possible change to anything, counted when it starts and again when it has
// committed or rolled back. The audit log's own writes (a view, a download)
// and a token's "last used" stamp change nothing a read shows, and go
// through withLogTx, which is not counted: otherwise every audited view would
// clear every cache. A write that reaches the committer other than through
// withTx must count itself the same way (begun before, ended after), or a
// kept answer would outlive it: TestVersionCountsWritesButNotAuditRows
// checks that a save and an ending do.
//
// Another process writing the same file (`clinic token revoke`, `clinic user`,
// an import beside a live server) does not pass through withTx. Its commits
// are seen by the writer connection's PRAGMA data_version, which changes
// when, and only when, another connection has committed: every audited view
// reads it inside its own write transaction and counts a change it sees, so
// a read that answers after its audit row is written (as every audited read
// does) can tell that something may have changed under it.

// writeCounts counts the writes begun and ended.
type writeCounts struct {
	begun, ended atomic.Uint64
	// accessBegun and accessEnded count those that may change who may do
	// what (AccessVersion).
	accessBegun, accessEnded atomic.Uint64
	dataVersion              atomic.Int64 // the writer's PRAGMA data_version when last read
	// lookedIn is the write transaction in which dataVersion was last read.
	// Kept referenced, it cannot be freed and its address given to a later
	// transaction, so "the same pointer" means "the same transaction".
	lookedIn atomic.Pointer[sql.Tx]
}

// Version is a number that changes whenever a write that could change a
// read's answer may have committed since it was taken. settled is false
// while such a write is under way (its outcome unknown): then nothing read
// may be kept under this version, because the write may commit just after
// the read's snapshot and before it is counted as ended.
func (s *Store) Version() (v uint64, settled bool) {
	ended := s.counts.ended.Load()
	begun := s.counts.begun.Load()
	return begun, begun == ended
}

// AccessVersion is Version for what decides access: users, their roles,
// teams and cover, and API tokens. It moves with every write but the audit
// log's and a save of one referral's records (withTxOn with a referral:
// RecordContact writes that referral's contacts, scores, summary, report
// row and risk alerts, never a user, team, cover or token), and with
// another process's commits once noticed. The token check keeps its users
// under it, so that saves do not make every request read its user again
// (issue 17).
func (s *Store) AccessVersion() (v uint64, settled bool) {
	ended := s.counts.accessEnded.Load()
	begun := s.counts.accessBegun.Load()
	return begun, begun == ended
}

// withLogTx is withTx for a write to the audit log or a token's stamp only,
// which changes nothing a cached read shows: it leaves Version alone but
// notices another process's commits (see above).
func (s *Store) withLogTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.writes.do(ctx, func(tx *sql.Tx) error {
		if err := s.noticeOtherWriters(ctx, tx); err != nil {
			return err
		}
		return fn(tx)
	})
}

// noticeOtherWriters counts as a change any commit made by another
// connection, that is another process, since the writer last looked. It
// looks once per write transaction: the committer runs the audit rows of
// concurrent requests in one (commit.go), and while it holds the write lock
// no other connection can commit, so what the first of them read holds for
// the rest (issue 17: the pragma was a sixth of the committer's work for a
// view).
func (s *Store) noticeOtherWriters(ctx context.Context, tx *sql.Tx) error {
	if s.counts.lookedIn.Load() == tx {
		return nil
	}
	var v int64
	if err := tx.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
		return err
	}
	if old := s.counts.dataVersion.Swap(v); old != v {
		s.counts.begun.Add(1)
		s.counts.ended.Add(1)
		s.counts.accessBegun.Add(1)
		s.counts.accessEnded.Add(1)
	}
	s.counts.lookedIn.Store(tx)
	return nil
}
