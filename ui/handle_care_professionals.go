package ui

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
)

// Care professionals of imported records (issue 12): an admin maps each
// source system's CareProfLocalId to a clinic therapist, and may allocate
// the referrals left unallocated because it was unknown to that therapist
// in the same step (caseload.MapCareProfessional, audited). The page shows
// counts only: no patient's record.

type careProfRow struct {
	caseload.CareProfessional
	FieldID  string // the row's select, for labels and the error summary
	Selected string // the user chosen, as typed back on an error
	Err      string
}

type careProfPage struct {
	basePage
	Rows       []careProfRow
	Therapists []option
	Notice     string
}

func (s *Server) careProfPage(c echo.Context) (*careProfPage, error) {
	ctx := c.Request().Context()
	profs, err := s.store.CareProfessionals(ctx)
	if err != nil {
		return nil, err
	}
	users, err := s.store.Users(ctx)
	if err != nil {
		return nil, err
	}
	p := &careProfPage{basePage: s.base(c, "Care professionals of imported records")}
	p.Nav = "dataset"
	for _, u := range users {
		if u.Role == caseload.RoleTherapist && !u.Disabled && u.TeamID != 0 {
			p.Therapists = append(p.Therapists, option{strconv.FormatInt(u.ID, 10), u.Name + " (" + u.TeamName + ")"})
		}
	}
	for i, pr := range profs {
		row := careProfRow{CareProfessional: pr, FieldID: "user-" + strconv.Itoa(i)}
		if pr.UserID != 0 {
			row.Selected = strconv.FormatInt(pr.UserID, 10)
		}
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

// handleCareProfessionals is GET /admin/care-professionals.
func (s *Server) handleCareProfessionals(c echo.Context) error {
	if _, err := adminOnly(c); err != nil {
		return err
	}
	p, err := s.careProfPage(c)
	if err != nil {
		return err
	}
	if c.QueryParam("saved") != "" {
		p.Notice = "Saved."
		if n, err := strconv.Atoi(c.QueryParam("allocated")); err == nil && n > 0 {
			p.Notice = fmt.Sprintf("Saved: %d referrals allocated to the therapist.", n)
		}
	}
	return s.render(c, http.StatusOK, "admin_care_professionals.html", p)
}

// handleCareProfessionalMap is POST /admin/care-professionals: one row's
// mapping, and the allocation of its unallocated referrals when ticked.
func (s *Server) handleCareProfessionalMap(c echo.Context) error {
	u, err := adminOnly(c)
	if err != nil {
		return err
	}
	local := strings.TrimSpace(c.FormValue("local_id"))
	chosen := strings.TrimSpace(c.FormValue("user_id"))
	userID, _ := strconv.ParseInt(chosen, 10, 64)
	n, err := s.store.MapCareProfessional(c.Request().Context(), u, local, userID, c.FormValue("allocate") == "yes")
	msg := ""
	var ve *caseload.ValidationError
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/admin/care-professionals?saved=1&allocated="+strconv.Itoa(n))
	case errors.Is(err, caseload.ErrNotFound):
		msg = "No imported record names this care professional"
	case errors.As(err, &ve):
		msg = ve.Fields["user_id"]
	default:
		return err
	}
	p, err := s.careProfPage(c)
	if err != nil {
		return err
	}
	p.Errors = []fieldErr{{ID: "care-professionals", Message: msg}}
	for i := range p.Rows {
		if p.Rows[i].LocalID == local {
			p.Rows[i].Selected, p.Rows[i].Err = chosen, msg
			p.Errors[0].ID = p.Rows[i].FieldID
		}
	}
	return s.render(c, http.StatusUnprocessableEntity, "admin_care_professionals.html", p)
}
