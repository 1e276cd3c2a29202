package caseload

import (
	"context"
	"database/sql"

	"clinic/internal/measures"
)

// For the external tests (package caseload_test), which may import packages
// that import caseload, such as internal/demo.

// DBForTest is the store's writer connection.
func (s *Store) DBForTest() *sql.DB { return s.db }

// RecomputeSummaryForTest recomputes and writes one referral's summary in tx.
func (s *Store) RecomputeSummaryForTest(ctx context.Context, tx *sql.Tx, referralID int64) (measures.Outcome, error) {
	return s.recomputeSummary(ctx, tx, referralID)
}

// LaterColumns are the columns of steps after 10 that today's code writes
// as it loads the demo, for a test that loads it into an older database;
// DropLaterColumns takes them away again before Open upgrades it.
const (
	LaterColumns = `
		ALTER TABLE audit_log ADD COLUMN token_id INTEGER;
		ALTER TABLE referrals ADD COLUMN allocated INTEGER NOT NULL DEFAULT 1;
		ALTER TABLE contacts ADD COLUMN intensity TEXT NOT NULL DEFAULT '';`
	DropLaterColumns = `
		ALTER TABLE audit_log DROP COLUMN token_id;
		ALTER TABLE referrals DROP COLUMN allocated;
		ALTER TABLE contacts DROP COLUMN intensity;`
)
