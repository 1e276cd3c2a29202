package ui

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// Finding a patient (issue 14): one search box over the patients the user
// may see (ended referrals included), and a patient's page listing every
// referral of theirs the user may see. Who may see what is access.go's
// seeScope; the store applies it in SQL and audits every search.

// referralStatus says, in words, where a referral stands.
func referralStatus(r caseload.Referral) string {
	if r.Open() {
		return "Open"
	}
	return "Ended " + longDate(r.EndedOn) + " (" + endReasonLabel(r.EndReason) + ")"
}

// patientView is a patient as search results and their page show them.
type patientView struct {
	ID          int64
	Name        string
	NHSNumber   string // spaced 3-3-4, or ""
	DateOfBirth string // YYYY-MM-DD
	Referrals   []patientReferralView
}

type patientReferralView struct {
	caseload.Referral
	Status    string
	Intensity string
}

func newPatientView(m caseload.PatientMatch) patientView {
	v := patientView{ID: m.Patient.ID, Name: m.Patient.Name, NHSNumber: nhsNumber(m.Patient.NHSNumber), DateOfBirth: m.Patient.DateOfBirth}
	for _, r := range m.Referrals {
		v.Referrals = append(v.Referrals, patientReferralView{Referral: r, Status: referralStatus(r), Intensity: intensityLabel(r.Intensity)})
	}
	return v
}

// intensityLabel names a step of care.
func intensityLabel(i measures.Intensity) string {
	for _, o := range intensityOptions {
		if o.Value == string(i) {
			return o.Label
		}
	}
	return string(i)
}

type patientSearchPage struct {
	basePage
	Form     *form
	Searched bool
	Results  []patientView
	More     bool
	// ClosedToAdmin tells an admin with no live grant why nothing is found.
	ClosedToAdmin bool
}

// handlePatientSearch is the search page, GET /patients?q=.
func (s *Server) handlePatientSearch(c echo.Context) error {
	u, _ := currentUser(c)
	if !canSearchPatients(u) {
		return echo.ErrForbidden
	}
	f := newForm("q")
	f.Values["q"] = strings.TrimSpace(c.QueryParam("q"))
	p := &patientSearchPage{basePage: s.base(c, "Find a patient"), Form: f}
	p.Nav = "search"
	scope, err := s.scopeFor(c, u)
	if err != nil {
		return err
	}
	p.ClosedToAdmin = canBreakGlass(u) && scope.Empty()
	if _, asked := c.QueryParams()["q"]; !asked {
		return s.render(c, http.StatusOK, "patient_search.html", p)
	}
	res, err := s.store.SearchPatients(c.Request().Context(), u, scope, f.Values["q"])
	var ve *caseload.ValidationError
	switch {
	case errors.As(err, &ve):
		copyFieldErrors(f, ve, nil)
		p.Title = "Error: " + p.Title
		return s.renderFormErrors(c, "patient_search.html", p, f)
	case err != nil:
		return err
	}
	p.Searched, p.More = true, res.More
	for _, m := range res.Matches {
		p.Results = append(p.Results, newPatientView(m))
	}
	return s.render(c, http.StatusOK, "patient_search.html", p)
}

type patientShowPage struct {
	basePage
	Patient        patientView
	OtherReferrals int
	CanRefer       bool
}

// handlePatientShow is a patient's page: their details and every referral
// of theirs the user may see, open and ended.
func (s *Server) handlePatientShow(c echo.Context) error {
	u, rec, err := s.patientFor(c)
	if err != nil {
		return err
	}
	p := &patientShowPage{basePage: s.base(c, rec.Patient.Name), Patient: newPatientView(rec.PatientMatch), OtherReferrals: rec.OtherReferrals}
	p.Nav = "search"
	p.CanRefer = canReferPatient(u, caseload.PatientCare{Referrals: rec.Referrals})
	return s.render(c, http.StatusOK, "patient_show.html", p)
}

// patientSearchJSON is one patient found by GET /api/v1/patients.
type patientSearchJSON struct {
	patientJSON
	NHSNumberSpaced string         `json:"nhs_number_spaced"`
	Referrals       []referralJSON `json:"referrals"`
}

// apiPatientSearch is GET /api/v1/patients?q=: the caller's visible
// patients that match, each with the referrals of theirs the caller may
// see. An admin finds only patients under a live break-glass grant.
func (s *Server) apiPatientSearch(c echo.Context) error {
	u, _ := currentUser(c)
	if !canSearchPatients(u) {
		return apiErr(http.StatusForbidden, "only staff search for patients", "")
	}
	scope, err := s.scopeFor(c, u)
	if err != nil {
		return err
	}
	res, err := s.store.SearchPatients(c.Request().Context(), u, scope, c.QueryParam("q"))
	var ve *caseload.ValidationError
	if errors.As(err, &ve) {
		return apiErr(http.StatusUnprocessableEntity, ve.Fields["q"], "q")
	}
	if err != nil {
		return err
	}
	out := struct {
		Patients []patientSearchJSON `json:"patients"`
		More     bool                `json:"more"`
	}{Patients: []patientSearchJSON{}, More: res.More}
	for _, m := range res.Matches {
		pj := patientSearchJSON{patientJSON: newPatientJSON(m.Patient), NHSNumberSpaced: nhsNumber(m.Patient.NHSNumber), Referrals: []referralJSON{}}
		for _, r := range m.Referrals {
			pj.Referrals = append(pj.Referrals, newReferralJSON(r))
		}
		out.Patients = append(out.Patients, pj)
	}
	return c.JSON(http.StatusOK, out)
}
