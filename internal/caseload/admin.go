package caseload

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// SetUserDisabled disables (or enables again) a user's account. Disabling
// ends their sessions and revokes their API tokens at once; enabling the
// account again revives neither (issue 15).
func (s *Store) SetUserDisabled(ctx context.Context, actor User, userID int64, disabled bool) error {
	action := AuditEnableUser
	if disabled {
		action = AuditDisableUser
	}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET disabled = ? WHERE id = ?`, boolInt(disabled), userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		if disabled {
			if _, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL`,
				stamp(s.Now()), userID); err != nil {
				return err
			}
			if err := s.revokeTokens(ctx, tx, userID); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, auditRow{userID: actor.ID, action: action, entity: "user", entityID: userID})
	})
	if err != nil {
		return fmt.Errorf("%s %d: %w", strings.ReplaceAll(action, "_", " "), userID, err)
	}
	return nil
}

// BreakGlassFor is how long a break-glass grant lasts.
const BreakGlassFor = time.Hour

// Grant is an admin's time-limited access to one patient's records, given
// for a stated reason ("break glass").
type Grant struct {
	ID        int64
	UserID    int64
	PatientID int64
	Reason    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// BreakGlass gives actor access to the records of the patient of referral
// referralID for BreakGlassFor, for reason (required: at least a few
// words), and audits it. Who may break glass is the caller's policy.
func (s *Store) BreakGlass(ctx context.Context, actor User, referralID int64, reason string) (Grant, error) {
	reason = strings.TrimSpace(reason)
	v := validation{}
	if utf8.RuneCountInString(reason) < 10 {
		v.add("reason", "Say why you need to see this record (at least 10 characters)")
	} else if utf8.RuneCountInString(reason) > 1000 {
		v.add("reason", "Use at most 1000 characters")
	}
	if referralID <= 0 {
		v.add("referral", "Enter the referral number")
	}
	if err := v.err(); err != nil {
		return Grant{}, fmt.Errorf("break glass: %w", err)
	}
	now := s.Now()
	g := Grant{UserID: actor.ID, Reason: reason, CreatedAt: now, ExpiresAt: now.Add(BreakGlassFor)}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT patient_id FROM referrals WHERE id = ?`, referralID).Scan(&g.PatientID)
		if errors.Is(err, sql.ErrNoRows) {
			return &ValidationError{Fields: map[string]string{"referral": "There is no referral with this number"}}
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO break_glass (user_id, patient_id, reason, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`,
			actor.ID, g.PatientID, reason, stamp(g.CreatedAt), stamp(g.ExpiresAt))
		if err != nil {
			return err
		}
		if g.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditBreakGlass, entity: "referral", entityID: referralID,
			patientID: g.PatientID, detail: reason})
	})
	if err != nil {
		return Grant{}, fmt.Errorf("break glass: %w", err)
	}
	return g, nil
}

// ActiveGrant returns the user's latest unexpired break-glass grant for the
// patient, or ErrNotFound.
func (s *Store) ActiveGrant(ctx context.Context, userID, patientID int64) (Grant, error) {
	var g Grant
	var created, expires string
	err := s.read.QueryRowContext(ctx, `
		SELECT
			id,
			user_id,
			patient_id,
			reason,
			created_at,
			expires_at
		FROM break_glass
		WHERE user_id = ? AND patient_id = ? AND expires_at > ?
		ORDER BY expires_at DESC
		LIMIT 1`, userID, patientID, stamp(s.Now())).Scan(&g.ID, &g.UserID, &g.PatientID, &g.Reason, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Grant{}, fmt.Errorf("break-glass grant: %w", ErrNotFound)
	}
	if err == nil {
		g.CreatedAt, err = parseStamp(sql.NullString{String: created, Valid: true})
	}
	if err == nil {
		g.ExpiresAt, err = parseStamp(sql.NullString{String: expires, Valid: true})
	}
	if err != nil {
		return Grant{}, fmt.Errorf("break-glass grant: %w", err)
	}
	return g, nil
}
