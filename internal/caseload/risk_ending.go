package caseload

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Ending safely (issue 11): a referral with an open risk alert, or with
// answers its patient sent that no session has confirmed, ends only with an
// explicit acknowledgement (a tick and a note), which closes its open
// alerts; and an ended referral can be reopened for a while.

// ErrRiskUnacknowledged is returned (inside an *EndingRiskError) when a
// referral with open risk alerts or unconfirmed patient answers is ended
// without acknowledging them.
var ErrRiskUnacknowledged = errors.New("the ending's open risk alerts or unconfirmed answers are not acknowledged")

// EndRisk is the acknowledgement an ending carries: the tick and the note.
type EndRisk struct {
	Acknowledged bool
	Note         string
}

// EndingRisks are what an ending must acknowledge.
type EndingRisks struct {
	Alerts      []RiskAlert     // open alerts
	Unconfirmed []Questionnaire // the patient's answers no session has confirmed (pending)
}

// Any reports whether there is anything to acknowledge.
func (e EndingRisks) Any() bool { return len(e.Alerts) > 0 || len(e.Unconfirmed) > 0 }

// EndingRiskError names what an ending left unacknowledged.
type EndingRiskError struct {
	Risks EndingRisks
}

func (e *EndingRiskError) Error() string {
	return fmt.Sprintf("%d open risk alerts and %d unconfirmed patient answers need acknowledging", len(e.Risks.Alerts), len(e.Risks.Unconfirmed))
}

func (e *EndingRiskError) Unwrap() error { return ErrRiskUnacknowledged }

// endingRisks reads a referral's open alerts and unconfirmed answers.
func endingRisks(ctx context.Context, tx *sql.Tx, referralID int64) (EndingRisks, error) {
	var out EndingRisks
	var err error
	if out.Alerts, err = findRiskAlerts(ctx, tx, RiskAlertFilter{ReferralID: referralID, OpenOnly: true}); err != nil {
		return out, err
	}
	rows, err := tx.QueryContext(ctx, questionnaireSelect+`
		WHERE referral_id = ? AND status = 'pending'
		ORDER BY submitted_at, id`, referralID)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		q, err := scanQuestionnaire(rows)
		if err != nil {
			return out, err
		}
		out.Unconfirmed = append(out.Unconfirmed, q)
	}
	return out, rows.Err()
}

// EndingRisks returns what ending the referral now would need acknowledging.
func (s *Store) EndingRisks(ctx context.Context, referralID int64) (EndingRisks, error) {
	var out EndingRisks
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = endingRisks(ctx, tx, referralID)
		return err
	})
	if err != nil {
		return EndingRisks{}, fmt.Errorf("ending risks %d: %w", referralID, err)
	}
	return out, nil
}

// checkEndingRisk is EndReferral's part, once the ending is otherwise valid:
// with nothing to acknowledge it does nothing; otherwise, without the tick,
// an *EndingRiskError; with the tick but no note, a ValidationError
// ("risk_note"); with both, the open alerts are acknowledged with the note
// and the acknowledgement is audited, naming the unconfirmed answers.
func (s *Store) checkEndingRisk(ctx context.Context, tx *sql.Tx, actor User, referralID int64, ack EndRisk) error {
	risks, err := endingRisks(ctx, tx, referralID)
	if err != nil {
		return err
	}
	if !risks.Any() {
		return nil
	}
	if !ack.Acknowledged {
		return &EndingRiskError{Risks: risks}
	}
	v := validation{}
	note := checkRiskNote(v, "risk_note", ack.Note)
	if err := v.err(); err != nil {
		return err
	}
	if _, err := s.acknowledgeRiskAlerts(ctx, tx, actor, risks.Alerts, "At the ending: "+note); err != nil {
		return err
	}
	var ids []string
	for _, q := range risks.Unconfirmed {
		ids = append(ids, fmt.Sprint(q.ID))
	}
	return s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditEndWithRisk, entity: "referral", entityID: referralID,
		detail: fmt.Sprintf("%d open risk alerts closed; unconfirmed patient answers [%s]: %s", len(risks.Alerts), strings.Join(ids, ", "), note)})
}

// ReopenDays is how long after its end date a referral can be reopened by
// its therapist or a supervisor (issue 11): long enough to catch a mistaken
// or hasty discharge, short enough that a new episode gets a new referral.
const ReopenDays = 28

// ReopenDeadline is the last day an ended referral can be reopened,
// YYYY-MM-DD; "" while it is open.
func ReopenDeadline(r Referral) string {
	end, ok := parseDate(r.EndedOn)
	if !ok {
		return ""
	}
	return end.AddDate(0, 0, ReopenDays).Format(dateLayout)
}

// ReopenReferral reopens an ended referral within ReopenDays of its end
// date, with a reason (audited with the ending it undoes), and recomputes
// its summary. Who may reopen is the caller's decision (ui's policy).
func (s *Store) ReopenReferral(ctx context.Context, actor User, referralID int64, reason string) (Referral, error) {
	reason = strings.TrimSpace(reason)
	var r Referral
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		row, err := findReferral(ctx, tx, referralFilter{ID: referralID})
		if err != nil {
			return err
		}
		r = row.Referral
		if err := checkReopen(r, reason, s.today()); err != nil {
			return err
		}
		return s.writeReopen(ctx, tx, actor, &r, reason)
	})
	if err != nil {
		return Referral{}, fmt.Errorf("reopen referral %d: %w", referralID, err)
	}
	return r, nil
}

// checkReopen checks a reopening of r on the clinic's date today.
func checkReopen(r Referral, reason, today string) error {
	v := validation{}
	switch {
	case r.Open():
		v.add("referral", "This referral is open")
	case today > ReopenDeadline(r):
		v.add("referral", fmt.Sprintf("This referral ended on %s, more than %d days ago: open a new referral instead", r.EndedOn, ReopenDays))
	}
	switch {
	case reason == "":
		v.add("reason", "Say why the referral is being reopened")
	case utf8.RuneCountInString(reason) > MaxRiskNote:
		v.add("reason", fmt.Sprintf("Use at most %d characters", MaxRiskNote))
	}
	return v.err()
}

// writeReopen reopens r, audits it with the ending it undoes and recomputes
// its summary.
func (s *Store) writeReopen(ctx context.Context, tx *sql.Tx, actor User, r *Referral, reason string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE referrals SET ended_on = NULL, end_reason = NULL WHERE id = ?`, r.ID); err != nil {
		return err
	}
	// The data set's EndCode belongs to the ending undone (the audit row
	// below keeps the ending itself).
	if err := writeEndCode(ctx, tx, r.ID, ""); err != nil {
		return err
	}
	if err := s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditReopenReferral, entity: "referral", entityID: r.ID,
		patientID: r.PatientID, detail: fmt.Sprintf("ended %s %s; reopened: %s", r.EndedOn, r.EndReason, reason)}); err != nil {
		return err
	}
	r.EndedOn, r.EndReason = "", ""
	_, err := s.recomputeSummary(ctx, tx, r.ID)
	return err
}

// UrgentContact is the service's own number for patients who need help
// urgently (a duty line), set by an admin; none by default, and then the
// patient's crisis page shows the national numbers only.
type UrgentContact struct {
	Label  string // "Talking Therapies duty line (weekdays 9am to 5pm)"
	Number string // as dialled: digits, spaces and a leading +
}

// checkUrgentContact normalises and validates an urgent contact.
func checkUrgentContact(in UrgentContact) (UrgentContact, error) {
	in.Label, in.Number = strings.TrimSpace(in.Label), strings.TrimSpace(in.Number)
	v := validation{}
	digits := 0
	for i, c := range in.Number {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == ' ':
		case c == '+' && i == 0:
		default:
			v.add("number", "Enter the number with digits and spaces only (a + may start it)")
		}
	}
	switch {
	case in.Number == "" && in.Label != "":
		v.add("number", "Enter the number, or clear the name to show none")
	case in.Number != "" && (digits < 3 || digits > 15):
		v.add("number", "Enter a telephone number of 3 to 15 digits")
	case in.Number != "" && in.Label == "":
		v.add("label", "Enter what patients should call this number (for example: our duty line, weekdays 9am to 5pm)")
	}
	if utf8.RuneCountInString(in.Label) > 200 {
		v.add("label", "Use at most 200 characters")
	}
	return in, v.err()
}

const urgentKey = "urgent_contact"

// UrgentContact returns the service's urgent contact; empty when none.
func (s *Store) UrgentContact(ctx context.Context) (UrgentContact, error) {
	var v []byte
	err := s.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, urgentKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return UrgentContact{}, nil
	}
	if err != nil {
		return UrgentContact{}, fmt.Errorf("urgent contact: %w", err)
	}
	label, number, _ := strings.Cut(string(v), "\n")
	return UrgentContact{Label: label, Number: number}, nil
}

// SetUrgentContact sets (or, when both parts are empty, clears) the
// service's urgent contact, audited.
func (s *Store) SetUrgentContact(ctx context.Context, actor User, in UrgentContact) (UrgentContact, error) {
	in, err := checkUrgentContact(in)
	if err != nil {
		return UrgentContact{}, fmt.Errorf("set urgent contact: %w", err)
	}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, urgentKey, []byte(in.Label+"\n"+in.Number)); err != nil {
			return err
		}
		return s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditSetUrgentContact, entity: "setting", detail: in.Label + " " + in.Number})
	})
	if err != nil {
		return UrgentContact{}, fmt.Errorf("set urgent contact: %w", err)
	}
	return in, nil
}
