package caseload

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"clinic/internal/dataset"
)

// SetQualification records a member of staff's qualification as the data
// set codes it (IDS902 QualAttainLevelIAPT); an empty code clears it. Only
// an admin may set it.
func (s *Store) SetQualification(ctx context.Context, actor User, userID int64, code string) error {
	code = strings.TrimSpace(code)
	if actor.Role != RoleAdmin {
		return fmt.Errorf("set qualification: %w", ErrNotFound)
	}
	if code != "" && !dataset.QualAttainLevel.Valid(code) {
		return fmt.Errorf("set qualification: %w", &ValidationError{Fields: map[string]string{"qualification": "Choose a qualification from the list"}})
	}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var role string
		err := tx.QueryRowContext(ctx, `SELECT role FROM users WHERE id = ?`, userID).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if Role(role) == RolePatient {
			return &ValidationError{Fields: map[string]string{"qualification": "Patients have no qualification"}}
		}
		if code == "" {
			_, err = tx.ExecContext(ctx, `DELETE FROM staff_qualifications WHERE user_id = ?`, userID)
		} else {
			_, err = tx.ExecContext(ctx, `
				INSERT INTO staff_qualifications (user_id, qualification, set_by, set_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (user_id) DO UPDATE SET qualification = excluded.qualification,
					set_by = excluded.set_by, set_at = excluded.set_at`,
				userID, code, actor.ID, stamp(s.Now()))
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditSetQualification, entity: "user", entityID: userID, detail: code})
	})
	if err != nil {
		return fmt.Errorf("set qualification: %w", err)
	}
	return nil
}

// Qualifications returns every member of staff's qualification code by user
// id; staff without one are absent.
func (s *Store) Qualifications(ctx context.Context) (map[int64]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT user_id, qualification FROM staff_qualifications`)
	if err != nil {
		return nil, fmt.Errorf("qualifications: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, fmt.Errorf("qualifications: %w", err)
		}
		out[id] = code
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("qualifications: %w", err)
	}
	return out, nil
}
