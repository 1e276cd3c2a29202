package caseload

import (
	"cmp"
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
	if r.TherapistID == 0 && in.TeamID != 0 {
		r.TherapistID, r.TeamID, r.Waiting = actor.ID, in.TeamID, true // checkWaiting checks the team
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
	r.Dataset = checkReferralDataset(in, v)
	return r
}

// checkReferralParties looks up the referral's patient (when it already
// exists) and therapist, filling in their names and the team.
func (s *Store) checkReferralParties(ctx context.Context, tx *sql.Tx, r *Referral, v validation) error {
	if r.PatientID != 0 {
		p, err := scanPatient(tx.QueryRowContext(ctx, patientSelect+` WHERE id = ?`, r.PatientID))
		r.PatientName = p.Name
		switch {
		case errors.Is(err, sql.ErrNoRows):
			v.add("patient_id", "No such patient")
		case err != nil:
			return err
		case v["received_on"] == "" && r.ReceivedOn < p.DateOfBirth:
			v.add("received_on", "The referral date cannot be before the patient's date of birth ("+p.DateOfBirth+")")
		}
	}
	if r.Waiting {
		return checkWaiting(ctx, tx, r, v)
	}
	if r.TherapistID != 0 {
		u, err := findUser(ctx, tx, userFilter{ID: r.TherapistID})
		r.TherapistName = u.Name
		switch {
		case errors.Is(err, ErrNotFound):
			v.add("therapist_id", "No such therapist")
		case err != nil:
			return err
		case u.Role != RoleTherapist || u.TeamID == 0:
			v.add("therapist_id", "Choose a therapist (this user is not one)")
		case u.Disabled:
			v.add("therapist_id", "This therapist's account is disabled")
		default:
			r.TeamID = u.TeamID
		}
	}
	return nil
}

// insertReferral writes a checked referral, its audit row and its first
// summary.
func (s *Store) insertReferral(ctx context.Context, tx *sql.Tx, actor User, r *Referral) error {
	res, err := tx.ExecContext(ctx, `
		INSERT INTO referrals (patient_id, therapist_id, team_id, received_on, problem_descriptor, intensity, created_by, created_at, allocated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.PatientID, r.TherapistID, r.TeamID, r.ReceivedOn, r.ProblemDescriptor, string(r.Intensity), nullInt(actor.ID), stamp(r.CreatedAt), boolInt(!r.Waiting))
	if err != nil {
		return err
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	if err := s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditCreateReferral, entity: "referral", entityID: r.ID, patientID: r.PatientID}); err != nil {
		return err
	}
	if err := writeReferralDataset(ctx, tx, r.ID, r.Dataset); err != nil {
		return err
	}
	_, err = s.recomputeSummary(ctx, tx, r.ID)
	return err
}

func nullInt(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// queryer is a read transaction, or the read pool for a single statement.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// referralFilter chooses the referrals findReferrals reads; zero fields do
// not filter. Open, TherapistID and Teams are read from the referrals'
// summary rows, whose partial indexes serve open caseloads.
type referralFilter struct {
	ID          int64
	IDs         []int64 // any of these; nil: no filter
	PatientID   int64
	Open        bool
	TherapistID int64
	Teams       []int64 // nil: any team
	PatientIDs  []int64 // any of these patients; nil: no filter
	Visible     *Scope  // only what this scope may see; nil: no filter
	EndedSince  string  // ended on or after this date (YYYY-MM-DD); "": no filter
	Waiting     bool    // only referrals waiting for a therapist

	heldByDisabled bool // only referrals held by a disabled account

	// What to read besides the referral.
	withOutcome    bool   // the summary's outcome, as JSON
	withPatient    bool   // the patient's columns (patientSelect's), into row.patient
	withWaiting    bool   // the patient's questionnaires waiting for a session
	withLastReview bool   // the latest supervision review, if any
	order          string // ORDER BY; by id when empty
}

// referralRow is a referral as findReferrals reads it, with what the filter
// asked for besides.
type referralRow struct {
	Referral
	outcome []byte
	waiting int
	review  reviewColumns
	patient Patient
}

// The referral's columns, the one place they are listed.
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
		r.created_at,
		r.allocated = 0`

const referralFrom = `
	FROM referrals r
	JOIN patients p ON p.id = r.patient_id
	JOIN users u ON u.id = r.therapist_id`

// reviewColumnList lists a review's columns, scanned by reviewColumns; the
// supervisor is joined as su.
const reviewColumnList = `
		v.id,
		v.supervisor_id,
		COALESCE(su.name, ''),
		v.date,
		v.decision,
		v.note,
		v.flag_codes_json,
		v.outcome_hash,
		v.flag_severities_json,
		v.created_at`

// lastReviewJoin joins a referral's latest review, if any, as v.
const lastReviewJoin = `
	LEFT JOIN reviews v ON v.id = (
		SELECT id FROM reviews
		WHERE referral_id = r.id
		ORDER BY date DESC, id DESC
		LIMIT 1)
	LEFT JOIN users su ON su.id = v.supervisor_id`

// query builds the filter's SELECT and its arguments.
func (f referralFilter) query() (string, []any) {
	cols, from := referralSelect, referralFrom
	if f.Open || f.TherapistID != 0 || f.Teams != nil || f.withOutcome || f.EndedSince != "" {
		from += "\n\tJOIN referral_summary m ON m.referral_id = r.id"
	}
	if f.withOutcome {
		cols += ",\n\t\tm.outcome_json"
	}
	if f.withPatient {
		cols += ",\n\t\tp.date_of_birth,\n\t\tp.nhs_number,\n\t\tp.created_at"
	}
	if f.withWaiting {
		cols += ",\n\t\t(SELECT COUNT(*) FROM questionnaires q WHERE q.referral_id = r.id AND q.status = 'pending')"
	}
	if f.withLastReview {
		cols, from = cols+","+reviewColumnList, from+lastReviewJoin
	}
	var where []string
	var args []any
	add := func(cond string, arg ...any) { where, args = append(where, cond), append(args, arg...) }
	if f.ID != 0 {
		add("r.id = ?", f.ID)
	}
	if f.IDs != nil {
		add("r.id IN (SELECT value FROM json_each(?))", jsonIDs(f.IDs))
	}
	if f.PatientID != 0 {
		add("r.patient_id = ?", f.PatientID)
	}
	if f.Open {
		add("m.is_open = 1")
	}
	if f.TherapistID != 0 {
		add("m.therapist_id = ?", f.TherapistID)
	}
	if f.Teams != nil {
		add("m.team_id IN (SELECT value FROM json_each(?))", jsonIDs(f.Teams))
	}
	if f.PatientIDs != nil {
		add("r.patient_id IN (SELECT value FROM json_each(?))", jsonIDs(f.PatientIDs))
	}
	if f.Visible != nil {
		cond, arg := f.Visible.condition("r")
		add(cond, arg...)
	}
	if f.EndedSince != "" {
		add("m.ended_on >= ?", f.EndedSince)
	}
	if f.Waiting {
		add("r.allocated = 0")
	}
	if f.heldByDisabled {
		add("u.disabled = 1 AND r.allocated = 1")
	}
	q := cols + from
	if len(where) > 0 {
		q += "\n\tWHERE " + strings.Join(where, "\n\t\tAND ")
	}
	return q + "\n\tORDER BY " + cmp.Or(f.order, "r.id"), args
}

// jsonIDs is a list of ids as a JSON array, for json_each.
func jsonIDs(ids []int64) string {
	b, _ := json.Marshal(nonNil(ids)) // a slice of integers always marshals
	return string(b)
}

// findReferrals reads the referrals the filter chooses.
func findReferrals(ctx context.Context, q queryer, f referralFilter) ([]referralRow, error) {
	query, args := f.query()
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []referralRow
	for rows.Next() {
		var row referralRow
		var intensity, created string
		r := &row.Referral
		cols := []any{&r.ID, &r.PatientID, &r.PatientName, &r.TherapistID, &r.TherapistName, &r.TeamID,
			&r.ReceivedOn, &r.ProblemDescriptor, &intensity, &r.EndedOn, &r.EndReason, &r.BringToSupervision, &created, &r.Waiting}
		if f.withOutcome {
			cols = append(cols, &row.outcome)
		}
		var patientCreated string
		if f.withPatient {
			cols = append(cols, &row.patient.DateOfBirth, &row.patient.NHSNumber, &patientCreated)
		}
		if f.withWaiting {
			cols = append(cols, &row.waiting)
		}
		if f.withLastReview {
			cols = append(cols, row.review.targets()...)
		}
		if err := rows.Scan(cols...); err != nil {
			return nil, err
		}
		r.Intensity = measures.Intensity(intensity)
		if r.CreatedAt, err = parseStamp(sql.NullString{String: created, Valid: true}); err != nil {
			return nil, err
		}
		if f.withPatient {
			row.patient.ID, row.patient.Name = r.PatientID, r.PatientName
			if row.patient.CreatedAt, err = parseStamp(sql.NullString{String: patientCreated, Valid: true}); err != nil {
				return nil, err
			}
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// findReferral reads the one referral the filter (with its ID) chooses, or
// ErrNotFound.
func findReferral(ctx context.Context, q queryer, f referralFilter) (referralRow, error) {
	rows, err := findReferrals(ctx, q, f)
	if err != nil {
		return referralRow{}, err
	}
	if len(rows) == 0 {
		return referralRow{}, ErrNotFound
	}
	return rows[0], nil
}

// outcomeOf decodes a referral's summary outcome.
func (row referralRow) outcomeOf() (measures.Outcome, error) {
	var o measures.Outcome
	if err := json.Unmarshal(row.outcome, &o); err != nil {
		return measures.Outcome{}, fmt.Errorf("referral %d summary: %w", row.ID, err)
	}
	return o, nil
}

// Referral returns the referral with this id (with its team, for access
// checks), or ErrNotFound.
func (s *Store) Referral(ctx context.Context, id int64) (Referral, error) {
	row, err := findReferral(ctx, s.read, referralFilter{ID: id})
	if err != nil {
		return Referral{}, fmt.Errorf("referral %d: %w", id, err)
	}
	return row.Referral, nil
}

// ReferralDetail returns a referral with its patient, every contact and score
// (superseded ones included), its outcome so far and its reviews.
func (s *Store) ReferralDetail(ctx context.Context, id int64) (ReferralDetail, error) {
	var d ReferralDetail
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		var err error
		d, _, err = readReferralDetail(ctx, tx, id)
		return err
	})
	if err != nil {
		return ReferralDetail{}, fmt.Errorf("referral detail %d: %w", id, err)
	}
	return d, nil
}

// ReferralRecord returns a referral with its patient and contacts only,
// read in one transaction: what the API's referral shows. It leaves the
// rest of ReferralDetail (outcome, reviews, names, risk alerts) zero, so a
// read that does not show them does not pay for them (issue 17). The
// referral comes with its team and patient, for the caller's access check:
// the API reads it once, checks, audits, then answers.
func (s *Store) ReferralRecord(ctx context.Context, id int64) (ReferralDetail, error) {
	var d ReferralDetail
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		row, err := findReferral(ctx, tx, referralFilter{ID: id, withPatient: true})
		if err != nil {
			return err
		}
		d.Referral, d.Patient = row.Referral, row.patient
		d.Contacts, err = referralContacts(ctx, tx, id)
		return err
	})
	if err != nil {
		return ReferralDetail{}, fmt.Errorf("referral record %d: %w", id, err)
	}
	return d, nil
}

// readReferralDetail reads a referral's detail inside tx, with its summary
// as stored (decoded once, into d.Outcome).
func readReferralDetail(ctx context.Context, tx *sql.Tx, id int64) (ReferralDetail, []byte, error) {
	var d ReferralDetail
	row, err := findReferral(ctx, tx, referralFilter{ID: id, withOutcome: true})
	if err != nil {
		return d, nil, err
	}
	d.Referral = row.Referral
	if d.Outcome, err = row.outcomeOf(); err != nil {
		return d, nil, err
	}
	if d.Patient, err = scanPatient(tx.QueryRowContext(ctx, patientSelect+` WHERE id = ?`, d.Referral.PatientID)); err != nil {
		return d, nil, err
	}
	if d.Contacts, err = referralContacts(ctx, tx, id); err != nil {
		return d, nil, err
	}
	if d.Names, err = scoreUserNames(ctx, tx, d.Contacts); err != nil {
		return d, nil, err
	}
	if d.Reviews, err = referralReviews(ctx, tx, id); err != nil {
		return d, nil, err
	}
	d.RiskAlerts, err = findRiskAlerts(ctx, tx, RiskAlertFilter{ReferralID: id})
	return d, row.outcome, err
}

// ReferralSnapshot returns what the referral's page shows, read in one
// transaction, with the summary decoded once.
func (s *Store) ReferralSnapshot(ctx context.Context, id int64) (ReferralSnapshot, error) {
	asOf := s.asOf()
	var snap ReferralSnapshot
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		var err error
		if snap.ReferralDetail, _, err = readReferralDetail(ctx, tx, id); err != nil {
			return err
		}
		exp, err := s.curves(ctx, tx)
		if err != nil {
			return err
		}
		snap.Expectation = exp
		snap.Flags = referralFlags(snap.Referral, snap.Outcome, asOf, exp)
		if snap.Invitations, err = findInvitations(ctx, tx, invitationFilter{ReferralID: id}); err != nil {
			return err
		}
		if snap.Moves, err = referralMoves(ctx, tx, id); err != nil {
			return err
		}
		snap.Questionnaires, err = referralQuestionnaires(ctx, tx, id)
		return err
	})
	if err != nil {
		return ReferralSnapshot{}, fmt.Errorf("referral snapshot %d: %w", id, err)
	}
	return snap, nil
}

// scoreUserNames reads the names of the users who recorded or corrected the
// contacts' scores, and no others.
func scoreUserNames(ctx context.Context, tx *sql.Tx, contacts []Contact) (map[int64]string, error) {
	var ids []int64
	for _, c := range contacts {
		for _, sc := range c.Scores {
			ids = append(ids, sc.RecordedBy)
			if sc.SupersededBy != 0 {
				ids = append(ids, sc.SupersededBy)
			}
		}
	}
	names := map[int64]string{}
	if len(ids) == 0 {
		return names, nil
	}
	slices.Sort(ids)
	users, err := findUsers(ctx, tx, userFilter{IDs: slices.Compact(ids)})
	for _, u := range users {
		names[u.ID] = u.Name
	}
	return names, err
}

// referralReviews reads a referral's reviews, oldest first.
func referralReviews(ctx context.Context, tx *sql.Tx, referralID int64) ([]Review, error) {
	rows, err := tx.QueryContext(ctx, `
	SELECT`+reviewColumnList+`
	FROM reviews v
	LEFT JOIN users su ON su.id = v.supervisor_id
	WHERE v.referral_id = ?
	ORDER BY v.date, v.id`, referralID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var reviews []Review
	for rows.Next() {
		var rc reviewColumns
		if err := rows.Scan(rc.targets()...); err != nil {
			return nil, err
		}
		rv, _, err := rc.review(referralID)
		if err != nil {
			return nil, err
		}
		reviews = append(reviews, *rv)
	}
	return reviews, rows.Err()
}

// Caseload returns a therapist's open referrals, oldest first, read from
// their summaries (no contact is read).
func (s *Store) Caseload(ctx context.Context, therapistID int64) ([]CaseloadRow, error) {
	rows, err := findReferrals(ctx, s.read, referralFilter{TherapistID: therapistID, Open: true,
		withOutcome: true, withWaiting: true, order: "r.received_on, r.id"})
	if err != nil {
		return nil, fmt.Errorf("caseload: %w", err)
	}
	var out []CaseloadRow
	for _, row := range rows {
		o, err := row.outcomeOf()
		if err != nil {
			return nil, fmt.Errorf("caseload: %w", err)
		}
		out = append(out, CaseloadRow{Referral: row.Referral, Outcome: o, AnswersWaiting: row.waiting})
	}
	return out, nil
}

// referralSpan is what the date of something done on a referral is checked
// against; an empty bound does not apply.
type referralSpan struct {
	received    string // nothing is dated before the referral was received
	lastContact string // an ending is not dated before the last contact
	ended       string // a contact is not dated after the referral ended
}

// dateWords name a dated thing in the messages about its date.
type dateWords struct {
	missing string // "Enter the date of the appointment"
	date    string // "The appointment date" (must be today or in the past)
	thing   string // "The appointment" (cannot be before the referral...)
}

var (
	contactDate = dateWords{"Enter the date of the appointment", "The appointment date", "The appointment"}
	endDate     = dateWords{"Enter the date the referral ended", "The end date", "The end date"}
	reviewDate  = dateWords{"Enter the date of the review", "The review date", "The review date"}
)

// checkReferralDate adds to v, on "date", what is wrong with the date of
// something done on a referral (a contact, its ending, a review): it must be
// a real date, not after today in England, and within the referral's span.
// Contacts, endings and reviews all check their dates here.
func checkReferralDate(v validation, date, today string, span referralSpan, w dateWords) {
	switch {
	case date == "":
		v.add("date", w.missing)
	case !validDate(date):
		v.add("date", "Enter a real date as YYYY-MM-DD")
	case date > today:
		v.add("date", w.date+" must be today or in the past")
	case date < span.received:
		v.add("date", w.thing+" cannot be before the referral was received ("+span.received+")")
	case date < span.lastContact:
		v.add("date", w.thing+" cannot be before the last contact ("+span.lastContact+")")
	case span.ended != "" && date > span.ended:
		v.add("date", w.thing+" cannot be after the referral ended ("+span.ended+")")
	}
}

// EndReferral ends an open referral on date (not before it was received nor
// before its last contact, not in the future) for one of EndReasons, with
// the data set's EndCode when given (empty: not recorded yet, reported at
// export; SetEndCode sets it later), and recomputes its summary. With open
// risk alerts or unconfirmed patient answers it needs risk acknowledged with a note (checkEndingRisk), else it
// returns an *EndingRiskError (errors.Is ErrRiskUnacknowledged).
func (s *Store) EndReferral(ctx context.Context, actor User, referralID int64, date, reason, endCode string, risk EndRisk) (Referral, error) {
	date, reason, endCode = strings.TrimSpace(date), strings.TrimSpace(reason), strings.TrimSpace(endCode)
	var r Referral
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		row, err := findReferral(ctx, tx, referralFilter{ID: referralID})
		if err != nil {
			return err
		}
		r = row.Referral
		var lastContact string
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(date), '') FROM contacts WHERE referral_id = ?`, referralID).Scan(&lastContact); err != nil {
			return err
		}
		if err := checkEnding(r, lastContact, date, reason, endCode, s.today()); err != nil {
			return err
		}
		if err := s.checkEndingRisk(ctx, tx, actor, referralID, risk); err != nil {
			return err
		}
		if err := writeEndCode(ctx, tx, referralID, endCode); err != nil {
			return err
		}
		return s.writeEnding(ctx, tx, actor, &r, date, reason)
	})
	if err != nil {
		return Referral{}, fmt.Errorf("end referral %d: %w", referralID, err)
	}
	return r, nil
}

// checkEnding checks an ending of r, whose last contact is on lastContact.
func checkEnding(r Referral, lastContact, date, reason, endCode, today string) error {
	v := validation{}
	if !r.Open() {
		v.add("referral", "This referral ended on "+r.EndedOn)
	}
	checkReferralDate(v, date, today, referralSpan{received: r.ReceivedOn, lastContact: lastContact}, endDate)
	if !slices.Contains(EndReasons, reason) {
		v.add("reason", "Choose why the referral ended")
	}
	if msg := CheckEndCode(endCode); msg != "" {
		v.add("end_code", msg)
	}
	return v.err()
}

// writeEnding ends r, audits it and recomputes its summary.
func (s *Store) writeEnding(ctx context.Context, tx *sql.Tx, actor User, r *Referral, date, reason string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE referrals SET ended_on = ?, end_reason = ? WHERE id = ?`, date, reason, r.ID); err != nil {
		return err
	}
	r.EndedOn, r.EndReason = date, reason
	if err := s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditEndReferral, entity: "referral", entityID: r.ID,
		patientID: r.PatientID, detail: date + " " + reason}); err != nil {
		return err
	}
	_, err := s.recomputeSummary(ctx, tx, r.ID)
	return err
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
