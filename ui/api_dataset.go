package ui

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
)

// The JSON API's data set fields (issue 12, docs/api.md).

// demographicsRequest is a patient's demographics as the API takes them,
// on a new patient and on PUT /api/v1/referrals/:id/demographics.
type demographicsRequest struct {
	EthnicCategory     string   `json:"ethnic_category"`
	GenderIdentity     string   `json:"gender_identity"`
	StatedGender       string   `json:"stated_gender"`
	SexualOrientation  string   `json:"sexual_orientation"`
	PreferredLanguage  string   `json:"preferred_language"`
	InterpreterNeeded  bool     `json:"interpreter_needed"`
	ExArmedForces      string   `json:"ex_armed_forces"`
	Disability         []string `json:"disability"`
	Postcode           string   `json:"postcode"`
	GPPracticeCode     string   `json:"gp_practice_code"`
	LongTermConditions []string `json:"long_term_conditions"`
}

func (r demographicsRequest) demographics() caseload.Demographics {
	return caseload.Demographics{
		EthnicCategory: r.EthnicCategory, GenderIdentity: r.GenderIdentity, StatedGender: r.StatedGender,
		SexualOrientation: r.SexualOrientation, PreferredLanguage: r.PreferredLanguage,
		InterpreterNeeded: r.InterpreterNeeded, ExArmedForces: r.ExArmedForces, Disability: r.Disability,
		Postcode: r.Postcode, GPPracticeCode: r.GPPracticeCode, LongTermConditions: r.LongTermConditions,
	}
}

// demographicsJSON is the version of a patient's demographics in force.
type demographicsJSON struct {
	demographicsRequest
	Versions int `json:"versions"` // how many versions were recorded, this one included
}

func newDemographicsJSON(history []caseload.Demographics) demographicsJSON {
	out := demographicsJSON{Versions: len(history)}
	if len(history) > 0 {
		d := history[0]
		out.demographicsRequest = demographicsRequest{
			EthnicCategory: d.EthnicCategory, GenderIdentity: d.GenderIdentity, StatedGender: d.StatedGender,
			SexualOrientation: d.SexualOrientation, PreferredLanguage: d.PreferredLanguage,
			InterpreterNeeded: d.InterpreterNeeded, ExArmedForces: d.ExArmedForces, Disability: d.Disability,
			Postcode: d.Postcode, GPPracticeCode: d.GPPracticeCode, LongTermConditions: d.LongTermConditions,
		}
	}
	if out.Disability == nil {
		out.Disability = []string{}
	}
	if out.LongTermConditions == nil {
		out.LongTermConditions = []string{}
	}
	return out
}

// apiDemographicsUpdate records a new version of the demographics of the
// referral's patient; the earlier versions are kept.
func (s *Server) apiDemographicsUpdate(c echo.Context) error {
	u, r, err := s.referralFor(c, canEditDemographics)
	if err != nil {
		return err
	}
	var req demographicsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.store.SetDemographics(ctx, u, r.PatientID, req.demographics()); err != nil {
		return err
	}
	h, err := s.store.DemographicsHistory(ctx, r.PatientID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newDemographicsJSON(h))
}

// contactDatasetRequest is a contact's data set fields.
type contactDatasetRequest struct {
	Medium           string `json:"medium"`
	DurationMinutes  int    `json:"duration_minutes"`
	TherapyType      string `json:"therapy_type"`
	EmploymentStatus string `json:"employment_status"`
}

func (r contactDatasetRequest) fill(nc *caseload.NewContact) {
	nc.Medium, nc.DurationMinutes, nc.TherapyType, nc.EmploymentStatus = r.Medium, r.DurationMinutes, r.TherapyType, r.EmploymentStatus
}
