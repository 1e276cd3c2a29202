package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/measures"
	"clinic/ui/chart"
)

// Supervision pages (issue 4): the weekly review, recording a review, and
// the supervision section of the referral page.

// flagCodes are the flag codes in the order pages list them.
var flagCodes = []string{
	measures.FlagRisk, measures.FlagDeterioration, measures.FlagNotOnTrack, measures.FlagNoImprovement,
	measures.FlagAttendance, measures.FlagMissingMeasure, measures.FlagWaiting, measures.FlagLongTreatment,
}

var flagLabels = map[string]string{
	measures.FlagRisk:           "Risk",
	measures.FlagDeterioration:  "Reliable deterioration",
	measures.FlagNotOnTrack:     "Not on track",
	measures.FlagNoImprovement:  "No reliable improvement",
	measures.FlagAttendance:     "Attendance",
	measures.FlagMissingMeasure: "Missing measure",
	measures.FlagWaiting:        "Waiting for treatment",
	measures.FlagLongTreatment:  "Long treatment",
}

func flagLabel(code string) string {
	if l, ok := flagLabels[code]; ok {
		return l
	}
	return code
}

var severityLabels = map[string]string{
	measures.SeverityHigh:   "High",
	measures.SeverityMedium: "Medium",
	measures.SeverityLow:    "Low",
}

// flagView is a flag as pages show it: the severity in words as well as in
// the tag's colour.
type flagView struct {
	Code     string
	Label    string
	Severity string
	Level    string // "High", "Medium", "Low"
	Reason   string
}

func newFlagViews(flags []measures.Flag) []flagView {
	out := make([]flagView, 0, len(flags))
	for _, f := range flags {
		out = append(out, flagView{Code: f.Code, Label: flagLabel(f.Code), Severity: f.Severity, Level: severityLabels[f.Severity], Reason: f.Reason})
	}
	return out
}

var decisionLabels = map[string]string{
	"continue":         "Continue",
	"step_up":          "Step up",
	"step_down":        "Step down",
	"discharge":        "Discharge",
	"refer_on":         "Refer on",
	"risk_plan_agreed": "Risk plan agreed",
}

func decisionLabel(code string) string {
	if l, ok := decisionLabels[code]; ok {
		return l
	}
	return code
}

func decisionOptions() []option {
	out := make([]option, 0, len(caseload.ReviewDecisions))
	for _, d := range caseload.ReviewDecisions {
		out = append(out, option{d, decisionLabel(d)})
	}
	return out
}

// reviewView is a recorded review.
type reviewView struct {
	caseload.Review
	DecisionLabel string
	FlagLabels    []string
}

func newReviewView(r caseload.Review) reviewView {
	v := reviewView{Review: r, DecisionLabel: decisionLabel(r.Decision)}
	for _, c := range r.FlagCodes {
		v.FlagLabels = append(v.FlagLabels, flagLabel(c))
	}
	return v
}

// reviewCaseView is one case on the weekly review.
type reviewCaseView struct {
	ReferralID int64
	Patient    string
	Therapist  string
	Descriptor string
	Intensity  string
	Sessions   int
	Level      string // highest severity in words, "" for none
	Severity   string
	Flags      []flagView
	Quiet      []flagView
	Brought    string
	Spark      chart.Sparkline
	LastReview *reviewView
}

// flagCount is one line of the counts by flag.
type flagCount struct {
	Code  string
	Label string
	Count int
	Cases []caseLink // the cases counted on this page, each linking to its card below
	On    []pageLink // the other pages holding the rest of them
}

// caseLink names one case on the weekly review.
type caseLink struct {
	ReferralID int64
	Patient    string
}

// pageLink is a link to one page of the weekly review.
type pageLink struct {
	N    int
	Href string
}

type reviewPage struct {
	basePage
	AsOf       string
	Therapists []option
	Therapist  string // the filter's therapist id, "" for all
	Counts     []flagCount
	Brought    int
	BroughtBy  []caseLink
	BroughtOn  []pageLink       // pages after this one holding more of them
	Done       string           // the confirmation after a review, "" for none
	Cases      []reviewCaseView // this page's cases to discuss
	Quiet      []reviewCaseView // this page's reviewed, unchanged cases
	// ToDiscuss and QuietTotal count every case, on every page; the cases
	// are paged reviewPageSize at a time, those to discuss first (issue 17:
	// a page a supervisor can read, not a megabyte of a team's caseload).
	ToDiscuss, QuietTotal int
	Page, Pages           int
	Prev, Next            string          // links to the pages either side, "" at the ends
	Alerts                []riskAlertView // open risk alerts of the teams, at the top (handle_risk.go)
	// NewAccounts are clinical accounts recently added to the teams, and
	// who added them (issue 15: an admin's own clinical account is seen).
	NewAccounts []caseload.NewAccount
}

func (s *Server) handleReviewShow(c echo.Context) error {
	u, _ := currentUser(c)
	if !canSeeWeeklyReview(u) {
		return echo.ErrForbidden
	}
	ctx := c.Request().Context()
	therapists, err := s.store.TeamTherapists(ctx, reviewTeams(u))
	if err != nil {
		return err
	}
	p := reviewPage{basePage: s.base(c, "Weekly review"), AsOf: s.store.Today()}
	p.Nav = "review"
	if p.NewAccounts, err = s.store.NewTeamAccounts(ctx, reviewTeams(u), s.clock().Add(-caseload.NewTeamAccountsFor)); err != nil {
		return err
	}
	var therapistID int64
	if v := c.QueryParam("therapist"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || !slices.ContainsFunc(therapists, func(t caseload.User) bool { return t.ID == id }) {
			return echo.NewHTTPError(http.StatusBadRequest, "Choose a therapist of a team you supervise.")
		}
		therapistID, p.Therapist = id, v
	}
	for _, t := range therapists {
		p.Therapists = append(p.Therapists, option{strconv.FormatInt(t.ID, 10), t.Name})
	}
	page, err := reviewPageNumber(c.QueryParam("page"))
	if err != nil {
		return err
	}
	scope := caseload.ReviewScope{Teams: reviewTeams(u), TherapistID: therapistID}
	list, err := s.store.WeeklyReviewPage(ctx, scope, page, reviewPageSize)
	if err != nil {
		return err
	}
	shown := fillReviewCases(&p, list)
	reviewed := s.takeReviewed(c)
	var listed []caseload.ReviewEntry
	if id, err := strconv.ParseInt(reviewed, 10, 64); err == nil && id > 0 {
		e, ok, err := s.store.ReviewListed(ctx, scope, id)
		if err != nil {
			return err
		}
		if ok {
			listed = append(listed, e)
		}
	}
	p.Done = reviewedNotice(reviewed, listed)
	if p.Alerts, err = s.openAlertsFor(c, u); err != nil {
		return err
	}
	if err := s.recordListView(c, u, "weekly_review", withAlertReferrals(shown, p.Alerts)); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "review.html", &p)
}

// reviewPageSize is how many cases one page of the weekly review shows.
const reviewPageSize = 50

// reviewPageNumber reads the page asked for: 1 when absent.
func reviewPageNumber(v string) (int, error) {
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, echo.NewHTTPError(http.StatusBadRequest, "Choose a page number from 1.")
	}
	return n, nil
}

// fillReviewCases counts every case of the list by flag, and lays out the
// page's cases (in the review's order: those to discuss first, highest
// severity first, then the reviewed and unchanged) with links to the pages
// either side. The counts by flag link to the cases they count on this page,
// and name the other pages holding the rest. It returns the referrals shown.
// The counts come from the list's tallies page by page and the links on
// this page from its entries (issue 17: the page no longer reads every
// listed case).
func fillReviewCases(p *reviewPage, list caseload.ReviewList) []int64 {
	p.Pages, p.Page = list.Pages, list.Page
	counts := map[string]int{}
	links := map[string][]caseLink{}
	on := map[string][]pageLink{}
	for _, t := range list.Tallies {
		p.ToDiscuss += t.ToDiscuss
		p.QuietTotal += t.Quiet
		p.Brought += t.Brought
		if t.Page == p.Page {
			for code, n := range t.Flags {
				counts[code] += n
			}
			continue
		}
		for _, code := range flagCodes {
			if n := t.Flags[code]; n > 0 {
				counts[code] += n
				on[code] = p.addPageLink(on[code], t.Page)
			}
		}
		if t.Brought > 0 {
			p.BroughtOn = p.addPageLink(p.BroughtOn, t.Page)
		}
	}
	for _, e := range list.PageEntries {
		if !e.NeedsDiscussion() {
			continue
		}
		link := caseLink{ReferralID: e.ReferralID, Patient: e.PatientName}
		for _, code := range e.Flags {
			links[code] = append(links[code], link)
		}
		if e.Brought {
			p.BroughtBy = append(p.BroughtBy, link)
		}
	}
	for _, code := range flagCodes {
		p.Counts = append(p.Counts, flagCount{Code: code, Label: flagLabel(code), Count: counts[code], Cases: links[code], On: on[code]})
	}
	shown := make([]int64, 0, len(list.Cases))
	for _, rc := range list.Cases {
		shown = append(shown, rc.Referral.ID)
		if rc.NeedsDiscussion() {
			p.Cases = append(p.Cases, newReviewCaseView(rc))
		} else {
			p.Quiet = append(p.Quiet, newReviewCaseView(rc))
		}
	}
	if p.Page > 1 {
		p.Prev = p.pageHref(p.Page - 1)
	}
	if p.Page < p.Pages {
		p.Next = p.pageHref(p.Page + 1)
	}
	return shown
}

// pageHref is the address of page n of the weekly review, with the page's
// therapist filter.
func (p *reviewPage) pageHref(n int) string {
	v := url.Values{}
	if p.Therapist != "" {
		v.Set("therapist", p.Therapist)
	}
	v.Set("page", strconv.Itoa(n))
	return "/review?" + v.Encode()
}

// addPageLink adds page n to pages, which lists pages in order, once each.
func (p *reviewPage) addPageLink(pages []pageLink, n int) []pageLink {
	if len(pages) > 0 && pages[len(pages)-1].N == n {
		return pages
	}
	return append(pages, pageLink{N: n, Href: p.pageHref(n)})
}

func newReviewCaseView(rc caseload.ReviewCase) reviewCaseView {
	r := rc.Referral
	v := reviewCaseView{
		ReferralID: r.ID,
		Patient:    r.PatientName,
		Therapist:  r.TherapistName,
		Descriptor: measures.DescriptorLabel(r.ProblemDescriptor),
		Intensity:  string(r.Intensity),
		Sessions:   rc.Outcome.TreatmentSessions,
		Severity:   rc.Severity(),
		Level:      severityLabels[rc.Severity()],
		Flags:      newFlagViews(rc.Flags),
		Quiet:      newFlagViews(rc.Quiet),
		Brought:    r.BringToSupervision,
		Spark:      chart.NewSparkline(rc.Outcome, r.ProblemDescriptor),
	}
	if rc.LastReview != nil {
		lr := newReviewView(*rc.LastReview)
		v.LastReview = &lr
	}
	return v
}

// reviewNewPage is the form to record a supervision review.
type reviewNewPage struct {
	basePage
	Referral  caseload.Referral
	Flags     []flagView
	Decisions []option
	Form      *form
	Next      string
}

// reviewNext is where a recorded review returns to: the weekly review when
// the form was opened from it, else the referral.
func reviewNext(v string, referralID int64) string {
	if v == "/review" {
		return v
	}
	return referralPath(referralID) + "#reviews"
}

func (s *Server) handleReviewNew(c echo.Context) error {
	_, r, err := s.referralFor(c, canReviewReferral)
	if err != nil {
		return err
	}
	flags, err := s.store.ReferralFlags(c.Request().Context(), r.ID)
	if err != nil {
		return err
	}
	f := newForm("date", "decision", "note")
	setDate(f, "date", s.store.Today())
	p := reviewNewPage{basePage: s.base(c, "Record a supervision review"), Referral: r, Flags: newFlagViews(flags),
		Decisions: decisionOptions(), Form: f, Next: reviewNext(c.QueryParam("next"), r.ID)}
	p.Nav = "review"
	return s.render(c, http.StatusOK, "review_new.html", &p)
}

func (s *Server) handleReviewCreate(c echo.Context) error {
	u, r, err := s.referralFor(c, canReviewReferral)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	f := newForm("date", "decision", "note")
	for _, k := range []string{"decision", "note"} {
		f.Values[k] = c.FormValue(k)
	}
	values, _ := c.FormParams()
	f.Values["date"] = readDate(values, f, "date", "The date of the review")
	next := reviewNext(c.FormValue("next"), r.ID)
	dateErr := f.Errs["date"]
	_, err = s.store.RecordReview(ctx, u, r.ID, caseload.NewReview{Date: f.Values["date"], Decision: f.Values["decision"], Note: f.Values["note"]})
	var ve *caseload.ValidationError
	switch {
	case err == nil && dateErr == "":
		if move := reviewMove(u, r, f.Values["decision"]); move != "" {
			return c.Redirect(http.StatusSeeOther, move)
		}
		return c.Redirect(http.StatusSeeOther, s.reviewDone(c, next, r.ID))
	case err == nil:
		// Unreachable: the store refuses an empty date; kept so that a
		// date typed wrongly can never be saved as some other date.
		ve = &caseload.ValidationError{Fields: map[string]string{}}
	case !errors.As(err, &ve):
		return err
	}
	copyFieldErrors(f, ve, nil)
	if m, ok := f.Errs["decision"]; ok && f.Values["decision"] == "" {
		f.Errs["decision"] = strings.Replace(m, "Choose the decision", "Select the decision", 1)
	}
	flags, err := s.store.ReferralFlags(ctx, r.ID)
	if err != nil {
		return err
	}
	p := reviewNewPage{basePage: s.base(c, "Record a supervision review"), Referral: r, Flags: newFlagViews(flags),
		Decisions: decisionOptions(), Form: f, Next: next}
	p.Nav = "review"
	return s.renderFormErrors(c, "review_new.html", &p, f)
}

// supervisionView is the referral page's supervision section: flags as of
// today, every review, and whether the user may record one.
type supervisionView struct {
	ReferralID int64
	Open       bool
	Flags      []flagView
	Reviews    []reviewView
	CanReview  bool
}

// addSupervision fills the referral page's supervision section and draws
// the expected band of comparable cases on its charts.
func addSupervision(u caseload.User, snap caseload.ReferralSnapshot, p *referralPage) error {
	d := snap.ReferralDetail
	sv := supervisionView{ReferralID: d.Referral.ID, Open: d.Referral.Open(), Flags: newFlagViews(snap.Flags), CanReview: canReviewReferral(u, d.Referral)}
	if canSeeReviews(u, d.Referral) {
		for i := len(d.Reviews) - 1; i >= 0; i-- { // newest first
			sv.Reviews = append(sv.Reviews, newReviewView(d.Reviews[i]))
		}
	}
	p.Supervision = sv
	for i := range p.Charts {
		if err := chart.AddExpectedBand(&p.Charts[i], d, snap.Expectation); err != nil {
			return fmt.Errorf("expected band: %w", err)
		}
	}
	return nil
}
