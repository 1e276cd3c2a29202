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

// Report figures are added up where the data is (issue 17): a GROUP BY over
// the report_referral rows of the scope with one of the three dates in the
// period, one query per date, each through that date's index (schema step
// 17). Nothing builds a row or a measures.Outcome per referral: the
// outcome counts are sums of the per-referral judgements, counted as
// measures.ServiceRates counts them (only finished courses; waits against
// measures.SixWeeksDays and EighteenWeeksDays), and measures.WithRates
// works out the rates. TestAggregatesEqualSummarise checks them against
// Summarise, ByMonth and ByTherapist over the rows.

// Which date a figure is counted by.
const (
	byReceived       = "received_on"
	byFirstTreatment = "first_treatment_on"
	byEnded          = "ended_on"
)

// Group keys: the whole period, its calendar months, its therapists, its
// teams.
const (
	groupNone      = "''"
	groupMonth     = "substr(x.%s, 1, 7)"
	groupTherapist = "x.therapist_id"
	groupTeam      = "x.team_id"
)

// reportScope is the filter's scope on report_referral x, with named
// parameters (aggregateArgs).
const reportScope = `
			AND (:whole OR x.team_id IN (SELECT value FROM json_each(:teams)))
			AND (:therapist = 0 OR x.therapist_id = :therapist)
			AND (:descriptor = '' OR EXISTS (SELECT 1 FROM referrals r WHERE r.id = x.referral_id
				AND (r.problem_descriptor = :descriptor OR r.problem_descriptor LIKE :beneath)))`

// endedCounts are measures.ServiceRates' counts over the rows that ended in
// the period, in the order of rateCounts, each named for a subquery's
// column.
var endedCounts = [][2]string{
	{"finished", "x.finished"},
	{"not_at_caseness", "x.finished AND x.phq9_count > 0 AND x.anxiety_count > 0 AND NOT x.at_caseness"},
	{"recovered", "x.finished AND x.recovered"},
	{"reliable_improvement", "x.finished AND x.reliable_improvement"},
	{"reliable_recovery", "x.finished AND x.reliable_recovery"},
	{"reliable_deterioration", "x.finished AND x.reliable_deterioration"},
	{"paired", "x.finished AND x.paired"},
	{"waited", "x.finished AND x.wait_days >= 0"},
	{"within_six", "x.finished AND x.wait_days BETWEEN 0 AND :six"},
	{"within_eighteen", "x.finished AND x.wait_days BETWEEN 0 AND :eighteen"},
}

// endedSums are endedCounts summed, as a SELECT's further columns.
var endedSums = func() string {
	var b strings.Builder
	for _, c := range endedCounts {
		b.WriteString(",\n\t\t\tSUM(" + c[1] + ")")
	}
	return b.String()
}()

// rateCounts are the destinations of endedCounts' columns in r.
func rateCounts(r *measures.Rates) []any {
	return []any{&r.Finished, &r.NotAtCaseness, &r.Recovered, &r.ReliablyImproved,
		&r.ReliablyRecovered, &r.Deteriorated, &r.Paired, &r.Waited, &r.Within6Weeks, &r.Within18Weeks}
}

// aggregateQuery counts the scope's rows with date in the period, by group
// (and for byEnded, their outcome counts). date and group are only ever the
// constants above.
func aggregateQuery(date, group string) string {
	if group == groupMonth {
		group = fmt.Sprintf(groupMonth, date)
	}
	sums := ""
	if group == groupTherapist {
		// SQLite takes a bare column from the row MIN() picks: the team of
		// the therapist's first referral, as ByTherapist names it.
		sums = ", MIN(x.referral_id), x.team_id"
	}
	if date == byEnded {
		sums += endedSums
	}
	// One group (the period's figures): no GROUP BY, which over a constant
	// still sorts every row into a temporary b-tree (about half the time of
	// a national year's query); HAVING keeps "no row when no referral".
	grouping := "GROUP BY 1"
	if group == groupNone {
		grouping = "HAVING COUNT(*) > 0"
	}
	return `
		SELECT ` + group + `, COUNT(*)` + sums + `
		FROM report_referral x
		WHERE x.` + date + ` BETWEEN :from AND :to` + reportScope + `
		` + grouping // #nosec G202 -- date, group and grouping are constants of this file
}

func aggregateArgs(f ReportFilter) ([]any, error) {
	teams, err := json.Marshal(nonNil(f.Teams))
	if err != nil {
		return nil, err
	}
	return []any{
		sql.Named("from", f.From), sql.Named("to", f.To),
		sql.Named("whole", f.WholeService), sql.Named("teams", string(teams)),
		sql.Named("therapist", f.TherapistID),
		sql.Named("descriptor", f.Descriptor), sql.Named("beneath", descriptorBeneath(f.Descriptor)),
		sql.Named("six", measures.SixWeeksDays), sql.Named("eighteen", measures.EighteenWeeksDays),
	}, nil
}

// aggregate adds up the filter's period by group: fig(key) is the group's
// figures to count into, made on first use.
func (s *Store) aggregate(ctx context.Context, f ReportFilter, group string, fig func(groupKey) *Figures) error {
	if !validDate(f.From) || !validDate(f.To) || f.From > f.To {
		return &ValidationError{Fields: map[string]string{"from": "The period must run from one real date to a later one"}}
	}
	args, err := aggregateArgs(f)
	if err != nil {
		return err
	}
	for _, date := range []string{byReceived, byFirstTreatment, byEnded} {
		if err := s.aggregateBy(ctx, aggregateQuery(date, group), args, date, group == groupTherapist, fig); err != nil {
			return err
		}
	}
	return nil
}

// groupKey is a group of an aggregate: its key and, by therapist, the
// first referral of the group in a date's rows, and that referral's team.
type groupKey struct {
	key           string
	first, teamID int64
}

func (s *Store) aggregateBy(ctx context.Context, query string, args []any, date string, byTherapist bool, fig func(groupKey) *Figures) error {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k groupKey
		var n int
		var r measures.Rates
		dest := []any{&k.key, &n}
		if byTherapist {
			dest = append(dest, &k.first, &k.teamID)
		}
		if date == byEnded {
			dest = append(dest, rateCounts(&r)...)
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		g := fig(k)
		switch date {
		case byReceived:
			g.Received = n
		case byFirstTreatment:
			g.EnteredTreatment = n
		default:
			g.Ended = n
			g.Rates = measures.WithRates(r)
		}
	}
	return rows.Err()
}

// ReportFigures works out the figures of the filter's period in the
// database: the same numbers as Summarise over ReportRows.
func (s *Store) ReportFigures(ctx context.Context, f ReportFilter) (Figures, error) {
	out := Figures{From: f.From, To: f.To, Rates: measures.WithRates(measures.Rates{})}
	if !validDate(f.From) || !validDate(f.To) || f.From > f.To {
		return Figures{}, fmt.Errorf("report figures: %w", &ValidationError{Fields: map[string]string{"from": "The period must run from one real date to a later one"}})
	}
	args, err := aggregateArgs(f)
	if err != nil {
		return Figures{}, fmt.Errorf("report figures: %w", err)
	}
	// The counts by the date referrals ended come mostly from their rollup
	// (report_ended.go); the other two dates' are a count of index entries.
	for _, date := range []string{byReceived, byFirstTreatment} {
		if err := s.aggregateBy(ctx, aggregateQuery(date, groupNone), args, date, false, func(groupKey) *Figures { return &out }); err != nil {
			return Figures{}, fmt.Errorf("report figures: %w", err)
		}
	}
	if err := s.endedFigures(ctx, args, &out); err != nil {
		return Figures{}, fmt.Errorf("report figures: %w", err)
	}
	return out, nil
}

// reportFiguresFromRows works out the same figures from the rows alone, as
// ReportFigures did before the rollup (its tests' oracle).
func (s *Store) reportFiguresFromRows(ctx context.Context, f ReportFilter) (Figures, error) {
	out := Figures{From: f.From, To: f.To, Rates: measures.WithRates(measures.Rates{})}
	err := s.aggregate(ctx, f, groupNone, func(groupKey) *Figures { return &out })
	return out, err
}

// ReportMonths works out each calendar month's figures of the filter's
// period (the first and last may be partial): the same as ByMonth over
// ReportRows.
func (s *Store) ReportMonths(ctx context.Context, f ReportFilter) ([]MonthFigures, error) {
	out, index := calendarMonths(f.From, f.To)
	if out == nil {
		return nil, fmt.Errorf("report months: %w", &ValidationError{Fields: map[string]string{"from": "The period must run from one real date to a later one"}})
	}
	for m := range out {
		out[m].Rates = measures.WithRates(measures.Rates{})
	}
	var spare Figures // never in the period: BETWEEN keeps every key in it
	err := s.aggregate(ctx, f, groupMonth, func(k groupKey) *Figures {
		if m, ok := index[k.key]; ok {
			return &out[m].Figures
		}
		return &spare
	})
	if err != nil {
		return nil, fmt.Errorf("report months: %w", err)
	}
	return out, nil
}

// ReportTherapists works out each therapist's figures for the filter's
// period, by name: the same as ByTherapist over ReportRows.
func (s *Store) ReportTherapists(ctx context.Context, f ReportFilter) ([]TherapistFigures, error) {
	type therapist struct {
		TherapistFigures
		first int64 // their first referral in the period's rows
	}
	byID := map[string]*therapist{}
	err := s.aggregate(ctx, f, groupTherapist, func(k groupKey) *Figures {
		t, ok := byID[k.key]
		if !ok {
			t = &therapist{TherapistFigures: TherapistFigures{Figures: Figures{From: f.From, To: f.To, Rates: measures.WithRates(measures.Rates{})}}}
			byID[k.key] = t
		}
		if !ok || k.first < t.first {
			t.first, t.TeamID = k.first, k.teamID
		}
		return &t.Figures
	})
	if err != nil {
		return nil, fmt.Errorf("report therapists: %w", err)
	}
	out := make([]TherapistFigures, 0, len(byID))
	for key, t := range byID {
		if _, err := fmt.Sscan(key, &t.TherapistID); err != nil {
			return nil, fmt.Errorf("report therapists: %w", err)
		}
		out = append(out, t.TherapistFigures)
	}
	if err := nameTherapists(ctx, s.read, out); err != nil {
		return nil, fmt.Errorf("report therapists: %w", err)
	}
	slices.SortFunc(out, compareTherapistFigures)
	return out, nil
}

// nameTherapists fills in the therapists' and their teams' names, fetching
// only those.
func nameTherapists(ctx context.Context, q queryer, ts []TherapistFigures) error {
	users, teams := make([]int64, len(ts)), make([]int64, len(ts))
	for i, t := range ts {
		users[i], teams[i] = t.TherapistID, t.TeamID
	}
	u, err := json.Marshal(users)
	if err != nil {
		return err
	}
	t, err := json.Marshal(teams)
	if err != nil {
		return err
	}
	rows, err := q.QueryContext(ctx, `
		SELECT 'user', id, name FROM users WHERE id IN (SELECT value FROM json_each(?))
		UNION ALL
		SELECT 'team', id, name FROM teams WHERE id IN (SELECT value FROM json_each(?))`, string(u), string(t))
	if err != nil {
		return err
	}
	defer rows.Close()
	names := map[string]map[int64]string{"user": {}, "team": {}}
	for rows.Next() {
		var kind, name string
		var id int64
		if err := rows.Scan(&kind, &id, &name); err != nil {
			return err
		}
		names[kind][id] = name
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range ts {
		ts[i].TherapistName, ts[i].TeamName = names["user"][ts[i].TherapistID], names["team"][ts[i].TeamID]
	}
	return nil
}

// TeamFigures are one team's figures for a period.
type TeamFigures struct {
	TeamID   int64
	TeamName string
	Figures
}

// ReportTeams works out each team's figures for the filter's period, by
// name, added up in the database like ReportTherapists: only the filter's
// teams (a supervisor's, unless WholeService), each referral counted in the
// team it belongs to now.
func (s *Store) ReportTeams(ctx context.Context, f ReportFilter) ([]TeamFigures, error) {
	byID := map[string]*TeamFigures{}
	err := s.aggregate(ctx, f, groupTeam, func(k groupKey) *Figures {
		t, ok := byID[k.key]
		if !ok {
			t = &TeamFigures{Figures: Figures{From: f.From, To: f.To, Rates: measures.WithRates(measures.Rates{})}}
			byID[k.key] = t
		}
		return &t.Figures
	})
	if err != nil {
		return nil, fmt.Errorf("report teams: %w", err)
	}
	out := make([]TeamFigures, 0, len(byID))
	ids := make([]int64, 0, len(byID))
	for key, t := range byID {
		if _, err := fmt.Sscan(key, &t.TeamID); err != nil {
			return nil, fmt.Errorf("report teams: %w", err)
		}
		out = append(out, *t)
		ids = append(ids, t.TeamID)
	}
	names, err := teamNames(ctx, s.read, ids)
	if err != nil {
		return nil, fmt.Errorf("report teams: %w", err)
	}
	for i := range out {
		out[i].TeamName = names[out[i].TeamID]
	}
	slices.SortFunc(out, compareTeamFigures)
	return out, nil
}

// compareTeamFigures orders teams by name.
func compareTeamFigures(a, b TeamFigures) int {
	return cmp.Or(cmp.Compare(a.TeamName, b.TeamName), cmp.Compare(a.TeamID, b.TeamID))
}

// teamNames names the given teams, fetching only those.
func teamNames(ctx context.Context, q queryer, ids []int64) (map[int64]string, error) {
	b, err := json.Marshal(nonNil(ids))
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT id, name FROM teams WHERE id IN (SELECT value FROM json_each(?))`, string(b))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	names := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		names[id] = name
	}
	return names, rows.Err()
}
