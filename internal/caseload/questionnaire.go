package caseload

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"clinic/internal/measures"
)

// Patients complete questionnaires before a session, at home or in the
// waiting room. Their answers wait, as a pending questionnaire, for the
// therapist to confirm them at the session: recording the contact with
// NewContact.FromQuestionnaire turns them into scores whose source is the
// patient. Nothing a patient sends is deleted: a questionnaire they chose not
// to keep, or that a session made stale, is marked discarded.

// PatientQuestionnaires are the questionnaires a patient completes online,
// in the order they are asked. PHQ-9 and GAD-7 are required; WSAS is
// optional. (The anxiety disorder specific measures are copyrighted and
// their wording is not shipped.)
var PatientQuestionnaires = []measures.InstrumentID{measures.PHQ9, measures.GAD7, measures.WSAS}

// Questionnaire states.
const (
	QuestionnairePending   = "pending"   // waiting for the therapist
	QuestionnaireConfirmed = "confirmed" // recorded at a contact
	QuestionnaireDiscarded = "discarded" // not kept: the patient chose another, or a session came first
)

// Questionnaire is a set of answers a patient sent before a session.
type Questionnaire struct {
	ID          int64
	ReferralID  int64
	SubmittedBy int64
	SubmittedAt time.Time
	Answers     map[measures.InstrumentID][]*int // raw answers, nil for an unanswered item
	Status      string
	ContactID   int64 // the contact that confirmed it, or that came after it when discarded by a session
}

// Scores returns the questionnaire's answers scored by measures, in
// PatientQuestionnaires order, leaving out any that do not score.
func (q Questionnaire) Scores() []measures.Score {
	var out []measures.Score
	for _, id := range PatientQuestionnaires {
		if items, ok := q.Answers[id]; ok {
			if sc, err := measures.ScoreItems(id, items); err == nil {
				out = append(out, sc)
			}
		}
	}
	return out
}

// Item9 is the PHQ-9 item 9 answer, nil when not given.
func (q Questionnaire) Item9() *int {
	if items := q.Answers[measures.PHQ9]; len(items) >= 9 {
		return items[8]
	}
	return nil
}

// validPatientAnswers checks a patient's answers: every PHQ-9 and GAD-7
// question answered (a patient completing it alone is asked for every
// answer, rather than relying on pro-rating); WSAS, when begun, as measures
// scores it (the work question may be left for "not working").
func validPatientAnswers(answers map[measures.InstrumentID][]*int) error {
	v := validation{}
	for id := range answers {
		if !slices.Contains(PatientQuestionnaires, id) {
			v.add("answers", "Unknown questionnaire")
		}
	}
	for _, id := range PatientQuestionnaires {
		in, _ := measures.Lookup(id)
		items, given := answers[id]
		if !given && id == measures.WSAS {
			continue
		}
		if len(items) != in.ItemCount {
			v.add("answers."+string(id), fmt.Sprintf("%s needs %d answers", in.Name, in.ItemCount))
			continue
		}
		if id != measures.WSAS {
			for n, a := range items {
				if a == nil {
					v.add(fmt.Sprintf("answers.%s.items.%d", id, n+1), fmt.Sprintf("Answer question %d", n+1))
				}
			}
		}
		if _, err := measures.ScoreItems(id, items); err != nil {
			var ve *measures.ValidationError
			if !errors.As(err, &ve) {
				return err
			}
			for _, fe := range ve.Errors {
				v.add("answers."+fe.Field, fe.Message)
			}
		}
	}
	return v.err()
}

// SubmitQuestionnaire keeps a patient's answers to PatientQuestionnaires as
// a pending questionnaire of an open referral of theirs, and recomputes the
// referral's summary so that an item 9 answer above 0 raises the risk flag
// at once. Earlier pending questionnaires are kept as they are: the patient
// is asked which to keep (KeepQuestionnaire). ErrNotFound when the referral
// is not the actor's own.
func (s *Store) SubmitQuestionnaire(ctx context.Context, actor User, referralID int64, answers map[measures.InstrumentID][]*int) (Questionnaire, error) {
	q := Questionnaire{ReferralID: referralID, SubmittedBy: actor.ID, SubmittedAt: s.Now(), Answers: map[measures.InstrumentID][]*int{}, Status: QuestionnairePending}
	for id, items := range answers {
		q.Answers[id] = slices.Clone(items)
	}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		r, err := patientsOwnReferral(ctx, tx, actor.ID, referralID)
		if err != nil {
			return err
		}
		if !r.Open() {
			return &ValidationError{Fields: map[string]string{"referral": "Your treatment ended on " + r.EndedOn + ": there are no more sessions to send answers for"}}
		}
		if err := validPatientAnswers(q.Answers); err != nil {
			return err
		}
		return s.insertPendingQuestionnaire(ctx, tx, actor, &q, "")
	})
	if err != nil {
		return Questionnaire{}, fmt.Errorf("submit questionnaire: %w", err)
	}
	return q, nil
}

// patientsOwnReferral reads a referral of the active patient user's own
// patient, or ErrNotFound.
func patientsOwnReferral(ctx context.Context, tx *sql.Tx, userID, referralID int64) (Referral, error) {
	u, err := findUser(ctx, tx, userFilter{ID: userID, Role: RolePatient})
	if err != nil {
		return Referral{}, err
	}
	row, err := findReferral(ctx, tx, referralFilter{ID: referralID})
	if err != nil {
		return Referral{}, err
	}
	if u.Disabled || u.PatientID != row.PatientID {
		return Referral{}, ErrNotFound
	}
	return row.Referral, nil
}

// insertPendingQuestionnaire keeps q as a pending questionnaire, audits it
// (with how it came, when not from the patient pages), opens a risk alert
// for an item 9 answer above 0 and recomputes the referral's summary, so
// that the alert and the risk flag are raised at once. Every way a patient's
// answers arrive goes through here (joinRelayed, which adds to one, too).
func (s *Store) insertPendingQuestionnaire(ctx context.Context, tx *sql.Tx, actor User, q *Questionnaire, via string) error {
	js, err := json.Marshal(q.Answers)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO questionnaires (referral_id, submitted_by, submitted_at, answers_json, status)
		VALUES (?, ?, ?, ?, 'pending')`,
		q.ReferralID, actor.ID, stamp(q.SubmittedAt), string(js))
	if err != nil {
		return err
	}
	if q.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	detail := fmt.Sprintf("questionnaire %d", q.ID)
	if via != "" {
		detail += " (" + via + ")"
	}
	if err := s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditQuestionnaire, entity: "referral", entityID: q.ReferralID,
		detail: detail}); err != nil {
		return err
	}
	if err := s.questionnaireRiskAlert(ctx, tx, actor, *q); err != nil {
		return err
	}
	_, err = s.recomputeSummary(ctx, tx, q.ReferralID)
	return err
}

const questionnaireSelect = `
	SELECT
		id,
		referral_id,
		submitted_by,
		submitted_at,
		answers_json,
		status,
		COALESCE(contact_id, 0)
	FROM questionnaires`

func scanQuestionnaire(row scanner) (Questionnaire, error) {
	var q Questionnaire
	var submitted, answers string
	if err := row.Scan(&q.ID, &q.ReferralID, &q.SubmittedBy, &submitted, &answers, &q.Status, &q.ContactID); err != nil {
		return Questionnaire{}, err
	}
	if err := json.Unmarshal([]byte(answers), &q.Answers); err != nil {
		return Questionnaire{}, fmt.Errorf("questionnaire %d answers: %w", q.ID, err)
	}
	var err error
	q.SubmittedAt, err = parseStamp(sql.NullString{String: submitted, Valid: true})
	return q, err
}

// Questionnaires returns a referral's patient questionnaires, newest first.
func (s *Store) Questionnaires(ctx context.Context, referralID int64) ([]Questionnaire, error) {
	out, err := referralQuestionnaires(ctx, s.read, referralID)
	if err != nil {
		return nil, fmt.Errorf("questionnaires: %w", err)
	}
	return out, nil
}

func referralQuestionnaires(ctx context.Context, q queryer, referralID int64) ([]Questionnaire, error) {
	rows, err := q.QueryContext(ctx, questionnaireSelect+`
		WHERE referral_id = ?
		ORDER BY submitted_at DESC, id DESC`, referralID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Questionnaire
	for rows.Next() {
		q, err := scanQuestionnaire(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// KeepQuestionnaire settles a patient's choice between pending
// questionnaires: keep is kept pending, every other pending one of the
// referral is marked discarded (and kept). ErrNotFound unless keep is a
// pending questionnaire the actor sent on this referral.
func (s *Store) KeepQuestionnaire(ctx context.Context, actor User, referralID, keep int64) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `
			SELECT id FROM questionnaires
			WHERE id = ? AND referral_id = ? AND submitted_by = ? AND status = 'pending'`,
			keep, referralID, actor.ID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE questionnaires SET status = 'discarded'
			WHERE referral_id = ? AND status = 'pending' AND id <> ?`,
			referralID, keep); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditKeepQuestionnaire, entity: "referral", entityID: referralID,
			detail: fmt.Sprintf("questionnaire %d", keep)}); err != nil {
			return err
		}
		_, err = s.recomputeSummary(ctx, tx, referralID)
		return err
	})
	if err != nil {
		return fmt.Errorf("keep questionnaire %d: %w", keep, err)
	}
	return nil
}

// takeQuestionnaire is RecordContact's part when a contact confirms a
// patient's pending questionnaire, run after the contact is inserted and
// before its scores. It returns each score's source: the patient's where
// the answers are theirs unchanged, the therapist's where any answer was
// changed at the session. The referral's other questionnaires not yet
// settled by a session (pending, or set aside by the patient) are marked
// discarded by this contact, so that stale answers neither pre-fill the
// next session nor keep raising the risk flag.
func takeQuestionnaire(ctx context.Context, tx *sql.Tx, referralID, questionnaireID, contactID int64, scores []measures.Score) (map[measures.InstrumentID]Source, error) {
	q, err := scanQuestionnaire(tx.QueryRowContext(ctx, questionnaireSelect+`
		WHERE id = ? AND referral_id = ? AND status = 'pending'`, questionnaireID, referralID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &ValidationError{Fields: map[string]string{"from_questionnaire": "This questionnaire is not awaiting confirmation on this referral"}}
	}
	if err != nil {
		return nil, err
	}
	sources := map[measures.InstrumentID]Source{}
	for _, sc := range scores {
		if given, ok := q.Answers[sc.Instrument]; ok && sameAnswers(given, sc.Items) {
			sources[sc.Instrument] = SourcePatient
		} else {
			sources[sc.Instrument] = SourceTherapist
		}
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE questionnaires SET status = 'discarded', contact_id = ?
		WHERE referral_id = ? AND id <> ? AND contact_id IS NULL AND status IN ('pending', 'discarded')`,
		contactID, referralID, questionnaireID); err != nil {
		return nil, err
	}
	return sources, nil
}

// confirmQuestionnaire marks the patient's pending questionnaire as
// confirmed by the contact recorded from it.
func confirmQuestionnaire(ctx context.Context, tx *sql.Tx, referralID, questionnaireID, contactID int64) error {
	res, err := tx.ExecContext(ctx, `
		UPDATE questionnaires SET status = 'confirmed', contact_id = ?
		WHERE id = ? AND referral_id = ? AND status = 'pending'`,
		contactID, questionnaireID, referralID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return &ValidationError{Fields: map[string]string{"from_questionnaire": "This questionnaire is not awaiting confirmation on this referral"}}
	}
	return nil
}

func sameAnswers(a, b []*int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if (a[i] == nil) != (b[i] == nil) || (a[i] != nil && *a[i] != *b[i]) {
			return false
		}
	}
	return true
}

// reportedItem9Select reads (referral, submitted at, item 9) of the
// questionnaires no session has settled yet that answer item 9, for
// scanReportedItem9.
const reportedItem9Select = `
		SELECT
			referral_id,
			submitted_at,
			json_extract(answers_json, '$.phq9[8]')
		FROM questionnaires
		WHERE contact_id IS NULL
		  AND status IN ('pending', 'discarded')
		  AND json_extract(answers_json, '$.phq9[8]') IS NOT NULL`

// reportedItem9 reads the item 9 answers of a referral's questionnaires that
// no session has settled yet (pending, or set aside by the patient: an
// answer a patient gave is not forgotten because they sent another), for
// measures.WithReportedItem9.
func reportedItem9(ctx context.Context, tx *sql.Tx, referralID int64) ([]measures.ReportedItem9, error) {
	rows, err := tx.QueryContext(ctx, reportedItem9Select+`
		  AND referral_id = ?
		ORDER BY submitted_at, id`, referralID)
	if err != nil {
		return nil, err
	}
	all, err := scanReportedItem9(rows)
	return all[referralID], err
}

// allReportedItem9 is reportedItem9 for every referral, for a rebuild.
func allReportedItem9(ctx context.Context, tx *sql.Tx) (map[int64][]measures.ReportedItem9, error) {
	rows, err := tx.QueryContext(ctx, reportedItem9Select+`
		ORDER BY referral_id, submitted_at, id`)
	if err != nil {
		return nil, err
	}
	return scanReportedItem9(rows)
}

// scanReportedItem9 reads rows of (referral, submitted at, item 9) and
// closes them.
func scanReportedItem9(rows *sql.Rows) (map[int64][]measures.ReportedItem9, error) {
	defer rows.Close()
	out := map[int64][]measures.ReportedItem9{}
	for rows.Next() {
		var refID int64
		var submitted string
		var answer int
		if err := rows.Scan(&refID, &submitted, &answer); err != nil {
			return nil, err
		}
		at, err := parseStamp(sql.NullString{String: submitted, Valid: true})
		if err != nil {
			return nil, err
		}
		// The calendar date in England, as contact dates are kept.
		day, _ := parseDate(at.In(london).Format(dateLayout))
		out[refID] = append(out[refID], measures.ReportedItem9{Answer: answer, On: day})
	}
	return out, rows.Err()
}
