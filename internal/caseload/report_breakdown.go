package caseload

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"clinic/internal/measures"
)

// The report page shows, beside the sections, the period's figures, the
// trend by calendar month and the comparison by therapist and by team
// (issue 17: under 1 s for a national year). Asked separately
// (ReportFigures, ReportMonths, ReportTherapists, ReportTeams) they are
// twelve walks of the date indexes, and every grouped one sorts all the
// period's rows into a temporary b-tree (a national year's ended rows are
// half a million, past the sorter's memory). ReportBreakdown walks each
// date's index once: the inner GROUP BY follows the index's own order
// (date, team, therapist), so it needs no sort, and leaves a few rows a
// day per therapist; only those are sorted, into groups by month, team and
// therapist (a few thousand rows for a year), which Go adds up into the
// four results. Every count is additive, so the roll-up is exact;
// TestReportBreakdownEqualsSeparateQueries checks it against the separate
// queries and against Summarise, ByMonth and ByTherapist over the rows.

// ReportBreakdown is the page's figures: the period's, each calendar month's
// from the trend's start to the period's end, each therapist's and each
// team's of the period.
type ReportBreakdown struct {
	Figures    Figures
	Months     []MonthFigures
	Therapists []TherapistFigures
	Teams      []TeamFigures
}

// breakdownQuery adds up the scope's rows with date from :lo to :to by day,
// team and therapist (through the date's index, in its order), and those
// groups by month, team and therapist, saying whether they are in the
// period (from :from) and in the trend (from :trend). date is only ever
// one of the constants of report_aggregate.go.
func breakdownQuery(date string) string {
	var inner, outer strings.Builder
	if date == byEnded {
		for _, c := range endedCounts {
			inner.WriteString(",\n\t\t\t\tSUM(" + c[1] + ") AS " + c[0])
			outer.WriteString(",\n\t\t\tSUM(g." + c[0] + ")")
		}
	}
	return `
		SELECT substr(g.d, 1, 7), g.d >= :from, g.d >= :trend, g.team_id, g.therapist_id,
			SUM(g.n), MIN(g.first)` + outer.String() + `
		FROM (
			SELECT x.` + date + ` AS d, x.team_id, x.therapist_id, COUNT(*) AS n, MIN(x.referral_id) AS first` + inner.String() + `
			FROM report_referral x
			WHERE x.` + date + ` BETWEEN :lo AND :to` + reportScope + `
			GROUP BY x.` + date + `, x.team_id, x.therapist_id
		) g
		GROUP BY 1, 2, 3, 4, 5` // #nosec G202 -- date and the counts are constants of this package
}

// ReportBreakdown works out the filter's period's figures, its therapists'
// and teams', and each calendar month's from trendFrom to the period's end
// (the first and last may be partial): the same as ReportFigures,
// ReportMonths (from trendFrom), ReportTherapists and ReportTeams, in one
// read.
func (s *Store) ReportBreakdown(ctx context.Context, f ReportFilter, trendFrom string) (ReportBreakdown, error) {
	months, index := calendarMonths(trendFrom, f.To)
	if !validDate(f.From) || !validDate(f.To) || f.From > f.To || months == nil {
		return ReportBreakdown{}, fmt.Errorf("report breakdown: %w", &ValidationError{Fields: map[string]string{"from": "The period must run from one real date to a later one"}})
	}
	args, err := aggregateArgs(f)
	if err != nil {
		return ReportBreakdown{}, fmt.Errorf("report breakdown: %w", err)
	}
	args = append(args, sql.Named("lo", min(f.From, trendFrom)), sql.Named("trend", trendFrom))
	b := newBreakdown(f, months, index)
	err = s.withRead(ctx, func(tx *sql.Tx) error {
		for _, date := range []string{byReceived, byFirstTreatment, byEnded} {
			if err := b.add(ctx, tx, date, args); err != nil {
				return err
			}
		}
		return b.name(ctx, tx)
	})
	if err != nil {
		return ReportBreakdown{}, fmt.Errorf("report breakdown: %w", err)
	}
	return b.result(), nil
}

// breakdown is a ReportBreakdown being added up: counts only, the rates
// are worked out at the end.
type breakdown struct {
	from, to   string
	out        ReportBreakdown
	month      map[string]int // YYYY-MM to its place in out.Months
	therapists map[int64]*breakdownTherapist
	teams      map[int64]*TeamFigures
}

type breakdownTherapist struct {
	TherapistFigures
	first int64 // their first referral in the period's rows: its team is theirs
}

func newBreakdown(f ReportFilter, months []MonthFigures, index map[string]int) *breakdown {
	return &breakdown{
		from: f.From, to: f.To,
		out:        ReportBreakdown{Figures: Figures{From: f.From, To: f.To}, Months: months},
		month:      index,
		therapists: map[int64]*breakdownTherapist{},
		teams:      map[int64]*TeamFigures{},
	}
}

// add reads one date's groups into the results.
func (b *breakdown) add(ctx context.Context, tx *sql.Tx, date string, args []any) error {
	rows, err := tx.QueryContext(ctx, breakdownQuery(date), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var month string
		var inPeriod, inTrend bool
		var teamID, therapistID, first int64
		var n int
		var r measures.Rates
		dest := []any{&month, &inPeriod, &inTrend, &teamID, &therapistID, &n, &first}
		if date == byEnded {
			dest = append(dest, rateCounts(&r)...)
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if m, ok := b.month[month]; ok && inTrend {
			countGroup(&b.out.Months[m].Figures, date, n, r)
		}
		if !inPeriod {
			continue
		}
		countGroup(&b.out.Figures, date, n, r)
		countGroup(&b.therapist(therapistID, teamID, first).Figures, date, n, r)
		t, ok := b.teams[teamID]
		if !ok {
			t = &TeamFigures{TeamID: teamID, Figures: Figures{From: b.from, To: b.to}}
			b.teams[teamID] = t
		}
		countGroup(&t.Figures, date, n, r)
	}
	return rows.Err()
}

// therapist is the therapist's figures, their team that of the first of
// their referrals seen so far.
func (b *breakdown) therapist(id, teamID, first int64) *breakdownTherapist {
	t, ok := b.therapists[id]
	if !ok {
		t = &breakdownTherapist{TherapistFigures: TherapistFigures{TherapistID: id, Figures: Figures{From: b.from, To: b.to}}}
		b.therapists[id] = t
	}
	if !ok || first < t.first {
		t.first, t.TeamID = first, teamID
	}
	return t
}

// countGroup adds a group's count by date (and, by ended, its outcome counts)
// to fig.
func countGroup(fig *Figures, date string, n int, r measures.Rates) {
	switch date {
	case byReceived:
		fig.Received += n
	case byFirstTreatment:
		fig.EnteredTreatment += n
	default:
		fig.Ended += n
		c := &fig.Rates
		c.Finished += r.Finished
		c.NotAtCaseness += r.NotAtCaseness
		c.Recovered += r.Recovered
		c.ReliablyImproved += r.ReliablyImproved
		c.ReliablyRecovered += r.ReliablyRecovered
		c.Deteriorated += r.Deteriorated
		c.Paired += r.Paired
		c.Waited += r.Waited
		c.Within6Weeks += r.Within6Weeks
		c.Within18Weeks += r.Within18Weeks
	}
}

// name fills in the therapists' and teams' names, fetching only those.
func (b *breakdown) name(ctx context.Context, tx *sql.Tx) error {
	b.out.Therapists = make([]TherapistFigures, 0, len(b.therapists))
	for _, t := range b.therapists {
		b.out.Therapists = append(b.out.Therapists, t.TherapistFigures)
	}
	if err := nameTherapists(ctx, tx, b.out.Therapists); err != nil {
		return err
	}
	b.out.Teams = make([]TeamFigures, 0, len(b.teams))
	ids := make([]int64, 0, len(b.teams))
	for id, t := range b.teams {
		b.out.Teams = append(b.out.Teams, *t)
		ids = append(ids, id)
	}
	names, err := teamNames(ctx, tx, ids)
	if err != nil {
		return err
	}
	for i := range b.out.Teams {
		b.out.Teams[i].TeamName = names[b.out.Teams[i].TeamID]
	}
	return nil
}

// result works out the rates from the counts and puts the therapists and
// teams in order of name.
func (b *breakdown) result() ReportBreakdown {
	out := b.out
	out.Figures.Rates = measures.WithRates(out.Figures.Rates)
	for i := range out.Months {
		out.Months[i].Rates = measures.WithRates(out.Months[i].Rates)
	}
	for i := range out.Therapists {
		out.Therapists[i].Rates = measures.WithRates(out.Therapists[i].Rates)
	}
	for i := range out.Teams {
		out.Teams[i].Rates = measures.WithRates(out.Teams[i].Rates)
	}
	slices.SortFunc(out.Therapists, compareTherapistFigures)
	slices.SortFunc(out.Teams, compareTeamFigures)
	return out
}
