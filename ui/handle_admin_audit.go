package ui

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
)

// The audit log's search page and the break-glass form, both admins' own.

var auditFields = []string{"user", "patient", "referral", "action", "from", "to"}

type auditSearchPage struct {
	basePage
	Form    *form
	Users   []caseload.User
	Actions []string
	Entries []caseload.AuditEntry
	Page    int
	Prev    string // the neighbouring pages' addresses, "" when none
	Next    string
}

// handleAuditSearch searches the audit log by user, patient, referral,
// action and date range, 50 rows a page, newest first.
func (s *Server) handleAuditSearch(c echo.Context) error {
	if _, err := adminOnly(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	f := newForm(auditFields...)
	for _, k := range auditFields {
		f.Values[k] = strings.TrimSpace(c.QueryParam(k))
	}
	readAuditDates(c.QueryParams(), f)
	q := caseload.AuditQuery{Action: f.Values["action"], From: f.Values["from"], To: f.Values["to"]}
	q.UserID = queryID(f, "user", "Choose a user from the list")
	q.PatientID = queryID(f, "patient", "Enter a patient number (digits only)")
	q.ReferralID = queryID(f, "referral", "Enter a referral number (digits only)")
	if q.Action != "" && !slices.Contains(caseload.AuditActions, q.Action) {
		f.Errs["action"] = "Choose an action from the list"
	}
	q.Page, _ = strconv.Atoi(c.QueryParam("page"))
	q.Page = max(q.Page, 1)

	// The choice of user lists staff: a patient's portal account (one per
	// patient) is listed only when the search names it (a link from its
	// page), so the page never reads every account.
	users, err := s.store.StaffUsers(ctx)
	if err != nil {
		return err
	}
	if q.UserID != 0 && !slices.ContainsFunc(users, func(u caseload.User) bool { return u.ID == q.UserID }) {
		if u, err := s.store.User(ctx, q.UserID); err == nil {
			users = append(users, u)
		} else if !errors.Is(err, caseload.ErrNotFound) {
			return err
		}
	}
	viewer, _ := currentUser(c)
	for i := range users {
		users[i] = maskPatientUser(viewer, users[i])
	}
	p := &auditSearchPage{basePage: s.base(c, "Audit log"), Form: f, Users: users, Actions: caseload.AuditActions, Page: q.Page}
	p.Nav = "audit"
	if len(f.Errs) == 0 {
		res, err := s.store.SearchAudit(ctx, q)
		var ve *caseload.ValidationError
		switch {
		case errors.As(err, &ve):
			copyFieldErrors(f, ve, nil)
		case err != nil:
			return err
		default:
			maskAuditEntries(viewer, res.Entries)
			p.Entries = res.Entries
			if res.Page > 1 {
				p.Prev = pageQuery(f, res.Page-1)
			}
			if res.More {
				p.Next = pageQuery(f, res.Page+1)
			}
		}
	}
	if len(f.Errs) > 0 {
		return s.renderFormErrors(c, "audit_search.html", p, f)
	}
	return s.render(c, http.StatusOK, "audit_search.html", p)
}

// queryID reads an optional numeric filter, noting a bad one on the form.
func queryID(f *form, name, msg string) int64 {
	v := f.Values[name]
	if v == "" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		f.Errs[name] = msg
		return 0
	}
	return id
}

// pageQuery is the search's address for another page.
func pageQuery(f *form, page int) string {
	q := url.Values{}
	for _, k := range auditFields {
		if v := f.Values[k]; v != "" {
			q.Set(k, v)
		}
	}
	q.Set("page", strconv.Itoa(page))
	return "/admin/audit?" + q.Encode()
}

var breakGlassFields = []string{"referral", "reason"}

type breakGlassPage struct {
	basePage
	Form    *form
	Minutes int
}

func (s *Server) breakGlassPage(c echo.Context, f *form) *breakGlassPage {
	p := &breakGlassPage{basePage: s.base(c, "Break glass"), Form: f, Minutes: int(caseload.BreakGlassFor.Minutes())}
	p.Nav = "admin"
	return p
}

func (s *Server) handleBreakGlassForm(c echo.Context) error {
	if _, err := adminOnly(c); err != nil {
		return err
	}
	f := newForm(breakGlassFields...)
	if id, err := strconv.ParseInt(c.QueryParam("referral"), 10, 64); err == nil && id > 0 {
		f.Values["referral"] = strconv.FormatInt(id, 10)
	}
	return s.render(c, http.StatusOK, "admin_break_glass.html", s.breakGlassPage(c, f))
}

// handleBreakGlass gives the admin an hour's read-only access to the
// patient of the referral, for the reason given, and opens the referral.
func (s *Server) handleBreakGlass(c echo.Context) error {
	u, err := adminOnly(c)
	if err != nil {
		return err
	}
	if !canBreakGlass(u) {
		return echo.ErrForbidden
	}
	f := newForm(breakGlassFields...)
	f.Values["referral"] = strings.TrimSpace(c.FormValue("referral"))
	f.Values["reason"] = strings.TrimSpace(c.FormValue("reason"))
	id, perr := strconv.ParseInt(f.Values["referral"], 10, 64)
	if perr != nil || id <= 0 {
		f.Errs["referral"] = "Enter the referral number (digits only)"
	}
	if len(f.Errs) == 0 {
		_, err := s.store.BreakGlass(c.Request().Context(), u, id, f.Values["reason"])
		var ve *caseload.ValidationError
		switch {
		case err == nil:
			return c.Redirect(http.StatusSeeOther, referralPath(id))
		case errors.As(err, &ve):
			copyFieldErrors(f, ve, nil)
		default:
			return err
		}
	}
	return s.renderFormErrors(c, "admin_break_glass.html", s.breakGlassPage(c, f), f)
}
