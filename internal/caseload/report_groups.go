package caseload

import (
	"context"
	"database/sql"

	"clinic/internal/dataset"
	"clinic/internal/measures"
)

// The outcomes by group of a period (issue 13's inequalities) are added up
// from report_group_month, the rollup of finished courses by month, team,
// therapist, dimension and group that triggers on report_referral keep in
// the transaction of each write (schema step 24). Counting them from the
// rows sorted every finished course of the period once per dimension (2-3 s
// of CPU for a national year); the rollup is read in its key's order,
// month by month, with no sort. Whole calendar months come from the
// rollup; the days of a partial month at either edge of the period come
// from the rows (groupsFromRowsQuery), as does a period filtered by problem
// descriptor (the rollup is not kept by descriptor). Every count is
// additive, so the parts add up to exactly what the rows give
// (TestGroupsFromRollupEqualRows).

// groupColumns are report_referral's column of each dimension. Only these
// constants are ever put into the query.
var groupColumns = map[string]string{
	dataset.DimEthnicGroup:        "ethnic_group",
	dataset.DimAgeBand:            "age_band",
	dataset.DimGenderIdentity:     "gender_identity",
	dataset.DimSexualOrientation:  "sexual_orientation",
	dataset.DimDisability:         "disability",
	dataset.DimEmployment:         "employment_status",
	dataset.DimLongTermCondition:  "long_term_condition",
	dataset.DimConsultationMedium: "consultation_medium",
}

// groupsFromRowsQuery counts each dimension's groups over the period's
// finished courses, read once from the ended index into a temporary table.
func groupsFromRowsQuery() string {
	q := `
		WITH f AS MATERIALIZED (
			SELECT
				x.ethnic_group, x.age_band, x.gender_identity, x.sexual_orientation, x.disability,
				x.employment_status, x.long_term_condition, x.consultation_medium,
				x.phq9_count > 0 AND x.anxiety_count > 0 AND NOT x.at_caseness AS not_at_caseness,
				x.recovered, x.reliable_recovery
			FROM report_referral x
			WHERE x.ended_on BETWEEN :from AND :to AND x.finished` + reportScope + `
		)`
	for i, d := range dataset.Dimensions() {
		if i > 0 {
			q += `
		UNION ALL`
		}
		col := groupColumns[d.Key]
		q += `
		SELECT '` + d.Key + `', ` + col + `, COUNT(*), SUM(not_at_caseness), SUM(recovered), SUM(reliable_recovery)
		FROM f GROUP BY ` + col
	}
	return q
}

// groupsFromRollupQuery adds up the rollup's whole months from :month_from
// to :month_to (YYYY-MM) for the scope. Grouped by month first, it follows
// the rollup's primary key and needs no sort; the months are added up in
// Go.
const groupsFromRollupQuery = `
		SELECT g.dimension, g.group_key, SUM(g.finished), SUM(g.not_at_caseness), SUM(g.recovered), SUM(g.reliable_recovery)
		FROM report_group_month g
		WHERE g.month BETWEEN :month_from AND :month_to
			AND (:whole OR g.team_id IN (SELECT value FROM json_each(:teams)))
			AND (:therapist = 0 OR g.therapist_id = :therapist)
		GROUP BY g.month, g.dimension, g.group_key`

// groupParts splits the period from..to into the whole calendar months
// the rollup gives (first and last, YYYY-MM; ok false when there is none)
// and the periods of days before and after them, read from the rows.
func groupParts(from, to string) (months [2]string, ok bool, days [][2]string) {
	start, ok1 := parseDate(from)
	end, ok2 := parseDate(to)
	if !ok1 || !ok2 || end.Before(start) {
		return months, false, [][2]string{{from, to}}
	}
	first := start
	if start.Day() != 1 {
		first = start.AddDate(0, 1, 1-start.Day())
	}
	last := end // the last day of the last whole month
	if next := end.AddDate(0, 0, 1); next.Day() != 1 {
		last = end.AddDate(0, 0, -end.Day())
	}
	if last.Before(first) {
		return months, false, [][2]string{{from, to}}
	}
	if first.After(start) {
		days = append(days, [2]string{from, first.AddDate(0, 0, -1).Format(dateLayout)})
	}
	if end.After(last) {
		days = append(days, [2]string{last.AddDate(0, 0, 1).Format(dateLayout), to})
	}
	return [2]string{first.Format("2006-01"), last.Format("2006-01")}, true, days
}

// withPeriod is args with the period's named parameters replaced.
func withPeriod(args []any, from, to string) []any {
	out := make([]any, 0, len(args))
	for _, a := range args {
		if n, ok := a.(sql.NamedArg); ok && (n.Name == "from" || n.Name == "to") {
			continue
		}
		out = append(out, a)
	}
	return append(out, sql.Named("from", from), sql.Named("to", to))
}

// argValue is the value of the named parameter name in args ("" when it
// is not there or not text).
func argValue(args []any, name string) string {
	for _, a := range args {
		if n, ok := a.(sql.NamedArg); ok && n.Name == name {
			v, _ := n.Value.(string)
			return v
		}
	}
	return ""
}

// groups works out the period's outcomes by group: whole months from the
// rollup, the rest from the rows.
func groups(ctx context.Context, tx *sql.Tx, args []any, out *Sections) error {
	from, to := argValue(args, "from"), argValue(args, "to")
	counts := map[[2]string]measures.Rates{}
	months, ok, days := groupParts(from, to)
	if argValue(args, "descriptor") != "" {
		ok, days = false, [][2]string{{from, to}}
	}
	if ok {
		monthArgs := append(args[:len(args):len(args)], sql.Named("month_from", months[0]), sql.Named("month_to", months[1]))
		if err := addGroupCounts(ctx, tx, groupsFromRollupQuery, monthArgs, counts); err != nil {
			return err
		}
	}
	for _, d := range days {
		if err := addGroupCounts(ctx, tx, groupsFromRowsQuery(), withPeriod(args, d[0], d[1]), counts); err != nil {
			return err
		}
	}
	out.Groups = LayOutGroups(counts)
	return nil
}

// groupsFromRows works out the period's outcomes by group from the rows
// alone, as groups did before the rollup (its tests' oracle).
func groupsFromRows(ctx context.Context, tx *sql.Tx, args []any, out *Sections) error {
	counts := map[[2]string]measures.Rates{}
	if err := addGroupCounts(ctx, tx, groupsFromRowsQuery(), args, counts); err != nil {
		return err
	}
	out.Groups = LayOutGroups(counts)
	return nil
}

// addGroupCounts adds the (dimension, group, finished, not at caseness,
// recovered, reliably recovered) rows of query into counts.
func addGroupCounts(ctx context.Context, tx *sql.Tx, query string, args []any, counts map[[2]string]measures.Rates) error {
	rows, err := tx.QueryContext(ctx, query, args...) // #nosec G202 -- columns are constants of this file
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var dim, group string
		var r measures.Rates
		if err := rows.Scan(&dim, &group, &r.Finished, &r.NotAtCaseness, &r.Recovered, &r.ReliablyRecovered); err != nil {
			return err
		}
		k := [2]string{dim, group}
		c := counts[k]
		c.Finished += r.Finished
		c.NotAtCaseness += r.NotAtCaseness
		c.Recovered += r.Recovered
		c.ReliablyRecovered += r.ReliablyRecovered
		counts[k] = c
	}
	return rows.Err()
}

// refillGroupRollup writes the rollup again from every report row, as
// schema step 24 first filled it: after a bulk load that wrote the rows
// with its triggers dropped (synthetic.go).
func refillGroupRollup(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
		DELETE FROM report_group_month;
		INSERT INTO report_group_month
		SELECT month, dimension, group_key, team_id, therapist_id, COUNT(*), SUM(not_at_caseness), SUM(recovered), SUM(reliable_recovery)
		FROM report_group_course
		GROUP BY 1, 2, 3, 4, 5`)
	return err
}
