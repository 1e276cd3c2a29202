package ui

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"clinic/internal/measures"
)

// The supervision API (issue 4): a referral's flags, and a period's outcome
// figures in exactly the shape the issue gives.

type flagJSON struct {
	Code     string `json:"code"`
	Severity string `json:"severity"`
	Reason   string `json:"reason"`
}

func (s *Server) apiReferralFlags(c echo.Context) error {
	_, r, err := s.referralFor(c, nil)
	if err != nil {
		return err
	}
	flags, err := s.store.ReferralFlags(c.Request().Context(), r.ID)
	if err != nil {
		return err
	}
	out := make([]flagJSON, 0, len(flags))
	for _, f := range flags {
		out = append(out, flagJSON{Code: f.Code, Severity: f.Severity, Reason: f.Reason})
	}
	return c.JSON(http.StatusOK, out)
}

// reportJSON is GET /api/v1/reports/outcomes: counts, and rates as
// fractions 0–1 (null when the denominator is 0), over the referrals that
// ended in the period. waited_6_weeks and waited_18_weeks are counts of
// finished courses that started treatment within 42 and 126 days.
type reportJSON struct {
	Finished                int      `json:"finished"`
	NotAtCaseness           int      `json:"not_at_caseness"`
	Recovered               int      `json:"recovered"`
	RecoveryRate            *float64 `json:"recovery_rate"`
	ReliablyImproved        int      `json:"reliably_improved"`
	ReliableImprovementRate *float64 `json:"reliable_improvement_rate"`
	ReliablyRecovered       int      `json:"reliably_recovered"`
	ReliableRecoveryRate    *float64 `json:"reliable_recovery_rate"`
	Deteriorated            int      `json:"deteriorated"`
	DeteriorationRate       *float64 `json:"deterioration_rate"`
	Paired                  int      `json:"paired"`
	Waited6Weeks            int      `json:"waited_6_weeks"`
	Waited18Weeks           int      `json:"waited_18_weeks"`
	RuleSet                 string   `json:"rule_set"`
	RuleSetNote             string   `json:"rule_set_note"`
}

func newReportJSON(r measures.Rates) reportJSON {
	return reportJSON{
		Finished:                r.Finished,
		NotAtCaseness:           r.NotAtCaseness,
		Recovered:               r.Recovered,
		RecoveryRate:            r.RecoveryRate,
		ReliablyImproved:        r.ReliablyImproved,
		ReliableImprovementRate: r.ReliableImprovementRate,
		ReliablyRecovered:       r.ReliablyRecovered,
		ReliableRecoveryRate:    r.ReliableRecoveryRate,
		Deteriorated:            r.Deteriorated,
		DeteriorationRate:       r.DeteriorationRate,
		Paired:                  r.Paired,
		RuleSetNote:             measures.RuleSetNote,
		Waited6Weeks:            r.Within6Weeks,
		Waited18Weeks:           r.Within18Weeks,
		RuleSet:                 r.RuleSet,
	}
}

// apiReportOutcomes takes from and to (required, YYYY-MM-DD) and optional
// team and therapist ids; scope follows the same policy as the page.
func (s *Server) apiReportOutcomes(c echo.Context) error {
	u, _ := currentUser(c)
	if !canSeeReports(u) {
		return apiErr(http.StatusForbidden, "reports are for staff", "")
	}
	for k := range c.QueryParams() {
		switch k {
		case "from", "to", "team", "therapist":
		default:
			return apiErr(http.StatusBadRequest, "unknown parameter "+k, k)
		}
	}
	v := queryValues(c, []string{"from", "to", "team", "therapist"})
	for _, k := range []string{"from", "to"} {
		if v[k] == "" {
			return apiErr(http.StatusBadRequest, k+" is required (YYYY-MM-DD)", k)
		}
	}
	v["period"] = "custom"
	rep, err := s.runReport(c.Request().Context(), u, v, false)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newReportJSON(rep.Figures.Rates))
}
