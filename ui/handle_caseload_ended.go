package ui

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// The caseload's "ended" view (issue 14): referrals that ended in the last
// caseload.EndedWithinDays days stay within reach of their therapist, with
// how they ended; older ones are found by searching.

type endedRow struct {
	ReferralID int64
	Patient    string
	Descriptor string
	Intensity  string
	Sessions   int
	EndedOn    string
	EndReason  string
}

type caseloadEndedPage struct {
	basePage
	Rows []endedRow
	Days int
}

// handleCaseloadEnded is GET /?view=ended, for a therapist.
func (s *Server) handleCaseloadEnded(c echo.Context, u caseload.User) error {
	p := caseloadEndedPage{basePage: s.base(c, "My caseload: ended referrals"), Days: caseload.EndedWithinDays}
	p.Nav = "caseload"
	rows, err := s.store.EndedCaseload(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		p.Rows = append(p.Rows, endedRow{
			ReferralID: r.Referral.ID,
			Patient:    r.Referral.PatientName,
			Descriptor: measures.DescriptorLabel(r.Referral.ProblemDescriptor),
			Intensity:  intensityLabel(r.Referral.Intensity),
			Sessions:   r.Outcome.TreatmentSessions,
			EndedOn:    r.Referral.EndedOn,
			EndReason:  r.Referral.EndReason,
		})
		ids = append(ids, r.Referral.ID)
	}
	if err := s.recordListView(c, u, "caseload (ended)", ids); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "caseload_ended.html", &p)
}
