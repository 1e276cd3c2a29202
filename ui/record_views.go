package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
)

// Who has viewed a record (issue 6). Every change a handler makes through the store
// is audited inside the store's transaction, with the acting user and the
// client's address that setUser and auditSource (middleware.go) put in the
// request's context. Views of a patient's record are audited here, through
// recordView, before anything of the record is sent: if the audit row
// cannot be written, the record is not shown.

// viewLabels name, for the audit log and "who has viewed this record", what
// a route shows of a record.
var viewLabels = map[string]string{
	"/referrals/:id":                  "referral page",
	"/patients/:id":                   "patient page",
	"/patients/:id/referrals/new":     "new referral form",
	"/referrals/:id/move":             "move referral form",
	"/referrals/:id/letter":           "progress letter to GP",
	"/referrals/:id/contacts/new":     "record a session form",
	"/referrals/:id/end":              "end referral form",
	"/referrals/:id/invitation":       "patient invitation page",
	"/scores/:id/correct":             "score correction form",
	"/api/v1/referrals/:id":           "API: referral",
	"/api/v1/referrals/:id/outcome":   "API: outcome",
	"/api/v1/referrals/:id/flags":     "API: flags",
	"/api/v1/referrals/:id/fhir":      "API: FHIR Bundle",
	"/referrals/:id/reviews/new":      "supervision review form",
	"/my/referrals/:id":               "patient's own progress page",
	"/my/referrals/:id/questionnaire": "patient's own questionnaire form",
}

// viewLabel is what the current route shows, in words.
func viewLabel(c echo.Context) string {
	if l, ok := viewLabels[c.Path()]; ok {
		return l
	}
	return c.Path()
}

// recordView audits u's view of referral r through the current route, with
// the break-glass reason when that is how u sees it.
func (s *Server) recordView(c echo.Context, u caseload.User, r caseload.Referral, g caseload.Grant) error {
	detail := viewLabel(c)
	if g.ID != 0 {
		detail += " (break glass: " + g.Reason + ")"
	}
	return s.store.RecordReferralView(c.Request().Context(), u, r, detail)
}

// recordListView audits a page that lists patients with their scores (a
// caseload, the weekly review): one row for the page, naming every referral
// shown, written before the page is sent like every other view.
func (s *Server) recordListView(c echo.Context, u caseload.User, list string, ids []int64) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d referrals", len(ids))
	for i, id := range ids {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return s.store.RecordView(c.Request().Context(), u, list, u.ID, b.String())
}

// viewer is one line of "who has viewed this record".
type viewer struct {
	Name   string
	Role   string
	At     time.Time
	What   string
	Broken bool // seen under break glass
}

// recordViewers lists the latest views of the patient's record.
func (s *Server) recordViewers(c echo.Context, patientID int64) ([]viewer, error) {
	entries, err := s.store.RecordViews(c.Request().Context(), patientID, 20)
	if err != nil {
		return nil, err
	}
	out := make([]viewer, 0, len(entries))
	for _, e := range entries {
		out = append(out, viewer{
			Name:   e.UserName,
			Role:   string(e.UserRole),
			At:     e.At.In(london),
			What:   e.Detail,
			Broken: strings.Contains(e.Detail, "(break glass:"),
		})
	}
	return out, nil
}

// grantKey holds the break-glass grant a request reads a record under.
const grantKey = "clinic.grant"

// accountability is what a record's page shows of its audit: the grant the
// admin reads it under, if any, and who has viewed it (for staff).
func (s *Server) accountability(c echo.Context, u caseload.User, patientID int64) (*caseload.Grant, *[]viewer, error) {
	var grant *caseload.Grant
	if g, ok := c.Get(grantKey).(caseload.Grant); ok {
		grant = &g
	}
	if !canSeeRecordViewers(u) {
		return grant, nil, nil
	}
	v, err := s.recordViewers(c, patientID)
	if err != nil {
		return nil, nil, err
	}
	return grant, &v, nil
}

// auditPatientView audits a patient's view of their own record on the
// patient routes whose :id is one of their referrals (requirePatient has
// put those in the context; any other id is answered 404 by the handler).
func (s *Server) auditPatientView(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Param("id") == "" {
			return next(c)
		}
		u, a, err := patientReferral(c)
		if err != nil {
			return next(c)
		}
		if !isRead(c) {
			noteFormView(c, u, a.Referral.ID) // audited if a page answers the form
			return next(c)
		}
		if err := s.store.RecordView(c.Request().Context(), u, "referral", a.Referral.ID, viewLabel(c)); err != nil {
			return err
		}
		return next(c)
	}
}
