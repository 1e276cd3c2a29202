package caseload

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"clinic/internal/measures"
)

// scoreInput validates one questionnaire through measures. Itemised
// instruments take answers only (their total is always computed here);
// total-only instruments take a total only. Problems are added to v under
// "scores.<instrument>...".
func scoreInput(v validation, id measures.InstrumentID, in ScoreInput) (measures.Score, bool) {
	field := "scores." + string(id)
	inst, ok := measures.Lookup(id)
	if !ok {
		v.add(field, "Unknown questionnaire")
		return measures.Score{}, false
	}
	var sc measures.Score
	var err error
	if inst.Itemised {
		if in.Total != nil {
			v.add(field+".total", "Enter "+inst.Name+" answer by answer, not as a total")
			return measures.Score{}, false
		}
		if in.Items == nil {
			v.add(field+".items", "Enter the "+inst.Name+" answers")
			return measures.Score{}, false
		}
		sc, err = measures.ScoreItems(id, in.Items)
	} else {
		if in.Items != nil {
			v.add(field+".items", inst.Name+" is recorded as a total, not answer by answer")
			return measures.Score{}, false
		}
		if in.Total == nil {
			v.add(field+".total", "Enter the "+inst.Name+" total")
			return measures.Score{}, false
		}
		sc, err = measures.ScoreTotal(id, *in.Total)
	}
	if err != nil {
		var ve *measures.ValidationError
		if !errors.As(err, &ve) || len(ve.Errors) == 0 {
			v.add(field, "This "+inst.Name+" is not valid")
			return measures.Score{}, false
		}
		for _, fe := range ve.Errors {
			v.add("scores."+fe.Field, fe.Message)
		}
		return measures.Score{}, false
	}
	return sc, true
}

// itemsJSON is how raw answers are stored: a JSON array with null for an
// unanswered item; NULL for total-only instruments.
func itemsJSON(items []*int) (sql.NullString, error) {
	if len(items) == 0 {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(items)
	if err != nil {
		return sql.NullString{}, err
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

// decodeItems reads raw answers as itemsJSON stores them. Answers are
// small integers or null, and a page of contacts holds dozens of them:
// that form is read directly (issue 17: encoding/json's reflection was a
// tenth of an API read); anything else goes to encoding/json, so what is
// accepted, and any error, is as before.
func decodeItems(s string) ([]*int, error) {
	if items, ok := scanItems(s); ok {
		return items, nil
	}
	var items []*int
	err := json.Unmarshal([]byte(s), &items)
	return items, err
}

// scanItems reads a JSON array of integers (at most 6 digits, no sign) and
// nulls with no spaces; false for anything else.
func scanItems(s string) ([]*int, bool) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, false
	}
	body := s[1 : len(s)-1]
	if body == "" {
		return []*int{}, true
	}
	n := strings.Count(body, ",") + 1
	items, values := make([]*int, n), make([]int, n)
	for i := range n {
		field := body
		if j := strings.IndexByte(body, ','); j >= 0 {
			field, body = body[:j], body[j+1:]
		} else if i != n-1 {
			return nil, false
		}
		if field == "null" {
			continue
		}
		if len(field) == 0 || len(field) > 6 || (field[0] == '0' && len(field) > 1) {
			return nil, false
		}
		v := 0
		for _, c := range []byte(field) {
			if c < '0' || c > '9' {
				return nil, false
			}
			v = v*10 + int(c-'0')
		}
		values[i] = v
		items[i] = &values[i]
	}
	return items, true
}

// ErrAlreadyRecorded is returned, with the contact first recorded, when a
// contact's SubmissionID has already been recorded on the referral: the
// submission was sent twice (a double click, a retried request) and is
// recorded once.
var ErrAlreadyRecorded = errors.New("this submission was already recorded")

// ErrCheckedOnly is returned by RecordContact for a contact with CheckOnly
// set that has no problems: nothing was recorded.
var ErrCheckedOnly = errors.New("contact checked, not recorded")

// RecordContact records an appointment of an open referral, with the
// questionnaires given at it, and recomputes the referral's summary. With a
// SubmissionID already recorded on this referral it records nothing and
// returns the first contact with ErrAlreadyRecorded.
//
// It checks the contact and works out the referral's summary and report row
// with it on a read snapshot first (prepareContact), beside other requests;
// in its turn on the committer it then only writes, unless the referral's
// records changed since the snapshot (changes.go), when it checks and
// works out everything again there, as a save always did (issue 17).
func (s *Store) RecordContact(ctx context.Context, actor User, referralID int64, in NewContact) (Contact, error) {
	c, _, err := s.recordContact(ctx, actor, referralID, in, nil, nil)
	return c, err
}

// RecordContactAlerted is RecordContact, returning as well the risk alert
// of the contact's PHQ-9 item 9 answer as ContactRiskAlertID would name it
// once the save has committed (the alert the contact opened or, for a
// patient's answers confirmed with the same item 9, the one those answers
// opened; 0 for none), known from the save itself rather than read again
// (issue 17). It is 0 with ErrAlreadyRecorded.
func (s *Store) RecordContactAlerted(ctx context.Context, actor User, referralID int64, in NewContact) (Contact, int64, error) {
	return s.recordContact(ctx, actor, referralID, in, nil, nil)
}

// RecordContactAdmitted is RecordContactAlerted for a caller that decides
// on access from the referral itself: admit is given the referral as
// Referral returns it, read on the save's snapshot before the contact is
// checked, and when it returns an error nothing is checked or recorded and
// that error is returned (wrapped). The access decision and the save then
// share one read transaction instead of each having its own (issue 17).
func (s *Store) RecordContactAdmitted(ctx context.Context, actor User, referralID int64, in NewContact, admit func(Referral) error) (Contact, int64, error) {
	return s.recordContact(ctx, actor, referralID, in, admit, nil)
}

// ErrAccessMoved is RecordContactKept's answer when what decides access may
// have changed since the caller's check: nothing was recorded.
var ErrAccessMoved = errors.New("who may do what may have changed since the caller checked")

// RecordContactKept is RecordContactAdmitted for a caller that knows who is
// asking from a check made while AccessVersion was v (KeptTokenUser) rather
// than from the database. In its turn on the committer, before it writes
// anything (and after that turn has looked for other processes' commits), the
// save is refused with ErrAccessMoved if AccessVersion is no longer v: a
// write that may change access (a token revoked, a user disabled, a team or
// cover changed) has begun since in this process, or another process has
// committed. The caller then checks again in the database and saves with
// what it finds. So a save is never made on a kept answer that a write
// before it had overturned (issue 17: checking the token in the database was
// a twentieth of a save's cost).
func (s *Store) RecordContactKept(ctx context.Context, actor User, referralID int64, in NewContact, admit func(Referral) error, v uint64) (Contact, int64, error) {
	return s.recordContact(ctx, actor, referralID, in, admit, func() error {
		if now, _ := s.AccessVersion(); now != v {
			return ErrAccessMoved
		}
		return nil
	})
}

// recordContact records the contact, deciding access with admit on the
// snapshot (when not nil) and with still on the committer before writing
// (when not nil).
func (s *Store) recordContact(ctx context.Context, actor User, referralID int64, in NewContact, admit func(Referral) error, still func() error) (Contact, int64, error) {
	in = in.normalised()
	p, c, err := s.prepareContact(ctx, referralID, in, admit)
	if errors.Is(err, ErrAlreadyRecorded) {
		return c, 0, ErrAlreadyRecorded
	}
	if err != nil {
		return Contact{}, 0, fmt.Errorf("record contact: %w", err)
	}
	return s.recordPrepared(ctx, actor, referralID, in, p, still)
}

// recordPrepared is RecordContact's write, in its turn on the committer: p
// as prepared, or, when the referral's records or the curves changed since
// p's snapshot, everything from the start. It returns the contact and its
// risk alert (writeContact). still, when not nil, is asked first, and its
// error ends the save with nothing written.
func (s *Store) recordPrepared(ctx context.Context, actor User, referralID int64, in NewContact, p preparedContact, still func() error) (Contact, int64, error) {
	var c Contact
	var alert int64
	err := s.withTxOn(ctx, referralID, func(tx *sql.Tx) error {
		if still != nil {
			if err := still(); err != nil {
				return err
			}
		}
		if p.kept != nil && s.writes.changes.unchangedSince(referralID, p.seq) && s.cachedCurves() == p.curves {
			s.preparedSaves.Add(1)
			var err error
			c, alert, err = s.writeContact(ctx, tx, actor, p.referral, p.in, p.scores, p.kept)
			return err
		}
		r, err := findReferral(ctx, tx, referralFilter{ID: referralID})
		if err != nil {
			return err
		}
		if c, err = priorSubmission(ctx, tx, referralID, in.SubmissionID); err != nil || c.ID != 0 {
			return cmp.Or(err, ErrAlreadyRecorded)
		}
		in := in.normalisedDataset(r.Intensity)
		scores, err := checkContact(in, referralSpan{received: r.ReceivedOn, ended: r.EndedOn}, s.today())
		if err != nil {
			return err
		}
		if in.CheckOnly {
			return ErrCheckedOnly
		}
		c, alert, err = s.writeContact(ctx, tx, actor, savedReferralOf(r.Referral), in, scores, nil)
		return err
	})
	if errors.Is(err, ErrAlreadyRecorded) {
		return c, 0, ErrAlreadyRecorded
	}
	if err != nil {
		return Contact{}, 0, fmt.Errorf("record contact: %w", err)
	}
	return c, alert, nil
}

// preparedContact is a contact checked on a read snapshot, with its
// referral's summary and report row worked out as they will be once it is
// written (nil when left to its write: a patient's questionnaire confirmed).
type preparedContact struct {
	seq      uint64           // the committer's requests before the snapshot (changes.go)
	curves   *measures.Curves // the review flags were judged against
	referral savedReferral
	in       NewContact // normalised for the referral
	scores   []measures.Score
	kept     *keptRows
}

// prepareContact checks a new contact (normalised) on a read snapshot and
// works out its referral's summary and report row with it. It returns, as
// RecordContact would, a *ValidationError, ErrNotFound, ErrCheckedOnly, or
// ErrAlreadyRecorded with the contact first recorded: answers as of the
// snapshot, a moment the request was being made. With admit, the referral
// is first read as Referral reads it and admit's error, if any, returned
// before anything else (RecordContactAdmitted).
func (s *Store) prepareContact(ctx context.Context, referralID int64, in NewContact, admit func(Referral) error) (preparedContact, Contact, error) {
	// The snapshot's reads take a millisecond or so and are never worth
	// interrupting: on a context that can end, database/sql would start a
	// goroutine for the transaction and for each query to watch it, a dozen
	// a save (issue 17). Whether the request is still wanted is asked again
	// before anything is written (doOn).
	ctx = context.WithoutCancel(ctx)
	// Read before the snapshot begins (snapshotSeq).
	p := preparedContact{seq: s.writes.changes.snapshotSeq(), curves: s.cachedCurves()}
	var prior Contact
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		// The referral as its summary is worked out from, and as access is
		// decided on, read once.
		basis, err := referralBasisOf(ctx, tx, referralID)
		if err != nil {
			return err
		}
		if admit != nil {
			if err := admit(basis.referral); err != nil {
				return err
			}
		}
		if prior, err = priorSubmission(ctx, tx, referralID, in.SubmissionID); err != nil || prior.ID != 0 {
			return cmp.Or(err, ErrAlreadyRecorded)
		}
		b := basis.summary
		p.referral = savedReferral{id: b.id, patientID: basis.patientID, intensity: measures.Intensity(b.intensity)}
		in := in.normalisedDataset(p.referral.intensity)
		scores, err := checkContact(in, referralSpan{received: b.receivedOn, ended: b.endedOn}, s.today())
		if err != nil {
			return err
		}
		if in.CheckOnly {
			return ErrCheckedOnly
		}
		p.in, p.scores = in, scores
		if in.FromQuestionnaire != 0 {
			return nil
		}
		extra, err := newContactRows(in, p.referral.intensity, scores)
		if err != nil {
			return err
		}
		kept, _, err := s.keptFrom(ctx, tx, basis, extra, p.curves)
		p.kept = &kept
		return err
	})
	return p, prior, err
}

// normalised is the contact as it is checked and kept: spaces trimmed, the
// therapist as source unless said otherwise.
func (in NewContact) normalised() NewContact {
	in.Date = strings.TrimSpace(in.Date)
	in.SubmissionID = strings.TrimSpace(in.SubmissionID)
	if in.Source == "" {
		in.Source = SourceTherapist
	}
	return in
}

// priorSubmission returns the contact already recorded on the referral with
// this submission id, or the zero Contact.
func priorSubmission(ctx context.Context, tx *sql.Tx, referralID int64, submissionID string) (Contact, error) {
	if submissionID == "" {
		return Contact{}, nil
	}
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM contacts WHERE referral_id = ? AND submission_id = ?`, referralID, submissionID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Contact{}, nil
	}
	if err != nil {
		return Contact{}, err
	}
	return loadContact(ctx, tx, id)
}

// checkContact checks a new contact (normalised) of a referral whose span is
// span, on the clinic's date today, and scores its questionnaires through
// measures. It returns the scores, by instrument, or a *ValidationError
// naming every field at fault. It reads nothing.
func checkContact(in NewContact, span referralSpan, today string) ([]measures.Score, error) {
	v := validation{}
	if span.ended != "" {
		v.add("referral", "This referral ended on "+span.ended+": it takes no new contacts")
	}
	checkReferralDate(v, in.Date, today, span, contactDate)
	checkContactPurpose(v, in)
	checkContactDataset(v, in)
	if in.Source != SourceTherapist && in.Source != SourcePatient {
		v.add("source", "Unknown source")
	}
	if utf8.RuneCountInString(in.SubmissionID) > 100 {
		v.add("submission_id", "Use at most 100 characters")
	}
	var scores []measures.Score
	if v["scores"] == "" {
		for _, id := range slices.Sorted(maps.Keys(in.Scores)) {
			if sc, ok := scoreInput(v, id, in.Scores[id]); ok {
				scores = append(scores, sc)
			}
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	return scores, nil
}

// savedReferral is what writeContact uses of the referral it writes a
// contact of.
type savedReferral struct {
	id, patientID int64
	intensity     measures.Intensity
}

func savedReferralOf(r Referral) savedReferral {
	return savedReferral{id: r.ID, patientID: r.PatientID, intensity: r.Intensity}
}

// writeContact writes a checked contact with its scores, confirms the
// patient's questionnaire it came from, audits it and recomputes the
// referral's summary, or writes kept, the summary and report row already
// worked out with the contact (prepareContact); it returns the contact as
// written (writtenContact) and its risk alert (contactRiskAlert).
func (s *Store) writeContact(ctx context.Context, tx *sql.Tx, actor User, r savedReferral, in NewContact, scores []measures.Score, kept *keptRows) (Contact, int64, error) {
	referralID := r.id
	now := stamp(s.Now())
	contactID, err := insertContact(ctx, tx, actor, referralID, in, now)
	if err != nil {
		return Contact{}, 0, err
	}
	// A patient's questionnaire confirmed here gives its scores the
	// patient as source, unless an answer was changed (questionnaire.go).
	sources := map[measures.InstrumentID]Source{}
	if in.FromQuestionnaire != 0 {
		if sources, err = takeQuestionnaire(ctx, tx, referralID, in.FromQuestionnaire, contactID, scores); err != nil {
			return Contact{}, 0, err
		}
	}
	written := make([]Score, len(scores))
	for i, sc := range scores {
		source := cmp.Or(sources[sc.Instrument], in.Source)
		if written[i].ID, err = insertScore(ctx, tx, actor, contactID, sc, source, now, 0); err != nil {
			return Contact{}, 0, err
		}
		written[i].Source = source
	}
	if in.FromQuestionnaire != 0 {
		if err := confirmQuestionnaire(ctx, tx, referralID, in.FromQuestionnaire, contactID); err != nil {
			return Contact{}, 0, err
		}
	}
	if err := s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditRecordContact, entity: "referral", entityID: referralID,
		patientID: r.patientID, detail: fmt.Sprintf("contact %d", contactID)}); err != nil {
		return Contact{}, 0, err
	}
	alert, err := s.contactRiskAlert(ctx, tx, actor, referralID, contactID, in.Date, in.FromQuestionnaire, scores)
	if err != nil {
		return Contact{}, 0, err
	}
	if kept != nil {
		err = kept.write(ctx, tx)
	} else {
		_, err = s.recomputeSummary(ctx, tx, referralID)
	}
	if err != nil {
		return Contact{}, 0, err
	}
	c, err := writtenContact(contactID, r, in, actor, now, scores, written)
	return c, alert, err
}

// writtenContact is the contact writeContact wrote, as loadContact would
// read it back (TestRandomSavesEqualRebuild compares them), without reading
// it: written are its scores' ids and sources, in the order of scores.
func writtenContact(id int64, r savedReferral, in NewContact, actor User, now string, scores []measures.Score, written []Score) (Contact, error) {
	at, err := parseStamp(sql.NullString{String: now, Valid: true})
	if err != nil {
		return Contact{}, err
	}
	c := Contact{
		ID:               id,
		ReferralID:       r.id,
		Date:             in.Date,
		Kind:             measures.ContactKind(in.Kind),
		Attendance:       fullAttendance(measures.Attendance(in.Attendance)),
		Medium:           in.Medium,
		DurationMinutes:  in.DurationMinutes,
		TherapyType:      in.TherapyType,
		EmploymentStatus: in.EmploymentStatus,
		LocalID:          in.LocalID,
		RecordedBy:       actor.ID,
		RecordedAt:       at,
		Intensity:        r.intensity,
	}
	for i, sc := range scores {
		out := written[i]
		out.ContactID, out.Instrument, out.Total, out.Prorated = id, sc.Instrument, sc.Total, sc.Prorated
		out.RecordedBy, out.RecordedAt = actor.ID, at
		if len(sc.Items) > 0 { // stored as NULL otherwise (itemsJSON)
			out.Items = make([]*int, len(sc.Items))
			for j, v := range sc.Items {
				if v != nil {
					out.Items[j] = new(*v)
				}
			}
		}
		c.Scores = append(c.Scores, out)
	}
	// In loadContact's order (scoreOrder): all are in force.
	slices.SortStableFunc(c.Scores, func(a, b Score) int { return strings.Compare(string(a.Instrument), string(b.Instrument)) })
	return c, nil
}

// insertContact writes the contact's row, its data set fields with it
// (one statement: an UPDATE after the INSERT rewrote the row on the
// committer, issue 17), and returns its id.
func insertContact(ctx context.Context, tx *sql.Tx, actor User, referralID int64, in NewContact, now string) (int64, error) {
	res, err := tx.ExecContext(ctx, `
		INSERT INTO contacts (referral_id, date, kind, attendance, submission_id, recorded_by, recorded_at, questionnaire_id, intensity,
			purpose, attendance_outcome, medium, duration_minutes, therapy_type, employment_status, local_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT intensity FROM referrals WHERE id = ?),
			?, ?, ?, ?, ?, ?, ?)`,
		referralID, in.Date, coarseKind(measures.ContactKind(in.Kind)), coarseAttendance(measures.Attendance(in.Attendance)),
		nullString(in.SubmissionID), actor.ID, now, nullInt(in.FromQuestionnaire), referralID,
		in.Kind, string(fullAttendance(measures.Attendance(in.Attendance))), nullString(in.Medium),
		nullInt(int64(in.DurationMinutes)), nullString(in.TherapyType), nullString(in.EmploymentStatus),
		nullString(in.LocalID))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// insertScore writes a score of a contact, with its raw answers; replaces
// is the score it corrects, 0 for none. It returns the new score's id.
func insertScore(ctx context.Context, tx *sql.Tx, actor User, contactID int64, sc measures.Score, source Source, now string, replaces int64) (int64, error) {
	items, err := itemsJSON(sc.Items)
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO scores (contact_id, instrument, items_json, total, prorated, source, recorded_by, recorded_at, replaces)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		contactID, string(sc.Instrument), items, sc.Total, boolInt(sc.Prorated), string(source), actor.ID, now, nullInt(replaces))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// CorrectScore replaces a score in force with a corrected one: the old row is
// kept, marked superseded with who, when and why, and the new one points
// back to it. The referral's summary is recomputed. ErrConflict when the
// score was already corrected.
func (s *Store) CorrectScore(ctx context.Context, actor User, scoreID int64, in ScoreInput, reason string) (Score, error) {
	reason = strings.TrimSpace(reason)
	var out Score
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		old, err := scoreToCorrect(ctx, tx, scoreID)
		if err != nil {
			return err
		}
		sc, err := checkCorrection(old.instrument, in, reason)
		if err != nil {
			return err
		}
		now := stamp(s.Now())
		if _, err := tx.ExecContext(ctx, `
			UPDATE scores SET superseded_at = ?, superseded_by = ?, correction_reason = ?
			WHERE id = ?`, now, actor.ID, reason, scoreID); err != nil {
			return err
		}
		newID, err := insertScore(ctx, tx, actor, old.contactID, sc, SourceTherapist, now, scoreID)
		if err != nil {
			return err
		}
		if err := s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditCorrectScore, entity: "referral", entityID: old.referralID,
			detail: fmt.Sprintf("score %d replaced by %d: %s", scoreID, newID, reason)}); err != nil {
			return err
		}
		if err := s.correctionRiskAlert(ctx, tx, actor, scoreID, sc); err != nil {
			return err
		}
		if _, err := s.recomputeSummary(ctx, tx, old.referralID); err != nil {
			return err
		}
		out, err = scanScore(tx.QueryRowContext(ctx, scoreSelect+` WHERE id = ?`, newID))
		return err
	})
	if err != nil {
		return Score{}, fmt.Errorf("correct score %d: %w", scoreID, err)
	}
	return out, nil
}

// scoreInForce is what a correction needs of the score it corrects.
type scoreInForce struct {
	contactID, referralID int64
	instrument            measures.InstrumentID
}

// scoreToCorrect reads a score in force; ErrNotFound, or ErrConflict when it
// was already corrected.
func scoreToCorrect(ctx context.Context, tx *sql.Tx, scoreID int64) (scoreInForce, error) {
	var sc scoreInForce
	var superseded sql.NullString
	err := tx.QueryRowContext(ctx, `
		SELECT
			s.contact_id,
			c.referral_id,
			s.instrument,
			s.superseded_at
		FROM scores s
		JOIN contacts c ON c.id = s.contact_id
		WHERE s.id = ?`, scoreID).Scan(&sc.contactID, &sc.referralID, &sc.instrument, &superseded)
	if errors.Is(err, sql.ErrNoRows) {
		return sc, ErrNotFound
	}
	if err != nil {
		return sc, err
	}
	if superseded.Valid {
		return sc, fmt.Errorf("score %d was already corrected: %w", scoreID, ErrConflict)
	}
	return sc, nil
}

// checkCorrection checks a corrected score and the reason given, and scores
// it through measures.
func checkCorrection(instrument measures.InstrumentID, in ScoreInput, reason string) (measures.Score, error) {
	v := validation{}
	if reason == "" {
		v.add("reason", "Say why the score is being corrected")
	} else if utf8.RuneCountInString(reason) > 1000 {
		v.add("reason", "Use at most 1000 characters")
	}
	sc, _ := scoreInput(v, instrument, in)
	return sc, v.err()
}

const scoreSelect = `
	SELECT
		id,
		contact_id,
		instrument,
		items_json,
		total,
		prorated,
		source,
		recorded_by,
		recorded_at,
		superseded_at,
		COALESCE(superseded_by, 0),
		COALESCE(correction_reason, ''),
		COALESCE(replaces, 0)
	FROM scores`

func scanScore(row scanner) (Score, error) {
	var sc Score
	var instrument, source, recorded string
	var items, superseded sql.NullString
	if err := row.Scan(&sc.ID, &sc.ContactID, &instrument, &items, &sc.Total, &sc.Prorated, &source, &sc.RecordedBy,
		&recorded, &superseded, &sc.SupersededBy, &sc.CorrectionReason, &sc.Replaces); err != nil {
		return Score{}, err
	}
	sc.Instrument, sc.Source = measures.InstrumentID(instrument), Source(source)
	if items.Valid {
		var err error
		if sc.Items, err = decodeItems(items.String); err != nil {
			return Score{}, fmt.Errorf("score %d answers: %w", sc.ID, err)
		}
	}
	var err error
	if sc.RecordedAt, err = parseStamp(sql.NullString{String: recorded, Valid: true}); err != nil {
		return Score{}, err
	}
	sc.SupersededAt, err = parseStamp(superseded)
	return sc, err
}

const contactSelect = `
	SELECT
		id,
		referral_id,
		date,
		COALESCE(purpose, kind),
		COALESCE(attendance_outcome, attendance),
		recorded_by,
		recorded_at,
		intensity,
		COALESCE(medium, ''),
		COALESCE(duration_minutes, 0),
		COALESCE(therapy_type, ''),
		COALESCE(employment_status, ''),
		COALESCE(local_id, '')
	FROM contacts`

func scanContact(row scanner) (Contact, error) {
	var c Contact
	var kind, attendance, recorded, intensity string
	if err := row.Scan(&c.ID, &c.ReferralID, &c.Date, &kind, &attendance, &c.RecordedBy, &recorded, &intensity,
		&c.Medium, &c.DurationMinutes, &c.TherapyType, &c.EmploymentStatus, &c.LocalID); err != nil {
		return Contact{}, err
	}
	c.Kind, c.Attendance, c.Intensity = measures.ContactKind(kind), fullAttendance(measures.Attendance(attendance)), measures.Intensity(intensity)
	var err error
	c.RecordedAt, err = parseStamp(sql.NullString{String: recorded, Valid: true})
	return c, err
}

// scoreOrder sorts a contact's scores by instrument, the one in force first,
// then the superseded ones newest first.
const scoreOrder = ` ORDER BY instrument, superseded_at IS NOT NULL, id DESC`

// loadContact reads one contact with its scores.
func loadContact(ctx context.Context, tx *sql.Tx, id int64) (Contact, error) {
	c, err := scanContact(tx.QueryRowContext(ctx, contactSelect+` WHERE id = ?`, id))
	if err != nil {
		return Contact{}, err
	}
	rows, err := tx.QueryContext(ctx, scoreSelect+` WHERE contact_id = ?`+scoreOrder, id)
	if err != nil {
		return Contact{}, err
	}
	defer rows.Close()
	for rows.Next() {
		sc, err := scanScore(rows)
		if err != nil {
			return Contact{}, err
		}
		c.Scores = append(c.Scores, sc)
	}
	return c, rows.Err()
}

// referralContacts reads a referral's contacts by date with their scores.
func referralContacts(ctx context.Context, tx *sql.Tx, referralID int64) ([]Contact, error) {
	rows, err := tx.QueryContext(ctx, contactSelect+` WHERE referral_id = ? ORDER BY date, id`, referralID)
	if err != nil {
		return nil, err
	}
	var contacts []Contact
	index := map[int64]int{}
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		index[c.ID] = len(contacts)
		contacts = append(contacts, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, scoreSelect+`
		WHERE contact_id IN (SELECT id FROM contacts WHERE referral_id = ?)`+scoreOrder, referralID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		sc, err := scanScore(rows)
		if err != nil {
			return nil, err
		}
		if i, ok := index[sc.ContactID]; ok {
			contacts[i].Scores = append(contacts[i].Scores, sc)
		}
	}
	return contacts, rows.Err()
}
