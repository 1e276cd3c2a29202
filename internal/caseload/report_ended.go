package caseload

import (
	"context"
	"database/sql"

	"clinic/internal/measures"
)

// A period's figures counted by the date referrals ended (the outcome
// counts, the median wait to treatment, endings by EndCode, stepped care,
// data quality and validation) are added up from report_ended_month, the
// rollup by month, EndCode, days waited, team and therapist that triggers
// on report_referral keep in the transaction of each write (schema step
// 25). Walking the period's ended index entries once per figure cost 1.1 s
// of CPU for a national year; a year of the rollup is a few tens of
// thousands of rows, grouped in its key's order into a few hundred with no
// sort. As for the outcomes by group (report_groups.go), whole calendar
// months come from the rollup and the days of a partial month at either
// edge, or a period filtered by problem descriptor, from the rows with the
// queries the figures were read with before; every sum is additive, so the
// parts add up to exactly what the rows give
// (TestEndedFromRollupEqualRows).

// endedTotals are the sums of the referrals that ended in a period.
type endedTotals struct {
	ended, finished, withTreatment int
	rates                          measures.Rates // outcome counts of finished courses; no rate worked out
	codes                          map[string]int // referrals by EndCode
	waits                          map[int]int    // finished courses with a first treatment, by days waited
	steppedCare                    SteppedCare
	quality                        DataQuality
}

func newEndedTotals() endedTotals {
	return endedTotals{codes: map[string]int{}, waits: map[int]int{}}
}

// endedFromRollupQuery adds up the rollup's whole months from :month_from
// to :month_to (YYYY-MM) for the scope, by EndCode and days waited. Grouped
// by month first, it follows the rollup's primary key and needs no sort;
// the months are added up in Go.
const endedFromRollupQuery = `
		SELECT
			e.end_code,
			e.wait_days,
			SUM(e.ended),
			SUM(e.finished),
			SUM(e.with_treatment),
			SUM(e.not_at_caseness),
			SUM(e.recovered),
			SUM(e.reliable_improvement),
			SUM(e.reliable_recovery),
			SUM(e.reliable_deterioration),
			SUM(e.paired),
			SUM(e.low_only),
			SUM(e.both),
			SUM(e.high_only),
			SUM(e.stepped_up),
			SUM(e.stepped_up_within),
			SUM(e.adsm_expected),
			SUM(e.adsm_paired),
			SUM(e.anxiety_one_or_none),
			SUM(e.wsas_complete),
			SUM(e.failing_validation),
			SUM(e.dataset_problems)
		FROM report_ended_month e
		WHERE e.month BETWEEN :month_from AND :month_to
			AND (:whole OR e.team_id IN (SELECT value FROM json_each(:teams)))
			AND (:therapist = 0 OR e.therapist_id = :therapist)
		GROUP BY e.month, e.end_code, e.wait_days`

// addFromRollup adds the rollup's whole months of the scope into t.
func (t *endedTotals) addFromRollup(ctx context.Context, q queryer, args []any, months [2]string) error {
	monthArgs := append(args[:len(args):len(args)], sql.Named("month_from", months[0]), sql.Named("month_to", months[1]))
	rows, err := q.QueryContext(ctx, endedFromRollupQuery, monthArgs...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var wait, ended, finished, treated int
		var r measures.Rates
		var sc SteppedCare
		var dq DataQuality
		if err := rows.Scan(&code, &wait, &ended, &finished, &treated,
			&r.NotAtCaseness, &r.Recovered, &r.ReliablyImproved, &r.ReliablyRecovered, &r.Deteriorated, &r.Paired,
			&sc.LowOnly, &sc.Both, &sc.HighOnly, &sc.SteppedUp, &sc.SteppedUpWithin90,
			&dq.ADSMExpected, &dq.ADSMPaired, &dq.OneOrNoAnxiety, &dq.WSASComplete,
			&dq.FailingValidation, &dq.DatasetProblems); err != nil {
			return err
		}
		r.Finished, sc.Finished, dq.Finished, dq.Ended = finished, finished, finished, ended
		if wait >= 0 {
			r.Waited = finished
			if wait <= measures.SixWeeksDays {
				r.Within6Weeks = finished
			}
			if wait <= measures.EighteenWeeksDays {
				r.Within18Weeks = finished
			}
			if finished != 0 {
				t.waits[wait] += finished
			}
		}
		t.ended += ended
		t.finished += finished
		t.withTreatment += treated
		t.codes[code] += ended
		t.addCounts(r, sc, dq)
	}
	return rows.Err()
}

// addCounts adds outcome, stepped care and data quality counts into t.
func (t *endedTotals) addCounts(r measures.Rates, sc SteppedCare, dq DataQuality) {
	a := &t.rates
	a.Finished += r.Finished
	a.NotAtCaseness += r.NotAtCaseness
	a.Recovered += r.Recovered
	a.ReliablyImproved += r.ReliablyImproved
	a.ReliablyRecovered += r.ReliablyRecovered
	a.Deteriorated += r.Deteriorated
	a.Paired += r.Paired
	a.Waited += r.Waited
	a.Within6Weeks += r.Within6Weeks
	a.Within18Weeks += r.Within18Weeks
	s := &t.steppedCare
	s.Finished += sc.Finished
	s.LowOnly += sc.LowOnly
	s.Both += sc.Both
	s.HighOnly += sc.HighOnly
	s.SteppedUp += sc.SteppedUp
	s.SteppedUpWithin90 += sc.SteppedUpWithin90
	q := &t.quality
	q.Finished += dq.Finished
	q.ADSMExpected += dq.ADSMExpected
	q.ADSMPaired += dq.ADSMPaired
	q.OneOrNoAnxiety += dq.OneOrNoAnxiety
	q.WSASComplete += dq.WSASComplete
	q.Ended += dq.Ended
	q.FailingValidation += dq.FailingValidation
	q.DatasetProblems += dq.DatasetProblems
}

// addFigureRows adds the outcome counts of the period of args from the
// rows (the figures' query by ended_on, report_aggregate.go) into t.
func (t *endedTotals) addFigureRows(ctx context.Context, q queryer, args []any) error {
	rows, err := q.QueryContext(ctx, aggregateQuery(byEnded, groupNone), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var n int
		var r measures.Rates
		if err := rows.Scan(append([]any{&key, &n}, rateCounts(&r)...)...); err != nil {
			return err
		}
		t.ended += n
		t.addCounts(r, SteppedCare{}, DataQuality{})
	}
	return rows.Err()
}

// addSectionRows adds the sections' sums of the period of args from the
// rows into t: the queries report_sections.go read them with before the
// rollup.
func (t *endedTotals) addSectionRows(ctx context.Context, tx *sql.Tx, args []any) error {
	h, err := histogram(ctx, tx, treatmentWaitsQuery, args)
	if err != nil {
		return err
	}
	for d, n := range h {
		t.waits[d] += n
	}
	if err := t.addEndings(ctx, tx, args); err != nil {
		return err
	}
	var sc SteppedCare
	var dq DataQuality
	err = tx.QueryRowContext(ctx, steppedCareQuery, args...).Scan(&sc.Finished, &sc.LowOnly, &sc.Both, &sc.HighOnly,
		&sc.SteppedUp, &sc.SteppedUpWithin90, &dq.ADSMExpected, &dq.ADSMPaired, &dq.OneOrNoAnxiety, &dq.WSASComplete)
	if err != nil {
		return err
	}
	dq.Finished = sc.Finished
	if err := tx.QueryRowContext(ctx, validationQuery, args...).Scan(&dq.Ended, &dq.FailingValidation, &dq.DatasetProblems); err != nil {
		return err
	}
	t.addCounts(measures.Rates{}, sc, dq)
	return nil
}

func (t *endedTotals) addEndings(ctx context.Context, tx *sql.Tx, args []any) error {
	rows, err := tx.QueryContext(ctx, endingsQuery, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var n, finished, treated int
		if err := rows.Scan(&code, &n, &finished, &treated); err != nil {
			return err
		}
		t.codes[code] += n
		t.ended += n
		t.finished += finished
		t.withTreatment += treated
	}
	return rows.Err()
}

// endedParts splits the period of args into the rollup's whole months and
// the days read from the rows: all of them from the rows for a period
// filtered by problem descriptor, which the rollup is not kept by.
func endedParts(args []any) (months [2]string, ok bool, days [][2]string) {
	from, to := argValue(args, "from"), argValue(args, "to")
	if argValue(args, "descriptor") != "" {
		return months, false, [][2]string{{from, to}}
	}
	return groupParts(from, to)
}

// endedSections works out the sections counted by the date referrals
// ended: whole months from the rollup, the rest from the rows.
func endedSections(ctx context.Context, tx *sql.Tx, args []any, out *Sections) error {
	t := newEndedTotals()
	months, ok, days := endedParts(args)
	if ok {
		if err := t.addFromRollup(ctx, tx, args, months); err != nil {
			return err
		}
	}
	for _, d := range days {
		if err := t.addSectionRows(ctx, tx, withPeriod(args, d[0], d[1])); err != nil {
			return err
		}
	}
	t.layOut(out)
	return nil
}

// endedSectionsFromRows works out the same from the rows alone, as the
// sections were before the rollup (its tests' oracle).
func endedSectionsFromRows(ctx context.Context, tx *sql.Tx, args []any, out *Sections) error {
	t := newEndedTotals()
	if err := t.addSectionRows(ctx, tx, args); err != nil {
		return err
	}
	t.layOut(out)
	return nil
}

// layOut puts the sections' figures of t into out.
func (t *endedTotals) layOut(out *Sections) {
	out.Waits.MedianDaysToTreatment = Median(t.waits)
	out.Endings = Endings{Ended: t.ended, ByCode: EndCodeCounts(t.codes), Finished: t.finished, WithTreatment: t.withTreatment}
	out.SteppedCare = t.steppedCare
	out.DataQuality = t.quality
}

// endedFigures works out the figures' counts by the date referrals ended
// into out: whole months from the rollup, the rest from the rows.
func (s *Store) endedFigures(ctx context.Context, args []any, out *Figures) error {
	t := newEndedTotals()
	months, ok, days := endedParts(args)
	if ok {
		if err := t.addFromRollup(ctx, s.read, args, months); err != nil {
			return err
		}
	}
	for _, d := range days {
		if err := t.addFigureRows(ctx, s.read, withPeriod(args, d[0], d[1])); err != nil {
			return err
		}
	}
	if t.ended > 0 {
		out.Ended = t.ended
		out.Rates = measures.WithRates(t.rates)
	}
	return nil
}

// refillEndedRollup writes the rollup again from every report row, as
// schema step 25 first filled it: after a bulk load that wrote the rows
// with its triggers dropped (synthetic.go).
func refillEndedRollup(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
		DELETE FROM report_ended_month;
		INSERT INTO report_ended_month
		SELECT
			substr(x.ended_on, 1, 7),
			x.end_code,
			x.wait_days,
			x.team_id,
			x.therapist_id,
			COUNT(*),
			SUM(x.finished),
			SUM(x.treatment_sessions > 0),
			SUM(x.finished AND x.phq9_count > 0 AND x.anxiety_count > 0 AND NOT x.at_caseness),
			SUM(x.finished AND x.recovered),
			SUM(x.finished AND x.reliable_improvement),
			SUM(x.finished AND x.reliable_recovery),
			SUM(x.finished AND x.reliable_deterioration),
			SUM(x.finished AND x.paired),
			SUM(x.finished AND x.intensity_mix = 'low'),
			SUM(x.finished AND x.intensity_mix = 'both'),
			SUM(x.finished AND x.intensity_mix = 'high'),
			SUM(x.finished AND x.step_up_days >= 0),
			SUM(x.finished AND x.step_up_days BETWEEN 0 AND 90),
			SUM(CASE WHEN x.finished THEN x.adsm_expected ELSE 0 END),
			SUM(CASE WHEN x.finished THEN x.adsm_paired ELSE 0 END),
			SUM(CASE WHEN x.finished THEN x.anxiety_one_or_none ELSE 0 END),
			SUM(CASE WHEN x.finished THEN x.wsas_complete ELSE 0 END),
			SUM(x.dataset_problems > 0),
			SUM(x.dataset_problems)
		FROM report_referral x
		WHERE x.ended_on IS NOT NULL
		GROUP BY 1, 2, 3, 4, 5`)
	return err
}
