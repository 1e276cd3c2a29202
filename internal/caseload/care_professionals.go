package caseload

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"clinic/internal/measures"
)

// Care professionals of imported records (issue 12). An import keeps each
// contact's CareProfLocalId, the source system's id of who saw the patient;
// an admin maps each such id to a clinic therapist, so that later imports
// put that professional's referrals on the therapist's caseload, and the
// referrals an earlier import left waiting because the id was unknown can
// be allocated to the therapist in the same step.

// CareProfessional is a source system's care professional and what clinic
// holds of theirs.
type CareProfessional struct {
	LocalID       string
	Qualification string // QualAttainLevelIAPT, as imported
	UserID        int64  // the clinic user they are; 0 while unmapped
	UserName      string
	Contacts      int // imported contacts they held
	Unallocated   int // referrals never allocated in clinic whose latest contact was theirs
}

// waitingForCareProf selects the referrals never allocated to a therapist
// (waiting, or imported already ended) whose latest contact (by date, then as recorded) was with the care
// professional ?1: the professional who holds them in the source system,
// as the import reads it (careProfOf).
const waitingForCareProf = `
	SELECT r.id
	FROM referrals r
	WHERE r.allocated = 0
	  AND (SELECT c.care_prof_local_id
	       FROM contacts c
	       WHERE c.referral_id = r.id AND c.care_prof_local_id IS NOT NULL
	       ORDER BY c.date DESC, c.id DESC
	       LIMIT 1) = ?1`

// CareProfessionals lists every care professional of imported records,
// unmapped first, then by local id.
func (s *Store) CareProfessionals(ctx context.Context) ([]CareProfessional, error) {
	rows, err := s.read.QueryContext(ctx, `
	WITH ids AS (
		SELECT local_id FROM care_professionals
		UNION
		SELECT DISTINCT care_prof_local_id FROM contacts WHERE care_prof_local_id IS NOT NULL
	),
	held AS (
		SELECT care_prof_local_id AS local_id, COUNT(*) AS n
		FROM contacts
		WHERE care_prof_local_id IS NOT NULL
		GROUP BY care_prof_local_id
	),
	waiting AS (
		SELECT
			(SELECT c.care_prof_local_id
			 FROM contacts c
			 WHERE c.referral_id = r.id AND c.care_prof_local_id IS NOT NULL
			 ORDER BY c.date DESC, c.id DESC
			 LIMIT 1) AS local_id
		FROM referrals r
		WHERE r.allocated = 0
	)
	SELECT
		i.local_id,
		COALESCE(p.qualification, ''),
		COALESCE(p.user_id, 0),
		COALESCE(u.name, ''),
		COALESCE(h.n, 0),
		(SELECT COUNT(*) FROM waiting w WHERE w.local_id = i.local_id)
	FROM ids i
	LEFT JOIN care_professionals p ON p.local_id = i.local_id
	LEFT JOIN users u ON u.id = p.user_id
	LEFT JOIN held h ON h.local_id = i.local_id
	ORDER BY p.user_id IS NOT NULL, i.local_id`)
	if err != nil {
		return nil, fmt.Errorf("care professionals: %w", err)
	}
	defer rows.Close()
	var out []CareProfessional
	for rows.Next() {
		var p CareProfessional
		if err := rows.Scan(&p.LocalID, &p.Qualification, &p.UserID, &p.UserName, &p.Contacts, &p.Unallocated); err != nil {
			return nil, fmt.Errorf("care professionals: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("care professionals: %w", err)
	}
	return out, nil
}

// checkCareProfTarget checks the user a care professional is mapped to: an
// active therapist in a team (0 unmaps).
func checkCareProfTarget(u User, found bool, v validation) {
	switch {
	case !found:
		v.add("user_id", "No such user")
	case u.Role != RoleTherapist || u.TeamID == 0:
		v.add("user_id", "Choose a therapist (this user is not one)")
	case u.Disabled:
		v.add("user_id", "This therapist's account is disabled")
	}
}

// MapCareProfessional records, as actor (an admin), that the source
// system's care professional localID is the therapist userID (0: not
// known), audited. With allocate, the referrals never allocated because
// that professional was not known (waiting, or imported already ended, which
// the therapist then holds as history) are allocated to the therapist at
// their intensity, each a move in its history, audited: all in one
// transaction. It returns how many were allocated.
func (s *Store) MapCareProfessional(ctx context.Context, actor User, localID string, userID int64, allocate bool) (int, error) {
	localID = strings.TrimSpace(localID)
	if actor.Role != RoleAdmin {
		return 0, fmt.Errorf("map care professional: %w", ErrNotFound)
	}
	var n int
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if err := careProfKnown(ctx, tx, localID); err != nil {
			return err
		}
		var target User
		v := validation{}
		if userID != 0 {
			u, err := findUser(ctx, tx, userFilter{ID: userID})
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			target = u.User
			checkCareProfTarget(target, err == nil, v)
		} else if allocate {
			v.add("user_id", "Choose the therapist to allocate the waiting referrals to")
		}
		if err := v.err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO care_professionals (local_id, user_id) VALUES (?, ?)
			ON CONFLICT (local_id) DO UPDATE SET user_id = excluded.user_id`, localID, nullInt(userID)); err != nil {
			return err
		}
		detail := fmt.Sprintf("care professional %s is %s (user %d)", localID, cmpOr(target.Name, "not known"), userID)
		if err := s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditMapCareProfessional, entity: "care_professional", detail: detail}); err != nil {
			return err
		}
		if !allocate {
			return nil
		}
		var err error
		n, err = s.allocateWaitingFor(ctx, tx, actor, localID, target)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("map care professional %s: %w", localID, err)
	}
	return n, nil
}

// careProfKnown is ErrNotFound unless some imported record names localID.
func careProfKnown(ctx context.Context, tx *sql.Tx, localID string) error {
	var one int
	err := tx.QueryRowContext(ctx, `
		SELECT 1 WHERE EXISTS (SELECT 1 FROM care_professionals WHERE local_id = ?1)
		            OR EXISTS (SELECT 1 FROM contacts WHERE care_prof_local_id = ?1)`, localID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// allocateWaitingFor allocates to therapist every referral never allocated
// because the care professional localID was not known, at its own
// intensity. writeMove, not MoveReferral: an ended one is allocated too.
func (s *Store) allocateWaitingFor(ctx context.Context, tx *sql.Tx, actor User, localID string, therapist User) (int, error) {
	rows, err := tx.QueryContext(ctx, waitingForCareProf+` ORDER BY r.id`, localID)
	if err != nil {
		return 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, id := range ids {
		row, err := findReferral(ctx, tx, referralFilter{ID: id})
		if err != nil {
			return 0, err
		}
		r := row.Referral
		m := Move{ReferralID: r.ID, Kind: MoveAllocate, FromIntensity: r.Intensity, ToTherapistID: therapist.ID, ToTherapistName: therapist.Name,
			ToIntensity: measures.Intensity(r.Intensity), Reason: "Imported: care professional " + localID + " is " + therapist.Name,
			MovedBy: actor.ID, CreatedAt: s.Now()}
		if err := s.writeMove(ctx, tx, actor, r, therapist.TeamID, &m); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}
