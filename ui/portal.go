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
// through requirePatient (access.go), which puts the referrals the patient may read in
// the context; handlers find the referral named in the path among them and
// answer 404 for any other, before anything else is read.

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
	if len(readableAccess(all, s.store.Today())) == 0 {
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
