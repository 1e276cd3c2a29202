package caseload

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"

	"clinic/internal/dataset"
	"clinic/internal/measures"
)

// What NHS England publishes about a service beyond the outcome rates
// (issue 13; shared/reference/dataset.md, last section): waits, endings,
// stepped care, outcomes by group and data quality. Each is a GROUP BY over
// the report_referral rows of the scope with one date in the period, read
// from that date's index (schema steps 17 and 18), as the outcome figures
// are (report_aggregate.go): nothing reads contacts or builds a row per
// referral on the report path. Those counted by the date referrals ended
// and the outcomes by group read whole months from rollups kept at write
// time instead (report_ended.go, report_groups.go). TestSectionsEqualRecount
// checks each figure against a count from scratch over the referrals'
// contacts.

// Assessment-wait bands, in days from referral to first assessment (NHS
// England M023–M030: under 29, 29 to 56, 57 to 90, over 90 days).
const (
	AssessmentBand1Days = 28
	AssessmentBand2Days = 56
	AssessmentBand3Days = 90
)

// SecondTreatmentDays is the gap between the first and second treatment
// appointments beyond which NHS England counts a referral as waiting too
// long for its second (M047, M126: over 90 days).
const SecondTreatmentDays = 90

// No-contact bands of open referrals, in days since the last attended
// contact (NHS England M020: 61 to 90, over 90 days).
const (
	NoContactFromDays = 61
	NoContactLongDays = 90
)

// StillWaitingBands are the upper bounds, in days, of the bands of weeks
// waited by referrals still waiting for treatment at the period's end
// (2, 4, 6, 12 and 18 weeks, then over 18: NHS England M038–M045).
var StillWaitingBands = []int{14, 28, 42, 84, 126}

// Waits are a period's waiting-time figures.
type Waits struct {
	// Referrals whose first assessment fell in the period, by days waited.
	Assessed                                              int
	AssessmentUnder29, Assessment29To56, Assessment57To90 int
	AssessmentOver90                                      int
	MedianDaysToAssessment                                *float64
	// Finished courses that ended in the period and had a first treatment
	// (the 6- and 18-week counts are in the figures' Rates).
	MedianDaysToTreatment *float64
	// Referrals whose second treatment appointment fell in the period, and
	// those of them more than 90 days after the first.
	SecondTreatments, SecondTreatmentOver90 int
	// Referrals open at the period's end still waiting for a first
	// treatment, by band of StillWaitingBands (the last: over 18 weeks).
	StillWaiting       int
	StillWaitingByBand []int
	// Referrals open at the period's end, and those with no attended
	// contact (or, never seen, no contact since referral) for 61–90 and
	// over 90 days. A referral last seen after the period's end is not
	// counted in either: its row keeps only its latest contact.
	OpenAtEnd                        int
	NoContact61To90, NoContactOver90 int
}

// EndCodeCount is how many referrals ended in the period with an EndCode
// ("" when none was recorded).
type EndCodeCount struct {
	Code  string
	Label string
	Group string // dataset.SeenNotTreated or dataset.Treated; "" when not recorded
	Count int
}

// Endings are the referrals that ended in the period.
type Endings struct {
	Ended         int
	ByCode        []EndCodeCount // in dataset.EndCode's order, then not recorded
	Finished      int            // finished a course of treatment
	WithTreatment int            // had at least one attended treatment appointment
}

// SteppedCare counts the finished courses that ended in the period by the
// intensity of their attended treatment appointments, each at the
// intensity it was given (contacts.intensity).
type SteppedCare struct {
	Finished                     int
	LowOnly, Both, HighOnly      int
	SteppedUp, SteppedUpWithin90 int // from the last low to the first high-intensity treatment after it
}

// GroupFigures are the outcomes of one group of a dimension: finished
// courses that ended in the period, and the recovery rates as the service's
// (measures.WithRates: over finished minus not at caseness at the start).
type GroupFigures struct {
	Key, Label string
	Rates      measures.Rates
}

// DimensionFigures are the groups of one dimension, in dataset's order;
// their counts add up to the period's finished courses.
type DimensionFigures struct {
	Key, Label string
	Groups     []GroupFigures
}

// DataQuality counts what NHS England checks of finished courses that ended
// in the period, and the records failing the data set's validation of every
// referral that ended in it.
type DataQuality struct {
	Finished       int
	ADSMExpected   int // the descriptor has its own anxiety measure
	ADSMPaired     int // ... and it has a first and a last score
	OneOrNoAnxiety int // at most one GAD-7 and one ADSM score
	WSASComplete   int // a WSAS with at least 4 of 5 domains answered
	// Referrals that ended in the period, those of them with records
	// failing the data set's validation (the export's checks, over all
	// their records: ReportFacts.DatasetProblems), and their problems.
	Ended, FailingValidation, DatasetProblems int
}

// Sections are a period's figures beyond the outcome rates.
type Sections struct {
	Waits       Waits
	Endings     Endings
	SteppedCare SteppedCare
	Groups      []DimensionFigures
	DataQuality DataQuality
}

// ReportSections works out the sections of the filter's period in the
// database.
func (s *Store) ReportSections(ctx context.Context, f ReportFilter) (Sections, error) {
	if !validDate(f.From) || !validDate(f.To) || f.From > f.To {
		return Sections{}, fmt.Errorf("report sections: %w", &ValidationError{Fields: map[string]string{"from": "The period must run from one real date to a later one"}})
	}
	args, err := sectionArgs(f)
	if err != nil {
		return Sections{}, fmt.Errorf("report sections: %w", err)
	}
	// The steps from the rows walk about half a million index entries
	// each for a national year (0.05-0.2 s of CPU apiece; those by the
	// date referrals ended and the outcomes by group read their rollups,
	// 0.01-0.03 s): they are read in two halves, each on a reader
	// connection of its own, side by side.
	var ended Sections
	var endedErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				endedErr = fmt.Errorf("panic: %v", p)
			}
		}()
		endedErr = s.readSections(ctx, args, &ended, endedSections, openAtEnd, groups)
	}()
	var out Sections
	err = s.readSections(ctx, args, &out, assessmentWaits, secondTreatments)
	<-done
	if err = cmp.Or(err, endedErr); err != nil {
		return Sections{}, fmt.Errorf("report sections: %w", err)
	}
	out.Waits.MedianDaysToTreatment = ended.Waits.MedianDaysToTreatment
	w := ended.Waits
	out.Waits.StillWaiting, out.Waits.StillWaitingByBand, out.Waits.OpenAtEnd = w.StillWaiting, w.StillWaitingByBand, w.OpenAtEnd
	out.Waits.NoContact61To90, out.Waits.NoContactOver90 = w.NoContact61To90, w.NoContactOver90
	out.Endings, out.SteppedCare, out.Groups, out.DataQuality = ended.Endings, ended.SteppedCare, ended.Groups, ended.DataQuality
	return out, nil
}

// sectionStep works out some of the sections' figures into out.
type sectionStep func(ctx context.Context, tx *sql.Tx, args []any, out *Sections) error

// readSections runs steps, in order, in one read transaction.
func (s *Store) readSections(ctx context.Context, args []any, out *Sections, steps ...sectionStep) error {
	return s.withRead(ctx, func(tx *sql.Tx) error {
		for _, step := range steps {
			if err := step(ctx, tx, args, out); err != nil {
				return err
			}
		}
		return nil
	})
}

// sectionArgs are the named parameters of the sections' queries: the
// scope's and the cut-offs'.
func sectionArgs(f ReportFilter) ([]any, error) {
	args, err := aggregateArgs(f)
	if err != nil {
		return nil, err
	}
	b := StillWaitingBands
	return append(args,
		sql.Named("second", SecondTreatmentDays), sql.Named("stepup", StepUpDays),
		sql.Named("mix_low", MixLowOnly), sql.Named("mix_both", MixBoth), sql.Named("mix_high", MixHighOnly),
		sql.Named("nc_from", NoContactFromDays), sql.Named("nc_long", NoContactLongDays),
		sql.Named("b1", b[0]), sql.Named("b2", b[1]), sql.Named("b3", b[2]), sql.Named("b4", b[3]), sql.Named("b5", b[4])), nil
}

const assessmentWaitsQuery = `
		SELECT x.assessment_days, COUNT(*)
		FROM report_referral x
		WHERE x.first_assessment_on BETWEEN :from AND :to` + reportScope + `
		GROUP BY 1`

const treatmentWaitsQuery = `
		SELECT x.wait_days, COUNT(*)
		FROM report_referral x
		WHERE x.ended_on BETWEEN :from AND :to AND x.finished AND x.wait_days >= 0` + reportScope + `
		GROUP BY 1`

const secondTreatmentsQuery = `
		SELECT COUNT(*), COALESCE(SUM(x.first_second_days > :second), 0)
		FROM report_referral x
		WHERE x.second_treatment_on BETWEEN :from AND :to` + reportScope

const openAtEndQuery = `
		SELECT
			COUNT(*),
			COALESCE(SUM(o.waiting), 0),
			COALESCE(SUM(o.quiet BETWEEN :nc_from AND :nc_long), 0),
			COALESCE(SUM(o.quiet > :nc_long), 0),
			COALESCE(SUM(o.waiting AND o.waited <= :b1), 0),
			COALESCE(SUM(o.waiting AND o.waited > :b1 AND o.waited <= :b2), 0),
			COALESCE(SUM(o.waiting AND o.waited > :b2 AND o.waited <= :b3), 0),
			COALESCE(SUM(o.waiting AND o.waited > :b3 AND o.waited <= :b4), 0),
			COALESCE(SUM(o.waiting AND o.waited > :b4 AND o.waited <= :b5), 0),
			COALESCE(SUM(o.waiting AND o.waited > :b5), 0)
		FROM (
			SELECT
				x.first_treatment_on IS NULL OR x.first_treatment_on > :to AS waiting,
				CAST(julianday(:to) - julianday(x.received_on) AS INTEGER) AS waited,
				CASE WHEN COALESCE(x.last_contact_on, x.received_on) <= :to
					THEN CAST(julianday(:to) - julianday(COALESCE(x.last_contact_on, x.received_on)) AS INTEGER)
					ELSE -1 END AS quiet
			FROM report_referral x
			WHERE x.received_on <= :to AND (x.ended_on IS NULL OR x.ended_on > :to)` + reportScope + `
		) o`

const endingsQuery = `
		SELECT x.end_code, COUNT(*), SUM(x.finished), SUM(x.treatment_sessions > 0)
		FROM report_referral x
		WHERE x.ended_on BETWEEN :from AND :to` + reportScope + `
		GROUP BY 1`

// steppedCareQuery counts the period's finished courses by intensity with
// a sum per intensity rather than a GROUP BY, which would sort every
// finished course of the period into a temporary b-tree (a third of a
// second for a national year).
const steppedCareQuery = `
		SELECT
			COUNT(*),
			COALESCE(SUM(x.intensity_mix = :mix_low), 0),
			COALESCE(SUM(x.intensity_mix = :mix_both), 0),
			COALESCE(SUM(x.intensity_mix = :mix_high), 0),
			COALESCE(SUM(x.step_up_days >= 0), 0),
			COALESCE(SUM(x.step_up_days BETWEEN 0 AND :stepup), 0),
			COALESCE(SUM(x.adsm_expected), 0),
			COALESCE(SUM(x.adsm_paired), 0),
			COALESCE(SUM(x.anxiety_one_or_none), 0),
			COALESCE(SUM(x.wsas_complete), 0)
		FROM report_referral x
		WHERE x.ended_on BETWEEN :from AND :to AND x.finished` + reportScope

const validationQuery = `
		SELECT COUNT(*), COALESCE(SUM(x.dataset_problems > 0), 0), COALESCE(SUM(x.dataset_problems), 0)
		FROM report_referral x
		WHERE x.ended_on BETWEEN :from AND :to` + reportScope

// histogram reads (days, count) rows, in any order, into a count by days.
func histogram(ctx context.Context, tx *sql.Tx, query string, args []any) (map[int]int, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]int{}
	for rows.Next() {
		var d, n int
		if err := rows.Scan(&d, &n); err != nil {
			return nil, err
		}
		out[d] += n
	}
	return out, rows.Err()
}

// Median is the median of a count by value (the mean of the two middle
// values of an even count); nil when there is none.
func Median(counts map[int]int) *float64 {
	keys := make([]int, 0, len(counts))
	n := 0
	for k, c := range counts {
		if c > 0 {
			keys = append(keys, k)
			n += c
		}
	}
	if n == 0 {
		return nil
	}
	slices.Sort(keys)
	at := func(i int) int { // the i-th value (0-based) in order
		for _, k := range keys {
			if i < counts[k] {
				return k
			}
			i -= counts[k]
		}
		return keys[len(keys)-1]
	}
	m := float64(at((n-1)/2)+at(n/2)) / 2
	return &m
}

func assessmentWaits(ctx context.Context, tx *sql.Tx, args []any, out *Sections) error {
	h, err := histogram(ctx, tx, assessmentWaitsQuery, args)
	if err != nil {
		return err
	}
	w := &out.Waits
	for d, n := range h {
		w.Assessed += n
		switch {
		case d <= AssessmentBand1Days:
			w.AssessmentUnder29 += n
		case d <= AssessmentBand2Days:
			w.Assessment29To56 += n
		case d <= AssessmentBand3Days:
			w.Assessment57To90 += n
		default:
			w.AssessmentOver90 += n
		}
	}
	w.MedianDaysToAssessment = Median(h)
	return nil
}

func secondTreatments(ctx context.Context, tx *sql.Tx, args []any, out *Sections) error {
	return tx.QueryRowContext(ctx, secondTreatmentsQuery, args...).Scan(&out.Waits.SecondTreatments, &out.Waits.SecondTreatmentOver90)
}

// openAtEnd counts the referrals open at the period's end: received by
// then and not ended by then.
func openAtEnd(ctx context.Context, tx *sql.Tx, args []any, out *Sections) error {
	w := &out.Waits
	w.StillWaitingByBand = make([]int, len(StillWaitingBands)+1)
	dest := []any{&w.OpenAtEnd, &w.StillWaiting, &w.NoContact61To90, &w.NoContactOver90}
	for i := range w.StillWaitingByBand {
		dest = append(dest, &w.StillWaitingByBand[i])
	}
	return tx.QueryRowContext(ctx, openAtEndQuery, args...).Scan(dest...)
}

// EndCodeCounts lays out counts by EndCode in dataset.EndCode's order, an
// unknown code next, and "" (not recorded) last; every code of the list is
// there, with 0 where none ended so.
func EndCodeCounts(counts map[string]int) []EndCodeCount {
	var out []EndCodeCount
	for _, c := range dataset.EndCode.Codes {
		out = append(out, EndCodeCount{Code: c.Code, Label: c.Label, Group: c.Group, Count: counts[c.Code]})
	}
	var unknown []string
	for code := range counts {
		if code != "" && !dataset.EndCode.Valid(code) {
			unknown = append(unknown, code)
		}
	}
	slices.Sort(unknown)
	for _, code := range unknown {
		out = append(out, EndCodeCount{Code: code, Label: "Code not in the list", Count: counts[code]})
	}
	return append(out, EndCodeCount{Code: "", Label: "Not recorded", Count: counts[""]})
}

// LayOutGroups lays out counts by (dimension, group) key in dataset's
// order of dimensions and groups, every group there (0 where none), each
// with its rates.
func LayOutGroups(counts map[[2]string]measures.Rates) []DimensionFigures {
	var out []DimensionFigures
	for _, d := range dataset.Dimensions() {
		df := DimensionFigures{Key: d.Key, Label: d.Label}
		for _, g := range d.Groups {
			df.Groups = append(df.Groups, GroupFigures{Key: g.Key, Label: g.Label, Rates: measures.WithRates(counts[[2]string{d.Key, g.Key}])})
		}
		out = append(out, df)
	}
	return out
}
