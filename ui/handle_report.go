package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/measures"
	"clinic/ui/chart"
)

// Outcome reports (issue 4): the page, its CSV of referral-level rows, and
// (api_reports.go) the JSON API. Every number comes from caseload's report
// rows through measures.ServiceRates; nothing here counts outcomes itself.

// reportQuery is a report asked for: the period and the scope.
type reportQuery struct {
	Period      string // month, quarter, year or custom
	Date        string // a date in the period (month, quarter, year)
	From, To    string // the resolved period
	TeamID      int64
	TherapistID int64
	Descriptor  string // canonical, "" for every problem
}

var periodOptions = []option{
	{"month", "Month"},
	{"quarter", "Quarter"},
	{"year", "Year (April to March)"},
	{"custom", "Custom dates"},
}

// resolvePeriod works out a period's first and last days: the calendar
// month or quarter containing date, the NHS financial year (April to March)
// containing it, or from and to as given.
func resolvePeriod(period, date, from, to string) (string, string, error) {
	if period == "custom" {
		f, err1 := parseDate(from)
		if err1 != nil {
			return "", "", apiErr(http.StatusBadRequest, "Enter the first day of the period as YYYY-MM-DD", "from")
		}
		t, err2 := parseDate(to)
		if err2 != nil {
			return "", "", apiErr(http.StatusBadRequest, "Enter the last day of the period as YYYY-MM-DD", "to")
		}
		if t.Before(f) {
			return "", "", apiErr(http.StatusUnprocessableEntity, "The last day of the period must be on or after the first", "to")
		}
		if !t.Before(f.AddDate(MaxReportYears, 0, 0)) {
			return "", "", apiErr(http.StatusUnprocessableEntity, fmt.Sprintf("Choose a period of at most %d years", MaxReportYears), "to")
		}
		return from, to, nil
	}
	d, err := parseDate(date)
	if err != nil {
		return "", "", apiErr(http.StatusBadRequest, "Enter a date in the period as YYYY-MM-DD", "date")
	}
	var start time.Time
	var months int
	switch period {
	case "month":
		start, months = time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC), 1
	case "quarter":
		start, months = time.Date(d.Year(), d.Month()-(d.Month()-1)%3, 1, 0, 0, 0, 0, time.UTC), 3
	case "year":
		y := d.Year()
		if d.Month() < time.April {
			y--
		}
		start, months = time.Date(y, time.April, 1, 0, 0, 0, 0, time.UTC), 12
	default:
		return "", "", apiErr(http.StatusBadRequest, "Choose a month, quarter, year or custom dates", "period")
	}
	return start.Format(dateLayout), start.AddDate(0, months, -1).Format(dateLayout), nil
}

// parseID reads an optional numeric filter: 0 when absent.
func parseID(v, field string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, apiErr(http.StatusBadRequest, field+" must be a whole number id", field)
	}
	return id, nil
}

// reportFilter turns a query into the store's filter, as the access policy
// allows: a therapist only ever on their own referrals, a supervisor on the
// teams they supervise, an admin on the whole service.
func (s *Server) reportFilter(ctx context.Context, u caseload.User, q reportQuery) (caseload.ReportFilter, error) {
	if !canSeeReports(u) {
		return caseload.ReportFilter{}, echo.ErrForbidden
	}
	f := caseload.ReportFilter{From: q.From, To: q.To, Descriptor: q.Descriptor, TherapistID: q.TherapistID}
	teams, all := reportTeams(u)
	switch {
	case q.TeamID != 0 && !canReportOnTeam(u, q.TeamID):
		return f, apiErr(http.StatusForbidden, "You can report only on the teams you supervise", "team")
	case q.TeamID != 0:
		f.Teams = []int64{q.TeamID}
	case all:
		f.WholeService = true
	default:
		f.Teams = teams
	}
	if u.Role == caseload.RoleTherapist {
		// A therapist's report is their own caseload's, whatever the team.
		f.WholeService, f.Teams = true, nil
		if q.TherapistID == 0 {
			f.TherapistID = u.ID
		}
	}
	if f.TherapistID != 0 {
		t, err := s.store.User(ctx, f.TherapistID)
		if err != nil && !isNotFound(err) {
			return f, err
		}
		if err != nil || t.Role != caseload.RoleTherapist {
			return f, apiErr(http.StatusUnprocessableEntity, "No therapist has this id", "therapist")
		}
		if !canReportOnTherapist(u, t) {
			return f, apiErr(http.StatusForbidden, "You can report only on your own referrals or those of the teams you supervise", "therapist")
		}
	}
	return f, nil
}

func isNotFound(err error) bool { return errors.Is(err, caseload.ErrNotFound) }

// reportLine is one row of the figures table.
type reportLine struct {
	Key      string
	Label    string
	Count    int
	Of       string    // the denominator, in words, "" for plain counts
	Rate     string    // "50.5%", "–" when the denominator is 0, "" for counts
	Cell     *rateCell // the rate with its interval; nil for counts
	National string    // England's rate; never a national count beside the service's
	Compare  string    // the rate's interval against England's rate
	Note     string
}

func percent(r *float64) string {
	if r == nil {
		return "–"
	}
	return strconv.FormatFloat(*r*100, 'f', 1, 64) + "%"
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func nationalRate(r *float64) string {
	if r == nil {
		return ""
	}
	return percent(r)
}

// reportLines lays out a period's figures beside the national rates.
// England's counts are not shown: a national count beside one service's
// (a month's referrals beside England's year) compares nothing (issue 13).
// Each rate carries its 95% interval, and is compared with England's rate
// through it.
func reportLines(f caseload.Figures, nat measures.NationalFigures) []reportLine {
	r := f.Rates
	atCaseness := r.Finished - r.NotAtCaseness
	of := func(n int, what string) string { return fmt.Sprintf("of %s %s", thousands(n), what) }
	rate := func(l reportLine, k, n int, england *float64) reportLine {
		c := newRateCell(k, n)
		l.Cell, l.Rate, l.National, l.Compare = &c, c.Rate, nationalRate(england), versusEngland(c, england)
		return l
	}
	lines := []reportLine{
		{Key: "received", Label: "Referrals received", Count: f.Received},
		{Key: "entered_treatment", Label: "Entered treatment (first attended treatment appointment)", Count: f.EnteredTreatment},
		{Key: "finished", Label: "Finished a course of treatment", Count: r.Finished, Note: fmt.Sprintf("%s referrals ended in the period in all", thousands(f.Ended))},
		{Key: "not_at_caseness", Label: "Not at caseness at the start", Count: r.NotAtCaseness, Of: of(r.Finished, "finished")},
		rate(reportLine{Key: "recovered", Label: "Recovery", Count: r.Recovered, Of: of(atCaseness, "finished at caseness"), Note: fmt.Sprintf("national target %s", percent(rateOf(measures.RecoveryTarget)))}, r.Recovered, atCaseness, nat.RecoveryRate),
		rate(reportLine{Key: "reliably_improved", Label: "Reliable improvement", Count: r.ReliablyImproved, Of: of(r.Finished, "finished")}, r.ReliablyImproved, r.Finished, nat.ReliableImprovementRate),
		rate(reportLine{Key: "reliably_recovered", Label: "Reliable recovery", Count: r.ReliablyRecovered, Of: of(atCaseness, "finished at caseness")}, r.ReliablyRecovered, atCaseness, nat.ReliableRecoveryRate),
		rate(reportLine{Key: "deteriorated", Label: "Reliable deterioration", Count: r.Deteriorated, Of: of(r.Finished, "finished")}, r.Deteriorated, r.Finished, nat.DeteriorationRate),
		rate(reportLine{Key: "paired", Label: "Paired scores (PHQ-9 and anxiety measure)", Count: r.Paired, Of: of(r.Finished, "finished")}, r.Paired, r.Finished, nil),
		rate(reportLine{Key: "waited_6_weeks", Label: "Waited 6 weeks or less", Count: r.Within6Weeks, Of: of(r.Waited, "finished with a first treatment"), Note: "standard 75%"}, r.Within6Weeks, r.Waited, nat.Within6Rate),
		rate(reportLine{Key: "waited_18_weeks", Label: "Waited 18 weeks or less", Count: r.Within18Weeks, Of: of(r.Waited, "finished with a first treatment"), Note: "standard 95%"}, r.Within18Weeks, r.Waited, nat.Within18Rate),
	}
	return lines
}

func rateOf(x float64) *float64 { return &x }

// monthRow and therapistRow are the trend and comparison tables' rows.
type monthRow struct {
	Month, Label                                           string
	Finished                                               int
	Recovery, Improvement, ReliableRecovery, Deterioration rateCell
}

type therapistRow struct {
	Name, Team                                                     string
	Finished                                                       int
	Recovery, Improvement, ReliableRecovery, Deterioration, Paired rateCell
}

// rateCells are the four outcome rates of a set of figures, each with its
// interval (paired last).
func rateCells(r measures.Rates) [5]rateCell {
	atCaseness := r.Finished - r.NotAtCaseness
	return [5]rateCell{
		newRateCell(r.Recovered, atCaseness), newRateCell(r.ReliablyImproved, r.Finished),
		newRateCell(r.ReliablyRecovered, atCaseness), newRateCell(r.Deteriorated, r.Finished),
		newRateCell(r.Paired, r.Finished),
	}
}

type reportPage struct {
	basePage
	Form          *form
	Periods       []option
	Teams         []option
	Therapists    []option
	Descriptors   []option
	IsTherapist   bool
	From, To      string
	Scope         string
	Lines         []reportLine
	NationalLabel string
	RuleSet       string
	RuleSetNote   string
	Trend         chart.Report
	Months        []monthRow
	Compare       chart.Report
	TherapistRows []therapistRow
	Funnels       []chart.Funnel // by therapist, then by team
	CSVHref       string
	Sections      sectionsView
}

func (s *Server) handleReportShow(c echo.Context) error {
	u, _ := currentUser(c)
	if !canSeeReports(u) {
		return echo.ErrForbidden
	}
	ctx := c.Request().Context()
	p := reportPage{basePage: s.base(c, "Outcome report"), Periods: periodOptions, IsTherapist: u.Role == caseload.RoleTherapist, RuleSet: measures.RuleSet, RuleSetNote: measures.RuleSetNote}
	p.Nav = "reports"
	p.Scripts = []string{"/static/vendor/echarts/echarts.min.js", "/static/charts.js"}
	f := newForm(reportParams...)
	maps.Copy(f.Values, queryValues(c, reportParams))
	if f.Values["period"] == "" {
		f.Values["period"] = "month"
	}
	readReportDates(c.QueryParams(), f)
	if f.Values["date"] == "" && f.Errs["date"] == "" {
		// Last month: the latest whole month to report on.
		if today, err := parseDate(s.store.Today()); err == nil {
			f.Values["date"] = today.AddDate(0, -1, 0).Format(dateLayout)
			setDate(f, "date", f.Values["date"])
		}
	}
	p.Form = f
	if err := s.reportOptions(ctx, u, &p); err != nil {
		return err
	}
	if len(f.Errs) > 0 {
		return s.renderFormErrors(c, "report.html", &p, f)
	}
	rep, err := s.runReport(ctx, u, f.Values, true)
	if err == nil {
		return s.renderReport(c, &p, rep)
	}
	// A bad field is shown on the form; a refusal is an error page.
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status == http.StatusForbidden || ae.Field == "" {
		return err
	}
	f.Errs[ae.Field] = ae.Message
	return s.renderFormErrors(c, "report.html", &p, f)
}

// reportParams are the report's query parameters, for the page and the CSV
// (the API takes from, to, team and therapist).
var reportParams = []string{"period", "date", "from", "to", "team", "therapist", "descriptor"}

// queryValues reads query parameters, trimmed; absent ones are "".
func queryValues(c echo.Context, keys []string) map[string]string {
	v := make(map[string]string, len(keys))
	for _, k := range keys {
		v[k] = strings.TrimSpace(c.QueryParam(k))
	}
	return v
}

// outcomeReport is a report worked out: what was asked, the store's filter
// for it, the period's figures, and (for the page) the month by month trend
// and the comparison by therapist. The figures are added up in the database
// (caseload.ReportFigures); no referral-level row is read for them.
type outcomeReport struct {
	Query      reportQuery
	Filter     caseload.ReportFilter
	Figures    caseload.Figures
	Months     []caseload.MonthFigures     // only when the trend is asked for
	Therapists []caseload.TherapistFigures // only when the trend is asked for
	Sections   caseload.Sections           // waits, endings, stepped care, groups, data quality
	Teams      []caseload.TeamFigures      // only when the trend is asked for
}

// reportScope is the one way from a report's parameters to what it covers,
// for the page, the CSV and the API alike: parse the period and filters and
// narrow them as the access policy allows.
func (s *Server) reportScope(ctx context.Context, u caseload.User, v map[string]string) (reportQuery, caseload.ReportFilter, error) {
	q, err := parseReportQuery(v)
	if err != nil {
		return q, caseload.ReportFilter{}, err
	}
	flt, err := s.reportFilter(ctx, u, q)
	return q, flt, err
}

// runReport works out a report's figures. With trend (the page), also the
// months from trendFrom, so that the months before a short period are shown
// too, and the period's therapists.
func (s *Server) runReport(ctx context.Context, u caseload.User, v map[string]string, trend bool) (outcomeReport, error) {
	q, flt, err := s.reportScope(ctx, u, v)
	if err != nil {
		return outcomeReport{}, err
	}
	rep := outcomeReport{Query: q, Filter: flt}
	// The figures (for the page: with the trend and the comparisons, in one
	// walk of each date's index, caseload.ReportBreakdown) are read beside
	// the sections on another reader connection, so that the report takes
	// the longer of the two rather than both (issue 17: a national year's
	// report under 1 s).
	var b caseload.ReportBreakdown
	bErr := beside(func() (err error) {
		if !trend {
			b.Figures, err = s.store.ReportFigures(ctx, flt)
			return err
		}
		b, err = s.store.ReportBreakdown(ctx, flt, trendFrom(q.From, q.To))
		return err
	}, func() (err error) {
		rep.Sections, err = s.store.ReportSections(ctx, flt)
		return err
	})
	if bErr != nil {
		return outcomeReport{}, bErr
	}
	rep.Figures, rep.Months, rep.Therapists, rep.Teams = b.Figures, b.Months, b.Therapists, b.Teams
	return rep, nil
}

// beside runs first on a goroutine of its own while second runs on this
// one, and returns the first error of the two. A panic in first is its
// error: it would otherwise end the server, not the request.
func beside(first, second func() error) error {
	var firstErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				firstErr = fmt.Errorf("panic: %v", p)
			}
		}()
		firstErr = first()
	}()
	err := second()
	<-done
	return cmp.Or(firstErr, err)
}

// parseReportQuery reads the page's and the CSV's parameters.
func parseReportQuery(v map[string]string) (reportQuery, error) {
	q := reportQuery{Period: v["period"], Date: v["date"]}
	var err error
	if q.From, q.To, err = resolvePeriod(q.Period, q.Date, v["from"], v["to"]); err != nil {
		return q, err
	}
	if q.TeamID, err = parseID(v["team"], "team"); err != nil {
		return q, err
	}
	if q.TherapistID, err = parseID(v["therapist"], "therapist"); err != nil {
		return q, err
	}
	if d := v["descriptor"]; d != "" {
		code, ok := measures.NormaliseDescriptor(d)
		if !ok {
			return q, apiErr(http.StatusBadRequest, "Choose a problem descriptor from the list", "descriptor")
		}
		q.Descriptor = code
	}
	return q, nil
}

// reportOptions fills the scope choices the user may pick from.
func (s *Server) reportOptions(ctx context.Context, u caseload.User, p *reportPage) error {
	p.Descriptors = []option{{"", "Every problem"}}
	for _, d := range measures.Descriptors() {
		p.Descriptors = append(p.Descriptors, option{d.Code, d.Code + " " + d.Label})
	}
	if u.Role == caseload.RoleTherapist {
		return nil
	}
	teams, err := s.store.Teams(ctx)
	if err != nil {
		return err
	}
	p.Teams = []option{{"", map[bool]string{true: "The whole service", false: "All the teams you supervise"}[u.Role == caseload.RoleAdmin]}}
	var ids []int64
	for _, t := range teams {
		if canReportOnTeam(u, t.ID) {
			p.Teams = append(p.Teams, option{strconv.FormatInt(t.ID, 10), t.Name})
			ids = append(ids, t.ID)
		}
	}
	therapists, err := s.store.TeamTherapists(ctx, ids)
	if err != nil {
		return err
	}
	p.Therapists = []option{{"", "Every therapist"}}
	for _, t := range therapists {
		p.Therapists = append(p.Therapists, option{strconv.FormatInt(t.ID, 10), t.Name + " (" + t.TeamName + ")"})
	}
	return nil
}

// trendFrom is where the month-by-month trend starts: the period's first
// month, or for a period shorter than a year the month eleven months before
// its last, so that the trend always has a year to show.
// The trend never shows more than MaxTrendMonths months (the last ones).
func trendFrom(from, to string) string {
	f, _ := parseDate(from)
	t, _ := parseDate(to)
	yearBefore := time.Date(t.Year(), t.Month()-11, 1, 0, 0, 0, 0, time.UTC)
	if yearBefore.Before(f) {
		return yearBefore.Format(dateLayout)
	}
	if earliest := time.Date(t.Year(), t.Month()-(MaxTrendMonths-1), 1, 0, 0, 0, 0, time.UTC); f.Before(earliest) {
		return earliest.Format(dateLayout)
	}
	return from
}

// A report's period is at most MaxReportYears long (issue 15: an unbounded
// one built a 66 MB page), and its trend at most MaxTrendMonths months.
const (
	MaxReportYears = 5
	MaxTrendMonths = 12 * MaxReportYears
)

func (s *Server) renderReport(c echo.Context, p *reportPage, rep outcomeReport) error {
	ctx := c.Request().Context()
	q, flt := rep.Query, rep.Filter
	nat, byDescriptor := measures.NationalFor(q.Descriptor)
	p.From, p.To = q.From, q.To
	p.Lines = reportLines(rep.Figures, nat)
	p.Sections = newSectionsView(rep.Sections, rep.Figures.Rates, sectionCSVHref(q, flt))
	u, _ := currentUser(c)
	p.Sections.Validation, p.Sections.ValidationHref = validationWords(u, q, flt)
	var err error
	p.NationalLabel = "England " + nat.Year
	if byDescriptor {
		p.NationalLabel += ", " + measures.DescriptorLabel(q.Descriptor)
	}
	p.Scope = s.scopeWords(ctx, flt, q)
	for _, m := range rep.Months {
		t, _ := time.Parse("2006-01", m.Month)
		c := rateCells(m.Rates)
		p.Months = append(p.Months, monthRow{Month: m.Month, Label: t.Format("Jan 2006"), Finished: m.Rates.Finished,
			Recovery: c[0], Improvement: c[1], ReliableRecovery: c[2], Deterioration: c[3]})
	}
	// The comparison is for the period itself.
	therapists := rep.Therapists
	for _, t := range therapists {
		c := rateCells(t.Rates)
		p.TherapistRows = append(p.TherapistRows, therapistRow{Name: t.TherapistName, Team: t.TeamName, Finished: t.Rates.Finished,
			Recovery: c[0], Improvement: c[1], ReliableRecovery: c[2], Deterioration: c[3], Paired: c[4]})
	}
	if p.Trend, err = chart.Trend(rep.Months); err != nil {
		return err
	}
	if p.Compare, err = chart.Therapists(therapists); err != nil {
		return err
	}
	if p.Funnels, err = reportFunnels(rep); err != nil {
		return err
	}
	p.CSVHref = csvHref(q, flt)
	return s.render(c, http.StatusOK, "report.html", p)
}

// csvHref is the CSV of the report's rows: the same period and scope, with
// the period resolved to its dates.
func csvHref(q reportQuery, flt caseload.ReportFilter) string {
	v := url.Values{}
	v.Set("period", "custom")
	v.Set("from", q.From)
	v.Set("to", q.To)
	for k, x := range map[string]int64{"team": q.TeamID, "therapist": flt.TherapistID} {
		if x != 0 {
			v.Set(k, strconv.FormatInt(x, 10))
		}
	}
	if q.Descriptor != "" {
		v.Set("descriptor", q.Descriptor)
	}
	return "/reports/outcomes.csv?" + v.Encode()
}

// scopeWords says whose referrals a report covers.
func (s *Server) scopeWords(ctx context.Context, flt caseload.ReportFilter, q reportQuery) string {
	var parts []string
	switch {
	case flt.TherapistID != 0:
		if t, err := s.store.User(ctx, flt.TherapistID); err == nil {
			parts = append(parts, t.Name+"'s referrals")
		}
	case q.TeamID != 0:
		if teams, err := s.store.Teams(ctx); err == nil {
			for _, t := range teams {
				if t.ID == q.TeamID {
					parts = append(parts, "team "+t.Name)
				}
			}
		}
	case flt.WholeService:
		parts = append(parts, "the whole service")
	default:
		parts = append(parts, "the teams you supervise")
	}
	if q.Descriptor != "" {
		parts = append(parts, measures.DescriptorLabel(q.Descriptor)+" ("+q.Descriptor+")")
	}
	return strings.Join(parts, ", ")
}
