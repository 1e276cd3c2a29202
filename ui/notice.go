package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
)

// After a change the page a clinician lands on says it was made (issue 16:
// no confirmation after a correction or a review). The redirect names what
// was done, "?done=corrected" (the weekly review: a one-view cookie); the
// page turns it into words. Only known
// names are shown, so the address cannot put words on the page.

// doneNotice is the referral page's confirmation for ?done=.
func doneNotice(done string) string {
	switch done {
	case "corrected":
		return "Score corrected. The score it replaces is kept beside it, with your reason."
	case "reviewed":
		return "Supervision review recorded."
	}
	return ""
}

// reviewedCookie carries "which review was just recorded" to the weekly
// review for one page view, so that its address stays /review.
const reviewedCookie = "clinic_reviewed"

// reviewDone is where to go after recording a review of a referral: back
// to the weekly review (the confirmation travels in reviewedCookie) or to
// the referral, saying it was recorded.
func (s *Server) reviewDone(c echo.Context, next string, referralID int64) string {
	if next == "/review" {
		c.SetCookie(s.newReviewedCookie(strconv.FormatInt(referralID, 10), 60))
		return next
	}
	path, frag, _ := strings.Cut(next, "#")
	if frag != "" {
		frag = "#" + frag
	}
	return path + "?done=reviewed" + frag
}

// takeReviewed reads and clears reviewedCookie: "" when there is none.
func (s *Server) takeReviewed(c echo.Context) string {
	ck, err := c.Cookie(reviewedCookie)
	if err != nil {
		return ""
	}
	c.SetCookie(s.newReviewedCookie("", -1))
	return ck.Value
}

// reviewedNotice is the weekly review's confirmation for the review of
// referral ID just recorded,
// naming the patient when the case is among those of the review (on any of
// its pages).
func reviewedNotice(reviewed string, entries []caseload.ReviewEntry) string {
	id, err := strconv.ParseInt(reviewed, 10, 64)
	if err != nil || id <= 0 {
		return ""
	}
	for _, e := range entries {
		if e.ReferralID == id {
			return "Review of " + e.PatientName + "'s case recorded."
		}
	}
	return "Review recorded."
}

// newReviewedCookie is reviewedCookie with a value and a lifetime in seconds
// (-1 deletes it).
func (s *Server) newReviewedCookie(value string, maxAge int) *http.Cookie {
	// #nosec G124 -- HttpOnly and SameSite are set; Secure follows
	// --tls-cert/--secure-cookies like every cookie of clinic (session.go).
	return &http.Cookie{Name: reviewedCookie, Value: value, Path: "/review", MaxAge: maxAge, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode}
}
