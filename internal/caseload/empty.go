package caseload

import (
	"context"
	"fmt"
)

// Empty reports whether the database has neither users nor patients: a new
// service, into which demo data (internal/demo) may be loaded.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	var used int
	if err := s.read.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM patients)`).Scan(&used); err != nil {
		return false, fmt.Errorf("empty: %w", err)
	}
	return used == 0, nil
}
