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
