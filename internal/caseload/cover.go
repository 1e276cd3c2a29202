package caseload

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Cover (issue 14): while a therapist is away, a supervisor lets a
// colleague cover their caseload for a date range (England's dates, both
// included). Cover ends by itself. Who may grant it, and what covering lets
// a therapist see, is the access policy's (ui/access.go).

// Cover is one grant of cover.
type Cover struct {
	ID            int64
	TherapistID   int64 // who covers
	TherapistName string
	ColleagueID   int64 // whose caseload
	ColleagueName string
	FromOn, ToOn  string // YYYY-MM-DD, both included
	Reason        string
	GrantedBy     int64
	GrantedByName string
	CreatedAt     time.Time
}

// Active reports whether the cover is in force on today (YYYY-MM-DD).
func (c Cover) Active(today string) bool { return c.FromOn <= today && today <= c.ToOn }

// NewCover is the input for granting cover.
type NewCover struct {
	TherapistID int64
	ColleagueID int64
	FromOn      string
	ToOn        string
	Reason      string
}

// checkCover checks a grant of cover between two therapists (read by the
// caller); that the granter may grant it is the policy's.
func checkCover(in NewCover, therapist, colleague User, today string) (NewCover, error) {
	in.FromOn, in.ToOn, in.Reason = strings.TrimSpace(in.FromOn), strings.TrimSpace(in.ToOn), strings.TrimSpace(in.Reason)
	v := validation{}
	if therapist.Role != RoleTherapist || therapist.Disabled {
		v.add("therapist_id", "Choose the therapist who covers")
	}
	if colleague.Role != RoleTherapist {
		v.add("colleague_id", "Choose whose caseload is covered")
	} else if colleague.ID == therapist.ID {
		v.add("colleague_id", "Choose a colleague: a therapist does not cover themself")
	}
	switch {
	case !validDate(in.FromOn):
		v.add("from_on", "Enter the first day of cover as a real date")
	case !validDate(in.ToOn):
		v.add("to_on", "Enter the last day of cover as a real date")
	case in.ToOn < in.FromOn:
		v.add("to_on", "The last day of cover cannot be before the first")
	case in.ToOn < today:
		v.add("to_on", "The last day of cover cannot be in the past")
	}
	if in.Reason == "" {
		v.add("reason", "Say why (for example, annual leave)")
	} else if utf8.RuneCountInString(in.Reason) > 500 {
		v.add("reason", "Use at most 500 characters")
	}
	return in, v.err()
}

// GrantCover records a grant of cover and audits it.
func (s *Store) GrantCover(ctx context.Context, actor User, in NewCover) (Cover, error) {
	var c Cover
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		users, err := findUsers(ctx, tx, userFilter{IDs: []int64{in.TherapistID, in.ColleagueID}})
		if err != nil {
			return err
		}
		var therapist, colleague User
		for _, u := range users {
			if u.ID == in.TherapistID {
				therapist = u.User
			}
			if u.ID == in.ColleagueID {
				colleague = u.User
			}
		}
		if in, err = checkCover(in, therapist, colleague, s.today()); err != nil {
			return err
		}
		c = Cover{TherapistID: therapist.ID, TherapistName: therapist.Name, ColleagueID: colleague.ID, ColleagueName: colleague.Name,
			FromOn: in.FromOn, ToOn: in.ToOn, Reason: in.Reason, GrantedBy: actor.ID, GrantedByName: actor.Name, CreatedAt: s.Now()}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO covers (therapist_id, colleague_id, from_on, to_on, reason, granted_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c.TherapistID, c.ColleagueID, c.FromOn, c.ToOn, c.Reason, actor.ID, stamp(c.CreatedAt))
		if err != nil {
			return err
		}
		if c.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditGrantCover, entity: "user", entityID: c.ColleagueID,
			detail: fmt.Sprintf("%s covers %s from %s to %s: %s", c.TherapistName, c.ColleagueName, c.FromOn, c.ToOn, c.Reason)})
	})
	if err != nil {
		return Cover{}, fmt.Errorf("grant cover: %w", err)
	}
	return c, nil
}

// Covers returns the covers not yet ended that involve the user (covering
// or covered), or, with teams, any therapist of those teams; soonest first.
func (s *Store) Covers(ctx context.Context, userID int64, teams []int64) ([]Cover, error) {
	rows, err := s.read.QueryContext(ctx, `
	SELECT
		c.id,
		c.therapist_id,
		t.name,
		c.colleague_id,
		o.name,
		c.from_on,
		c.to_on,
		c.reason,
		c.granted_by,
		g.name,
		c.created_at
	FROM covers c
	JOIN users t ON t.id = c.therapist_id
	JOIN users o ON o.id = c.colleague_id
	JOIN users g ON g.id = c.granted_by
	WHERE c.to_on >= ?
		AND (c.therapist_id = ? OR c.colleague_id = ?
			OR t.team_id IN (SELECT value FROM json_each(?)) OR o.team_id IN (SELECT value FROM json_each(?)))
	ORDER BY c.from_on, c.id`, s.today(), userID, userID, jsonIDs(teams), jsonIDs(teams))
	if err != nil {
		return nil, fmt.Errorf("covers: %w", err)
	}
	defer rows.Close()
	var out []Cover
	for rows.Next() {
		var c Cover
		var created string
		if err := rows.Scan(&c.ID, &c.TherapistID, &c.TherapistName, &c.ColleagueID, &c.ColleagueName, &c.FromOn, &c.ToOn,
			&c.Reason, &c.GrantedBy, &c.GrantedByName, &created); err != nil {
			return nil, fmt.Errorf("covers: %w", err)
		}
		if c.CreatedAt, err = parseStamp(sql.NullString{String: created, Valid: true}); err != nil {
			return nil, fmt.Errorf("covers: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("covers: %w", err)
	}
	return out, nil
}

// Covering returns the therapists whose caseloads the user covers today.
func (s *Store) Covering(ctx context.Context, userID int64) ([]int64, error) {
	ids, err := coveringOn(ctx, s.read, userID, s.today())
	if err != nil {
		return nil, fmt.Errorf("covering: %w", err)
	}
	return ids, nil
}

// coveringOn is the therapists whose caseloads the user covers on day.
func coveringOn(ctx context.Context, q queryer, userID int64, day string) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT DISTINCT colleague_id
		FROM covers
		WHERE therapist_id = ? AND from_on <= ? AND to_on >= ?
		ORDER BY colleague_id`, userID, day, day)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// DisabledHoldingIn returns the open referrals of the teams held by
// disabled accounts, oldest first, for their supervisors to move.
func (s *Store) DisabledHoldingIn(ctx context.Context, teams []int64) ([]Referral, error) {
	rows, err := findReferrals(ctx, s.read, referralFilter{Teams: nonNil(teams), Open: true, heldByDisabled: true, order: "r.received_on, r.id"})
	if err != nil {
		return nil, fmt.Errorf("open referrals of disabled accounts: %w", err)
	}
	out := make([]Referral, 0, len(rows))
	for _, row := range rows {
		out = append(out, row.Referral)
	}
	return out, nil
}
