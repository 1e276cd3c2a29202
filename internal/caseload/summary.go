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
// one row per referral instead of every contact. What is derived from the
// outcome for reports (report_referral) is written beside it from the same
// measures.Outcome, never extracted from the JSON by SQL. RebuildSummaries
// recomputes them all when the rules change.

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
		answers, err := decodeItems(items.String)
		if err != nil {
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
		computed_at,
		review_flags_json,
		outcome_hash,
		last_attended_on
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
		computed_at = excluded.computed_at,
		review_flags_json = excluded.review_flags_json,
		outcome_hash = excluded.outcome_hash,
		last_attended_on = excluded.last_attended_on`

// summaryArgs are summaryUpsert's arguments for one referral; exp are the
// curves its not_on_track flag is judged against (nil: the default rule).
func summaryArgs(b summaryBasis, o measures.Outcome, computedAt string, exp *measures.Curves) ([]any, error) {
	js, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("referral %d: encode outcome: %w", b.id, err)
	}
	rv, err := reviewStateOf(b, o, js, exp)
	if err != nil {
		return nil, err
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
		rv.flags,
		rv.hash,
		nullString(rv.lastAttended),
	}, nil
}

// reportUpsert keeps report_referral, the narrow copy of what outcome
// reports read of a summary (report.go), written from Go beside the summary
// with the measures.Outcome in hand. Until issue 10 triggers extracted these
// columns from outcome_json by Go field names (schema.sql's header), so
// renaming a field would have silently zeroed every report.
const reportUpsert = `
	INSERT INTO report_referral (
		referral_id,
		team_id,
		therapist_id,
		received_on,
		first_treatment_on,
		ended_on,
		is_open,
		finished,
		treatment_sessions,
		at_caseness,
		recovered,
		reliable_improvement,
		reliable_recovery,
		reliable_deterioration,
		no_reliable_change,
		paired,
		wait_days,
		anxiety,
		phq9_count,
		phq9_first,
		phq9_last,
		phq9_paired,
		anxiety_count,
		anxiety_first,
		anxiety_last,
		anxiety_paired
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (referral_id) DO UPDATE SET
		team_id = excluded.team_id,
		therapist_id = excluded.therapist_id,
		received_on = excluded.received_on,
		first_treatment_on = excluded.first_treatment_on,
		ended_on = excluded.ended_on,
		is_open = excluded.is_open,
		finished = excluded.finished,
		treatment_sessions = excluded.treatment_sessions,
		at_caseness = excluded.at_caseness,
		recovered = excluded.recovered,
		reliable_improvement = excluded.reliable_improvement,
		reliable_recovery = excluded.reliable_recovery,
		reliable_deterioration = excluded.reliable_deterioration,
		no_reliable_change = excluded.no_reliable_change,
		paired = excluded.paired,
		wait_days = excluded.wait_days,
		anxiety = excluded.anxiety,
		phq9_count = excluded.phq9_count,
		phq9_first = excluded.phq9_first,
		phq9_last = excluded.phq9_last,
		phq9_paired = excluded.phq9_paired,
		anxiety_count = excluded.anxiety_count,
		anxiety_first = excluded.anxiety_first,
		anxiety_last = excluded.anxiety_last,
		anxiety_paired = excluded.anxiety_paired`

// reportArgs are reportUpsert's arguments for one referral: the values the
// triggers of schema step 8 as shipped wrote, taken from the outcome instead
// of its JSON (TestReportRowsAsTheTriggersWrote).
func reportArgs(b summaryBasis, o measures.Outcome) []any {
	return []any{
		b.id,
		b.teamID,
		b.therapistID,
		b.receivedOn,
		nullString(dateOf(o.FirstTreatment)),
		nullString(b.endedOn),
		boolInt(b.endedOn == ""),
		boolInt(o.FinishedCourse),
		o.TreatmentSessions,
		boolInt(o.AtCaseness),
		boolInt(o.Recovered),
		boolInt(o.ReliableImprovement),
		boolInt(o.ReliableRecovery),
		boolInt(o.ReliableDeterioration),
		boolInt(o.NoReliableChange),
		boolInt(o.Paired),
		o.WaitDays,
		string(o.Anxiety),
		o.PHQ9.Count,
		o.PHQ9.First,
		o.PHQ9.Last,
		boolInt(o.PHQ9.Paired),
		o.AnxietyM.Count,
		o.AnxietyM.First,
		o.AnxietyM.Last,
		boolInt(o.AnxietyM.Paired),
	}
}

// summaryWriter writes a referral's summary and everything derived from its
// outcome (report_referral), with statements prepared once per transaction.
type summaryWriter struct {
	summary, report *sql.Stmt
}

// prepareSummaryWriter prepares the summary's statements in tx; the caller
// closes the writer before the transaction ends.
func prepareSummaryWriter(ctx context.Context, tx *sql.Tx) (*summaryWriter, error) {
	summary, err := tx.PrepareContext(ctx, summaryUpsert)
	if err != nil {
		return nil, err
	}
	report, err := tx.PrepareContext(ctx, reportUpsert)
	if err != nil {
		summary.Close()
		return nil, err
	}
	return &summaryWriter{summary: summary, report: report}, nil
}

// write stores one referral's summary, encoded as summaryArgs does, and its
// report row.
func (w *summaryWriter) write(ctx context.Context, b summaryBasis, o measures.Outcome, computedAt string, exp *measures.Curves) error {
	args, err := summaryArgs(b, o, computedAt, exp)
	if err != nil {
		return err
	}
	return w.writeArgs(ctx, args, reportArgs(b, o))
}

// writeArgs stores a summary and its report row from arguments already made
// by summaryArgs and reportArgs.
func (w *summaryWriter) writeArgs(ctx context.Context, summary, report []any) error {
	if _, err := w.summary.ExecContext(ctx, summary...); err != nil {
		return err
	}
	if _, err := w.report.ExecContext(ctx, report...); err != nil {
		return fmt.Errorf("report row: %w", err)
	}
	return nil
}

// backfillReports writes every referral's report row again from its
// summary's stored outcome, decoded by Go, with reportArgs as the summary
// writer uses it: the rows a summary written now would have beside it. It
// runs once, when a database that had summaries reaches schema step 10
// (migrate in store.go).
func backfillReports(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM report_referral`); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT
			referral_id,
			team_id,
			therapist_id,
			received_on,
			COALESCE(ended_on, ''),
			outcome_json
		FROM referral_summary
		ORDER BY referral_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	report, err := tx.PrepareContext(ctx, reportUpsert)
	if err != nil {
		return err
	}
	defer report.Close()
	for rows.Next() {
		var b summaryBasis
		var js string
		if err := rows.Scan(&b.id, &b.teamID, &b.therapistID, &b.receivedOn, &b.endedOn, &js); err != nil {
			return err
		}
		var o measures.Outcome
		if err := json.Unmarshal([]byte(js), &o); err != nil {
			return fmt.Errorf("referral %d: decode outcome: %w", b.id, err)
		}
		if _, err := report.ExecContext(ctx, reportArgs(b, o)...); err != nil {
			return fmt.Errorf("referral %d: %w", b.id, err)
		}
	}
	return rows.Err()
}

func (w *summaryWriter) Close() error {
	return errors.Join(w.summary.Close(), w.report.Close())
}

// dateOf formats a calendar date, or "" for the zero time.
func dateOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(dateLayout)
}

// recomputeSummary recomputes and stores one referral's summary, report
// row and report facts, inside the caller's transaction, and returns the
// outcome: from one read of the referral and one of its records
// (referral_records.go), written where they changed (writeChanged).
func (s *Store) recomputeSummary(ctx context.Context, tx *sql.Tx, referralID int64) (measures.Outcome, error) {
	k, o, err := s.workOutKept(ctx, tx, referralID, nil, s.cachedCurves())
	if err != nil {
		return measures.Outcome{}, err
	}
	return o, k.write(ctx, tx)
}

// keptRows are one referral's summary and report row as worked out from its
// records (the arguments of keptSummary's and keptReport's columns), and as
// stored when they were read (nil for none).
type keptRows struct {
	summary, report             []any
	storedSummary, storedReport []any
}

// workOutKept reads one referral and its records in tx, with extra, the
// rows of a contact not yet written (referralRecordsOf), and works out its
// summary (its review flags judged against exp) and report row.
func (s *Store) workOutKept(ctx context.Context, tx *sql.Tx, referralID int64, extra []referralRecordRow, exp *measures.Curves) (keptRows, measures.Outcome, error) {
	basis, err := referralBasisOf(ctx, tx, referralID)
	if err != nil {
		return keptRows{}, measures.Outcome{}, err
	}
	return s.keptFrom(ctx, tx, basis, extra, exp)
}

// keptFrom is workOutKept with the referral's basis already read in tx.
func (s *Store) keptFrom(ctx context.Context, tx *sql.Tx, basis referralBasis, extra []referralRecordRow, exp *measures.Curves) (keptRows, measures.Outcome, error) {
	b := basis.summary
	referralID := b.id
	rec, err := referralRecordsOf(ctx, tx, referralID, extra)
	if err != nil {
		return keptRows{}, measures.Outcome{}, err
	}
	o, err := evaluate(b, rec.contacts)
	if err != nil {
		return keptRows{}, measures.Outcome{}, err
	}
	if basis.unsettled {
		reported, err := reportedItem9(ctx, tx, referralID)
		if err != nil {
			return keptRows{}, measures.Outcome{}, err
		}
		o = measures.WithReportedItem9(o, reported)
	}
	args, err := summaryArgs(b, o, stamp(s.Now()), exp)
	if err != nil {
		return keptRows{}, measures.Outcome{}, err
	}
	f := workOutFacts(basis.facts, rec.facts, rec.scores)
	f.DatasetProblems = basis.problems + rec.problems
	facts := f.args(referralID)
	return keptRows{
		summary:       args,
		report:        append(reportArgs(b, o), facts[:len(facts)-1]...),
		storedSummary: basis.storedSummary,
		storedReport:  basis.storedReport,
	}, o, nil
}

// write stores the rows where they changed from the rows as stored.
func (k keptRows) write(ctx context.Context, tx *sql.Tx) error {
	if err := writeChanged(ctx, tx, keptSummary, k.storedSummary, k.summary); err != nil {
		return err
	}
	if err := writeChanged(ctx, tx, keptReport, k.storedReport, k.report); err != nil {
		return fmt.Errorf("report row: %w", err)
	}
	return nil
}

// summaryBasisSelect reads referrals as summaryBasis holds them, scanned by
// scanSummaryBasis.
const summaryBasisSelect = `
		SELECT
			id,
			therapist_id,
			team_id,
			received_on,
			problem_descriptor,
			intensity,
			COALESCE(ended_on, ''),
			COALESCE(end_reason, '')
		FROM referrals`

func scanSummaryBasis(row scanner) (summaryBasis, error) {
	var b summaryBasis
	err := row.Scan(&b.id, &b.therapistID, &b.teamID, &b.receivedOn, &b.descriptor, &b.intensity, &b.endedOn, &b.endReason)
	return b, err
}

// summaryContactRow is one row of summaryContactsSelect.
type summaryContactRow struct {
	refID, contactID       int64
	date, kind, attendance string
	instrument, items      sql.NullString
	total                  sql.NullFloat64
}

func (p *summaryContactRow) scan(rows *sql.Rows) error {
	return rows.Scan(&p.refID, &p.contactID, &p.date, &p.kind, &p.attendance, &p.instrument, &p.total, &p.items)
}

func (p *summaryContactRow) addTo(acc *contactAccumulator) error {
	return acc.add(p.contactID, p.date, p.kind, p.attendance, p.instrument, p.total, p.items)
}

// RebuildSummaries recomputes every referral's summary and report row with
// the current rules, and returns how many it wrote. It works in batches of
// referrals by id, each a short transaction of its own (issue 17), so that
// it can run beside a live server: saves and reads wait at most one batch,
// never the whole rebuild. Each referral's summary is read and written in
// one transaction, as a save's is, so a save during the rebuild is never
// lost; referrals added while it runs are summarised by their own saves.
func (s *Store) RebuildSummaries(ctx context.Context) (int, error) {
	return s.rebuildInBatches(ctx, rebuildBatch, progressNone)
}

// rebuildBatch is how many referrals one transaction of RebuildSummaries
// rewrites: a few tens of milliseconds of work. Between batches it pauses
// rebuildPause with no lock held: a server's writer waiting on the lock
// (SQLite's busy handler, which retries at most every 100 ms) gets in
// before the next batch, rather than being starved until its busy timeout.
const (
	rebuildBatch = 1000
	rebuildPause = 120 * time.Millisecond
)

func progressNone(int) {}

// rebuildInBatches rebuilds the summaries batch referrals at a time, calling
// progress after each batch commits with the count so far, then pausing.
func (s *Store) rebuildInBatches(ctx context.Context, batch int, progress func(int)) (int, error) {
	var last int64
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM referrals`).Scan(&last); err != nil {
		return 0, fmt.Errorf("rebuild summaries: %w", err)
	}
	n := 0
	computedAt := stamp(s.Now())
	// Each open referral's not_on_track flag is kept judged against the
	// curves the server has now, or the stored ones (review_state.go).
	exp := s.cachedCurves()
	if exp == nil {
		if err := s.withRead(ctx, func(tx *sql.Tx) error {
			var err error
			exp, _, err = storedCurves(ctx, tx, curveQueueInRequest)
			return err
		}); err != nil {
			return 0, fmt.Errorf("rebuild summaries: %w", err)
		}
	}
	for lo := int64(0); lo < last; {
		var k int
		err := s.withTx(ctx, func(tx *sql.Tx) error {
			var err error
			k, err = rebuildSummaries(ctx, tx, computedAt, exp, lo, min(lo+int64(batch), last))
			return err
		})
		switch {
		case IsBusy(err):
			// The server kept the lock past the busy timeout: maintenance
			// gives way, and tries the batch again after the pause.
		case err != nil:
			return n, fmt.Errorf("rebuild summaries: %w", err)
		default:
			n += k
			lo += int64(batch)
			progress(n)
		}
		if lo < last {
			select {
			case <-ctx.Done():
				return n, fmt.Errorf("rebuild summaries: %w", ctx.Err())
			case <-time.After(rebuildPause):
			}
		}
	}
	return n, nil
}

// rebuildSummaries walks the referrals with ids in (lo, hi] and their
// contacts, both ordered by referral, side by side, writing each referral's
// summary.
func rebuildSummaries(ctx context.Context, tx *sql.Tx, computedAt string, exp *measures.Curves, lo, hi int64) (int, error) {
	refs, err := tx.QueryContext(ctx, summaryBasisSelect+`
		WHERE id > ? AND id <= ?
		ORDER BY id`, lo, hi)
	if err != nil {
		return 0, err
	}
	defer refs.Close()
	contacts, err := openContactCursor(ctx, tx, lo, hi)
	if err != nil {
		return 0, err
	}
	defer contacts.rows.Close()
	w, err := prepareSummaryWriter(ctx, tx)
	if err != nil {
		return 0, err
	}
	defer w.Close()
	// Item 9 answers patients sent before a session (questionnaire.go).
	reported, err := allReportedItem9(ctx, tx, lo, hi)
	if err != nil {
		return 0, err
	}
	n := 0
	for refs.Next() {
		b, err := scanSummaryBasis(refs)
		if err != nil {
			return 0, err
		}
		mc, err := contacts.takeReferral(b.id)
		if err != nil {
			return 0, err
		}
		o, err := evaluate(b, mc)
		if err != nil {
			return 0, err
		}
		o = measures.WithReportedItem9(o, reported[b.id])
		if err := w.write(ctx, b, o, computedAt, exp); err != nil {
			return 0, err
		}
		n++
	}
	if err := refs.Err(); err != nil {
		return 0, err
	}
	return n, refreshReportFacts(ctx, tx, lo, hi)
}

// contactCursor reads every referral's contacts in referral order, one
// referral at a time.
type contactCursor struct {
	rows *sql.Rows
	next *summaryContactRow // the first row not yet taken; nil at the end
}

func openContactCursor(ctx context.Context, tx *sql.Tx, lo, hi int64) (*contactCursor, error) {
	rows, err := tx.QueryContext(ctx, summaryContactsSelect+`
		WHERE c.referral_id > ? AND c.referral_id <= ?
		ORDER BY c.referral_id, c.date, c.id, s.instrument`, lo, hi)
	if err != nil {
		return nil, err
	}
	c := &contactCursor{rows: rows}
	if err := c.advance(); err != nil {
		rows.Close()
		return nil, err
	}
	return c, nil
}

func (c *contactCursor) advance() error {
	if !c.rows.Next() {
		c.next = nil
		return c.rows.Err()
	}
	var p summaryContactRow
	if err := p.scan(c.rows); err != nil {
		return err
	}
	c.next = &p
	return nil
}

// takeReferral returns the contacts of referral id, skipping any of
// referrals before it; ids must be asked for in increasing order.
func (c *contactCursor) takeReferral(id int64) ([]measures.Contact, error) {
	var acc contactAccumulator
	for c.next != nil && c.next.refID <= id {
		if c.next.refID == id {
			if err := c.next.addTo(&acc); err != nil {
				return nil, err
			}
		}
		if err := c.advance(); err != nil {
			return nil, err
		}
	}
	return acc.contacts, nil
}
