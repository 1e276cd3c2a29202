package ui

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
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

	// Issue 13: each rate's 95% Wilson interval as [low, high] (null when
	// the rate is), and the sections beyond the outcome rates.
	RecoveryRateCI            *[2]float64                     `json:"recovery_rate_ci"`
	ReliableRecoveryRateCI    *[2]float64                     `json:"reliable_recovery_rate_ci"`
	ReliableImprovementRateCI *[2]float64                     `json:"reliable_improvement_rate_ci"`
	Waits                     waitsJSON                       `json:"waits"`
	Endings                   map[string]int                  `json:"endings"`
	FinishedShare             *float64                        `json:"finished_share"`
	SteppedCare               steppedCareJSON                 `json:"stepped_care"`
	Groups                    map[string]map[string]groupJSON `json:"groups"`
	DataQuality               dataQualityJSON                 `json:"data_quality"`
}

// dataQualityJSON: what NHS England checks of finished courses that ended
// in the period (each count with its denominator, as the report page's
// data quality table shows them), and the referrals that ended in it with
// records failing the data set's validation, and their problems.
type dataQualityJSON struct {
	Finished          int `json:"finished"`
	ADSMExpected      int `json:"adsm_expected"`
	ADSMPaired        int `json:"adsm_paired"`
	OneOrNoAnxiety    int `json:"one_or_no_anxiety"`
	WSASComplete      int `json:"wsas_complete"`
	Ended             int `json:"ended"`
	FailingValidation int `json:"failing_validation"`
	DatasetProblems   int `json:"dataset_problems"`
}

// waitsJSON: referrals first assessed in the period by days waited (under
// 29, 29 to 56, 57 to 90, over 90) and the median; the median days to first
// treatment of finished courses; referrals whose second treatment in the
// period came more than 90 days after the first.
type waitsJSON struct {
	AssessmentUnder29      int      `json:"assessment_under_29"`
	Assessment29To56       int      `json:"assessment_29_56"`
	Assessment57To90       int      `json:"assessment_57_90"`
	AssessmentOver90       int      `json:"assessment_over_90"`
	MedianDaysToAssessment *float64 `json:"median_days_to_assessment"`
	MedianDaysToTreatment  *float64 `json:"median_days_to_treatment"`
	SecondTreatmentOver90  int      `json:"second_treatment_over_90"`
}

// steppedCareJSON: finished courses by the intensity of their treatment
// appointments, each at its own intensity, and the step ups within 90 days.
type steppedCareJSON struct {
	LowOnly               int `json:"low_only"`
	Both                  int `json:"both"`
	HighOnly              int `json:"high_only"`
	SteppedUpWithin90Days int `json:"stepped_up_within_90_days"`
}

// groupJSON is one group's finished courses and recovery.
type groupJSON struct {
	Finished               int         `json:"finished"`
	Recovered              int         `json:"recovered"`
	ReliablyRecovered      int         `json:"reliably_recovered"`
	RecoveryRate           *float64    `json:"recovery_rate"`
	RecoveryRateCI         *[2]float64 `json:"recovery_rate_ci"`
	ReliableRecoveryRate   *float64    `json:"reliable_recovery_rate"`
	ReliableRecoveryRateCI *[2]float64 `json:"reliable_recovery_rate_ci"`
}

// notRecordedKey is the endings key of referrals ended with no EndCode.
const notRecordedKey = "not_recorded"

// withSections adds the issue 13 fields to a report's JSON.
func (j reportJSON) withSections(r measures.Rates, s caseload.Sections) reportJSON {
	atCaseness := r.Finished - r.NotAtCaseness
	j.RecoveryRateCI = ciJSON(r.Recovered, atCaseness)
	j.ReliableRecoveryRateCI = ciJSON(r.ReliablyRecovered, atCaseness)
	j.ReliableImprovementRateCI = ciJSON(r.ReliablyImproved, r.Finished)
	w := s.Waits
	j.Waits = waitsJSON{
		AssessmentUnder29: w.AssessmentUnder29, Assessment29To56: w.Assessment29To56,
		Assessment57To90: w.Assessment57To90, AssessmentOver90: w.AssessmentOver90,
		MedianDaysToAssessment: w.MedianDaysToAssessment, MedianDaysToTreatment: w.MedianDaysToTreatment,
		SecondTreatmentOver90: w.SecondTreatmentOver90,
	}
	j.Endings = map[string]int{}
	for _, c := range s.Endings.ByCode {
		key := c.Code
		if key == "" {
			key = notRecordedKey
		}
		j.Endings[key] = c.Count
	}
	j.FinishedShare = shareOf(s.Endings.Finished, s.Endings.Ended)
	sc := s.SteppedCare
	j.SteppedCare = steppedCareJSON{LowOnly: sc.LowOnly, Both: sc.Both, HighOnly: sc.HighOnly, SteppedUpWithin90Days: sc.SteppedUpWithin90}
	dq := s.DataQuality
	j.DataQuality = dataQualityJSON{Finished: dq.Finished, ADSMExpected: dq.ADSMExpected, ADSMPaired: dq.ADSMPaired,
		OneOrNoAnxiety: dq.OneOrNoAnxiety, WSASComplete: dq.WSASComplete,
		Ended: dq.Ended, FailingValidation: dq.FailingValidation, DatasetProblems: dq.DatasetProblems}
	j.Groups = map[string]map[string]groupJSON{}
	for _, d := range s.Groups {
		groups := map[string]groupJSON{}
		for _, g := range d.Groups {
			n := g.Rates.Finished - g.Rates.NotAtCaseness
			groups[g.Key] = groupJSON{Finished: g.Rates.Finished, Recovered: g.Rates.Recovered, ReliablyRecovered: g.Rates.ReliablyRecovered,
				RecoveryRate: g.Rates.RecoveryRate, RecoveryRateCI: ciJSON(g.Rates.Recovered, n),
				ReliableRecoveryRate: g.Rates.ReliableRecoveryRate, ReliableRecoveryRateCI: ciJSON(g.Rates.ReliablyRecovered, n)}
		}
		j.Groups[d.Key] = groups
	}
	return j
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
	return c.JSON(http.StatusOK, newReportJSON(rep.Figures.Rates).withSections(rep.Figures.Rates, rep.Sections))
}
