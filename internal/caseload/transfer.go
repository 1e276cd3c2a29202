package caseload

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"clinic/internal/measures"
)

// Waiting list and movements of care (issue 14). A referral received
// without a therapist waits on its team's list; a supervisor allocates it
// to a therapist at an intensity. Later a referral may be stepped up,
// stepped down or transferred to another therapist. Each movement is kept
// in referral_moves with who held it before, at which intensity, and why;
// contacts keep the intensity they were given at (contacts.go). Who may
// move what to whom is the access policy's (ui/access.go): the store
// checks only that the move is possible.

// Move kinds.
const (
	MoveAllocate = "allocate"
	MoveStepUp   = "step_up"
	MoveStepDown = "step_down"
	MoveTransfer = "transfer"
)

// Move is one movement of a referral: who held it before (0 and "" when
// allocated from the waiting list) and who after, at which intensity.
type Move struct {
	ID                int64
	ReferralID        int64
	Kind              string
	FromTherapistID   int64
	FromTherapistName string
	FromIntensity     measures.Intensity
	ToTherapistID     int64
	ToTherapistName   string
	ToIntensity       measures.Intensity
	Reason            string
	MovedBy           int64
	MovedByName       string
	CreatedAt         time.Time
}

// NewMove is the input for moving a referral.
type NewMove struct {
	TherapistID int64
	Intensity   string
	Reason      string
}

// checkWaiting checks a referral received onto a team's waiting list.
func checkWaiting(ctx context.Context, tx *sql.Tx, r *Referral, v validation) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM teams WHERE id = ?`, r.TeamID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		v.add("team_id", "No such team")
	}
	return nil
}

// moveKind names a move from r to the therapist at intensity.
func moveKind(r Referral, to measures.Intensity) string {
	switch {
	case r.Waiting:
		return MoveAllocate
	case r.Intensity == measures.LowIntensity && to == measures.HighIntensity:
		return MoveStepUp
	case r.Intensity == measures.HighIntensity && to == measures.LowIntensity:
		return MoveStepDown
	}
	return MoveTransfer
}

// checkMove checks a move of r to therapist (read with findUser) and
// returns its kind.
func checkMove(r Referral, therapist User, in NewMove, v validation) string {
	to := measures.Intensity(strings.TrimSpace(in.Intensity))
	if !r.Open() {
		v.add("referral", "This referral ended on "+r.EndedOn)
	}
	switch {
	case therapist.ID == 0:
		v.add("therapist_id", "Choose the therapist")
	case therapist.Role != RoleTherapist || therapist.TeamID == 0:
		v.add("therapist_id", "Choose a therapist (this user is not one)")
	case therapist.Disabled:
		v.add("therapist_id", "This therapist's account is disabled")
	}
	if to != measures.LowIntensity && to != measures.HighIntensity {
		v.add("intensity", "Choose low or high intensity")
	}
	kind := moveKind(r, to)
	reason := strings.TrimSpace(in.Reason)
	if kind != MoveAllocate && reason == "" {
		v.add("reason", "Say why the referral moves")
	} else if utf8.RuneCountInString(reason) > 1000 {
		v.add("reason", "Use at most 1000 characters")
	}
	if !r.Waiting && therapist.ID == r.TherapistID && to == r.Intensity {
		v.add("therapist_id", "Choose another therapist or intensity: this is where the referral is now")
	}
	return kind
}

// MoveReferral allocates a waiting referral, or steps up, steps down or
// transfers an open one, to in.TherapistID at in.Intensity, keeping the
// move in its history, auditing it and recomputing its summary (whose
// caseload and team it is on), all in one transaction.
func (s *Store) MoveReferral(ctx context.Context, actor User, referralID int64, in NewMove) (Move, error) {
	var m Move
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		row, err := findReferral(ctx, tx, referralFilter{ID: referralID})
		if err != nil {
			return err
		}
		r := row.Referral
		var therapist User
		if in.TherapistID != 0 {
			u, err := findUser(ctx, tx, userFilter{ID: in.TherapistID})
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			therapist = u.User
		}
		v := validation{}
		kind := checkMove(r, therapist, in, v)
		if err := v.err(); err != nil {
			return err
		}
		m = Move{ReferralID: r.ID, Kind: kind, FromIntensity: r.Intensity, ToTherapistID: therapist.ID, ToTherapistName: therapist.Name,
			ToIntensity: measures.Intensity(strings.TrimSpace(in.Intensity)), Reason: strings.TrimSpace(in.Reason), MovedBy: actor.ID, CreatedAt: s.Now()}
		if !r.Waiting {
			m.FromTherapistID, m.FromTherapistName = r.TherapistID, r.TherapistName
		}
		return s.writeMove(ctx, tx, actor, r, therapist.TeamID, &m)
	})
	if err != nil {
		return Move{}, fmt.Errorf("move referral %d: %w", referralID, err)
	}
	return m, nil
}

// writeMove moves the referral, keeps the move, audits it and recomputes
// the summary.
func (s *Store) writeMove(ctx context.Context, tx *sql.Tx, actor User, r Referral, teamID int64, m *Move) error {
	if _, err := tx.ExecContext(ctx, `
		UPDATE referrals SET therapist_id = ?, team_id = ?, intensity = ?, allocated = 1
		WHERE id = ?`, m.ToTherapistID, teamID, string(m.ToIntensity), r.ID); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO referral_moves (referral_id, kind, from_therapist_id, from_intensity, to_therapist_id, to_intensity, reason, moved_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, m.Kind, nullInt(m.FromTherapistID), string(m.FromIntensity), m.ToTherapistID, string(m.ToIntensity), m.Reason, actor.ID, stamp(m.CreatedAt))
	if err != nil {
		return err
	}
	if m.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	detail := fmt.Sprintf("%s: %s (%s) to %s (%s): %s", m.Kind, cmpOr(m.FromTherapistName, "waiting list"), m.FromIntensity, m.ToTherapistName, m.ToIntensity, m.Reason)
	if err := s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditMoveReferral, entity: "referral", entityID: r.ID, patientID: r.PatientID, detail: detail}); err != nil {
		return err
	}
	_, err = s.recomputeSummary(ctx, tx, r.ID)
	return err
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// referralMoves reads a referral's moves, oldest first.
func referralMoves(ctx context.Context, q queryer, referralID int64) ([]Move, error) {
	rows, err := q.QueryContext(ctx, `
	SELECT
		m.id,
		m.referral_id,
		m.kind,
		COALESCE(m.from_therapist_id, 0),
		COALESCE(fu.name, ''),
		m.from_intensity,
		m.to_therapist_id,
		tu.name,
		m.to_intensity,
		m.reason,
		m.moved_by,
		bu.name,
		m.created_at
	FROM referral_moves m
	LEFT JOIN users fu ON fu.id = m.from_therapist_id
	JOIN users tu ON tu.id = m.to_therapist_id
	JOIN users bu ON bu.id = m.moved_by
	WHERE m.referral_id = ?
	ORDER BY m.id`, referralID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Move
	for rows.Next() {
		var m Move
		var from, to, created string
		if err := rows.Scan(&m.ID, &m.ReferralID, &m.Kind, &m.FromTherapistID, &m.FromTherapistName, &from, &m.ToTherapistID,
			&m.ToTherapistName, &to, &m.Reason, &m.MovedBy, &m.MovedByName, &created); err != nil {
			return nil, err
		}
		m.FromIntensity, m.ToIntensity = measures.Intensity(from), measures.Intensity(to)
		if m.CreatedAt, err = parseStamp(sql.NullString{String: created, Valid: true}); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ReferralMoves returns a referral's moves, oldest first.
func (s *Store) ReferralMoves(ctx context.Context, referralID int64) ([]Move, error) {
	moves, err := referralMoves(ctx, s.read, referralID)
	if err != nil {
		return nil, fmt.Errorf("referral %d moves: %w", referralID, err)
	}
	return moves, nil
}

// WaitingRow is a referral on a waiting list, with its outcome so far (the
// risk answer of any questionnaire the patient sent) and its open risk
// alerts, which a supervisor weighs before whom to allocate it to.
type WaitingRow struct {
	Referral Referral
	Outcome  measures.Outcome
	Alerts   []RiskAlert // open, high priority first
}

// WaitingList returns the referrals waiting for a therapist in the teams,
// oldest first, with their open risk alerts, in one read.
func (s *Store) WaitingList(ctx context.Context, teams []int64) ([]WaitingRow, error) {
	var out []WaitingRow
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		rows, err := findReferrals(ctx, tx, referralFilter{Teams: slices.Clone(nonNil(teams)), Waiting: true, Open: true,
			withOutcome: true, order: "r.received_on, r.id"})
		if err != nil {
			return err
		}
		out = make([]WaitingRow, 0, len(rows))
		ids := make([]int64, 0, len(rows))
		at := map[int64]int{}
		for _, row := range rows {
			o, err := row.outcomeOf()
			if err != nil {
				return err
			}
			at[row.ID] = len(out)
			ids = append(ids, row.ID)
			out = append(out, WaitingRow{Referral: row.Referral, Outcome: o})
		}
		alerts, err := findRiskAlerts(ctx, tx, RiskAlertFilter{ReferralIDs: ids, OpenOnly: true})
		if err != nil {
			return err
		}
		for _, a := range alerts {
			out[at[a.ReferralID]].Alerts = append(out[at[a.ReferralID]].Alerts, a)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("waiting list: %w", err)
	}
	return out, nil
}

// TherapistByEmail returns the user with this e-mail, or ErrNotFound.
func (s *Store) TherapistByEmail(ctx context.Context, email string) (User, error) {
	u, err := findUser(ctx, s.read, userFilter{Email: strings.ToLower(strings.TrimSpace(email))})
	if err != nil {
		return User{}, fmt.Errorf("user by e-mail: %w", err)
	}
	return u.User, nil
}
