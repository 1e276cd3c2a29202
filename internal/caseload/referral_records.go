package caseload

import (
	"context"
	"database/sql"
	"fmt"

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
// query.
func referralRecordsOf(ctx context.Context, tx *sql.Tx, referralID int64) (referralRecords, error) {
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
		newContact := len(acc.contacts) == 0 || row.contactID != acc.lastID
		if err := acc.add(row.contactID, row.date, row.kind, row.attendance, row.instrument, row.total, row.items); err != nil {
			return referralRecords{}, err
		}
		if newContact {
			out.facts = append(out.facts, factContact{
				date:       row.date,
				kind:       row.kind,
				purpose:    row.purpose,
				attended:   measures.Attendance(row.attendance).IsAttended(),
				intensity:  row.intensity,
				medium:     row.medium,
				employment: row.employment,
			})
			out.problems += checkContactRecord(row.exportKind, row.exportAttendance, row.medium, row.therapy, row.intensity).problems()
		}
		if row.instrument.Valid {
			out.addScore(row)
		}
	}
	if err := rows.Err(); err != nil {
		return referralRecords{}, err
	}
	out.contacts = acc.contacts
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

// refreshOneReportFacts works out and writes one referral's facts, as
// refreshReportFacts does, from its records already read.
func refreshOneReportFacts(ctx context.Context, tx *sql.Tx, referralID int64, rec referralRecords) error {
	bases, err := factBasesOf(ctx, tx, referralID-1, referralID)
	if err != nil || len(bases) == 0 {
		return err
	}
	own, err := ownProblemsOf(ctx, tx, referralID)
	if err != nil {
		return err
	}
	f := workOutFacts(bases[0], rec.facts, rec.scores)
	f.DatasetProblems = own + rec.problems
	// A plain statement, which the connection's statement cache keeps
	// prepared.
	if _, err := tx.ExecContext(ctx, factsUpdate, f.args(referralID)...); err != nil {
		return fmt.Errorf("report facts of referral %d: %w", referralID, err)
	}
	return nil
}
