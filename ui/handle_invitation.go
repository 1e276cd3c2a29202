package ui

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
)

// Invitations: the therapist makes a one-time code on the referral's
// "patient access" page and reads it to the patient, who takes it up at
// /invitation with their date of birth, choosing an e-mail address and a
// password. The code is shown once, in the response to the post that made
// it; only its hash is kept.

// invitationView is one invitation as the therapist sees it.
type invitationView struct {
	Created   time.Time
	Expires   time.Time
	Used      time.Time
	Revoked   time.Time
	Status    string
	UserEmail string
	Attempts  int
	Spent     bool // revoked by too many wrong dates of birth
}

type invitationShowPage struct {
	basePage
	Referral    caseload.Referral
	Invitations []invitationView
	HasAccess   bool // a patient user can sign in through one of them
	CanInvite   bool
	CanRevoke   bool
	Revoked     bool // just revoked
	ReadUntil   string
}

type invitationCodePage struct {
	basePage
	Referral caseload.Referral
	Code     string
	Expires  time.Time
	Address  string // where the patient takes the code up, as this request reached the server
}

func (s *Server) invitationShowPage(c echo.Context, u caseload.User, r caseload.Referral) (*invitationShowPage, error) {
	invs, err := s.store.Invitations(c.Request().Context(), r.ID)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	p := &invitationShowPage{
		basePage:  s.base(c, "Patient access"),
		Referral:  r,
		CanInvite: canInvitePatient(u, r),
		Revoked:   c.QueryParam("revoked") != "",
		ReadUntil: patientReadUntil(r),
	}
	for _, inv := range invs {
		st := inv.Status(now)
		p.Invitations = append(p.Invitations, invitationView{
			Created: inv.CreatedAt.In(london), Expires: inv.ExpiresAt.In(london), Used: inv.UsedAt.In(london), Revoked: inv.RevokedAt.In(london),
			Status: st, UserEmail: inv.UserEmail, Attempts: inv.Attempts,
			Spent: st == caseload.InvitationRevoked && inv.Attempts >= caseload.InvitationWrongBirthDates,
		})
		if st == caseload.InvitationUsed {
			p.HasAccess = true
		}
		if st == caseload.InvitationUsed || st == caseload.InvitationWaiting {
			p.CanRevoke = canRevokePatientAccess(u, r)
		}
	}
	return p, nil
}

func (s *Server) handleInvitationShow(c echo.Context) error {
	u, r, err := s.referralFor(c, nil)
	if err != nil {
		return err
	}
	p, err := s.invitationShowPage(c, u, r)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "invitation_show.html", p)
}

func (s *Server) handleInvitationCreate(c echo.Context) error {
	u, r, err := s.referralFor(c, canInvitePatient)
	if err != nil {
		return err
	}
	inv, code, err := s.store.CreateInvitation(c.Request().Context(), u, r.ID)
	if err != nil {
		return err
	}
	p := invitationCodePage{basePage: s.base(c, "Invitation code"), Referral: r, Code: code, Expires: inv.ExpiresAt.In(london),
		Address: s.baseURL + "/invitation"}
	return s.render(c, http.StatusOK, "invitation_code.html", &p)
}

func (s *Server) handleInvitationRevoke(c echo.Context) error {
	u, r, err := s.referralFor(c, nil)
	if err != nil {
		return err
	}
	if !canRevokePatientAccess(u, r) {
		return echo.ErrForbidden
	}
	if err := s.store.RevokePatientAccess(c.Request().Context(), u, r.ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, referralPath(r.ID)+"/invitation?revoked=1")
}

// invitationAcceptPage is the public form a patient takes an invitation up
// with.
type invitationAcceptPage struct {
	basePage
	Form *form
}

var invitationFields = []string{"code", "date_of_birth", "email", "password"}

func (s *Server) handleInvitationForm(c echo.Context) error {
	p := invitationAcceptPage{basePage: s.base(c, "Set up your account"), Form: newForm(invitationFields...)}
	p.User = nil // the page is the same to anyone
	return s.render(c, http.StatusOK, "invitation_accept.html", &p)
}

// badInvitation is the one message for a wrong, expired or used code or a
// wrong date of birth: which of them was wrong is not said.
const badInvitation = "The code or date of birth is not right, or the code has expired or been used. Check them, or ask your therapist for a new code."

func (s *Server) handleInvitationAccept(c echo.Context) error {
	f := newForm(invitationFields...)
	f.Values["code"] = strings.TrimSpace(c.FormValue("code"))
	f.Values["email"] = strings.TrimSpace(c.FormValue("email"))
	values, _ := c.FormParams()
	dob := readDate(values, f, "date_of_birth", "Your date of birth")
	if dob == "" && f.Errs["date_of_birth"] == "" {
		f.Errs["date_of_birth"] = "Enter your date of birth"
	}
	u, err := s.store.AcceptInvitation(c.Request().Context(), caseload.AcceptInvitation{
		Code:        f.Values["code"],
		DateOfBirth: dob,
		Email:       f.Values["email"],
		Password:    c.FormValue("password"),
		Address:     throttleKey(c.RealIP()), // failures counted per address, per /64 for IPv6
	})
	var ve *caseload.ValidationError
	switch {
	case err == nil:
		// A new session: nothing of an earlier cookie is carried over.
		if err := s.startSession(c, u); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/my")
	case errors.As(err, &ve):
		copyFieldErrors(f, ve, nil)
	case errors.Is(err, caseload.ErrBadCredentials):
		f.Errs["code"] = badInvitation
	case errors.Is(err, caseload.ErrTooManyAttempts):
		f.Errs["code"] = "Too many codes have been tried. Wait 15 minutes and try again, or ask your therapist for help."
	default:
		return err
	}
	p := invitationAcceptPage{basePage: s.base(c, "Set up your account"), Form: f}
	p.User = nil
	return s.renderFormErrors(c, "invitation_accept.html", &p, f)
}
