package caseload

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"clinic/internal/password"
)

// Patients reach their own records by invitation: the therapist makes a
// one-time code on the referral page and reads it to the patient, who uses
// it with their date of birth to choose an e-mail address and a password.

// Invitation rules. The code has 60 bits of entropy (12 symbols from an
// alphabet of 32), so it can be kept as a plain SHA-256 like the API tokens;
// guessing is stopped long before that matters by the limits below.
const (
	// InvitationLifetime is how long a code can be used.
	InvitationLifetime = 7 * 24 * time.Hour

	// A code is refused, whatever it is, from an address that has had
	// InvitationFailuresPerAddress failed tries in InvitationWindow. There
	// is no service-wide lock (issue 15: a hundred failures from twenty
	// addresses locked every patient out): a real code has its own limit
	// (InvitationWrongBirthDates), and guessing a 60-bit code from many
	// addresses at five tries each is hopeless.
	InvitationWindow             = 15 * time.Minute
	InvitationFailuresPerAddress = 5

	// InvitationWrongBirthDates wrong dates of birth given with a real code
	// spend it: the therapist makes a new one.
	InvitationWrongBirthDates = 5
)

// codeAlphabet has no 0/O nor 1/I, so a code read aloud or copied by hand
// cannot be mistaken. 32 symbols: a random byte's low five bits pick one
// uniformly.
const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// codeLength is the symbols in a code, shown in three groups of four.
const codeLength = 12

// ErrTooManyAttempts is returned when invitation codes are being refused for
// a while because too many tries failed.
var ErrTooManyAttempts = errors.New("too many attempts")

// Invitation is a code made for a patient to reach their referral.
type Invitation struct {
	ID         int64
	ReferralID int64
	CreatedBy  int64
	CreatedAt  time.Time
	ExpiresAt  time.Time
	UsedAt     time.Time // zero until used
	UserID     int64     // the patient user who used it
	UserEmail  string    // that user's sign-in address
	RevokedAt  time.Time // zero unless revoked (or spent by wrong dates of birth)
	Attempts   int       // wrong dates of birth given with this code
}

// Invitation states, as Status returns them.
const (
	InvitationWaiting = "waiting" // not used yet and still valid
	InvitationUsed    = "used"    // the patient has access through it
	InvitationExpired = "expired"
	InvitationRevoked = "revoked"
)

// Status says where the invitation stands at now.
func (i Invitation) Status(now time.Time) string {
	switch {
	case !i.RevokedAt.IsZero():
		return InvitationRevoked
	case !i.UsedAt.IsZero():
		return InvitationUsed
	case !now.Before(i.ExpiresAt):
		return InvitationExpired
	}
	return InvitationWaiting
}

// NormaliseInvitationCode reads a code as a person types it: any case,
// spaces and dashes anywhere. It returns "" when the result cannot be a
// code.
func NormaliseInvitationCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
		case strings.ContainsRune(codeAlphabet, r):
			b.WriteRune(r)
		default:
			return ""
		}
	}
	if b.Len() != codeLength {
		return ""
	}
	return b.String()
}

// newInvitationCode returns a fresh code in groups, "ABCD-EFGH-JKLM".
func newInvitationCode() (string, error) {
	raw := make([]byte, codeLength)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	var b strings.Builder
	for i, x := range raw {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(codeAlphabet[x&31])
	}
	return b.String(), nil
}

func codeHash(normalised string) []byte {
	sum := sha256.Sum256([]byte(normalised))
	return sum[:]
}

// CreateInvitation makes a one-time code for the patient of an open
// referral, valid for InvitationLifetime, and returns it: only its hash is
// kept, so it can be shown once. Earlier codes of the referral not yet used
// stop working, so that only the latest one read to the patient is live.
func (s *Store) CreateInvitation(ctx context.Context, actor User, referralID int64) (Invitation, string, error) {
	code, err := newInvitationCode()
	if err != nil {
		return Invitation{}, "", fmt.Errorf("create invitation: %w", err)
	}
	now := s.Now()
	inv := Invitation{ReferralID: referralID, CreatedBy: actor.ID, CreatedAt: now, ExpiresAt: now.Add(InvitationLifetime)}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		r, err := findReferral(ctx, tx, referralFilter{ID: referralID})
		if err != nil {
			return err
		}
		if !r.Open() {
			return &ValidationError{Fields: map[string]string{"referral": "This referral ended on " + r.EndedOn + ": invite the patient from an open referral"}}
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE invitations SET revoked_at = ?
			WHERE referral_id = ? AND used_at IS NULL AND revoked_at IS NULL`,
			stamp(now), referralID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO invitations (referral_id, code_hash, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`,
			referralID, codeHash(NormaliseInvitationCode(code)), actor.ID, stamp(now), stamp(inv.ExpiresAt))
		if err != nil {
			return err
		}
		if inv.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditInvite, entity: "referral", entityID: referralID,
			detail: fmt.Sprintf("invitation %d", inv.ID)})
	})
	if err != nil {
		return Invitation{}, "", fmt.Errorf("create invitation: %w", err)
	}
	return inv, code, nil
}

// Invitations returns a referral's invitations, newest first.
func (s *Store) Invitations(ctx context.Context, referralID int64) ([]Invitation, error) {
	out, err := findInvitations(ctx, s.read, invitationFilter{ReferralID: referralID})
	if err != nil {
		return nil, fmt.Errorf("invitations: %w", err)
	}
	return out, nil
}

// invitationFilter chooses the invitations findInvitations reads: a
// referral's, or the one with a code's hash.
type invitationFilter struct {
	ReferralID int64
	CodeHash   []byte
}

// findInvitations reads the invitations the filter chooses, newest first.
func findInvitations(ctx context.Context, q queryer, f invitationFilter) ([]Invitation, error) {
	where, arg := "i.referral_id = ?", any(f.ReferralID)
	if f.CodeHash != nil {
		where, arg = "i.code_hash = ?", f.CodeHash
	}
	rows, err := q.QueryContext(ctx, `
		SELECT
			i.id,
			i.referral_id,
			i.created_by,
			i.created_at,
			i.expires_at,
			i.used_at,
			COALESCE(i.user_id, 0),
			COALESCE(u.email, ''),
			i.revoked_at,
			i.attempts
		FROM invitations i
		LEFT JOIN users u ON u.id = i.user_id
		WHERE `+where+`
		ORDER BY i.created_at DESC, i.id DESC`, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Invitation
	for rows.Next() {
		var inv Invitation
		var created, expires string
		var used, revoked sql.NullString
		if err := rows.Scan(&inv.ID, &inv.ReferralID, &inv.CreatedBy, &created, &expires, &used, &inv.UserID, &inv.UserEmail, &revoked, &inv.Attempts); err != nil {
			return nil, err
		}
		for _, p := range []struct {
			dst *time.Time
			v   sql.NullString
		}{{&inv.CreatedAt, sql.NullString{String: created, Valid: true}}, {&inv.ExpiresAt, sql.NullString{String: expires, Valid: true}}, {&inv.UsedAt, used}, {&inv.RevokedAt, revoked}} {
			if *p.dst, err = parseStamp(p.v); err != nil {
				return nil, err
			}
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

// RevokePatientAccess ends the patient's access to a referral at once: every
// invitation of the referral, used or not, is revoked, and the patient users
// who came in through them are disabled (signed out on their next request).
// Inviting the patient again gives access back.
func (s *Store) RevokePatientAccess(ctx context.Context, actor User, referralID int64) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := findReferral(ctx, tx, referralFilter{ID: referralID}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE users SET disabled = 1
			WHERE role = 'patient'
			  AND id IN (SELECT user_id FROM invitations WHERE referral_id = ? AND user_id IS NOT NULL)`,
			referralID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE invitations SET revoked_at = ?
			WHERE referral_id = ? AND revoked_at IS NULL`,
			stamp(s.Now()), referralID); err != nil {
			return err
		}
		return s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditRevokeAccess, entity: "referral", entityID: referralID})
	})
	if err != nil {
		return fmt.Errorf("revoke patient access %d: %w", referralID, err)
	}
	return nil
}

// AcceptInvitation is what a patient sends to take up an invitation.
// Address is where the request came from, for throttling.
type AcceptInvitation struct {
	Code        string
	DateOfBirth string // YYYY-MM-DD
	Email       string
	Password    string
	Address     string
}

// AcceptInvitation turns a valid code and the patient's date of birth into a
// patient user with the e-mail and password they chose, and spends the
// code. A patient who already has a user (invited again, or for a new
// referral) keeps it, with the new e-mail and password, enabled again.
//
// Errors: a *ValidationError for a bad e-mail or password (checked first, so
// that fixing them costs no try) or an e-mail in use (only once the code is
// known to be good); ErrBadCredentials for a wrong, expired, used or
// revoked code or a wrong date of birth, all alike; ErrTooManyAttempts
// while tries are being refused. Every failed try is recorded.
func (s *Store) AcceptInvitation(ctx context.Context, in AcceptInvitation) (User, error) {
	in, err := checkAcceptance(in)
	if err != nil {
		return User{}, fmt.Errorf("accept invitation: %w", err)
	}
	now := s.Now()
	var u User
	var refused error // a failed try: recorded, then returned after commit
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		if throttled, err := invitationsThrottled(ctx, tx, in.Address, now); err != nil || throttled {
			if throttled {
				refused = ErrTooManyAttempts
			}
			return err
		}
		inv, ok, err := s.invitationToAccept(ctx, tx, in, now)
		if err != nil {
			return err
		}
		if !ok {
			refused = ErrBadCredentials
			return recordInvitationFailure(ctx, tx, in.Address, now)
		}
		// Hashed only for a good code, so that guesses cost no hashing; the
		// write lock is held for the hash, once per patient.
		hash, err := password.Hash(in.Password)
		if err != nil {
			return err
		}
		if u, err = s.patientUser(ctx, tx, inv.patient, in.Email, hash, now); err != nil {
			return err
		}
		return s.spendInvitation(ctx, tx, inv, u, now)
	})
	if err == nil {
		err = refused
	}
	if err != nil {
		return User{}, fmt.Errorf("accept invitation: %w", err)
	}
	return u, nil
}

// checkAcceptance normalises what the patient sent (the code, their date of
// birth, the e-mail) and checks it before any code is tried.
func checkAcceptance(in AcceptInvitation) (AcceptInvitation, error) {
	v := validation{}
	if strings.TrimSpace(in.Code) == "" {
		v.add("code", "Enter the code your therapist gave you")
	}
	in.Code = NormaliseInvitationCode(in.Code)
	in.DateOfBirth = strings.TrimSpace(in.DateOfBirth)
	if in.DateOfBirth == "" {
		v.add("date_of_birth", "Enter your date of birth")
	} else if !validDate(in.DateOfBirth) {
		v.add("date_of_birth", "Enter a real date of birth")
	}
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	if !validEmail(in.Email) {
		v.add("email", "Enter an e-mail address like name@example.com")
	}
	if msg := password.Problem(in.Password); msg != "" {
		v.add("password", msg)
	} else if password.MentionsEmail(in.Password, in.Email) {
		v.add("password", "Choose a password that does not contain your e-mail address")
	}
	return in, v.err()
}

// invitationsThrottled reports whether codes are being refused from address
// for too many failed tries in the window. There is no service-wide count
// (see InvitationFailuresPerAddress).
func invitationsThrottled(ctx context.Context, tx *sql.Tx, address string, now time.Time) (bool, error) {
	var fromAddress int
	if err := tx.QueryRowContext(ctx, `
		SELECT COUNT(*)
		FROM invitation_failures
		WHERE address = ? AND at > ?`, address, stamp(now.Add(-InvitationWindow))).Scan(&fromAddress); err != nil {
		return false, err
	}
	return fromAddress >= InvitationFailuresPerAddress, nil
}

// recordInvitationFailure counts a failed try against address.
func recordInvitationFailure(ctx context.Context, tx *sql.Tx, address string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO invitation_failures (at, address) VALUES (?, ?)`, stamp(now), address); err != nil {
		return err
	}
	// Working data for the throttle, pruned like sign-in failures.
	_, err := tx.ExecContext(ctx, `DELETE FROM invitation_failures WHERE at < ?`, stamp(now.Add(-KeepFailures)))
	return err
}

// acceptedInvitation is a good code's invitation, its referral and patient.
type acceptedInvitation struct {
	id       int64
	referral Referral
	patient  Patient
}

// invitationToAccept finds the live invitation of in.Code on an open
// referral whose patient was born on in.DateOfBirth; ok is false for any
// other code. A real code given with a wrong date of birth counts against
// the code, which is spent after InvitationWrongBirthDates of them.
func (s *Store) invitationToAccept(ctx context.Context, tx *sql.Tx, in AcceptInvitation, now time.Time) (acceptedInvitation, bool, error) {
	var inv acceptedInvitation
	if in.Code == "" {
		return inv, false, nil
	}
	invs, err := findInvitations(ctx, tx, invitationFilter{CodeHash: codeHash(in.Code)})
	if err != nil || len(invs) == 0 {
		return inv, false, err
	}
	inv.id = invs[0].ID
	row, err := findReferral(ctx, tx, referralFilter{ID: invs[0].ReferralID})
	if err != nil {
		return inv, false, err
	}
	inv.referral = row.Referral
	if invs[0].Status(now) != InvitationWaiting || !inv.referral.Open() {
		return inv, false, nil
	}
	if inv.patient, err = scanPatient(tx.QueryRowContext(ctx, patientSelect+` WHERE id = ?`, inv.referral.PatientID)); err != nil {
		return inv, false, err
	}
	if inv.patient.DateOfBirth != in.DateOfBirth {
		// A real code with the wrong date of birth: count it on the code
		// too, and spend the code after too many.
		_, err := tx.ExecContext(ctx, `
			UPDATE invitations
			SET attempts = attempts + 1,
			    revoked_at = CASE WHEN attempts + 1 >= ? THEN ? END
			WHERE id = ?`, InvitationWrongBirthDates, stamp(now), inv.id)
		return inv, false, err
	}
	return inv, true, nil
}

// patientUser gives the patient a user with this e-mail and password hash:
// their existing one, enabled again, or a new one.
func (s *Store) patientUser(ctx context.Context, tx *sql.Tx, p Patient, email, hash string, now time.Time) (User, error) {
	u := User{Email: email, Name: p.Name, Role: RolePatient, PatientID: p.ID, CreatedAt: now}
	existing, err := findUsers(ctx, tx, userFilter{PatientID: p.ID, Role: RolePatient})
	if err != nil {
		return User{}, err
	}
	var res sql.Result
	if len(existing) == 0 {
		res, err = tx.ExecContext(ctx, `
			INSERT INTO users (email, name, role, patient_id, password_hash, created_at)
			VALUES (?, ?, 'patient', ?, ?, ?)`,
			email, p.Name, p.ID, hash, stamp(now))
	} else {
		u.ID, u.CreatedAt = existing[0].ID, existing[0].CreatedAt
		_, err = tx.ExecContext(ctx, `
			UPDATE users SET email = ?, name = ?, password_hash = ?, disabled = 0
			WHERE id = ?`, email, p.Name, hash, u.ID)
	}
	if isUnique(err) {
		return User{}, &ValidationError{Fields: map[string]string{"email": "This e-mail address is already in use: enter another"}}
	}
	if err != nil {
		return User{}, err
	}
	if res != nil {
		if u.ID, err = res.LastInsertId(); err != nil {
			return User{}, err
		}
	}
	return u, nil
}

// spendInvitation marks the invitation used by u, and audits it.
func (s *Store) spendInvitation(ctx context.Context, tx *sql.Tx, inv acceptedInvitation, u User, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE invitations SET used_at = ?, user_id = ? WHERE id = ?`, stamp(now), u.ID, inv.id); err != nil {
		return err
	}
	return s.audit(ctx, tx, auditRow{userID: u.ID, action: AuditAcceptInvitation, entity: "referral", entityID: inv.referral.ID,
		patientID: inv.patient.ID, detail: fmt.Sprintf("invitation %d", inv.id)})
}

// PatientAccess is a referral a patient user can reach: one whose invitation
// they accepted and which has not been revoked. Whether it is still open to
// them (an ended referral stays readable for a while) is the access
// policy's decision, from Referral.EndedOn.
type PatientAccess struct {
	Referral  Referral
	GrantedAt time.Time // when the invitation was accepted
}

// PatientAccess returns the referrals an active patient user has been given
// access to, the most recently received first. A disabled user, or one who
// is not a patient, has none.
func (s *Store) PatientAccess(ctx context.Context, userID int64) ([]PatientAccess, error) {
	var out []PatientAccess
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		granted, err := patientGrants(ctx, tx, userID)
		if err != nil || len(granted) == 0 {
			return err
		}
		rows, err := findReferrals(ctx, tx, referralFilter{IDs: slices.Collect(maps.Keys(granted)), order: "r.received_on DESC, r.id DESC"})
		for _, row := range rows {
			out = append(out, PatientAccess{Referral: row.Referral, GrantedAt: granted[row.ID]})
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("patient access: %w", err)
	}
	return out, nil
}

// patientGrants returns, by referral, when an active patient user's access
// to it was granted: the latest accepted invitation not revoked, for a
// referral of the user's own patient.
func patientGrants(ctx context.Context, tx *sql.Tx, userID int64) (map[int64]time.Time, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT
			i.referral_id,
			MAX(i.used_at)
		FROM invitations i
		JOIN users pu ON pu.id = i.user_id
		JOIN referrals r ON r.id = i.referral_id
		WHERE i.user_id = ?
		  AND i.used_at IS NOT NULL
		  AND i.revoked_at IS NULL
		  AND pu.role = 'patient'
		  AND pu.disabled = 0
		  AND pu.patient_id = r.patient_id
		GROUP BY i.referral_id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]time.Time{}
	for rows.Next() {
		var id int64
		var granted string
		if err := rows.Scan(&id, &granted); err != nil {
			return nil, err
		}
		if out[id], err = parseStamp(sql.NullString{String: granted, Valid: true}); err != nil {
			return nil, err
		}
	}
	return out, rows.Err()
}
