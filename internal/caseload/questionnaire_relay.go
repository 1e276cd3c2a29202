package caseload

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"clinic/internal/measures"
)

// RelayedQuestionnaires are the questionnaires whose answers a patient may
// give in another system (a patient app sending a FHIR
// QuestionnaireResponse), relayed by the service's staff through the API.
var RelayedQuestionnaires = []measures.InstrumentID{measures.PHQ9, measures.GAD7}

// validRelayedAnswers checks answers given in another system: PHQ-9 or GAD-7
// (one or both), scored by measures, so that unanswered items are allowed
// as far as measures pro-rates them. Unlike the patient pages, clinic cannot
// ask the patient for a missing answer: it takes what measures can score.
func validRelayedAnswers(answers map[measures.InstrumentID][]*int) error {
	v := validation{}
	if len(answers) == 0 {
		v.add("answers", "No answers were given")
	}
	for _, id := range sortedInstrumentIDs(answers) {
		if !slices.Contains(RelayedQuestionnaires, id) {
			v.add("answers."+string(id), "Only PHQ-9 and GAD-7 answers are taken from other systems")
			continue
		}
		if _, err := measures.ScoreItems(id, answers[id]); err != nil {
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

func sortedInstrumentIDs(answers map[measures.InstrumentID][]*int) []measures.InstrumentID {
	ids := make([]measures.InstrumentID, 0, len(answers))
	for id := range answers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// RelayQuestionnaire keeps answers a patient gave in another system as a
// pending questionnaire of an open referral, exactly as answers sent from
// the patient pages are kept: they wait for the therapist to confirm them
// at a session (NewContact.FromQuestionnaire), and an item 9 answer above 0
// raises the risk flag at once. A FHIR app sends one QuestionnaireResponse
// per questionnaire: a PHQ-9 and a GAD-7 relayed by the same user on the
// same day join one pending questionnaire, as the patient pages send them
// together, so the therapist confirms them as one set. The actor is the member of staff whose
// token relayed them (who may do so is the ui's access policy); via says
// how they came, for the audit log. ErrNotFound for no such referral.
func (s *Store) RelayQuestionnaire(ctx context.Context, actor User, referralID int64, answers map[measures.InstrumentID][]*int, via string) (Questionnaire, error) {
	q := Questionnaire{ReferralID: referralID, SubmittedBy: actor.ID, SubmittedAt: s.Now(), Answers: map[measures.InstrumentID][]*int{}, Status: QuestionnairePending}
	for id, items := range answers {
		q.Answers[id] = slices.Clone(items)
	}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var ended sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT ended_on FROM referrals WHERE id = ?`, referralID).Scan(&ended)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if ended.Valid {
			return &ValidationError{Fields: map[string]string{"referral": "This referral ended on " + ended.String + ": there are no more sessions to send answers for"}}
		}
		if err := validRelayedAnswers(q.Answers); err != nil {
			return err
		}
		joined, err := s.joinRelayed(ctx, tx, actor, q, via)
		if err != nil || joined.ID != 0 {
			q = joined
			return err
		}
		return s.insertPendingQuestionnaire(ctx, tx, actor, &q, via)
	})
	if err != nil {
		return Questionnaire{}, fmt.Errorf("relay questionnaire: %w", err)
	}
	return q, nil
}

// joinRelayed adds q's answers to the newest pending questionnaire of the
// referral when the same user relayed it today (in England) and it has
// none of q's instruments yet; the zero Questionnaire when there is none to
// join, and a new one is kept instead.
func (s *Store) joinRelayed(ctx context.Context, tx *sql.Tx, actor User, q Questionnaire, via string) (Questionnaire, error) {
	last, err := scanQuestionnaire(tx.QueryRowContext(ctx, questionnaireSelect+`
		WHERE referral_id = ? AND status = 'pending'
		ORDER BY submitted_at DESC, id DESC
		LIMIT 1`, q.ReferralID))
	if errors.Is(err, sql.ErrNoRows) {
		return Questionnaire{}, nil
	}
	if err != nil {
		return Questionnaire{}, err
	}
	day := func(t time.Time) string { return t.In(london).Format(dateLayout) }
	if last.SubmittedBy != actor.ID || day(last.SubmittedAt) != day(q.SubmittedAt) {
		return Questionnaire{}, nil
	}
	for id := range q.Answers {
		if _, ok := last.Answers[id]; ok {
			return Questionnaire{}, nil
		}
	}
	var added []string
	for _, id := range sortedInstrumentIDs(q.Answers) {
		last.Answers[id] = q.Answers[id]
		added = append(added, string(id))
	}
	js, err := json.Marshal(last.Answers)
	if err != nil {
		return Questionnaire{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE questionnaires SET answers_json = ? WHERE id = ?`, string(js), last.ID); err != nil {
		return Questionnaire{}, err
	}
	if err := s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditQuestionnaire, entity: "referral", entityID: q.ReferralID,
		detail: fmt.Sprintf("questionnaire %d (%s: %s added)", last.ID, via, strings.Join(added, ", "))}); err != nil {
		return Questionnaire{}, err
	}
	// A PHQ-9 joining a pending questionnaire opens its alert as one sent
	// alone would: the answer is the one just relayed, sent now.
	if _, ok := q.Answers[measures.PHQ9]; ok {
		alerted := last
		alerted.SubmittedAt = q.SubmittedAt
		if err := s.questionnaireRiskAlert(ctx, tx, actor, alerted); err != nil {
			return Questionnaire{}, err
		}
	}
	_, err = s.recomputeSummary(ctx, tx, q.ReferralID)
	return last, err
}
