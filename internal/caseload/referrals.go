package caseload

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"clinic/internal/measures"
)

// CreateReferral opens a referral for a patient on a therapist's caseload
// (in.TherapistID, or the actor when that is 0 and the actor is a
// therapist), in the therapist's team, and creates its summary row.
func (s *Store) CreateReferral(ctx context.Context, actor User, in NewReferral) (Referral, error) {
	v := validation{}
	r := s.checkReferral(actor, in, v)
	if r.PatientID == 0 {
		v.add("patient_id", "Choose the patient")
	}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if err := s.checkReferralParties(ctx, tx, &r, v); err != nil {
			return err
		}
		if err := v.err(); err != nil {
			return err
		}
		return s.insertReferral(ctx, tx, actor, &r)
	})
	if err != nil {
		return Referral{}, fmt.Errorf("create referral: %w", err)
	}
	return r, nil
}

// checkReferral normalises a new referral and adds what is wrong with its own
// fields to v; checkReferralParties then checks the patient and therapist it
// names.
func (s *Store) checkReferral(actor User, in NewReferral, v validation) Referral {
	r := Referral{
		PatientID:   in.PatientID,
		TherapistID: in.TherapistID,
		ReceivedOn:  strings.TrimSpace(in.ReceivedOn),
		Intensity:   measures.Intensity(strings.TrimSpace(in.Intensity)),
		CreatedAt:   s.Now(),
	}
	if r.TherapistID == 0 && actor.Role == RoleTherapist {
		r.TherapistID = actor.ID
	}
	if strings.TrimSpace(in.ProblemDescriptor) == "" {
		v.add("problem_descriptor", "Choose a problem descriptor")
	} else if code, ok := measures.NormaliseDescriptor(in.ProblemDescriptor); !ok {
		v.add("problem_descriptor", "Choose a problem descriptor from the list")
	} else {
		r.ProblemDescriptor = code
	}
	if r.Intensity != measures.LowIntensity && r.Intensity != measures.HighIntensity {
		v.add("intensity", "Choose low or high intensity")
	}
	if r.ReceivedOn == "" {
		v.add("received_on", "Enter the date the referral was received")
	} else if _, ok := parseDate(r.ReceivedOn); !ok {
		v.add("received_on", "Enter a real date as YYYY-MM-DD")
	} else if r.ReceivedOn > s.today() {
		v.add("received_on", "The referral date must be today or in the past")
	}
	if r.TherapistID == 0 {
		v.add("therapist_id", "Choose the therapist")
	}
	return r
}

// checkReferralParties looks up the referral's patient (when it already
// exists) and therapist, filling in their names and the team.
func (s *Store) checkReferralParties(ctx context.Context, tx *sql.Tx, r *Referral, v validation) error {
	if r.PatientID != 0 {
		var dob string
		err := tx.QueryRowContext(ctx, `SELECT name, date_of_birth FROM patients WHERE id = ?`, r.PatientID).Scan(&r.PatientName, &dob)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			v.add("patient_id", "No such patient")
		case err != nil:
			return err
		case v["received_on"] == "" && r.ReceivedOn < dob:
			v.add("received_on", "The referral date cannot be before the patient's date of birth ("+dob+")")
		}
	}
	if r.TherapistID != 0 {
		var role string
		var team sql.NullInt64
		var disabled bool
		err := tx.QueryRowContext(ctx, `SELECT name, role, team_id, disabled FROM users WHERE id = ?`, r.TherapistID).Scan(&r.TherapistName, &role, &team, &disabled)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			v.add("therapist_id", "No such therapist")
		case err != nil:
			return err
		case Role(role) != RoleTherapist || !team.Valid:
			v.add("therapist_id", "Choose a therapist (this user is not one)")
		case disabled:
			v.add("therapist_id", "This therapist's account is disabled")
		default:
			r.TeamID = team.Int64
		}
	}
	return nil
}

// insertReferral writes a checked referral, its audit row and its first
// summary.
func (s *Store) insertReferral(ctx context.Context, tx *sql.Tx, actor User, r *Referral) error {
	res, err := tx.ExecContext(ctx, `
		INSERT INTO referrals (patient_id, therapist_id, team_id, received_on, problem_descriptor, intensity, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		r.PatientID, r.TherapistID, r.TeamID, r.ReceivedOn, r.ProblemDescriptor, string(r.Intensity), nullInt(actor.ID), stamp(r.CreatedAt))
	if err != nil {
		return err
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	if err := s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditCreateReferral, entity: "referral", entityID: r.ID, patientID: r.PatientID}); err != nil {
		return err
	}
	_, err = s.recomputeSummary(ctx, tx, r.ID)
	return err
}

func nullInt(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

const referralSelect = `
	SELECT
		r.id,
		r.patient_id,
		p.name,
		r.therapist_id,
		u.name,
		r.team_id,
		r.received_on,
		r.problem_descriptor,
		r.intensity,
		COALESCE(r.ended_on, ''),
		COALESCE(r.end_reason, ''),
		r.bring_to_supervision,
		r.created_at
	FROM referrals r
	JOIN patients p ON p.id = r.patient_id
	JOIN users u ON u.id = r.therapist_id`

// referralColumns are the scan targets of referralSelect's columns, with a
// function to finish the referral once scanned.
func referralColumns(r *Referral) ([]any, func() error) {
	var intensity, created string
	cols := []any{&r.ID, &r.PatientID, &r.PatientName, &r.TherapistID, &r.TherapistName, &r.TeamID,
		&r.ReceivedOn, &r.ProblemDescriptor, &intensity, &r.EndedOn, &r.EndReason, &r.BringToSupervision, &created}
	return cols, func() error {
		r.Intensity = measures.Intensity(intensity)
		var err error
		r.CreatedAt, err = parseStamp(sql.NullString{String: created, Valid: true})
		return err
	}
}

func scanReferral(row scanner) (Referral, error) {
	var r Referral
	cols, finish := referralColumns(&r)
	if err := row.Scan(cols...); err != nil {
		return Referral{}, err
	}
	return r, finish()
}

// Referral returns the referral with this id (with its team, for access
// checks), or ErrNotFound.
func (s *Store) Referral(ctx context.Context, id int64) (Referral, error) {
	r, err := scanReferral(s.read.QueryRowContext(ctx, referralSelect+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Referral{}, fmt.Errorf("referral %d: %w", id, err)
	}
	return r, nil
}

// ReferralDetail returns a referral with its patient, every contact and score
// (superseded ones included), its outcome so far and its reviews.
func (s *Store) ReferralDetail(ctx context.Context, id int64) (ReferralDetail, error) {
	var d ReferralDetail
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		var err error
		d.Referral, err = scanReferral(tx.QueryRowContext(ctx, referralSelect+` WHERE r.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if d.Patient, err = scanPatient(tx.QueryRowContext(ctx, patientSelect+` WHERE id = ?`, d.Referral.PatientID)); err != nil {
			return err
		}
		if d.Contacts, err = referralContacts(ctx, tx, id); err != nil {
			return err
		}
		var js string
		if err := tx.QueryRowContext(ctx, `SELECT outcome_json FROM referral_summary WHERE referral_id = ?`, id).Scan(&js); err != nil {
			return fmt.Errorf("summary: %w", err)
		}
		if err := json.Unmarshal([]byte(js), &d.Outcome); err != nil {
			return fmt.Errorf("summary: %w", err)
		}
		if d.Reviews, err = referralReviews(ctx, tx, id); err != nil {
			return err
		}
		d.RiskAlerts, err = findRiskAlerts(ctx, tx, RiskAlertFilter{ReferralID: id})
		return err
	})
	if err != nil {
		return ReferralDetail{}, fmt.Errorf("referral detail %d: %w", id, err)
	}
	return d, nil
}

func referralReviews(ctx context.Context, tx *sql.Tx, referralID int64) ([]Review, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT
			v.id,
			v.referral_id,
			v.supervisor_id,
			u.name,
			v.date,
			v.decision,
			v.note,
			v.flag_codes_json,
			v.created_at
		FROM reviews v
		JOIN users u ON u.id = v.supervisor_id
		WHERE v.referral_id = ?
		ORDER BY v.date, v.id`, referralID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var reviews []Review
	for rows.Next() {
		var rv Review
		var flags, created string
		if err := rows.Scan(&rv.ID, &rv.ReferralID, &rv.SupervisorID, &rv.SupervisorName, &rv.Date, &rv.Decision, &rv.Note, &flags, &created); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(flags), &rv.FlagCodes); err != nil {
			return nil, fmt.Errorf("review %d flags: %w", rv.ID, err)
		}
		if rv.CreatedAt, err = parseStamp(sql.NullString{String: created, Valid: true}); err != nil {
			return nil, err
		}
		reviews = append(reviews, rv)
	}
	return reviews, rows.Err()
}

// Caseload returns a therapist's open referrals, oldest first, read from
// their summaries (no contact is read).
func (s *Store) Caseload(ctx context.Context, therapistID int64) ([]CaseloadRow, error) {
	rows, err := s.read.QueryContext(ctx, `
		SELECT
			r.id,
			r.patient_id,
			p.name,
			r.therapist_id,
			u.name,
			r.team_id,
			r.received_on,
			r.problem_descriptor,
			r.intensity,
			COALESCE(r.ended_on, ''),
			COALESCE(r.end_reason, ''),
			r.bring_to_supervision,
			r.created_at,
			m.outcome_json,
			(SELECT COUNT(*) FROM questionnaires q WHERE q.referral_id = r.id AND q.status = 'pending')
		FROM referral_summary m
		JOIN referrals r ON r.id = m.referral_id
		JOIN patients p ON p.id = r.patient_id
		JOIN users u ON u.id = r.therapist_id
		WHERE m.therapist_id = ? AND m.is_open = 1
		ORDER BY r.received_on, r.id`, therapistID)
	if err != nil {
		return nil, fmt.Errorf("caseload: %w", err)
	}
	defer rows.Close()
	var out []CaseloadRow
	for rows.Next() {
		var row CaseloadRow
		var js []byte
		cols, finish := referralColumns(&row.Referral)
		if err := rows.Scan(append(cols, &js, &row.AnswersWaiting)...); err != nil {
			return nil, fmt.Errorf("caseload: %w", err)
		}
		if err := finish(); err != nil {
			return nil, fmt.Errorf("caseload: %w", err)
		}
		if err := json.Unmarshal(js, &row.Outcome); err != nil {
			return nil, fmt.Errorf("caseload: referral %d summary: %w", row.Referral.ID, err)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("caseload: %w", err)
	}
	return out, nil
}

// EndReferral ends an open referral on date (not before it was received nor
// before its last contact, not in the future) for one of EndReasons, and
// recomputes its summary. With open risk alerts or unconfirmed patient
// answers it needs risk acknowledged with a note (checkEndingRisk), else it
// returns an *EndingRiskError (errors.Is ErrRiskUnacknowledged).
func (s *Store) EndReferral(ctx context.Context, actor User, referralID int64, date, reason string, risk EndRisk) (Referral, error) {
	date, reason = strings.TrimSpace(date), strings.TrimSpace(reason)
	var r Referral
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = scanReferral(tx.QueryRowContext(ctx, referralSelect+` WHERE r.id = ?`, referralID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		var lastContact string
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(date), '') FROM contacts WHERE referral_id = ?`, referralID).Scan(&lastContact); err != nil {
			return err
		}
		v := validation{}
		if !r.Open() {
			v.add("referral", "This referral ended on "+r.EndedOn)
		}
		switch {
		case date == "":
			v.add("date", "Enter the date the referral ended")
		case !validDate(date):
			v.add("date", "Enter a real date as YYYY-MM-DD")
		case date > s.today():
			v.add("date", "The end date must be today or in the past")
		case date < r.ReceivedOn:
			v.add("date", "The end date cannot be before the referral was received ("+r.ReceivedOn+")")
		case date < lastContact:
			v.add("date", "The end date cannot be before the last contact ("+lastContact+")")
		}
		if !slices.Contains(EndReasons, reason) {
			v.add("reason", "Choose why the referral ended")
		}
		if err := v.err(); err != nil {
			return err
		}
		if err := s.checkEndingRisk(ctx, tx, actor, referralID, risk); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE referrals SET ended_on = ?, end_reason = ? WHERE id = ?`, date, reason, referralID); err != nil {
			return err
		}
		r.EndedOn, r.EndReason = date, reason
		if err := s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditEndReferral, entity: "referral", entityID: referralID,
			patientID: r.PatientID, detail: date + " " + reason}); err != nil {
			return err
		}
		_, err = s.recomputeSummary(ctx, tx, referralID)
		return err
	})
	if err != nil {
		return Referral{}, fmt.Errorf("end referral %d: %w", referralID, err)
	}
	return r, nil
}

func validDate(s string) bool {
	_, ok := parseDate(s)
	return ok
}

// SetBringToSupervision records the therapist's reason for bringing a
// referral to supervision; an empty reason clears it.
func (s *Store) SetBringToSupervision(ctx context.Context, actor User, referralID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > 1000 {
		return fmt.Errorf("bring to supervision: %w", &ValidationError{Fields: map[string]string{"reason": "Use at most 1000 characters"}})
	}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE referrals SET bring_to_supervision = ? WHERE id = ?`, reason, referralID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		return s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditBringSupervision, entity: "referral", entityID: referralID, detail: reason})
	})
	if err != nil {
		return fmt.Errorf("bring to supervision %d: %w", referralID, err)
	}
	return nil
}
