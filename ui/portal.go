package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
)

// The patients' side ("portal"): a patient signs in with the e-mail and
// password they chose when they took up their therapist's invitation, and
// sees only their own referrals. Every patient route is under /my/ and goes
// through requirePatient, which puts the referrals the patient may read in
// the context; handlers find the referral named in the path among them and
// answer 404 for any other, before anything else is read.

const patientAccessKey = "clinic.patient_access"

// readableAccess keeps the referrals a patient may still read today.
func readableAccess(all []caseload.PatientAccess, today string) []caseload.PatientAccess {
	var out []caseload.PatientAccess
	for _, a := range all {
		if patientCanRead(a, today) {
			out = append(out, a)
		}
	}
	return out
}

// requirePatient sends anyone not signed in to the sign-in page, refuses
// staff, and signs out a patient who has nothing left to read (access
// revoked, or every referral ended more than patientReadDaysAfterEnd ago),
// checked on every request with the server's clock.
func (s *Server) requirePatient(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, ok := currentUser(c)
		if !ok {
			if c.Request().Method == http.MethodGet {
				return c.Redirect(http.StatusSeeOther, "/sign-in?next="+c.Request().URL.RequestURI())
			}
			return c.Redirect(http.StatusSeeOther, "/sign-in")
		}
		if u.Role != caseload.RolePatient {
			return echo.ErrForbidden
		}
		all, err := s.store.PatientAccess(c.Request().Context(), u.ID)
		if err != nil {
			return err
		}
		readable := readableAccess(all, s.today())
		if len(readable) == 0 {
			s.clearSession(c)
			return c.Redirect(http.StatusSeeOther, "/sign-in?closed=1")
		}
		c.Set(patientAccessKey, readable)
		return next(c)
	}
}

// patientReferral is the signed-in patient's referral named by the path's
// :id, or ErrNotFound for any referral that is not theirs to read.
func patientReferral(c echo.Context) (caseload.User, caseload.PatientAccess, error) {
	u, _ := currentUser(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return u, caseload.PatientAccess{}, caseload.ErrNotFound
	}
	readable, _ := c.Get(patientAccessKey).([]caseload.PatientAccess)
	for _, a := range readable {
		if a.Referral.ID == id {
			return u, a, nil
		}
	}
	return u, caseload.PatientAccess{}, caseload.ErrNotFound
}

func portalPath(referralID int64) string {
	return "/my/referrals/" + strconv.FormatInt(referralID, 10)
}

// signInPatient starts a patient's session when they still have a referral
// to read, and sends them to it (or to next, when it is a page of theirs).
// It reports false, with the reason on the form, when their access has
// closed: the password was right, so saying so reveals nothing.
func (s *Server) signInPatient(c echo.Context, u caseload.User, f *form, next string) (bool, error) {
	all, err := s.store.PatientAccess(c.Request().Context(), u.ID)
	if err != nil {
		return false, err
	}
	if len(readableAccess(all, s.today())) == 0 {
		f.Errs["email"] = "Your access to clinic has ended. Ask your therapist if you need it again."
		return false, nil
	}
	if err := s.startSession(c, u); err != nil {
		return false, err
	}
	if !strings.HasPrefix(next, "/my/") {
		next = "/my"
	}
	return true, c.Redirect(http.StatusSeeOther, next)
}
