package caseload

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"clinic/internal/measures"
)

// Risk alerts (issue 11). Any PHQ-9 item 9 answer above 0, from a session or
// from a patient's own answers, opens an alert on the referral, written in
// the transaction that stores the answer, so that an answer is never kept
// without its alert. An alert stays open until a clinician acknowledges it
// with a note of the action taken; it is never deleted (schema step 11).

// Risk alert sources: where the answer was given.
const (
	RiskFromSession = "session" // at a session, recorded by a clinician
	RiskFromPatient = "patient" // in the patient's own answers, sent online
)

// RiskAlert is one item 9 answer above 0 and what was done about it.
type RiskAlert struct {
	ID              int64
	ReferralID      int64
	Source          string // RiskFromSession or RiskFromPatient
	ContactID       int64  // the session, for RiskFromSession
	QuestionnaireID int64  // the patient's answers, for RiskFromPatient
	AnsweredBy      int64  // the patient user, or the clinician who recorded the session
	AnsweredByName  string
	AnsweredOn      string    // YYYY-MM-DD: the session's date, or the day the answers were sent (England)
	AnsweredAt      time.Time // when a patient sent their answers; zero for a session
	Item9           int
	Priority        string // measures.PriorityHigh or measures.PriorityStandard
	OpenedAt        time.Time
	OpenedNote      string // why it opened other than at the answer (an upgrade)

	AcknowledgedAt     time.Time // zero while open
	AcknowledgedBy     int64
	AcknowledgedByName string
	AckNote            string

	// The referral, for lists and access checks.
	PatientName   string
	TherapistID   int64
	TherapistName string
	TeamID        int64
	ReferralOpen  bool
}

// Open reports whether no clinician has acknowledged the alert yet.
func (a RiskAlert) Open() bool { return a.AcknowledgedAt.IsZero() }

// RiskAlertFilter selects alerts. Zero fields do not filter; TherapistIDs
// and Teams together select alerts on referrals of any of the therapists
// (a therapist's own and those they cover) OR of any of the teams (a
// supervisor's duty list); with neither, every referral.
type RiskAlertFilter struct {
	ID           int64
	ReferralID   int64
	ReferralIDs  []int64 // any of these referrals; nil: no filter
	TherapistIDs []int64
	Teams        []int64
	OpenOnly     bool
	// AcknowledgedSince, when set with OpenOnly false, keeps open alerts
	// and those acknowledged at or after it (the duty list's recent ones).
	AcknowledgedSince time.Time
}

// MaxRiskNote is the longest acknowledgement note kept.
const MaxRiskNote = 1000

// riskAnswer is an item 9 answer that may open an alert.
type riskAnswer struct {
	referralID      int64
	source          string
	contactID       int64
	questionnaireID int64
	answeredBy      int64
	answeredOn      string
	answeredAt      time.Time
	item9           *int
}

// openRiskAlert opens an alert for an item 9 answer above 0, inside the
// transaction storing the answer, and audits it; 0 when the answer opens
// none.
func (s *Store) openRiskAlert(ctx context.Context, tx *sql.Tx, a riskAnswer) (int64, error) {
	if !measures.RaisesAlert(a.item9) {
		return 0, nil
	}
	at := sql.NullString{}
	if !a.answeredAt.IsZero() {
		at = sql.NullString{String: stamp(a.answeredAt), Valid: true}
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO risk_alerts (referral_id, source, contact_id, questionnaire_id, answered_by, answered_on, answered_at, item9, priority, opened_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.referralID, a.source, nullInt(a.contactID), nullInt(a.questionnaireID), nullInt(a.answeredBy), a.answeredOn, at,
		*a.item9, measures.AlertPriority(a.item9), stamp(s.Now()))
	if err != nil {
		return 0, fmt.Errorf("open risk alert: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	err = s.audit(ctx, tx, auditRow{userID: a.answeredBy, action: AuditOpenRiskAlert, entity: "referral", entityID: a.referralID,
		detail: fmt.Sprintf("risk alert %d (%s, item 9 = %d, %s priority)", id, a.source, *a.item9, measures.AlertPriority(a.item9))})
	return id, err
}

// englishDate is the calendar date in England of an instant.
func englishDate(t time.Time) string { return t.In(london).Format(dateLayout) }

// questionnaireRiskAlert is SubmitQuestionnaire's part: the patient's own
// item 9 answer opens an alert at once, before any clinician sees it.
func (s *Store) questionnaireRiskAlert(ctx context.Context, tx *sql.Tx, actor User, q Questionnaire) error {
	_, err := s.openRiskAlert(ctx, tx, riskAnswer{referralID: q.ReferralID, source: RiskFromPatient, questionnaireID: q.ID,
		answeredBy: actor.ID, answeredOn: englishDate(q.SubmittedAt), answeredAt: q.SubmittedAt, item9: q.Item9()})
	return err
}

// contactRiskAlert is RecordContact's part, after the contact's scores are
// written: a PHQ-9 answering item 9 above 0 opens an alert. A session
// confirming the patient's own answers unchanged does not open a second
// alert for the answer that already opened one. It returns the alert
// ContactRiskAlertID names for the contact once written: the one opened,
// else that of the patient's answers, 0 for none.
func (s *Store) contactRiskAlert(ctx context.Context, tx *sql.Tx, actor User, referralID, contactID int64, date string, fromQuestionnaire int64, scores []measures.Score) (int64, error) {
	var item9 *int
	for _, sc := range scores {
		if sc.Instrument == measures.PHQ9 && len(sc.Items) == 9 {
			item9 = sc.Items[8]
		}
	}
	if !measures.RaisesAlert(item9) {
		return 0, nil
	}
	if fromQuestionnaire != 0 {
		var id int64
		err := tx.QueryRowContext(ctx, `
			SELECT id FROM risk_alerts
			WHERE referral_id = ? AND questionnaire_id = ? AND item9 = ?
			ORDER BY id DESC LIMIT 1`, referralID, fromQuestionnaire, *item9).Scan(&id)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	return s.openRiskAlert(ctx, tx, riskAnswer{referralID: referralID, source: RiskFromSession, contactID: contactID,
		answeredBy: actor.ID, answeredOn: date, item9: item9})
}

// ContactRiskAlertID is the risk alert for a contact's PHQ-9 item 9 answer:
// the latest one the contact opened, else, when it confirmed the patient's
// own answers with the same item 9, the alert those answers opened; 0 when
// none (item 9 not above 0).
func (s *Store) ContactRiskAlertID(ctx context.Context, contactID int64) (int64, error) {
	var id int64
	err := s.read.QueryRowContext(ctx, `
		SELECT a.id
		FROM contacts c
		JOIN risk_alerts a ON a.referral_id = c.referral_id
		WHERE c.id = ?
		  AND (a.contact_id = c.id
		       OR (c.questionnaire_id IS NOT NULL AND a.questionnaire_id = c.questionnaire_id
		           AND a.item9 = (
		               SELECT json_extract(s.items_json, '$[8]')
		               FROM scores s
		               WHERE s.contact_id = c.id AND s.instrument = 'phq9' AND s.superseded_at IS NULL)))
		ORDER BY a.contact_id IS NULL, a.id DESC
		LIMIT 1`, contactID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("contact %d risk alert: %w", contactID, err)
	}
	return id, nil
}

// correctionRiskAlert is CorrectScore's part: a corrected PHQ-9 whose item 9
// now says more risk than the answer it replaces opens an alert (a risk
// answer found by a correction is not lost); a lower one closes nothing.
func (s *Store) correctionRiskAlert(ctx context.Context, tx *sql.Tx, actor User, oldScoreID int64, sc measures.Score) error {
	if sc.Instrument != measures.PHQ9 || len(sc.Items) != 9 {
		return nil
	}
	old, err := scanScore(tx.QueryRowContext(ctx, scoreSelect+` WHERE id = ?`, oldScoreID))
	if err != nil {
		return err
	}
	var before *int
	if len(old.Items) == 9 {
		before = old.Items[8]
	}
	if measures.RiskOf(sc.Items[8]) <= measures.RiskOf(before) {
		return nil
	}
	var referralID int64
	var date string
	if err := tx.QueryRowContext(ctx, `SELECT referral_id, date FROM contacts WHERE id = ?`, old.ContactID).Scan(&referralID, &date); err != nil {
		return err
	}
	_, err = s.openRiskAlert(ctx, tx, riskAnswer{referralID: referralID, source: RiskFromSession, contactID: old.ContactID,
		answeredBy: actor.ID, answeredOn: date, item9: sc.Items[8]})
	return err
}

const riskAlertSelect = `
	SELECT
		a.id,
		a.referral_id,
		a.source,
		COALESCE(a.contact_id, 0),
		COALESCE(a.questionnaire_id, 0),
		COALESCE(a.answered_by, 0),
		COALESCE(ub.name, ''),
		a.answered_on,
		a.answered_at,
		a.item9,
		a.priority,
		a.opened_at,
		a.opened_note,
		a.acknowledged_at,
		COALESCE(a.acknowledged_by, 0),
		COALESCE(ua.name, ''),
		COALESCE(a.ack_note, ''),
		p.name,
		r.therapist_id,
		t.name,
		r.team_id,
		r.ended_on IS NULL
	FROM risk_alerts a
	JOIN referrals r ON r.id = a.referral_id
	JOIN patients p ON p.id = r.patient_id
	JOIN users t ON t.id = r.therapist_id
	LEFT JOIN users ub ON ub.id = a.answered_by
	LEFT JOIN users ua ON ua.id = a.acknowledged_by`

func scanRiskAlert(row scanner) (RiskAlert, error) {
	var a RiskAlert
	var answeredAt, ackAt sql.NullString
	var opened string
	if err := row.Scan(&a.ID, &a.ReferralID, &a.Source, &a.ContactID, &a.QuestionnaireID, &a.AnsweredBy, &a.AnsweredByName,
		&a.AnsweredOn, &answeredAt, &a.Item9, &a.Priority, &opened, &a.OpenedNote, &ackAt, &a.AcknowledgedBy,
		&a.AcknowledgedByName, &a.AckNote, &a.PatientName, &a.TherapistID, &a.TherapistName, &a.TeamID, &a.ReferralOpen); err != nil {
		return RiskAlert{}, err
	}
	var err error
	if a.AnsweredAt, err = parseStamp(answeredAt); err != nil {
		return RiskAlert{}, err
	}
	if a.OpenedAt, err = parseStamp(sql.NullString{String: opened, Valid: true}); err != nil {
		return RiskAlert{}, err
	}
	a.AcknowledgedAt, err = parseStamp(ackAt)
	return a, err
}

// findRiskAlerts is the one query for alerts: open ones first, high
// priority first, oldest first (the longest waiting is the most urgent).
func findRiskAlerts(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, f RiskAlertFilter) ([]RiskAlert, error) {
	var where []string
	var args []any
	if f.ID != 0 {
		where, args = append(where, "a.id = ?"), append(args, f.ID)
	}
	if f.ReferralID != 0 {
		where, args = append(where, "a.referral_id = ?"), append(args, f.ReferralID)
	}
	if f.ReferralIDs != nil {
		where, args = append(where, "a.referral_id IN (SELECT value FROM json_each(?))"), append(args, jsonIDs(f.ReferralIDs))
	}
	var scope []string
	if len(f.TherapistIDs) > 0 {
		scope = append(scope, "r.therapist_id IN (?"+strings.Repeat(", ?", len(f.TherapistIDs)-1)+")")
		for _, id := range f.TherapistIDs {
			args = append(args, id)
		}
	}
	if len(f.Teams) > 0 {
		scope = append(scope, "r.team_id IN (?"+strings.Repeat(", ?", len(f.Teams)-1)+")")
		for _, t := range f.Teams {
			args = append(args, t)
		}
	}
	if len(scope) > 0 {
		where = append(where, "("+strings.Join(scope, " OR ")+")")
	}
	switch {
	case f.OpenOnly:
		where = append(where, "a.acknowledged_at IS NULL")
	case !f.AcknowledgedSince.IsZero():
		where, args = append(where, "(a.acknowledged_at IS NULL OR a.acknowledged_at >= ?)"), append(args, stamp(f.AcknowledgedSince))
	}
	query := riskAlertSelect
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += ` ORDER BY a.acknowledged_at IS NOT NULL, a.priority = 'high' DESC, a.opened_at, a.id`
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RiskAlert
	for rows.Next() {
		a, err := scanRiskAlert(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// RiskAlerts lists the alerts a filter selects (see findRiskAlerts' order).
func (s *Store) RiskAlerts(ctx context.Context, f RiskAlertFilter) ([]RiskAlert, error) {
	out, err := findRiskAlerts(ctx, s.read, f)
	if err != nil {
		return nil, fmt.Errorf("risk alerts: %w", err)
	}
	return out, nil
}

// RiskAlert returns one alert with its referral's therapist and team (for
// access checks), or ErrNotFound.
func (s *Store) RiskAlert(ctx context.Context, id int64) (RiskAlert, error) {
	out, err := findRiskAlerts(ctx, s.read, RiskAlertFilter{ID: id})
	if err == nil && len(out) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return RiskAlert{}, fmt.Errorf("risk alert %d: %w", id, err)
	}
	return out[0], nil
}

// checkRiskNote trims a note of action taken and adds what is wrong with it
// to v under field.
func checkRiskNote(v validation, field, note string) string {
	note = strings.TrimSpace(note)
	switch {
	case note == "":
		v.add(field, "Say what was done about the risk (for example: risk assessed, safety plan updated)")
	case utf8.RuneCountInString(note) > MaxRiskNote:
		v.add(field, fmt.Sprintf("Use at most %d characters", MaxRiskNote))
	}
	return note
}

// acknowledgeRiskAlerts closes the given open alerts with a note and
// audits each; it returns how many it closed.
func (s *Store) acknowledgeRiskAlerts(ctx context.Context, tx *sql.Tx, actor User, alerts []RiskAlert, note string) (int, error) {
	n := 0
	for _, a := range alerts {
		res, err := tx.ExecContext(ctx, `
			UPDATE risk_alerts SET acknowledged_at = ?, acknowledged_by = ?, ack_note = ?
			WHERE id = ? AND acknowledged_at IS NULL`, stamp(s.Now()), actor.ID, note, a.ID)
		if err != nil {
			return n, err
		}
		if k, err := res.RowsAffected(); err != nil {
			return n, err
		} else if k == 0 {
			continue
		}
		n++
		if err := s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditAcknowledgeRiskAlert, entity: "referral", entityID: a.ReferralID,
			detail: fmt.Sprintf("risk alert %d: %s", a.ID, note)}); err != nil {
			return n, err
		}
	}
	return n, nil
}

// AcknowledgeRiskAlert closes an open alert with a note of the action taken.
// ErrNotFound when there is no such alert; ErrConflict when it was already
// acknowledged; a ValidationError ("note") when the note is empty or long.
// Who may acknowledge is the caller's decision (ui's policy).
func (s *Store) AcknowledgeRiskAlert(ctx context.Context, actor User, id int64, note string) (RiskAlert, error) {
	v := validation{}
	note = checkRiskNote(v, "note", note)
	var out RiskAlert
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		found, err := findRiskAlerts(ctx, tx, RiskAlertFilter{ID: id})
		if err != nil {
			return err
		}
		if len(found) == 0 {
			return ErrNotFound
		}
		if !found[0].Open() {
			return fmt.Errorf("risk alert %d was already acknowledged: %w", id, ErrConflict)
		}
		if err := v.err(); err != nil {
			return err
		}
		if _, err := s.acknowledgeRiskAlerts(ctx, tx, actor, found, note); err != nil {
			return err
		}
		found, err = findRiskAlerts(ctx, tx, RiskAlertFilter{ID: id})
		if err != nil {
			return err
		}
		out = found[0]
		return nil
	})
	if err != nil {
		return RiskAlert{}, fmt.Errorf("acknowledge risk alert %d: %w", id, err)
	}
	return out, nil
}

// HasContacts reports whether any contact is recorded on the referral (the
// new contact form defaults the first to an assessment).
func (s *Store) HasContacts(ctx context.Context, referralID int64) (bool, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM contacts WHERE referral_id = ?)`, referralID).Scan(&n); err != nil {
		return false, fmt.Errorf("has contacts %d: %w", referralID, err)
	}
	return n == 1, nil
}
