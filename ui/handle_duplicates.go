package ui

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// One person, one record (issue 14): adding a patient already on record is
// refused, naming them where the user may refer them (canReferPatient) and
// offering a new referral on their record instead; a new referral for an
// existing patient reuses their record, and so their portal account.

// existingPatient is the patient already on record, as the new patient
// form shows it.
type existingPatient struct {
	ByNHSNumber bool
	Visible     bool // the user may refer them: name them and offer the link
	ID          int64
	Name        string
	DateOfBirth string
	NHSNumber   string
	Receiving   bool // on the receive form: offer adding the referral to their record
}

// existingFor says what the user may be told of the patient already on
// record.
func (s *Server) existingFor(c echo.Context, u caseload.User, pe *caseload.PatientExistsError) (existingPatient, error) {
	ex := existingPatient{ByNHSNumber: pe.ByNHSNumber}
	pc, err := s.store.PatientCare(c.Request().Context(), pe.Existing.ID)
	if err != nil && !errors.Is(err, caseload.ErrNotFound) {
		return ex, err
	}
	if err == nil && canReferPatient(u, pc) {
		ex.Visible, ex.ID, ex.Name = true, pe.Existing.ID, pe.Existing.Name
		ex.DateOfBirth, ex.NHSNumber = pe.Existing.DateOfBirth, nhsNumber(pe.Existing.NHSNumber)
		// Naming the patient shows part of their record: a view.
		if err := s.store.RecordView(c.Request().Context(), u, "patient", ex.ID, viewLabel(c)+" (patient already on record)"); err != nil {
			return ex, err
		}
	}
	return ex, nil
}

// existingMessage is the field message for a patient already on record.
func existingMessage(ex existingPatient) (field, msg string) {
	switch {
	case ex.ByNHSNumber && ex.Visible:
		return "nhs_number", fmt.Sprintf("This NHS number is already on record for %s (born %s): open a new referral for them instead", ex.Name, longDate(ex.DateOfBirth))
	case ex.ByNHSNumber:
		return "nhs_number", "This NHS number is already on record for a patient on a caseload you do not see: check the number, or ask your supervisor to refer them to you"
	default:
		return "name", "A patient with this name and date of birth is already on record: is this the same person?"
	}
}

// patientExists re-shows the new patient form for a patient already on
// record, everything typed kept.
func (s *Server) patientExists(c echo.Context, u caseload.User, f *form, pe *caseload.PatientExistsError, p *patientNewPage) error {
	ex, err := s.existingFor(c, u, pe)
	if err != nil {
		return err
	}
	ex.Receiving = p.Receiving
	field, msg := existingMessage(ex)
	if ex.Receiving {
		msg = "This patient is already on record: tick \"Add this referral to their record\" to keep one record"
	}
	f.Errs[field] = msg
	p.Existing = &ex
	return s.renderFormErrors(c, "patient_new.html", p, f)
}

// apiPatientExists answers POST /api/v1/patients for a patient already on
// record: 409, the field, and the existing patient's id where the caller
// may refer them.
func (s *Server) apiPatientExists(c echo.Context, u caseload.User, pe *caseload.PatientExistsError) error {
	ex, err := s.existingFor(c, u, pe)
	if err != nil {
		return err
	}
	body := map[string]any{}
	if ex.ByNHSNumber {
		body["field"], body["error"] = "nhs_number", "a patient with this NHS number is already on record"
	} else {
		body["field"], body["error"] = "name", "a patient with this name and date of birth is already on record; if this is another person, send \"not_duplicate\": true"
	}
	if ex.Visible {
		body["existing_patient_id"] = ex.ID
	}
	return c.JSON(http.StatusConflict, body)
}

// referralNewFields are the new referral form's fields.
var referralNewFields = []string{"received_on", "problem_descriptor", "intensity"}

type referralNewPage struct {
	basePage
	Patient     caseload.Patient
	Form        *form
	Descriptors []measures.Descriptor
	Intensities []option
}

// patientToRefer is the patient named in the path, when the user may open
// a referral for them; "not found" otherwise (as for a referral).
func (s *Server) patientToRefer(c echo.Context) (caseload.User, caseload.Patient, error) {
	u, _ := currentUser(c)
	if !addsReferrals(u) {
		return u, caseload.Patient{}, echo.ErrForbidden
	}
	id, err := idParam(c, "id")
	if err != nil {
		return u, caseload.Patient{}, err
	}
	pc, err := s.store.PatientCare(c.Request().Context(), id)
	if err != nil {
		return u, caseload.Patient{}, err
	}
	if !canReferPatient(u, pc) {
		return u, caseload.Patient{}, caseload.ErrNotFound
	}
	p, err := s.store.Patient(c.Request().Context(), id)
	if err != nil {
		return u, p, err
	}
	if isRead(c) {
		err = s.store.RecordView(c.Request().Context(), u, "patient", id, viewLabel(c))
	}
	notePatientFormView(c, u, id) // audited if the form comes back
	return u, p, err
}

func (s *Server) referralNewPage(c echo.Context, p caseload.Patient, f *form) *referralNewPage {
	return &referralNewPage{basePage: s.base(c, "New referral for "+p.Name), Patient: p, Form: f, Descriptors: measures.Descriptors(), Intensities: intensityOptions}
}

// handleReferralNew is the form for a new referral of an existing patient.
func (s *Server) handleReferralNew(c echo.Context) error {
	_, p, err := s.patientToRefer(c)
	if err != nil {
		return err
	}
	f := newForm(referralNewFields...)
	setDate(f, "received_on", s.store.Today())
	return s.render(c, http.StatusOK, "referral_new.html", s.referralNewPage(c, p, f))
}

// handleReferralCreate opens the referral on the user's caseload.
func (s *Server) handleReferralCreate(c echo.Context) error {
	u, p, err := s.patientToRefer(c)
	if err != nil {
		return err
	}
	f := newForm(referralNewFields...)
	for _, k := range referralNewFields {
		f.Values[k] = strings.TrimSpace(c.FormValue(k))
	}
	values, _ := c.FormParams()
	if f.Values["received_on"] = readDate(values, f, "received_on", "The date the referral was received"); f.Values["received_on"] == "" && f.Errs["received_on"] == "" {
		f.Errs["received_on"] = "Enter the date the referral was received"
	}
	r, err := s.store.CreateReferral(c.Request().Context(), u, caseload.NewReferral{
		PatientID:         p.ID,
		TherapistID:       u.ID,
		ReceivedOn:        f.Values["received_on"],
		ProblemDescriptor: f.Values["problem_descriptor"],
		Intensity:         f.Values["intensity"],
	})
	var ve *caseload.ValidationError
	switch {
	case errors.As(err, &ve):
		copyFieldErrors(f, ve, nil)
		return s.renderFormErrors(c, "referral_new.html", s.referralNewPage(c, p, f), f)
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, referralPath(r.ID))
}
