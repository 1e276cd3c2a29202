package ui

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
)

// An admin's everyday tools (issue 16): edit a user's name, email, role and
// team (each change recorded in the audit log), and give a user who has
// forgotten their password a one-time code to choose a new one. A patient
// user is shown to an admin as "patient user #N" (issue 15): the admin can
// make them a reset code but neither sees nor changes their name or email.

var userEditFields = []string{"name", "email", "role", "team"}

// maskedFor says whether viewer sees u as "patient user #N"
// (maskPatientUser).
func maskedFor(viewer, u caseload.User) bool {
	m := maskPatientUser(viewer, u)
	return m.Name != u.Name || m.Email != u.Email
}

type adminUserEditPage struct {
	basePage
	Target caseload.User
	Form   *form
	Roles  []option
	Teams  []caseload.Team
	Done   string
	// Masked: a patient user, whose name and email an admin does not see
	// (pseudonyms.go); the page offers only the reset code.
	Masked bool
}

func (s *Server) adminUserEditPage(c echo.Context, target caseload.User, f *form) (*adminUserEditPage, error) {
	teams, err := s.store.Teams(c.Request().Context())
	if err != nil {
		return nil, err
	}
	u, _ := currentUser(c)
	shown := maskPatientUser(u, target)
	p := &adminUserEditPage{basePage: s.base(c, "Change "+shown.Name), Target: shown, Form: f, Roles: roleOptions, Teams: teams, Masked: maskedFor(u, target)}
	if target.Role == caseload.RolePatient {
		p.Roles = []option{{string(caseload.RolePatient), "Patient (their own records only)"}}
	}
	p.Nav = "admin"
	return p, nil
}

func (s *Server) handleAdminUserEditForm(c echo.Context) error {
	if _, err := adminOnly(c); err != nil {
		return err
	}
	target, err := s.targetUser(c)
	if err != nil {
		return err
	}
	f := newForm(userEditFields...)
	if u, _ := currentUser(c); maskedFor(u, target) {
		p, err := s.adminUserEditPage(c, target, f)
		if err != nil {
			return err
		}
		return s.render(c, http.StatusOK, "admin_user_edit.html", p)
	}
	f.Values["name"], f.Values["email"], f.Values["role"] = target.Name, target.Email, string(target.Role)
	f.Values["team"] = target.TeamName
	if target.Role == caseload.RoleSupervisor && len(target.Teams) > 0 {
		teams, err := s.store.Teams(c.Request().Context())
		if err != nil {
			return err
		}
		for _, t := range teams {
			if t.ID == target.Teams[0] {
				f.Values["team"] = t.Name
			}
		}
	}
	p, err := s.adminUserEditPage(c, target, f)
	if err != nil {
		return err
	}
	if c.QueryParam("done") == "saved" {
		p.Done = "Changes saved. The audit log records what changed."
	}
	return s.render(c, http.StatusOK, "admin_user_edit.html", p)
}

func (s *Server) handleAdminUserEdit(c echo.Context) error {
	u, err := adminOnly(c)
	if err != nil {
		return err
	}
	target, err := s.targetUser(c)
	if err != nil {
		return err
	}
	if maskedFor(u, target) {
		return apiErr(http.StatusForbidden, "A patient's name and email are not shown to administrators, so they cannot be changed here. You can make the patient a password reset code.", "")
	}
	f := newForm(userEditFields...)
	for _, k := range userEditFields {
		f.Values[k] = strings.TrimSpace(c.FormValue(k))
	}
	_, err = s.store.UpdateUser(c.Request().Context(), u, target.ID, caseload.UserEdit{
		Name: f.Values["name"], Email: f.Values["email"], Role: caseload.Role(f.Values["role"]), Team: f.Values["team"],
	})
	var ve *caseload.ValidationError
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/admin/users/"+strconv.FormatInt(target.ID, 10)+"/edit?done=saved")
	case errors.As(err, &ve):
		copyFieldErrors(f, ve, nil)
	case errors.Is(err, caseload.ErrConflict):
		f.Errs["email"] = "Another user has this email address: enter another"
	default:
		return err
	}
	p, err := s.adminUserEditPage(c, target, f)
	if err != nil {
		return err
	}
	return s.renderFormErrors(c, "admin_user_edit.html", p, f)
}

type adminPasswordResetPage struct {
	basePage
	Target  caseload.User
	Code    string
	Link    string
	Expires time.Time
}

// handleAdminPasswordReset makes a one-time reset code for a user and shows
// it once, with a link that carries it.
func (s *Server) handleAdminPasswordReset(c echo.Context) error {
	u, err := adminOnly(c)
	if err != nil {
		return err
	}
	target, err := s.targetUser(c)
	if err != nil {
		return err
	}
	code, expires, err := s.store.CreatePasswordReset(c.Request().Context(), u, target.ID)
	if err != nil {
		return err
	}
	target = maskPatientUser(u, target)
	p := &adminPasswordResetPage{basePage: s.base(c, "Password reset for "+target.Name), Target: target, Code: code, Expires: expires.In(london),
		Link: c.Scheme() + "://" + c.Request().Host + "/reset-password?code=" + code}
	p.Nav = "admin"
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.render(c, http.StatusOK, "admin_password_reset.html", p)
}

type passwordResetPage struct {
	basePage
	Form *form
	Done bool
}

var resetFields = []string{"code", "password"}

// badResetCode is the one message for a wrong, expired or used code.
const badResetCode = "This code does not work: it may be mistyped, expired or already used. Ask an administrator for a new one."

// tooManyResetCodes answers a try from an address that has tried too many
// codes (caseload.ErrTooManyAttempts).
var tooManyResetCodes = fmt.Sprintf("Too many codes have been tried. Wait %d minutes and try again, or ask an administrator for help.",
	int(caseload.InvitationWindow/time.Minute))

func (s *Server) handlePasswordResetForm(c echo.Context) error {
	f := newForm(resetFields...)
	f.Values["code"] = strings.TrimSpace(c.QueryParam("code"))
	p := &passwordResetPage{basePage: s.base(c, "Choose a new password"), Form: f}
	p.User = nil
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	return s.render(c, http.StatusOK, "password_reset.html", p)
}

func (s *Server) handlePasswordReset(c echo.Context) error {
	f := newForm(resetFields...)
	f.Values["code"] = strings.TrimSpace(c.FormValue("code"))
	password := c.FormValue("password")
	if f.Values["code"] == "" {
		f.Errs["code"] = "Enter the code an administrator gave you"
	}
	if password == "" {
		f.Errs["password"] = "Choose a new password"
	}
	p := &passwordResetPage{basePage: s.base(c, "Choose a new password"), Form: f}
	p.User = nil
	if len(f.Errs) == 0 {
		// Failures counted per address, per /64 for IPv6, with invitations'.
		_, err := s.store.ResetPassword(c.Request().Context(), f.Values["code"], password, throttleKey(c.RealIP()))
		var ve *caseload.ValidationError
		switch {
		case err == nil:
			p.Done = true
			p.Title = "Password changed"
			return s.render(c, http.StatusOK, "password_reset.html", p)
		case errors.As(err, &ve):
			copyFieldErrors(f, ve, nil)
		case errors.Is(err, caseload.ErrBadResetCode):
			f.Errs["code"] = badResetCode
		case errors.Is(err, caseload.ErrTooManyAttempts):
			f.Errs["code"] = tooManyResetCodes
		default:
			return err
		}
	}
	return s.renderFormErrors(c, "password_reset.html", p, f)
}
