package caseload

import (
	"context"
	"fmt"
)

// HasAdmin says whether any administrator account is enabled: without one
// nobody can sign in to add staff, and the server says how to add the first.
func (s *Store) HasAdmin(ctx context.Context) (bool, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("count administrators: %w", err)
	}
	return n > 0, nil
}
