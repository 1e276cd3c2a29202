package caseload

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"clinic/internal/password"
)

// Password resets (issue 16). A member of staff or a patient who has
// forgotten their password asks an admin, who makes a one-time code (shown
// once, as a link and as the code). The user opens /reset-password, enters
// the code and chooses a new password; every session they had ends. The
// code is the invitation code's shape (12 letters and digits, about 60 bits),
// kept only as a hash, and works once, for PasswordResetLifetime.

// PasswordResetLifetime is how long a reset code works.
const PasswordResetLifetime = 24 * time.Hour

// Audit actions of password resets and user edits.
const (
	AuditPasswordResetCode = "create_password_reset"
	AuditResetPassword     = "reset_password"
	AuditEditUser          = "edit_user"
)

// ErrBadResetCode is returned for a reset code that is wrong, expired,
// revoked or already used: which of them is not said.
var ErrBadResetCode = errors.New("reset code not valid")

// CreatePasswordReset makes a one-time reset code for user userID, valid
// for PasswordResetLifetime, revoking any earlier code not yet used. The
// code is returned once; only its hash is kept.
func (s *Store) CreatePasswordReset(ctx context.Context, actor User, userID int64) (string, time.Time, error) {
	code, err := newInvitationCode()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("create password reset: %w", err)
	}
	now := s.Now()
	expires := now.Add(PasswordResetLifetime)
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		u, err := findUser(ctx, tx, userFilter{ID: userID})
		if err != nil {
			return err
		}
		email := u.Email
		if _, err := tx.ExecContext(ctx, `
			UPDATE password_resets SET revoked_at = ?
			WHERE user_id = ? AND used_at IS NULL AND revoked_at IS NULL`, stamp(now), userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO password_resets (user_id, code_hash, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`,
			userID, codeHash(NormaliseInvitationCode(code)), actor.ID, stamp(now), stamp(expires)); err != nil {
			return err
		}
		return s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditPasswordResetCode, entity: "user", entityID: userID,
			detail: "one-time code for " + email + ", until " + expires.UTC().Format(time.RFC3339)})
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("create password reset for user %d: %w", userID, err)
	}
	return code, expires, nil
}

// ResetPassword sets a new password with a reset code and spends the code;
// every session of the user ends. It returns a *ValidationError for a
// password that breaks the rules (checked first, so that fixing it does not
// spend the code) and ErrBadResetCode for a code that does not work.
//
// A code that does not work is counted against address (the client's
// throttle key) with the invitation codes' failures, which have the same
// shape: after InvitationFailuresPerAddress of either in InvitationWindow,
// every try from that address is refused with ErrTooManyAttempts, so that
// codes cannot be guessed at speed.
func (s *Store) ResetPassword(ctx context.Context, code, pw, address string) (User, error) {
	var u User
	var refused error // a failed try: recorded, then returned after commit
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		if throttled, err := invitationsThrottled(ctx, tx, address, now); err != nil || throttled {
			if throttled {
				refused = ErrTooManyAttempts
			}
			return err
		}
		norm := NormaliseInvitationCode(code)
		var resetID, userID int64
		err := tx.QueryRowContext(ctx, `
			SELECT id, user_id
			FROM password_resets
			WHERE code_hash = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?`,
			codeHash(norm), stamp(now)).Scan(&resetID, &userID)
		if norm == "" || errors.Is(err, sql.ErrNoRows) {
			refused = ErrBadResetCode
			return recordInvitationFailure(ctx, tx, address, now)
		}
		if err != nil {
			return err
		}
		row, err := findUser(ctx, tx, userFilter{ID: userID})
		if err != nil {
			return err
		}
		u = row.User
		v := validation{}
		if msg := password.Problem(pw); msg != "" {
			v.add("password", msg)
		} else if password.MentionsEmail(pw, u.Email) {
			v.add("password", "Choose a password that does not contain your email address")
		}
		if err := v.err(); err != nil {
			return err
		}
		hash, err := password.Hash(pw)
		if err != nil {
			return err
		}
		at := stamp(now)
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE password_resets SET used_at = ? WHERE id = ?`, at, resetID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL`, at, u.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, auditRow{userID: u.ID, action: AuditResetPassword, entity: "user", entityID: u.ID, detail: "with a one-time code"})
	})
	if err == nil {
		err = refused
	}
	if err != nil {
		return User{}, fmt.Errorf("reset password: %w", err)
	}
	return u, nil
}
