package caseload

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"clinic/internal/measures"
)

// Supervision (issue 4). The weekly review lists a supervisor's open cases
// that are flagged (measures.Flags on each referral's stored summary, as of
// today, against the service's expected treatment response) or that their
// therapist asked to bring. A review records the flags in force and a hash of
// the summary it saw: a reviewed flag stays quiet while the summary is
// unchanged and the flag is no more severe, and shows again as soon as new
// data (a contact, a correction, an ending) changes the summary.

// ReviewCase is one open referral on the weekly review.
type ReviewCase struct {
	Referral   Referral
	Outcome    measures.Outcome
	Flags      []measures.Flag // in force and not quiet, highest severity first
	Quiet      []measures.Flag // in force, but reviewed with nothing new since
	LastReview *Review         // the latest review, nil when never reviewed
}

// NeedsDiscussion reports whether the case is on this week's list: a flag
// that is not quiet, or the therapist's request.
func (c ReviewCase) NeedsDiscussion() bool {
	return len(c.Flags) > 0 || c.Referral.BringToSupervision != ""
}

// Severity is the highest severity of the case's shown flags; a therapist's
// request alone counts as medium.
func (c ReviewCase) Severity() string {
	best := ""
	if c.Referral.BringToSupervision != "" {
		best = measures.SeverityMedium
	}
	for _, f := range c.Flags {
		if measures.SeverityRank(f.Severity) > measures.SeverityRank(best) {
			best = f.Severity
		}
	}
	return best
}

// ReviewScope is whose cases a weekly review covers.
type ReviewScope struct {
	Teams       []int64 // the teams the supervisor supervises; none means no cases
	TherapistID int64   // one therapist of those teams; 0 for all of them
}

// NewReview is a supervision review as entered.
type NewReview struct {
	Date     string // YYYY-MM-DD
	Decision string // one of ReviewDecisions
	Note     string
}

// maxReviewNote bounds a review's note.
const maxReviewNote = 4000

// asOf is the date flags are judged on: today in England, as a calendar
// date at UTC midnight like every date measures sees.
func (s *Store) asOf() time.Time {
	d, _ := parseDate(s.today())
	return d
}

// outcomeHash identifies a summary's content: equal hashes, nothing new.
func outcomeHash(outcomeJSON []byte) string {
	sum := sha256.Sum256(outcomeJSON)
	return hex.EncodeToString(sum[:])
}

// reviewSeen is what the latest review of a referral saw.
type reviewSeen struct {
	hash       string
	severities map[string]string
}

// splitQuiet separates the flags a review has already seen, unchanged and
// no more severe, from the others.
func splitQuiet(flags []measures.Flag, seen *reviewSeen, hash string) (shown, quiet []measures.Flag) {
	if seen == nil || seen.hash == "" || seen.hash != hash {
		return flags, nil
	}
	for _, f := range flags {
		if sev, ok := seen.severities[f.Code]; ok && measures.SeverityRank(sev) >= measures.SeverityRank(f.Severity) {
			quiet = append(quiet, f)
		} else {
			shown = append(shown, f)
		}
	}
	return shown, quiet
}

// WeeklyReview returns the open referrals of the scope's teams (one
// therapist's when TherapistID is set) that are flagged, quiet or brought
// by their therapist, highest severity first. Cases with only quiet flags
// are included with NeedsDiscussion false, so that a page can say what was
// already reviewed. It reads the cases SQL lists (review_state.go) and
// judges every one of them in full; WeeklyReviewPage judges only a page's.
func (s *Store) WeeklyReview(ctx context.Context, scope ReviewScope) ([]ReviewCase, error) {
	asOf := s.asOf()
	var out []ReviewCase
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		exp, err := s.curves(ctx, tx)
		if err != nil {
			return err
		}
		entries, err := reviewEntries(ctx, tx, scope, asOf)
		if err != nil {
			return err
		}
		ids := make([]int64, 0, len(entries))
		for _, e := range entries {
			ids = append(ids, e.ReferralID)
		}
		cases, err := judgeCases(ctx, tx, ids, asOf, exp)
		if err != nil {
			return err
		}
		for _, c := range cases {
			if len(c.Flags)+len(c.Quiet) > 0 || c.Referral.BringToSupervision != "" {
				out = append(out, c)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("weekly review: %w", err)
	}
	slices.SortStableFunc(out, compareCases)
	return out, nil
}

// reviewCase judges one open referral for the weekly review: its flags as
// of asOf, split by what its latest review saw. It is listed when flagged
// or brought by its therapist.
func reviewCase(row referralRow, asOf time.Time, exp *measures.Curves) (ReviewCase, bool, error) {
	c := ReviewCase{Referral: row.Referral}
	var err error
	if c.Outcome, err = row.outcomeOf(); err != nil {
		return c, false, err
	}
	last, seen, err := row.review.review(c.Referral.ID)
	if err != nil {
		return c, false, err
	}
	c.LastReview = last
	flags := referralFlags(c.Referral, c.Outcome, asOf, exp)
	if len(flags) == 0 && c.Referral.BringToSupervision == "" {
		return c, false, nil
	}
	c.Flags, c.Quiet = splitQuiet(flags, seen, outcomeHash(row.outcome))
	return c, true, nil
}

// referralFlags are a referral's flags as of asOf, highest severity first.
func referralFlags(r Referral, o measures.Outcome, asOf time.Time, exp *measures.Curves) []measures.Flag {
	return measures.Flags(o, r.ProblemDescriptor, r.Intensity, asOf, exp)
}

// compareCases orders the review: cases to discuss before quiet ones, then
// highest severity, most flags, then by therapist and patient.
func compareCases(a, b ReviewCase) int {
	if a.NeedsDiscussion() != b.NeedsDiscussion() {
		if a.NeedsDiscussion() {
			return -1
		}
		return 1
	}
	if d := measures.SeverityRank(b.Severity()) - measures.SeverityRank(a.Severity()); d != 0 {
		return d
	}
	if d := len(b.Flags) - len(a.Flags); d != 0 {
		return d
	}
	if n := strings.Compare(a.Referral.TherapistName, b.Referral.TherapistName); n != 0 {
		return n
	}
	if n := strings.Compare(a.Referral.PatientName, b.Referral.PatientName); n != 0 {
		return n
	}
	return int(a.Referral.ID - b.Referral.ID)
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// reviewColumns scans a LEFT JOINed review, which may be absent.
type reviewColumns struct {
	id, supervisorID                        sql.NullInt64
	supervisorName                          string
	date, decision, note, flags, hash, sevs sql.NullString
	created                                 sql.NullString
}

func (rc *reviewColumns) targets() []any {
	return []any{&rc.id, &rc.supervisorID, &rc.supervisorName, &rc.date, &rc.decision, &rc.note, &rc.flags, &rc.hash, &rc.sevs, &rc.created}
}

func (rc *reviewColumns) review(referralID int64) (*Review, *reviewSeen, error) {
	if !rc.id.Valid {
		return nil, nil, nil
	}
	rv := &Review{ID: rc.id.Int64, ReferralID: referralID, SupervisorID: rc.supervisorID.Int64, SupervisorName: rc.supervisorName,
		Date: rc.date.String, Decision: rc.decision.String, Note: rc.note.String}
	if err := json.Unmarshal([]byte(rc.flags.String), &rv.FlagCodes); err != nil {
		return nil, nil, fmt.Errorf("review %d flags: %w", rv.ID, err)
	}
	var err error
	if rv.CreatedAt, err = parseStamp(rc.created); err != nil {
		return nil, nil, err
	}
	seen := &reviewSeen{hash: rc.hash.String}
	if err := json.Unmarshal([]byte(rc.sevs.String), &seen.severities); err != nil {
		return nil, nil, fmt.Errorf("review %d severities: %w", rv.ID, err)
	}
	return rv, seen, nil
}

// RecordReview records a supervision review of a referral by actor: the
// date (not in the future, not before the referral was received), the
// decision and a note. The flags in force and a hash of the summary are
// kept with it, so that those flags stay quiet until new data changes them.
// Recording a review answers the therapist's request to bring the case, so
// the request is cleared.
func (s *Store) RecordReview(ctx context.Context, actor User, referralID int64, in NewReview) (Review, error) {
	rv := Review{
		ReferralID:     referralID,
		SupervisorID:   actor.ID,
		SupervisorName: actor.Name,
		Date:           strings.TrimSpace(in.Date),
		Decision:       strings.TrimSpace(in.Decision),
		Note:           strings.TrimSpace(in.Note),
		CreatedAt:      s.Now(),
	}
	asOf := s.asOf()
	// The curves are read before the write transaction: building them can
	// take a second on a large service and must not hold the write lock.
	var exp *measures.Curves
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		var err error
		exp, err = s.curves(ctx, tx)
		return err
	})
	if err != nil {
		return Review{}, fmt.Errorf("record review: %w", err)
	}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		row, err := findReferral(ctx, tx, referralFilter{ID: referralID, withOutcome: true})
		if err != nil {
			return err
		}
		if err := checkReview(rv, row.ReceivedOn, s.today()); err != nil {
			return err
		}
		o, err := row.outcomeOf()
		if err != nil {
			return err
		}
		return s.insertReview(ctx, tx, &rv, referralFlags(row.Referral, o, asOf, exp), row.outcome)
	})
	if err != nil {
		return Review{}, fmt.Errorf("record review of referral %d: %w", referralID, err)
	}
	return rv, nil
}

// checkReview checks a review of a referral received on received.
func checkReview(rv Review, received, today string) error {
	v := validation{}
	checkReferralDate(v, rv.Date, today, referralSpan{received: received}, reviewDate)
	if !slices.Contains(ReviewDecisions, rv.Decision) {
		v.add("decision", "Choose the decision")
	}
	if utf8.RuneCountInString(rv.Note) > maxReviewNote {
		v.add("note", fmt.Sprintf("Use at most %d characters", maxReviewNote))
	}
	return v.err()
}

// insertReview writes a checked review with the flags in force and the
// hash of the summary it saw, audits it, and clears the therapist's request
// to bring the case.
func (s *Store) insertReview(ctx context.Context, tx *sql.Tx, rv *Review, flags []measures.Flag, outcomeJSON []byte) error {
	sevs := map[string]string{}
	rv.FlagCodes = []string{}
	for _, f := range flags {
		rv.FlagCodes = append(rv.FlagCodes, f.Code)
		sevs[f.Code] = f.Severity
	}
	codes, err := json.Marshal(rv.FlagCodes)
	if err != nil {
		return err
	}
	sevJSON, err := json.Marshal(sevs)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO reviews (referral_id, supervisor_id, date, decision, note, flag_codes_json, outcome_hash, flag_severities_json, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		rv.ReferralID, rv.SupervisorID, rv.Date, rv.Decision, rv.Note, string(codes), outcomeHash(outcomeJSON), string(sevJSON), stamp(rv.CreatedAt))
	if err != nil {
		return err
	}
	if rv.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	if err := s.audit(ctx, tx, auditRow{userID: rv.SupervisorID, action: AuditRecordReview, entity: "referral", entityID: rv.ReferralID,
		detail: fmt.Sprintf("review %d: %s", rv.ID, rv.Decision)}); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE referrals SET bring_to_supervision = '' WHERE id = ?`, rv.ReferralID)
	return err
}

// ReferralFlags returns the flags of a referral as of today, highest
// severity first (none once it has ended), whether or not they were
// reviewed.
func (s *Store) ReferralFlags(ctx context.Context, referralID int64) ([]measures.Flag, error) {
	asOf := s.asOf()
	var flags []measures.Flag
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		exp, err := s.curves(ctx, tx)
		if err != nil {
			return err
		}
		row, err := findReferral(ctx, tx, referralFilter{ID: referralID, withOutcome: true})
		if err != nil {
			return err
		}
		o, err := row.outcomeOf()
		if err != nil {
			return err
		}
		flags = referralFlags(row.Referral, o, asOf, exp)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("flags of referral %d: %w", referralID, err)
	}
	return flags, nil
}
