package ui

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
)

// The patient's demographics for the national data set, recorded from one
// of their referrals (issue 12): every change is a new version, the earlier
// ones are listed beneath.

type demographicsPage struct {
	basePage
	Referral caseload.Referral
	Form     *form
	Options  demographicsOptions
	History  []caseload.Demographics // the version in force first
	Saved    bool
}

func (s *Server) demographicsPage(c echo.Context, r caseload.Referral, f *form, history []caseload.Demographics) *demographicsPage {
	return &demographicsPage{basePage: s.base(c, "About the patient"), Referral: r, Form: f, Options: newDemographicsOptions(), History: history}
}

func (s *Server) handleDemographicsForm(c echo.Context) error {
	_, r, err := s.referralFor(c, canEditDemographics)
	if err != nil {
		return err
	}
	h, err := s.store.DemographicsHistory(c.Request().Context(), r.PatientID)
	if err != nil {
		return err
	}
	f := newForm(demographicsFields...)
	if len(h) > 0 {
		fillDemographics(f, h[0])
	}
	p := s.demographicsPage(c, r, f, h)
	p.Saved = c.QueryParam("saved") != ""
	return s.render(c, http.StatusOK, "referral_demographics.html", p)
}

func (s *Server) handleDemographicsSave(c echo.Context) error {
	u, r, err := s.referralFor(c, canEditDemographics)
	if err != nil {
		return err
	}
	values, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	f := newForm(demographicsFields...)
	d := parseDemographics(values, f)
	ctx := c.Request().Context()
	_, err = s.store.SetDemographics(ctx, u, r.PatientID, d)
	var ve *caseload.ValidationError
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, referralPath(r.ID)+"/demographics?saved=1")
	case errors.As(err, &ve):
		copyFieldErrors(f, ve, nil)
	default:
		return err
	}
	h, err := s.store.DemographicsHistory(ctx, r.PatientID)
	if err != nil {
		return err
	}
	return s.renderFormErrors(c, "referral_demographics.html", s.demographicsPage(c, r, f, h), f)
}
