package ui

import (
	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
)

// Views in answer to a form (issue 15, 12). A POST that changes a record is
// audited by the store as a change; but when it answers with a page instead
// of a redirect (the form back with its errors, "check totals", the new
// invitation code), that page shows the patient's record like the form's
// GET does, and is audited as a view too. The handlers' access checks note
// the record a POST reached (noteFormView); render writes the view row
// before the page is sent, once, unless the page is an error page.

const formViewKey = "clinic.form_view"

type formView struct {
	user   caseload.User
	entity string // "referral", or "patient" (a patient's page, issue 14)
	id     int64
	detail string
}

// noteFormView remembers, on a request that is not a read, the referral it
// reached, for render to audit if a page is shown.
func noteFormView(c echo.Context, u caseload.User, referralID int64) {
	if isRead(c) {
		return
	}
	c.Set(formViewKey, formView{user: u, entity: "referral", id: referralID, detail: viewLabel(c) + " (shown again in answer to the form)"})
}

// notePatientFormView is noteFormView for a form on a patient's record
// rather than one of their referrals (a new referral for them, issue 14).
func notePatientFormView(c echo.Context, u caseload.User, patientID int64) {
	if isRead(c) {
		return
	}
	c.Set(formViewKey, formView{user: u, entity: "patient", id: patientID, detail: viewLabel(c) + " (shown again in answer to the form)"})
}

// auditFormView writes the noted view, once.
func (s *Server) auditFormView(c echo.Context, page string) error {
	v, ok := c.Get(formViewKey).(formView)
	if !ok || isRead(c) || page == "error.html" {
		return nil
	}
	c.Set(formViewKey, nil)
	return s.store.RecordView(c.Request().Context(), v.user, v.entity, v.id, v.detail)
}
