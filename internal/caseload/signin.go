package caseload

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sign-in throttling. Failures are counted over a sliding window per e-mail
// as typed (whether or not an account has it, so that the pause reveals
// nothing) and per client address. Five wrong passwords in 15 minutes
// pause an account for what remains of the window; twenty from one address
// pause that address, which slows guessing across many accounts. Both are
// well above what a person mistyping produces and far below what guessing
// needs (NCSC: throttle rather than lock out for good).
const (
	SignInWindow          = 15 * time.Minute
	MaxFailuresPerAccount = 5
	MaxFailuresPerAddress = 20
)

// Throttling and session rows are working data, not the record (the audit
// log keeps every sign-in, failure and sign-out for good), so they are
// pruned as new ones are written: failures once well past any window that
// counts them, sessions a while after they ended or were last used.
const (
	KeepFailures      = 24 * time.Hour
	KeepEndedSessions = 30 * 24 * time.Hour
)

// SignInThrottled reports whether sign-in with this e-mail, or from this
// address, is paused after too many recent failures.
func (s *Store) SignInThrottled(ctx context.Context, email, address string) (bool, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	since := stamp(s.Now().Add(-SignInWindow))
	var throttled bool
	err := s.read.QueryRowContext(ctx, `
		SELECT
			(SELECT COUNT(*) FROM sign_in_failures WHERE email = ? AND at > ?) >= ?
			OR (SELECT COUNT(*) FROM sign_in_failures WHERE address = ? AND at > ?) >= ?`,
		email, since, MaxFailuresPerAccount, address, since, MaxFailuresPerAddress).Scan(&throttled)
	if err != nil {
		return false, fmt.Errorf("sign-in throttle: %w", err)
	}
	return throttled, nil
}

// ErrThrottled means sign-in with this e-mail, or from this address, is
// paused after too many recent failures.
var ErrThrottled = errors.New("sign-in paused after too many failures")

// ReserveSignIn counts an attempt against the e-mail and address before its
// password is checked, in the same write transaction that finds them under
// their limits, and returns the attempt's id; ErrThrottled when either is
// already at its limit. Checking and counting in one step is what holds
// against a burst: writes are serialised, so of 25 guesses sent at once
// only MaxFailuresPerAccount are let through to the password check
// (issue 15). The caller then either withdraws the attempt (ReleaseSignIn:
// signed in, or nothing was checked) or audits it (SignInFailed).
func (s *Store) ReserveSignIn(ctx context.Context, email, address string) (int64, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	now := s.Now()
	since := stamp(now.Add(-SignInWindow))
	var id int64
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var throttled bool
		if err := tx.QueryRowContext(ctx, `
			SELECT
				(SELECT COUNT(*) FROM sign_in_failures WHERE email = ? AND at > ?) >= ?
				OR (SELECT COUNT(*) FROM sign_in_failures WHERE address = ? AND at > ?) >= ?`,
			email, since, MaxFailuresPerAccount, address, since, MaxFailuresPerAddress).Scan(&throttled); err != nil {
			return err
		}
		if throttled {
			return ErrThrottled
		}
		var err error
		id, err = insertSignInFailure(ctx, tx, now, email, address)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("reserve sign-in: %w", err)
	}
	return id, nil
}

// ReleaseSignIn withdraws a reserved attempt that did not fail: the user
// signed in, or the password could not be checked.
func (s *Store) ReleaseSignIn(ctx context.Context, attempt int64) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sign_in_failures WHERE id = ?`, attempt); err != nil {
		return fmt.Errorf("release sign-in: %w", err)
	}
	return nil
}

// SignInFailed audits a reserved attempt whose password was wrong (it is
// already counted).
func (s *Store) SignInFailed(ctx context.Context, email string) error {
	if err := s.withTx(ctx, func(tx *sql.Tx) error { return s.auditSignInFailure(ctx, tx, email) }); err != nil {
		return fmt.Errorf("sign-in failed: %w", err)
	}
	return nil
}

// RecordSignInFailure counts a failed sign-in for the e-mail and address,
// and audits it against the account when there is one. The e-mail itself is
// not put in the audit log: people type passwords into e-mail fields.
func (s *Store) RecordSignInFailure(ctx context.Context, email, address string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := insertSignInFailure(ctx, tx, s.Now(), email, address); err != nil {
			return err
		}
		return s.auditSignInFailure(ctx, tx, email)
	})
	if err != nil {
		return fmt.Errorf("record sign-in failure: %w", err)
	}
	return nil
}

// insertSignInFailure counts a failure and prunes those past keeping.
func insertSignInFailure(ctx context.Context, tx *sql.Tx, now time.Time, email, address string) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO sign_in_failures (at, email, address) VALUES (?, ?, ?)`,
		stamp(now), email, address)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sign_in_failures WHERE at < ?`, stamp(now.Add(-KeepFailures))); err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// auditSignInFailure audits a failure against the account, if there is one.
func (s *Store) auditSignInFailure(ctx context.Context, tx *sql.Tx, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE email = ?`, email).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	a := auditRow{action: AuditSignInFailed, entity: "user", entityID: id}
	if id == 0 {
		a.detail = "unknown e-mail"
	}
	// The row's user is nobody: no one is signed in yet.
	return s.auditAnonymous(ctx, tx, a)
}

// auditAnonymous appends a row with no acting user.
func (s *Store) auditAnonymous(ctx context.Context, tx *sql.Tx, a auditRow) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO audit_log (at, user_id, action, entity, entity_id, address, detail)
		VALUES (?, NULL, ?, ?, ?, ?, ?)`,
		stamp(s.Now()), a.action, a.entity, nullInt(a.entityID), auditFrom(ctx).address, a.detail)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// Sessions are kept on the server: the cookie carries only a random id, of
// which the database keeps the SHA-256. Signing out, an idle timeout or
// disabling the account ends the row, after which a copy of the cookie is
// worthless.

func sessionHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// StartSession opens a session for the user, audited as a sign-in from the
// context's address, and returns the id for the cookie.
func (s *Store) StartSession(ctx context.Context, u User) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("start session: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	now := stamp(s.Now())
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, address)
			VALUES (?, ?, ?, ?, ?)`,
			sessionHash(token), u.ID, now, now, auditFrom(ctx).address); err != nil {
			return err
		}
		old := stamp(s.Now().Add(-KeepEndedSessions))
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE ended_at < ? OR last_seen_at < ?`, old, old); err != nil {
			return err
		}
		return s.audit(ctx, tx, auditRow{userID: u.ID, action: AuditSignIn, entity: "user", entityID: u.ID})
	})
	if err != nil {
		return "", fmt.Errorf("start session: %w", err)
	}
	return token, nil
}

// Session is a signed-in browser's session.
type Session struct {
	UserID    int64
	CreatedAt time.Time // when the user signed in
	LastSeen  time.Time // the latest request the HTTP layer saw
}

// SessionUser returns the user of an active session, and the session.
// ErrNotFound when the session is unknown or has ended, or its user is
// disabled.
func (s *Store) SessionUser(ctx context.Context, token string) (User, Session, error) {
	var u User
	var sess Session
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		var created, lastSeen string
		var err error
		err = tx.QueryRowContext(ctx, `
			SELECT
				s.user_id,
				s.created_at,
				s.last_seen_at
			FROM sessions s
			JOIN users u ON u.id = s.user_id
			WHERE s.token_hash = ? AND s.ended_at IS NULL AND u.disabled = 0`,
			sessionHash(token)).Scan(&sess.UserID, &created, &lastSeen)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if sess.CreatedAt, err = parseStamp(sql.NullString{String: created, Valid: true}); err != nil {
			return err
		}
		if sess.LastSeen, err = parseStamp(sql.NullString{String: lastSeen, Valid: true}); err != nil {
			return err
		}
		row, err := findUser(ctx, tx, userFilter{ID: sess.UserID})
		u = row.User
		return err
	})
	if err != nil {
		return User{}, Session{}, fmt.Errorf("session: %w", err)
	}
	return u, sess, nil
}

// TouchSession moves an active session's last-seen time to at, when the
// HTTP layer saw its latest request (its clock decides idleness).
func (s *Store) TouchSession(ctx context.Context, token string, at time.Time) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND ended_at IS NULL`,
			stamp(at), sessionHash(token))
		return err
	})
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// EndSession ends a session (signed out, or timed out: why says which) and
// audits it. Ending an unknown or ended session does nothing.
func (s *Store) EndSession(ctx context.Context, token, why string) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var userID int64
		err := tx.QueryRowContext(ctx, `
			UPDATE sessions SET ended_at = ?
			WHERE token_hash = ? AND ended_at IS NULL
			RETURNING user_id`, stamp(s.Now()), sessionHash(token)).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, auditRow{userID: userID, action: AuditSignOut, entity: "user", entityID: userID, detail: why})
	})
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}
