package ui

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
)

// Cover of a colleague's caseload (issue 14): one page, /cover, shows a
// therapist the covers they give or receive (and, while covering, the
// colleague's open referrals), and a supervisor their teams' covers with a
// form to grant one. Disabled accounts' open referrals are listed for
// supervisors on the waiting list page (handle_waiting.go).

var coverFields = []string{"therapist_id", "colleague_id", "from_on", "to_on", "reason"}

type coverView struct {
	caseload.Cover
	Active bool
}

type coverPage struct {
	basePage
	Covers     []coverView
	Covered    []caseload.CaseloadRow // the covered colleagues' open referrals, for a therapist covering today
	CanGrant   bool
	Form       *form
	Therapists []option
}

func (s *Server) coverPage(c echo.Context, u caseload.User, f *form) (*coverPage, error) {
	ctx := c.Request().Context()
	p := &coverPage{basePage: s.base(c, "Cover"), Form: f, CanGrant: u.Role == caseload.RoleSupervisor}
	p.Nav = "cover"
	covers, err := s.store.Covers(ctx, u.ID, coverTeams(u))
	if err != nil {
		return nil, err
	}
	today := s.store.Today()
	for _, cv := range covers {
		p.Covers = append(p.Covers, coverView{Cover: cv, Active: cv.Active(today)})
	}
	for _, id := range u.Covering {
		rows, err := s.store.Caseload(ctx, id)
		if err != nil {
			return nil, err
		}
		p.Covered = append(p.Covered, rows...)
	}
	if p.CanGrant {
		therapists, err := s.store.TeamTherapists(ctx, u.Teams)
		if err != nil {
			return nil, err
		}
		p.Therapists = activeTherapistOptions(therapists)
	}
	return p, nil
}

// handleCoverShow is GET /cover.
func (s *Server) handleCoverShow(c echo.Context) error {
	u, _ := currentUser(c)
	if !holdsCaseload(u) {
		return echo.ErrForbidden
	}
	p, err := s.coverPage(c, u, newForm(coverFields...))
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(p.Covered))
	for _, r := range p.Covered {
		ids = append(ids, r.Referral.ID)
	}
	if len(ids) > 0 {
		if err := s.recordListView(c, u, "covered caseload", ids); err != nil {
			return err
		}
	}
	return s.render(c, http.StatusOK, "cover.html", p)
}

// handleCoverGrant is POST /cover, a supervisor granting cover.
func (s *Server) handleCoverGrant(c echo.Context) error {
	u, _ := currentUser(c)
	if u.Role != caseload.RoleSupervisor {
		return echo.ErrForbidden
	}
	f := newForm(coverFields...)
	for _, k := range coverFields {
		f.Values[k] = strings.TrimSpace(c.FormValue(k))
	}
	values, _ := c.FormParams()
	f.Values["from_on"] = readDate(values, f, "from_on", "The first day of cover")
	f.Values["to_on"] = readDate(values, f, "to_on", "The last day of cover")
	err := s.grantCover(c, u, f)
	var ve *caseload.ValidationError
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/cover")
	case errors.As(err, &ve):
		copyFieldErrors(f, ve, nil)
	default:
		return err
	}
	p, err := s.coverPage(c, u, f)
	if err != nil {
		return err
	}
	return s.renderFormErrors(c, "cover.html", p, f)
}

// grantCover grants the cover in f when u may grant it.
func (s *Server) grantCover(c echo.Context, u caseload.User, f *form) error {
	ctx := c.Request().Context()
	tid, _ := strconv.ParseInt(f.Values["therapist_id"], 10, 64)
	cid, _ := strconv.ParseInt(f.Values["colleague_id"], 10, 64)
	therapist, err1 := s.store.User(ctx, tid)
	colleague, err2 := s.store.User(ctx, cid)
	for _, err := range []error{err1, err2} {
		if err != nil && !errors.Is(err, caseload.ErrNotFound) {
			return err
		}
	}
	if err1 != nil || err2 != nil || !canGrantCover(u, therapist, colleague) {
		v := map[string]string{}
		if err1 != nil || !canGrantCover(u, therapist, therapist) {
			v["therapist_id"] = "Choose a therapist of your teams"
		}
		if err2 != nil || !canGrantCover(u, colleague, colleague) {
			v["colleague_id"] = "Choose a therapist of your teams"
		}
		return &caseload.ValidationError{Fields: v}
	}
	_, err := s.store.GrantCover(ctx, u, caseload.NewCover{TherapistID: tid, ColleagueID: cid, FromOn: f.Values["from_on"], ToOn: f.Values["to_on"], Reason: f.Values["reason"]})
	return err
}
