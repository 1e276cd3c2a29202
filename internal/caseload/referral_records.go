package caseload

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strings"

	"clinic/internal/measures"
)

// A save recomputes its referral's summary, report row and report facts
// from scratch, as a rebuild does (summary.go, report_facts.go). A rebuild
// reads a range of referrals a query per kind of record; for the one
// referral of a save, the contacts with their scores in force are read
// once, by referralRecordsSelect, and the outcome's contacts, the facts'
// contacts and score counts and the contacts' and scores' data set problems
// are all taken from those rows (issue 17: six queries before). The same
// functions judge the rows as in a rebuild and the export (workOutFacts,
// checkContactRecord, scoreProblem); TestKeptSummariesEqualRebuild and
// TestRandomSavesEqualRebuild check that the two paths agree.

// referralRecordsSelect reads one referral's contacts (by date, then id),
// each with one of its scores in force per row, or none: the columns of
// summaryContactsSelect (a rebuild's), then those of factContactsOf and factScoresOf, then
// those the export checks (idsExport.contacts).
const referralRecordsSelect = `
	SELECT
		c.id,
		c.date,
		c.kind,
		c.attendance,
		s.instrument,
		s.total,
		CASE WHEN s.instrument = 'phq9' THEN s.items_json END,
		COALESCE(c.purpose, ''),
		c.intensity,
		COALESCE(c.medium, ''),
		COALESCE(c.employment_status, ''),
		CASE WHEN s.instrument = 'wsas' THEN
			(SELECT COUNT(*) FROM json_each(s.items_json) WHERE json_each.type <> 'null') END,
		COALESCE(c.purpose, c.kind),
		COALESCE(c.attendance_outcome, c.attendance),
		COALESCE(c.therapy_type, '')
	FROM contacts c
	LEFT JOIN scores s ON s.contact_id = c.id AND s.superseded_at IS NULL
	WHERE c.referral_id = ?
	ORDER BY c.date, c.id, s.instrument`

// referralRecords is what one referral's outcome and report facts are
// worked out from, besides the referral and its patient.
type referralRecords struct {
	contacts []measures.Contact // as a rebuild reads them (contactCursor)
	facts    []factContact      // as factContactsOf reads them
	scores   factScores         // as factScoresOf counts them
	problems int                // the data set problems of its contacts and scores
}

// referralRecordsOf reads one referral's contacts and scores in force in one
// query. extra are the rows of a contact not yet written (newContactRows),
// taken as the referral's last contact on its date, where the new contact
// will be: its id will be the highest.
func referralRecordsOf(ctx context.Context, tx *sql.Tx, referralID int64, extra []referralRecordRow) (referralRecords, error) {
	rows, err := tx.QueryContext(ctx, referralRecordsSelect, referralID)
	if err != nil {
		return referralRecords{}, err
	}
	defer rows.Close()
	var out referralRecords
	var acc contactAccumulator
	var row referralRecordRow
	for rows.Next() {
		if err := row.scan(rows); err != nil {
			return referralRecords{}, err
		}
		if len(extra) > 0 && row.date > extra[0].date {
			if err := out.addRows(&acc, extra); err != nil {
				return referralRecords{}, err
			}
			extra = nil
		}
		if err := out.add(&acc, row); err != nil {
			return referralRecords{}, err
		}
	}
	if err := rows.Err(); err != nil {
		return referralRecords{}, err
	}
	if err := out.addRows(&acc, extra); err != nil {
		return referralRecords{}, err
	}
	out.contacts = acc.contacts
	return out, nil
}

func (r *referralRecords) addRows(acc *contactAccumulator, rows []referralRecordRow) error {
	for _, row := range rows {
		if err := r.add(acc, row); err != nil {
			return err
		}
	}
	return nil
}

// add takes one row of referralRecordsSelect, in its order.
func (r *referralRecords) add(acc *contactAccumulator, row referralRecordRow) error {
	newContact := len(acc.contacts) == 0 || row.contactID != acc.lastID
	if err := acc.add(row.contactID, row.date, row.kind, row.attendance, row.instrument, row.total, row.items); err != nil {
		return err
	}
	if newContact {
		r.facts = append(r.facts, factContact{
			date:       row.date,
			kind:       row.kind,
			purpose:    row.purpose,
			attended:   measures.Attendance(row.attendance).IsAttended(),
			intensity:  row.intensity,
			medium:     row.medium,
			employment: row.employment,
		})
		r.problems += checkContactRecord(row.exportKind, row.exportAttendance, row.medium, row.therapy, row.intensity).problems()
	}
	if row.instrument.Valid {
		r.addScore(row)
	}
	return nil
}

// newContactRows are the rows referralRecordsSelect will read of a checked
// contact (normalised for its referral) and its scores once writeContact has
// written them for a referral of this intensity, without a questionnaire:
// the columns as insertContact and insertScore store
// them, read back as the query reads them. Its id is not known yet: -1.
func newContactRows(in NewContact, intensity measures.Intensity, scores []measures.Score) ([]referralRecordRow, error) {
	attendance := measures.Attendance(in.Attendance)
	base := referralRecordRow{
		contactID:        -1,
		date:             in.Date,
		kind:             string(coarseKind(measures.ContactKind(in.Kind))),
		attendance:       string(coarseAttendance(attendance)),
		purpose:          in.Kind,
		intensity:        string(intensity),
		medium:           in.Medium,
		employment:       in.EmploymentStatus,
		exportKind:       in.Kind,
		exportAttendance: string(fullAttendance(attendance)),
		therapy:          in.TherapyType,
	}
	if len(scores) == 0 {
		return []referralRecordRow{base}, nil
	}
	out := make([]referralRecordRow, 0, len(scores))
	for _, sc := range slices.SortedFunc(slices.Values(scores), func(a, b measures.Score) int {
		return strings.Compare(string(a.Instrument), string(b.Instrument))
	}) {
		row := base
		row.instrument = sql.NullString{String: string(sc.Instrument), Valid: true}
		row.total = sql.NullFloat64{Float64: sc.Total, Valid: true}
		switch sc.Instrument {
		case measures.PHQ9:
			items, err := itemsJSON(sc.Items)
			if err != nil {
				return nil, err
			}
			row.items = items
		case measures.WSAS:
			// json_each's count of the answers that are not null.
			row.wsasItems = sql.NullInt64{Valid: true}
			for _, it := range sc.Items {
				if it != nil {
					row.wsasItems.Int64++
				}
			}
		}
		out = append(out, row)
	}
	return out, nil
}

// addScore counts a score in force as factScoresOf (attended contacts only)
// and the export (every contact) do.
func (r *referralRecords) addScore(row referralRecordRow) {
	if scoreProblem(row.instrument.String) {
		r.problems++
	}
	if row.attendance != string(measures.Attended) {
		return
	}
	if r.scores.contacts == nil {
		r.scores.contacts = map[string]int{}
	}
	// One score in force per contact and instrument (index
	// scores_current): a row is a contact.
	r.scores.contacts[row.instrument.String]++
	if row.instrument.String == string(measures.WSAS) && row.wsasItems.Int64 >= 4 {
		// WSAS completeness: at least 4 of its 5 domains (dataset.md).
		r.scores.wsasComplete = true
	}
}

// referralRecordRow is one row of referralRecordsSelect.
type referralRecordRow struct {
	contactID                    int64
	date, kind, attendance       string
	instrument, items            sql.NullString
	total                        sql.NullFloat64
	purpose, intensity, medium   string
	employment                   string
	wsasItems                    sql.NullInt64
	exportKind, exportAttendance string
	therapy                      string
}

func (p *referralRecordRow) scan(rows *sql.Rows) error {
	return rows.Scan(&p.contactID, &p.date, &p.kind, &p.attendance, &p.instrument, &p.total, &p.items,
		&p.purpose, &p.intensity, &p.medium, &p.employment, &p.wsasItems,
		&p.exportKind, &p.exportAttendance, &p.therapy)
}

// referralBasisSelect reads one referral as summaryBasis and factBasis
// hold it (summaryBasisSelect and factBasesOf, for one referral whether or
// not it has a report row yet), then its summary and report row as stored
// (NULLs when it has none yet), for writeChanged.
var referralBasisSelect = `
	SELECT
		r.id,
		r.therapist_id,
		r.team_id,
		r.received_on,
		r.problem_descriptor,
		r.intensity,
		COALESCE(r.ended_on, ''),
		COALESCE(r.end_reason, ''),
		p.date_of_birth,
		COALESCE(d.ethnic_category, ''),
		COALESCE(d.gender_identity, ''),
		COALESCE(d.sexual_orientation, ''),
		COALESCE(d.disability, ''),
		COALESCE(d.long_term_conditions, ''),
		COALESCE(rd.end_code, ''),
		COALESCE(d.postcode, ''),
		COALESCE(rd.source_of_referral, ''),
		r.patient_id,
		EXISTS (
			SELECT 1 FROM questionnaires q
			WHERE q.referral_id = r.id AND q.contact_id IS NULL AND q.status IN ('pending', 'discarded')),
		p.name,
		u.name,
		r.bring_to_supervision,
		r.created_at,
		r.allocated = 0,
		` + keptSummary.selectAs("ks") + `,
		` + keptReport.selectAs("kr") + `
	FROM referrals r
	JOIN patients p ON p.id = r.patient_id
	JOIN users u ON u.id = r.therapist_id
	LEFT JOIN patient_demographics d ON d.id = (
		SELECT MAX(id) FROM patient_demographics WHERE patient_id = r.patient_id)
	LEFT JOIN referral_dataset rd ON rd.referral_id = r.id
	LEFT JOIN referral_summary ks ON ks.referral_id = r.id
	LEFT JOIN report_referral kr ON kr.referral_id = r.id
	WHERE r.id = ?`

// referralBasis is what one referral's summary, facts and data set problem
// count are worked out from besides its records.
type referralBasis struct {
	summary   summaryBasis
	facts     factBasis
	patientID int64
	// unsettled: it has questionnaires no session has settled, which
	// reportedItem9 reads (none: no need to).
	unsettled bool
	// problems are the data set problems of the referral's own record and
	// its patient's, as the export counts them (problemCountsOf).
	problems int
	// The referral's summary and report row as stored, each column in the
	// order of its keptTable; nil when it has none yet.
	storedSummary, storedReport []any
	// referral is the referral as Store.Referral reads it (findReferral:
	// referralSelect's columns, here from the same rows), for a save's access
	// decision (RecordContactAdmitted) without a read of its own
	// (TestReferralBasisIsReferral).
	referral Referral
}

// referralBasisOf reads one referral's basis; ErrNotFound.
func referralBasisOf(ctx context.Context, tx *sql.Tx, referralID int64) (referralBasis, error) {
	var b summaryBasis
	var f factBasis
	var postcode, source string
	var patientID int64
	var unsettled bool
	var r Referral
	var created string
	storedSummary := make([]any, len(keptSummary.columns))
	storedReport := make([]any, len(keptReport.columns))
	dest := make([]any, 0, 24+len(storedSummary)+len(storedReport))
	dest = append(dest, &b.id, &b.therapistID, &b.teamID, &b.receivedOn, &b.descriptor, &b.intensity, &b.endedOn, &b.endReason,
		&f.dateOfBirth, &f.ethnic, &f.gender, &f.orientation, &f.disability, &f.ltc, &f.endCode,
		&postcode, &source, &patientID, &unsettled,
		&r.PatientName, &r.TherapistName, &r.BringToSupervision, &created, &r.Waiting)
	for _, stored := range [][]any{storedSummary, storedReport} {
		for i := range stored {
			dest = append(dest, &stored[i])
		}
	}
	err := tx.QueryRowContext(ctx, referralBasisSelect, referralID).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return referralBasis{}, ErrNotFound
	}
	if err != nil {
		return referralBasis{}, err
	}
	f.id, f.receivedOn, f.descriptor = b.id, b.receivedOn, b.descriptor
	// Only how many: the record ids of the problems' messages are not needed.
	problems := len(patientRecordProblems("", b.id, f.ethnic, f.gender, postcode, f.orientation)) +
		len(referralRecordProblems("", b.id, source, b.endedOn, f.endCode, b.descriptor))
	r.ID, r.PatientID, r.TherapistID, r.TeamID = b.id, patientID, b.therapistID, b.teamID
	r.ReceivedOn, r.ProblemDescriptor, r.Intensity = b.receivedOn, b.descriptor, measures.Intensity(b.intensity)
	r.EndedOn, r.EndReason = b.endedOn, b.endReason
	if r.CreatedAt, err = parseStamp(sql.NullString{String: created, Valid: true}); err != nil {
		return referralBasis{}, err
	}
	out := referralBasis{summary: b, facts: f, patientID: patientID, unsettled: unsettled, problems: problems, referral: r}
	// referral_id, the first column, is NULL when the row is missing.
	if storedSummary[0] != nil {
		out.storedSummary = storedSummary
	}
	if storedReport[0] != nil {
		out.storedReport = storedReport
	}
	return out, nil
}

// keptTable is a table kept per referral from its records (referral_id its
// key), as a save writes it: writeChanged.
type keptTable struct {
	name    string
	columns []string // referral_id first
	insert  string
}

func newKeptTable(name string, columns []string) keptTable {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ")
	set := make([]string, 0, len(columns)-1)
	for _, c := range columns[1:] {
		set = append(set, c+" = excluded."+c)
	}
	// An upsert, though the row was not there when the save read it: on a
	// database before step 10 (the upgrade tests run today's code on one),
	// step 8's triggers write the report row when the summary is written.
	return keptTable{
		name:    name,
		columns: columns,
		insert: "INSERT INTO " + name + " (" + strings.Join(columns, ", ") + ") VALUES (" + marks + ")" +
			" ON CONFLICT (referral_id) DO UPDATE SET " + strings.Join(set, ", "),
	}
}

// selectAs lists the table's columns, of its alias as, for a SELECT.
func (t keptTable) selectAs(as string) string {
	return as + "." + strings.Join(t.columns, ", "+as+".")
}

// The two tables a save keeps: the summary as summaryUpsert writes it, and
// the report row as reportUpsert and then factsUpdate write it
// (TestKeptColumnsAsTheStatements).
var (
	keptSummary = newKeptTable("referral_summary", []string{
		"referral_id", "rule_set", "outcome_json", "is_open", "therapist_id", "team_id", "received_on",
		"ended_on", "finished", "treatment_sessions", "first_treatment_on", "last_contact_on", "computed_at",
		"review_flags_json", "outcome_hash", "last_attended_on",
	})
	keptReport = newKeptTable("report_referral", append(reportColumns, factsColumns...))
)

// reportColumns are reportUpsert's columns, in reportArgs' order.
var reportColumns = []string{
	"referral_id", "team_id", "therapist_id", "received_on", "first_treatment_on", "ended_on", "is_open",
	"finished", "treatment_sessions", "at_caseness", "recovered", "reliable_improvement", "reliable_recovery",
	"reliable_deterioration", "no_reliable_change", "paired", "wait_days", "anxiety", "phq9_count",
	"phq9_first", "phq9_last", "phq9_paired", "anxiety_count", "anxiety_first", "anxiety_last", "anxiety_paired",
}

// factsColumns are factsUpdate's columns, in ReportFacts.args' order (its
// last argument, the referral id, left out).
var factsColumns = []string{
	"first_assessment_on", "assessment_days", "second_treatment_on", "first_second_days", "last_contact_on",
	"end_code", "intensity_mix", "step_up_days", "ethnic_group", "age_band", "gender_identity",
	"sexual_orientation", "disability", "employment_status", "long_term_condition", "consultation_medium",
	"adsm_expected", "adsm_paired", "anxiety_one_or_none", "wsas_complete", "dataset_problems",
}

// writeChanged writes one referral's row of a kept table, args in the
// order of its columns, stored the row as read in the same transaction
// (referralBasisOf): inserted when there is none; otherwise only the
// columns whose value changed are updated, or none. An UPDATE rewrites the
// entry of every index on a column it sets, changed or not (and so a page
// of each index goes to the write-ahead log): a session changes a few
// counts and dates of a referral, not its team, therapist or receipt, nor
// most of its report facts (issue 17). A value is "unchanged" only when the
// stored one is of the same type and equal; anything else is written.
func writeChanged(ctx context.Context, tx *sql.Tx, t keptTable, stored, args []any) error {
	if len(args) != len(t.columns) || stored != nil && len(stored) != len(t.columns) {
		return fmt.Errorf("%s: %d values and %d stored for %d columns", t.name, len(args), len(stored), len(t.columns))
	}
	if stored == nil {
		_, err := tx.ExecContext(ctx, t.insert, args...)
		return err
	}
	var set strings.Builder
	var values []any
	for i, o := range stored[1:] {
		v, err := driver.DefaultParameterConverter.ConvertValue(args[i+1])
		if err != nil {
			return fmt.Errorf("%s.%s: %w", t.name, t.columns[i+1], err)
		}
		if sameStored(o, v) {
			continue
		}
		if set.Len() > 0 {
			set.WriteString(", ")
		}
		set.WriteString(t.columns[i+1] + " = ?")
		values = append(values, v)
	}
	if len(values) == 0 {
		return nil
	}
	// #nosec G202 -- the table and column names are this file's constants
	_, err := tx.ExecContext(ctx, "UPDATE "+t.name+" SET "+set.String()+" WHERE referral_id = ?", append(values, args[0])...)
	return err
}

// sameStored says whether a value read back from SQLite (old) is the driver
// value v: same type and equal. Types that differ (an integer stored in a
// REAL column, say) count as changed, and are written.
func sameStored(old, v any) bool {
	switch v := v.(type) {
	case nil:
		return old == nil
	case int64:
		o, ok := old.(int64)
		return ok && o == v
	case float64:
		o, ok := old.(float64)
		return ok && o == v
	case string:
		switch o := old.(type) {
		case string:
			return o == v
		case []byte:
			return string(o) == v
		}
	case []byte:
		switch o := old.(type) {
		case string:
			return o == string(v)
		case []byte:
			return bytes.Equal(o, v)
		}
	}
	return false
}
