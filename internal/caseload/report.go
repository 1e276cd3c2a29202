package caseload

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"clinic/internal/measures"
)

// Outcome reports (issue 4) read one summary row per referral: every
// referral received, entering treatment or ending in a period, with the
// outcome judgements the rates need from report_referral, a narrow copy of
// what reports read of each summary, written beside it from the same
// measures.Outcome (summary.go; extracting the judgements from a year's
// outcome JSON on every report, or decoding it in Go, takes about a second
// on a 100,000-referral service). The figures are measures.ServiceRates over
// the rows that ended in the period, so a report's numbers are the sum of
// its referral-level rows.

// ReportFilter says which referrals an outcome report covers.
type ReportFilter struct {
	From, To     string  // the period, inclusive calendar dates YYYY-MM-DD
	WholeService bool    // every team; otherwise only Teams (none: no rows)
	Teams        []int64 // the teams reported on, unless WholeService
	TherapistID  int64   // only this therapist's referrals; 0 for all
	Descriptor   string  // only this canonical problem descriptor; "" for all
}

// ReportRow is one referral behind a report. Outcome holds only what reports
// use: the judgements (finished, caseness, recovery, reliable change,
// paired), the wait, and the first and last PHQ-9 and anxiety scores.
type ReportRow struct {
	ReferralID       int64
	TeamID           int64
	TeamName         string
	TherapistID      int64
	TherapistName    string
	Descriptor       string
	ReceivedOn       string
	FirstTreatmentOn string // "" when treatment has not started
	EndedOn          string // "" while open
	EndReason        string
	Outcome          measures.Outcome
	// Facts are what the sections of issue 13 count; the intensity of
	// treatment is Facts.IntensityMix, each contact at the intensity it was
	// given at, never the referral's current one.
	Facts ReportFacts
}

// ReportRows returns the referrals of the filter's scope that were received,
// first attended treatment, or ended in the period, by referral id.
func (s *Store) ReportRows(ctx context.Context, f ReportFilter) ([]ReportRow, error) {
	if !validDate(f.From) || !validDate(f.To) || f.From > f.To {
		return nil, fmt.Errorf("report rows: %w", &ValidationError{Fields: map[string]string{"from": "The period must run from one real date to a later one"}})
	}
	teams, err := json.Marshal(nonNil(f.Teams))
	if err != nil {
		return nil, fmt.Errorf("report rows: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, reportRowsQuery,
		f.From, f.To, f.From, f.To, f.From, f.To,
		f.WholeService, string(teams),
		f.TherapistID, f.TherapistID,
		f.Descriptor, f.Descriptor, descriptorBeneath(f.Descriptor))
	if err != nil {
		return nil, fmt.Errorf("report rows: %w", err)
	}
	defer rows.Close()
	out, err := scanReportRows(rows)
	if err != nil {
		return nil, fmt.Errorf("report rows: %w", err)
	}
	return out, nil
}

// EachReportRow calls fn with each of ReportRows' rows in turn, by
// referral id, reading one row at a time into the same ReportRow (fn must
// not keep it): for exports that stream, in constant memory.
func (s *Store) EachReportRow(ctx context.Context, f ReportFilter, fn func(*ReportRow) error) error {
	if !validDate(f.From) || !validDate(f.To) || f.From > f.To {
		return fmt.Errorf("report rows: %w", &ValidationError{Fields: map[string]string{"from": "The period must run from one real date to a later one"}})
	}
	teams, err := json.Marshal(nonNil(f.Teams))
	if err != nil {
		return fmt.Errorf("report rows: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, reportRowsQuery,
		f.From, f.To, f.From, f.To, f.From, f.To,
		f.WholeService, string(teams),
		f.TherapistID, f.TherapistID,
		f.Descriptor, f.Descriptor, descriptorBeneath(f.Descriptor))
	if err != nil {
		return fmt.Errorf("report rows: %w", err)
	}
	defer rows.Close()
	return eachReportRow(rows, "report rows", fn)
}

// reportRowsQuery selects a report's rows: those of the scope (whole
// service or teams, therapist, descriptor and the codes beneath it) with a
// date in the period. report_referral is scanned in rowid order (NOT
// INDEXED): it is narrow, so a scan of the whole table is faster than
// finding a period's rows by three dates and sorting them, for a month as
// for a year.
const reportRowsSelect = `
		SELECT
			x.referral_id,
			x.team_id,
			t.name,
			x.therapist_id,
			u.name,
			r.problem_descriptor,
			x.received_on,
			COALESCE(x.first_treatment_on, ''),
			COALESCE(x.ended_on, ''),
			COALESCE(r.end_reason, ''),
			x.is_open,
			x.finished,
			x.treatment_sessions,
			x.at_caseness,
			x.recovered,
			x.reliable_improvement,
			x.reliable_recovery,
			x.reliable_deterioration,
			x.no_reliable_change,
			x.paired,
			x.wait_days,
			x.anxiety,
			x.phq9_count,
			x.phq9_first,
			x.phq9_last,
			x.phq9_paired,
			x.anxiety_count,
			x.anxiety_first,
			x.anxiety_last,
			x.anxiety_paired,
			COALESCE(x.first_assessment_on, ''),
			x.assessment_days,
			COALESCE(x.second_treatment_on, ''),
			x.first_second_days,
			COALESCE(x.last_contact_on, ''),
			x.end_code,
			x.intensity_mix,
			x.step_up_days,
			x.ethnic_group,
			x.age_band,
			x.gender_identity,
			x.sexual_orientation,
			x.disability,
			x.employment_status,
			x.long_term_condition,
			x.consultation_medium,
			x.adsm_expected,
			x.adsm_paired,
			x.anxiety_one_or_none,
			x.wsas_complete,
			x.dataset_problems
		FROM report_referral x NOT INDEXED
		JOIN referrals r ON r.id = x.referral_id
		JOIN teams t ON t.id = x.team_id
		JOIN users u ON u.id = x.therapist_id`

const reportRowsWhere = `
		WHERE (x.received_on BETWEEN ? AND ?
				OR x.first_treatment_on BETWEEN ? AND ?
				OR x.ended_on BETWEEN ? AND ?)
			AND (? OR x.team_id IN (SELECT value FROM json_each(?)))
			AND (? = 0 OR x.therapist_id = ?)
			AND (? = '' OR r.problem_descriptor = ? OR r.problem_descriptor LIKE ?)
		ORDER BY x.referral_id`

const reportRowsQuery = reportRowsSelect + reportRowsWhere

// sectionRowsQuery selects the rows behind the sections (issue 13): those
// of the scope with a date in the period (received, first assessment,
// first or second treatment, ended) or open at its end.
const sectionRowsQuery = reportRowsSelect + `
		WHERE (x.received_on BETWEEN :from AND :to
				OR x.first_treatment_on BETWEEN :from AND :to
				OR x.ended_on BETWEEN :from AND :to
				OR x.first_assessment_on BETWEEN :from AND :to
				OR x.second_treatment_on BETWEEN :from AND :to
				OR (x.received_on <= :to AND (x.ended_on IS NULL OR x.ended_on > :to)))` + reportScope + `
		ORDER BY x.referral_id`

// EachSectionRow calls fn with each row behind the period's sections (by
// referral id, one row at a time in the same ReportRow: fn must not keep
// it), for the sections' CSVs.
func (s *Store) EachSectionRow(ctx context.Context, f ReportFilter, fn func(*ReportRow) error) error {
	if !validDate(f.From) || !validDate(f.To) || f.From > f.To {
		return fmt.Errorf("section rows: %w", &ValidationError{Fields: map[string]string{"from": "The period must run from one real date to a later one"}})
	}
	args, err := aggregateArgs(f)
	if err != nil {
		return fmt.Errorf("section rows: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, sectionRowsQuery, args...)
	if err != nil {
		return fmt.Errorf("section rows: %w", err)
	}
	defer rows.Close()
	return eachReportRow(rows, "section rows", fn)
}

// scanReportRows reads every row of reportRowsQuery. Rows are large (a
// measures.Outcome each) and a year has tens of thousands: gather them in
// fixed chunks, scanning in place, and copy them once, rather than let one
// slice grow and copy them again and again.
func scanReportRows(rows *sql.Rows) ([]ReportRow, error) {
	const chunk = 4096
	var chunks [][]ReportRow
	cur := make([]ReportRow, 0, chunk)
	total := 0
	for rows.Next() {
		if len(cur) == cap(cur) {
			chunks, cur = append(chunks, cur), make([]ReportRow, 0, chunk)
		}
		cur = append(cur, ReportRow{})
		if err := scanReportRow(rows, &cur[len(cur)-1]); err != nil {
			return nil, err
		}
		total++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]ReportRow, 0, total)
	for _, c := range append(chunks, cur) {
		out = append(out, c...)
	}
	return out, nil
}

// scanReportRow reads one row of reportRowsQuery into row, in place.
func scanReportRow(rows *sql.Rows, row *ReportRow) error {
	var anxiety string
	o := &row.Outcome
	x := &row.Facts
	var phq, anx sql.NullFloat64
	var phqFirst, phqLast, anxFirst, anxLast sql.NullFloat64
	var open bool
	if err := rows.Scan(&row.ReferralID, &row.TeamID, &row.TeamName, &row.TherapistID, &row.TherapistName,
		&row.Descriptor, &row.ReceivedOn, &row.FirstTreatmentOn, &row.EndedOn, &row.EndReason,
		&open, &o.FinishedCourse, &o.TreatmentSessions,
		&o.AtCaseness, &o.Recovered, &o.ReliableImprovement, &o.ReliableRecovery, &o.ReliableDeterioration,
		&o.NoReliableChange, &o.Paired, &o.WaitDays, &anxiety,
		&phq, &phqFirst, &phqLast, &o.PHQ9.Paired,
		&anx, &anxFirst, &anxLast, &o.AnxietyM.Paired,
		&x.FirstAssessmentOn, &x.AssessmentDays, &x.SecondTreatmentOn, &x.FirstSecondDays, &x.LastContactOn,
		&x.EndCode, &x.IntensityMix, &x.StepUpDays,
		&x.EthnicGroup, &x.AgeBand, &x.GenderIdentity, &x.SexualOrientation, &x.Disability,
		&x.EmploymentStatus, &x.LongTermCondition, &x.ConsultationMedium,
		&x.ADSMExpected, &x.ADSMPaired, &x.AnxietyOneOrNone, &x.WSASComplete, &x.DatasetProblems); err != nil {
		return err
	}
	o.RuleSet, o.Open, o.Descriptor = measures.RuleSet, open, row.Descriptor
	o.Anxiety = measures.InstrumentID(anxiety)
	o.PHQ9.Instrument, o.PHQ9.Count, o.PHQ9.First, o.PHQ9.Last = measures.PHQ9, int(phq.Float64), phqFirst.Float64, phqLast.Float64
	o.AnxietyM.Instrument, o.AnxietyM.Count, o.AnxietyM.First, o.AnxietyM.Last = o.Anxiety, int(anx.Float64), anxFirst.Float64, anxLast.Float64
	o.NotAtCaseness = measures.NotAtCasenessAtStart(*o)
	return nil
}

// In reports whether a date falls in the period [from, to].
func In(date, from, to string) bool { return date != "" && date >= from && date <= to }

// InPeriod reports whether the referral belongs to a report on the period
// [from, to]: it was received, first attended treatment, or ended in it
// (the rows ReportRows selects).
func (r *ReportRow) InPeriod(from, to string) bool {
	return In(r.ReceivedOn, from, to) || In(r.FirstTreatmentOn, from, to) || In(r.EndedOn, from, to)
}

// RowsInPeriod keeps the rows that belong to a report on [from, to], such
// as the period's own rows out of those read for a longer trend. When every
// row belongs, rows itself is returned: a year's rows are large, and are
// not copied for nothing.
func RowsInPeriod(rows []ReportRow, from, to string) []ReportRow {
	if !slices.ContainsFunc(rows, func(r ReportRow) bool { return !r.InPeriod(from, to) }) {
		return rows
	}
	var out []ReportRow
	for i := range rows {
		if rows[i].InPeriod(from, to) {
			out = append(out, rows[i])
		}
	}
	return out
}

// RowCounts is one referral's contribution to a report for a period: 0 or 1
// in each count. Outcome counts come from measures.ServiceRates over the
// referral alone, and only when it ended in the period; ServiceRates adds
// up, so the sum of the rows' counts is the report's figures.
type RowCounts struct {
	Received         int
	EnteredTreatment int
	Ended            int
	Rates            measures.Rates
}

// CountRow works out a row's contribution to a period.
func CountRow(row ReportRow, from, to string) RowCounts {
	var c RowCounts
	if In(row.ReceivedOn, from, to) {
		c.Received = 1
	}
	if In(row.FirstTreatmentOn, from, to) {
		c.EnteredTreatment = 1
	}
	var ended []measures.Outcome
	if In(row.EndedOn, from, to) {
		c.Ended = 1
		ended = []measures.Outcome{row.Outcome}
	}
	c.Rates = measures.ServiceRates(ended)
	return c
}

// Figures are a report's numbers for a period.
type Figures struct {
	From, To         string
	Received         int // referrals received in the period
	EnteredTreatment int // first attended treatment in the period
	Ended            int // referrals that ended in the period, finished or not
	Rates            measures.Rates
}

// Summarise works out the figures for a period from report rows: counts of
// referrals received and entering treatment in it, and measures.ServiceRates
// over the referrals that ended in it.
func Summarise(rows []ReportRow, from, to string) Figures {
	f := Figures{From: from, To: to}
	n := 0
	for i := range rows {
		if In(rows[i].EndedOn, from, to) {
			n++
		}
	}
	// Outcomes are large: size the slice once rather than let it grow.
	ended := make([]measures.Outcome, 0, n)
	for i := range rows {
		if f.count(&rows[i]) {
			ended = append(ended, rows[i].Outcome)
		}
	}
	f.Rates = measures.ServiceRates(ended)
	return f
}

// count counts a row's arrival and start of treatment in the figures'
// period and reports whether it ended in the period.
func (f *Figures) count(r *ReportRow) bool {
	if In(r.ReceivedOn, f.From, f.To) {
		f.Received++
	}
	if In(r.FirstTreatmentOn, f.From, f.To) {
		f.EnteredTreatment++
	}
	if In(r.EndedOn, f.From, f.To) {
		f.Ended++
		return true
	}
	return false
}

// MonthFigures are one calendar month's figures in a trend.
type MonthFigures struct {
	Month string // YYYY-MM
	Figures
}

// ByMonth splits a period into calendar months (the first and last may be
// partial) and works out each month's figures, in one pass over the rows.
func ByMonth(rows []ReportRow, from, to string) []MonthFigures {
	out, index := calendarMonths(from, to)
	if out == nil {
		return nil
	}
	month := func(date string) (int, bool) {
		if len(date) < 7 {
			return 0, false
		}
		i, ok := index[date[:7]]
		return i, ok
	}
	ended := endedByMonth(rows, len(out), month)
	for i := range rows {
		r := &rows[i]
		// Count the row once in each month one of its dates falls in.
		var seen [3]int
		n := 0
		for _, d := range [3]string{r.ReceivedOn, r.FirstTreatmentOn, r.EndedOn} {
			m, ok := month(d)
			if !ok || slices.Contains(seen[:n], m) {
				continue
			}
			seen[n], n = m, n+1
			if out[m].count(r) {
				ended[m] = append(ended[m], r.Outcome)
			}
		}
	}
	for m := range out {
		out[m].Rates = measures.ServiceRates(ended[m])
	}
	return out
}

// calendarMonths lays out the months of [from, to], each with its part of
// the period, and indexes them by YYYY-MM; nil for a period that is not one.
func calendarMonths(from, to string) ([]MonthFigures, map[string]int) {
	start, ok1 := parseDate(from)
	end, ok2 := parseDate(to)
	if !ok1 || !ok2 || end.Before(start) {
		return nil, nil
	}
	var out []MonthFigures
	index := map[string]int{} // YYYY-MM to its place in out
	for m := start.AddDate(0, 0, 1-start.Day()); !m.After(end); m = m.AddDate(0, 1, 0) {
		lo, hi := m.Format(dateLayout), m.AddDate(0, 1, -1).Format(dateLayout)
		index[m.Format("2006-01")] = len(out)
		out = append(out, MonthFigures{Month: m.Format("2006-01"), Figures: Figures{From: max(lo, from), To: min(hi, to)}})
	}
	return out, index
}

// endedByMonth makes each month's (empty) slice of the outcomes that ended
// in it, sized once: outcomes are large.
func endedByMonth(rows []ReportRow, months int, month func(string) (int, bool)) [][]measures.Outcome {
	sizes := make([]int, months)
	for i := range rows {
		if m, ok := month(rows[i].EndedOn); ok {
			sizes[m]++
		}
	}
	ended := make([][]measures.Outcome, months)
	for m := range ended {
		ended[m] = make([]measures.Outcome, 0, sizes[m])
	}
	return ended
}

// TherapistFigures are one therapist's figures for a period.
type TherapistFigures struct {
	TherapistID   int64
	TherapistName string
	TeamID        int64 // the team of their first referral in the period
	TeamName      string
	Figures
}

// ByTherapist works out each therapist's figures for a period, by name.
func ByTherapist(rows []ReportRow, from, to string) []TherapistFigures {
	var out []TherapistFigures
	index := map[int64]int{}
	var ended [][]measures.Outcome
	for i := range rows {
		r := &rows[i]
		t, ok := index[r.TherapistID]
		if !ok {
			t = len(out)
			index[r.TherapistID] = t
			out = append(out, TherapistFigures{TherapistID: r.TherapistID, TherapistName: r.TherapistName, TeamID: r.TeamID, TeamName: r.TeamName, Figures: Figures{From: from, To: to}})
			ended = append(ended, nil)
		}
		if out[t].count(r) {
			ended[t] = append(ended[t], r.Outcome)
		}
	}
	for t := range out {
		out[t].Rates = measures.ServiceRates(ended[t])
	}
	slices.SortFunc(out, compareTherapistFigures)
	return out
}

// compareTherapistFigures orders therapists by name.
func compareTherapistFigures(a, b TherapistFigures) int {
	return cmp.Or(cmp.Compare(a.TherapistName, b.TherapistName), cmp.Compare(a.TherapistID, b.TherapistID))
}

// descriptorBeneath is the LIKE pattern of the codes beneath a problem
// descriptor, so that a report on F32 counts F32.1 too, and one on F40.0
// counts F40.01.
func descriptorBeneath(code string) string {
	if strings.Contains(code, ".") {
		return code + "_%"
	}
	return code + ".%"
}

// eachReportRow scans each of rows into one ReportRow, reused (fn must not
// keep it), and calls fn with it; what names the rows in errors.
func eachReportRow(rows *sql.Rows, what string, fn func(*ReportRow) error) error {
	var row ReportRow
	for rows.Next() {
		row = ReportRow{}
		if err := scanReportRow(rows, &row); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if err := fn(&row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
