package caseload

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// API tokens (issue 3, made to end in issue 15). A token is a random secret
// shown once; the database keeps its SHA-256. It acts as its owner, a member
// of staff, until it expires (TokenLifetime after it was made), is revoked,
// or the account is disabled, which revokes every token (enabling the
// account again does not revive them). Who may make and revoke tokens is
// the callers' policy: a user makes their own, at their own session or at
// the server's command line; an admin may revoke anyone's but make only
// their own.

// TokenLifetime is how long a new token works.
const TokenLifetime = 90 * 24 * time.Hour

// tokenUsedEvery limits how often a token's last-used time is written.
const tokenUsedEvery = time.Minute

// Token is an API token's record (never the secret itself).
type Token struct {
	ID         int64
	UserID     int64
	UserName   string
	UserEmail  string
	Name       string // what the owner calls it ("practice system")
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastUsedAt time.Time // zero: never used
	RevokedAt  time.Time // zero: not revoked
}

// Active reports whether the token still works at now (its owner's account
// aside).
func (t Token) Active(now time.Time) bool { return t.RevokedAt.IsZero() && now.Before(t.ExpiresAt) }

func tokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// CreateToken makes a new API token, called name, for the active member of
// staff with this e-mail and returns the secret (shown once) and its record.
// Patients get no tokens (a *ValidationError on "email"); ErrNotFound when
// there is no such active user.
func (s *Store) CreateToken(ctx context.Context, email, name string) (string, Token, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > 100 || !printable(name) {
		return "", Token{}, fmt.Errorf("create token: %w", &ValidationError{Fields: map[string]string{"name": "Use at most 100 letters, digits, spaces and punctuation"}})
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", Token{}, fmt.Errorf("create token: %w", err)
	}
	secret := base64.RawURLEncoding.EncodeToString(raw)
	now := s.Now()
	t := Token{Name: name, CreatedAt: now, ExpiresAt: now.Add(TokenLifetime)}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		u, err := findUser(ctx, tx, userFilter{Email: email})
		if err != nil {
			return err
		}
		if u.Disabled {
			return ErrNotFound
		}
		t.UserID, t.UserName, t.UserEmail = u.ID, u.Name, u.Email
		if u.Role == RolePatient {
			return &ValidationError{Fields: map[string]string{"email": "API tokens are for staff and the systems they run, not for patients"}}
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO api_tokens (user_id, token_hash, created_at, expires_at, name)
			VALUES (?, ?, ?, ?, ?)`,
			t.UserID, tokenHash(secret), stamp(now), stamp(t.ExpiresAt), name)
		if err != nil {
			return err
		}
		if t.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return s.audit(ctx, tx, auditRow{action: AuditCreateToken, entity: "user", entityID: t.UserID,
			detail: fmt.Sprintf("token %d", t.ID)})
	})
	if err != nil {
		return "", Token{}, fmt.Errorf("create token: %w", err)
	}
	return secret, t, nil
}

// UserByToken returns the active user an API token belongs to, with the
// colleagues they cover today, and the token (its id, owner, expiry and last
// use), and notes that it was used. ErrBadCredentials when the token is
// unknown, revoked, expired or its user disabled: that is checked in the
// database on every call, so a token revoked or a user disabled, by this
// process or another, stops working at once. The user's row (role, teams,
// cover) is kept between calls while nothing that decides access is
// written (issue 17; see tokenUsers and AccessVersion).
func (s *Store) UserByToken(ctx context.Context, token string) (User, Token, error) {
	now := s.Now()
	v, settled := s.AccessVersion()
	hash := sha256.Sum256([]byte(token))
	t, err := scanTokenCheck(s.read.QueryRowContext(ctx, tokenCheck, hash[:], stamp(now)))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrBadCredentials
	}
	if err != nil {
		return User{}, Token{}, fmt.Errorf("user by token: %w", err)
	}
	u, err := s.tokenUser(ctx, t.UserID, v, settled)
	if err != nil {
		return User{}, Token{}, fmt.Errorf("user by token: %w", err)
	}
	t.UserName, t.UserEmail = u.Name, u.Email
	if now.Sub(t.LastUsedAt) > tokenUsedEvery {
		err := s.withLogTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, stamp(now), t.ID)
			return err
		})
		if err != nil {
			return User{}, Token{}, fmt.Errorf("user by token: %w", err)
		}
		t.LastUsedAt = now
	}
	if settled {
		s.tokenUsers.keepToken(hash, t, v)
	}
	return u, t, nil
}

// KeptTokenUser is UserByToken answered without asking the database, from
// what an earlier call found while nothing that decides access has been
// written since: ok is false when nothing is kept for the token under the
// store's AccessVersion of now and today, or it has expired since, or its
// "last used" stamp is due (then UserByToken writes it).
//
// The answer is provisional. This process's writes (a token revoked, a user
// disabled or edited, cover granted) move the AccessVersion at once, but
// another process's commit (`clinic token revoke` beside the server) only when this
// store's committer next notices it (version.go). So a caller may act on
// the answer only in a request that then writes through the committer (an
// audited view: withLogTx notices other processes' commits in its own
// transaction) and, before sending anything, finds AccessVersion still v, or
// otherwise checks the token again with UserByToken. The API's GET of a
// referral does (ui/api_referrals.go); every other request calls
// UserByToken.
func (s *Store) KeptTokenUser(token string) (u User, t Token, v uint64, ok bool) {
	v, settled := s.AccessVersion()
	if !settled {
		return User{}, Token{}, 0, false
	}
	now, day := s.Now(), s.today()
	hash := sha256.Sum256([]byte(token))
	k := &s.tokenUsers
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.version != v || k.day != day {
		return User{}, Token{}, 0, false
	}
	t, ok = k.byHash[hash]
	if !ok || !now.Before(t.ExpiresAt) || now.Sub(t.LastUsedAt) > tokenUsedEvery {
		return User{}, Token{}, 0, false
	}
	u, ok = k.byID[t.UserID]
	return u, t, v, ok
}

// tokenCheck finds a live token by its hash: the check of every API
// request, so it reads only what the request needs (issue 17: the full
// tokenSelect, with its four instants parsed, was a third of the check).
const tokenCheck = `
	SELECT
		k.id,
		k.user_id,
		k.expires_at,
		COALESCE(k.last_used_at, '')
	FROM api_tokens k
	JOIN users u ON u.id = k.user_id
	WHERE k.token_hash = ? AND k.revoked_at IS NULL AND k.expires_at > ? AND u.disabled = 0 AND u.role <> 'patient'` // #nosec G101 -- a query, not a credential

func scanTokenCheck(row scanner) (Token, error) {
	var t Token
	var expires, used string
	if err := row.Scan(&t.ID, &t.UserID, &expires, &used); err != nil {
		return Token{}, err
	}
	var err error
	if t.ExpiresAt, err = parseStamp(sql.NullString{String: expires, Valid: true}); err != nil {
		return Token{}, err
	}
	t.LastUsedAt, err = parseStamp(sql.NullString{String: used, Valid: true})
	return t, err
}

// Tokens returns the tokens of one user (userID > 0) or of everyone (0),
// newest first, revoked and expired ones included.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	rows, err := s.read.QueryContext(ctx, tokenSelect+`
		WHERE ? = 0 OR k.user_id = ?
		ORDER BY k.created_at DESC, k.id DESC`, userID, userID)
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	return out, nil
}

// RevokeToken revokes a token at once, audited. When owner is not 0 the
// token must be theirs (ErrNotFound otherwise, as for an unknown token).
// Revoking a revoked token changes nothing.
func (s *Store) RevokeToken(ctx context.Context, id, owner int64) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var userID int64
		var revoked sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT user_id, revoked_at FROM api_tokens WHERE id = ? AND (? = 0 OR user_id = ?)`,
			id, owner, owner).Scan(&userID, &revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil || revoked.Valid {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, stamp(s.Now()), id); err != nil {
			return err
		}
		return s.audit(ctx, tx, auditRow{action: AuditRevokeToken, entity: "user", entityID: userID, detail: fmt.Sprintf("token %d", id)})
	})
	if err != nil {
		return fmt.Errorf("revoke token %d: %w", id, err)
	}
	return nil
}

// revokeTokens revokes every live token of a user (their account is being
// disabled) inside tx.
func (s *Store) revokeTokens(ctx context.Context, tx *sql.Tx, userID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`,
		stamp(s.Now()), userID)
	return err
}

// tokenSelect reads tokens with their owners.
const tokenSelect = `
	SELECT
		k.id,
		k.user_id,
		u.name,
		u.email,
		k.name,
		k.created_at,
		COALESCE(k.expires_at, ''),
		COALESCE(k.last_used_at, ''),
		COALESCE(k.revoked_at, '')
	FROM api_tokens k
	JOIN users u ON u.id = k.user_id` // #nosec G101 -- a query, not a credential

func scanToken(row scanner) (Token, error) {
	var t Token
	var created, expires, used, revoked string
	if err := row.Scan(&t.ID, &t.UserID, &t.UserName, &t.UserEmail, &t.Name, &created, &expires, &used, &revoked); err != nil {
		return Token{}, err
	}
	for _, f := range []struct {
		dst *time.Time
		v   string
	}{{&t.CreatedAt, created}, {&t.ExpiresAt, expires}, {&t.LastUsedAt, used}, {&t.RevokedAt, revoked}} {
		var err error
		if *f.dst, err = parseStamp(sql.NullString{String: f.v, Valid: true}); err != nil {
			return Token{}, err
		}
	}
	return t, nil
}

// tokenUsers keeps the users UserByToken has read, with their cover, under
// the store's AccessVersion (version.go) and the day: any write of this
// process that may change access (an edit of the user, their teams or
// their cover; not a save of a session) clears them, and so does
// another process's commit once noticed. Whether the token and its user are
// still active is not kept for UserByToken, which asks the database every
// time; the tokens it found live are kept beside them (by their SHA-256)
// only for KeptTokenUser, whose callers check again after their audit row.
type tokenUsers struct {
	mu      sync.Mutex
	version uint64
	day     string
	byID    map[int64]User
	byHash  map[[sha256.Size]byte]Token
}

// keepToken keeps t, found live by a check that began under version v,
// when its user is kept under v too (tokenUser has just kept or found them).
func (k *tokenUsers) keepToken(hash [sha256.Size]byte, t Token, v uint64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.byID[t.UserID]; ok && k.version == v {
		k.byHash[hash] = t
	}
}

// tokenUser is the user with this id and, for a therapist, the colleagues
// they cover today, as kept under version v or read afresh.
func (s *Store) tokenUser(ctx context.Context, id int64, v uint64, settled bool) (User, error) {
	day := s.today()
	k := &s.tokenUsers
	k.mu.Lock()
	u, ok := k.byID[id]
	ok = ok && settled && k.version == v && k.day == day
	k.mu.Unlock()
	if ok {
		return u, nil
	}
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		row, err := findUser(ctx, tx, userFilter{ID: id})
		if err != nil {
			return err
		}
		u = row.User
		if u.Role == RoleTherapist {
			u.Covering, err = coveringOn(ctx, tx, id, day)
		}
		return err
	})
	if err != nil {
		return User{}, err
	}
	// Callers share the kept slices: clipped, an append copies them.
	u.Teams, u.Covering = slices.Clip(u.Teams), slices.Clip(u.Covering)
	if settled {
		k.mu.Lock()
		if k.version < v || k.day != day || k.byID == nil {
			k.version, k.day, k.byID, k.byHash = v, day, map[int64]User{}, map[[sha256.Size]byte]Token{}
		}
		if k.version == v {
			k.byID[id] = u
		}
		k.mu.Unlock()
	}
	return u, nil
}
