package caseload

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// NewTeamAccountsFor is how far back a supervisor is shown accounts added
// to their teams.
const NewTeamAccountsFor = 30 * 24 * time.Hour

// NewAccount is a clinical account recently added to a team, and who added
// it (issue 15: an admin who makes a clinical account, for themselves or
// anyone, is seen by the team's supervisor, who knows their colleagues).
type NewAccount struct {
	UserID      int64
	Name        string
	Email       string
	Role        Role
	CreatedAt   time.Time
	AddedBy     string // the acting user's name; "" from the server's command line
	AddedByRole Role
}

// NewTeamAccounts returns the therapists and supervisors added to any of
// the teams since the given time, newest first, with who added them (from
// the audit log's create_user row).
func (s *Store) NewTeamAccounts(ctx context.Context, teams []int64, since time.Time) ([]NewAccount, error) {
	ids, err := json.Marshal(teams)
	if err != nil {
		return nil, fmt.Errorf("new team accounts: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, `
		SELECT
			u.id,
			u.name,
			u.email,
			u.role,
			u.created_at,
			COALESCE(a.name, ''),
			COALESCE(a.role, '')
		FROM users u
		LEFT JOIN audit_log l ON l.action = 'create_user' AND l.entity = 'user' AND l.entity_id = u.id
		LEFT JOIN users a ON a.id = l.user_id
		WHERE u.created_at >= ?
			AND u.role IN ('therapist', 'supervisor')
			AND (u.team_id IN (SELECT value FROM json_each(?))
				OR u.id IN (SELECT user_id FROM team_supervisors WHERE team_id IN (SELECT value FROM json_each(?))))
		ORDER BY u.created_at DESC, u.id DESC`, stamp(since), string(ids), string(ids))
	if err != nil {
		return nil, fmt.Errorf("new team accounts: %w", err)
	}
	defer rows.Close()
	var out []NewAccount
	for rows.Next() {
		var n NewAccount
		var role, created, byRole string
		if err := rows.Scan(&n.UserID, &n.Name, &n.Email, &role, &created, &n.AddedBy, &byRole); err != nil {
			return nil, fmt.Errorf("new team accounts: %w", err)
		}
		n.Role, n.AddedByRole = Role(role), Role(byRole)
		if n.CreatedAt, err = parseStamp(nullString(created)); err != nil {
			return nil, fmt.Errorf("new team accounts: %w", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("new team accounts: %w", err)
	}
	return out, nil
}
