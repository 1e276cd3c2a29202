package caseload

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"clinic/internal/measures"
)

// A referral's summary row holds its measures.Outcome so far, as JSON, with
// the rule set that computed it and a few columns pages and reports filter
// on. It is recomputed, for that one referral, inside the transaction of
// every write that changes the referral's outcome (creating it, recording a
// contact, correcting a score, ending it), so that caseloads and reports read
// one row per referral instead of every contact. RebuildSummaries recomputes
// them all when the rules change.

// summaryBasis is what a summary is computed from besides the contacts.
type summaryBasis struct {
	id          int64
	therapistID int64
	teamID      int64
	receivedOn  string
	descriptor  string
	intensity   string
	endedOn     string
	endReason   string
}

// summaryContactsSelect reads contacts, each with one of its scores in force
// per row (or none), as the outcome rules need them.
const summaryContactsSelect = `
	SELECT
		c.referral_id,
		c.id,
		c.date,
		c.kind,
		c.attendance,
		s.instrument,
		s.total,
		CASE WHEN s.instrument = 'phq9' THEN s.items_json END
	FROM contacts c
	LEFT JOIN scores s ON s.contact_id = c.id AND s.superseded_at IS NULL`

// contactAccumulator turns summaryContactsSelect rows, ordered by referral,
// date and contact, into measures contacts.
type contactAccumulator struct {
	contacts []measures.Contact
	lastID   int64
}

func (a *contactAccumulator) add(contactID int64, date, kind, attendance string, instrument sql.NullString, total sql.NullFloat64, items sql.NullString) error {
	if contactID != a.lastID || len(a.contacts) == 0 {
		d, ok := parseDate(date)
		if !ok {
			return fmt.Errorf("contact %d: bad stored date %q", contactID, date)
		}
		a.contacts = append(a.contacts, measures.Contact{
			Date:       d,
			Kind:       measures.ContactKind(kind),
			Attendance: measures.Attendance(attendance),
		})
		a.lastID = contactID
	}
	if !instrument.Valid {
		return nil
	}
	c := &a.contacts[len(a.contacts)-1]
	if c.Scores == nil {
		c.Scores = map[measures.InstrumentID]float64{}
	}
	id := measures.InstrumentID(instrument.String)
	c.Scores[id] = total.Float64
	if id == measures.PHQ9 && items.Valid {
		var answers []*int
		if err := json.Unmarshal([]byte(items.String), &answers); err != nil {
			return fmt.Errorf("contact %d: bad stored PHQ-9 answers: %w", contactID, err)
		}
		if len(answers) >= 9 {
			c.Item9 = answers[8]
		}
	}
	return nil
}

// evaluate works out a referral's outcome from its basis and contacts.
func evaluate(b summaryBasis, contacts []measures.Contact) (measures.Outcome, error) {
	received, ok := parseDate(b.receivedOn)
	if !ok {
		return measures.Outcome{}, fmt.Errorf("referral %d: bad stored received date %q", b.id, b.receivedOn)
	}
	r := measures.Referral{
		Received:   received,
		Descriptor: b.descriptor,
		Intensity:  measures.Intensity(b.intensity),
		Contacts:   contacts,
		EndReason:  b.endReason,
	}
	if b.endedOn != "" {
		if r.EndedOn, ok = parseDate(b.endedOn); !ok {
			return measures.Outcome{}, fmt.Errorf("referral %d: bad stored end date %q", b.id, b.endedOn)
		}
	}
	return measures.Evaluate(r), nil
}

const summaryUpsert = `
	INSERT INTO referral_summary (
		referral_id,
		rule_set,
		outcome_json,
		is_open,
		therapist_id,
		team_id,
		received_on,
		ended_on,
		finished,
		treatment_sessions,
		first_treatment_on,
		last_contact_on,
		computed_at
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (referral_id) DO UPDATE SET
		rule_set = excluded.rule_set,
		outcome_json = excluded.outcome_json,
		is_open = excluded.is_open,
		therapist_id = excluded.therapist_id,
		team_id = excluded.team_id,
		received_on = excluded.received_on,
		ended_on = excluded.ended_on,
		finished = excluded.finished,
		treatment_sessions = excluded.treatment_sessions,
		first_treatment_on = excluded.first_treatment_on,
		last_contact_on = excluded.last_contact_on,
		computed_at = excluded.computed_at`

// summaryArgs are summaryUpsert's arguments for one referral.
func summaryArgs(b summaryBasis, o measures.Outcome, computedAt string) ([]any, error) {
	js, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("referral %d: encode outcome: %w", b.id, err)
	}
	return []any{
		b.id,
		o.RuleSet,
		string(js),
		boolInt(b.endedOn == ""),
		b.therapistID,
		b.teamID,
		b.receivedOn,
		nullString(b.endedOn),
		boolInt(o.FinishedCourse),
		o.TreatmentSessions,
		nullString(dateOf(o.FirstTreatment)),
		nullString(dateOf(o.LastContact)),
		computedAt,
	}, nil
}

// dateOf formats a calendar date, or "" for the zero time.
func dateOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(dateLayout)
}

// recomputeSummary recomputes and stores one referral's summary, inside the
// caller's transaction, and returns the outcome.
func (s *Store) recomputeSummary(ctx context.Context, tx *sql.Tx, referralID int64) (measures.Outcome, error) {
	var b summaryBasis
	var ended, reason sql.NullString
	err := tx.QueryRowContext(ctx, `
		SELECT
			id,
			therapist_id,
			team_id,
			received_on,
			problem_descriptor,
			intensity,
			ended_on,
			end_reason
		FROM referrals
		WHERE id = ?`, referralID).Scan(&b.id, &b.therapistID, &b.teamID, &b.receivedOn, &b.descriptor, &b.intensity, &ended, &reason)
	if errors.Is(err, sql.ErrNoRows) {
		return measures.Outcome{}, ErrNotFound
	}
	if err != nil {
		return measures.Outcome{}, err
	}
	b.endedOn, b.endReason = ended.String, reason.String
	rows, err := tx.QueryContext(ctx, summaryContactsSelect+`
		WHERE c.referral_id = ?
		ORDER BY c.date, c.id, s.instrument`, referralID)
	if err != nil {
		return measures.Outcome{}, err
	}
	defer rows.Close()
	var acc contactAccumulator
	for rows.Next() {
		var refID, contactID int64
		var date, kind, attendance string
		var instrument, items sql.NullString
		var total sql.NullFloat64
		if err := rows.Scan(&refID, &contactID, &date, &kind, &attendance, &instrument, &total, &items); err != nil {
			return measures.Outcome{}, err
		}
		if err := acc.add(contactID, date, kind, attendance, instrument, total, items); err != nil {
			return measures.Outcome{}, err
		}
	}
	if err := rows.Err(); err != nil {
		return measures.Outcome{}, err
	}
	o, err := evaluate(b, acc.contacts)
	if err != nil {
		return measures.Outcome{}, err
	}
	reported, err := reportedItem9(ctx, tx, referralID)
	if err != nil {
		return measures.Outcome{}, err
	}
	o = measures.WithReportedItem9(o, reported)
	args, err := summaryArgs(b, o, stamp(s.Now()))
	if err != nil {
		return measures.Outcome{}, err
	}
	if _, err := tx.ExecContext(ctx, summaryUpsert, args...); err != nil {
		return measures.Outcome{}, err
	}
	return o, nil
}

// RebuildSummaries recomputes every referral's summary with the current rules,
// in one transaction, and returns how many it wrote.
func (s *Store) RebuildSummaries(ctx context.Context) (int, error) {
	n := 0
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		refs, err := tx.QueryContext(ctx, `
			SELECT
				id,
				therapist_id,
				team_id,
				received_on,
				problem_descriptor,
				intensity,
				COALESCE(ended_on, ''),
				COALESCE(end_reason, '')
			FROM referrals
			ORDER BY id`)
		if err != nil {
			return err
		}
		defer refs.Close()
		contacts, err := tx.QueryContext(ctx, summaryContactsSelect+`
			ORDER BY c.referral_id, c.date, c.id, s.instrument`)
		if err != nil {
			return err
		}
		defer contacts.Close()
		upsert, err := tx.PrepareContext(ctx, summaryUpsert)
		if err != nil {
			return err
		}
		defer upsert.Close()

		// Item 9 answers patients sent before a session (questionnaire.go).
		reported, err := allReportedItem9(ctx, tx)
		if err != nil {
			return err
		}
		computedAt := stamp(s.Now())
		// Both queries are ordered by referral: walk them side by side.
		type pending struct {
			refID, contactID       int64
			date, kind, attendance string
			instrument, items      sql.NullString
			total                  sql.NullFloat64
		}
		var next *pending
		advance := func() error {
			if !contacts.Next() {
				next = nil
				return contacts.Err()
			}
			var p pending
			if err := contacts.Scan(&p.refID, &p.contactID, &p.date, &p.kind, &p.attendance, &p.instrument, &p.total, &p.items); err != nil {
				return err
			}
			next = &p
			return nil
		}
		if err := advance(); err != nil {
			return err
		}
		for refs.Next() {
			var b summaryBasis
			if err := refs.Scan(&b.id, &b.therapistID, &b.teamID, &b.receivedOn, &b.descriptor, &b.intensity, &b.endedOn, &b.endReason); err != nil {
				return err
			}
			var acc contactAccumulator
			for next != nil && next.refID <= b.id {
				if next.refID == b.id {
					if err := acc.add(next.contactID, next.date, next.kind, next.attendance, next.instrument, next.total, next.items); err != nil {
						return err
					}
				}
				if err := advance(); err != nil {
					return err
				}
			}
			o, err := evaluate(b, acc.contacts)
			if err != nil {
				return err
			}
			o = measures.WithReportedItem9(o, reported[b.id])
			args, err := summaryArgs(b, o, computedAt)
			if err != nil {
				return err
			}
			if _, err := upsert.ExecContext(ctx, args...); err != nil {
				return err
			}
			n++
		}
		return refs.Err()
	})
	if err != nil {
		return 0, fmt.Errorf("rebuild summaries: %w", err)
	}
	return n, nil
}
