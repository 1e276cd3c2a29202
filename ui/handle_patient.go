package ui

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/dataset"
	"clinic/internal/measures"
)

// patientFields are the new patient and referral form's fields, in page
// order. They are named as in the JSON API, so the store's field errors land
// on them as they are.
var patientFields = append(append([]string{"name", "date_of_birth", "nhs_number"}, demographicsFields...),
	"received_on", "problem_descriptor", "intensity", "source_of_referral")

type patientNewPage struct {
	basePage
	Form        *form
	Descriptors []measures.Descriptor
	Intensities []option
	// The data set's choices (dataset_form.go).
	Demo     demographicsOptions
	DemoOpen bool // a demographics field is filled in or wrong: show them
	Sources  []option
	Existing *existingPatient // the patient already on record, when refused (handle_duplicates.go)
	// Receiving a referral onto a waiting list (handle_receive.go): the
	// form posts there and asks for the team.
	Action    string
	Heading   string
	Submit    string
	Teams     []option
	Receiving bool
	Notice    string // what was just done
}

var intensityOptions = []option{
	{string(measures.LowIntensity), "Low intensity (step 2)"},
	{string(measures.HighIntensity), "High intensity (step 3)"},
}

func (s *Server) newPatientPage(c echo.Context, f *form) *patientNewPage {
	p := &patientNewPage{basePage: s.base(c, "New patient and referral"), Form: f, Descriptors: measures.Descriptors(), Intensities: intensityOptions,
		Demo: newDemographicsOptions(), Sources: codeOptions(dataset.SourceOfReferral),
		Action: "/patients/new", Heading: "New patient and referral", Submit: "Add patient and referral"}
	p.Nav = "new"
	for _, k := range demographicsFields {
		if f.Values[k] != "" || f.Errs[k] != "" {
			p.DemoOpen = true
		}
	}
	return p
}

func (s *Server) handlePatientNew(c echo.Context) error {
	u, _ := currentUser(c)
	if !addsReferrals(u) {
		return echo.ErrForbidden
	}
	f := newForm(patientFields...)
	setDate(f, "received_on", s.store.Today())
	return s.render(c, http.StatusOK, "patient_new.html", s.newPatientPage(c, f))
}

func (s *Server) handlePatientCreate(c echo.Context) error {
	u, _ := currentUser(c)
	if !addsReferrals(u) {
		return echo.ErrForbidden
	}
	f, demographics, err := readNewPatient(c, patientFields)
	if err != nil {
		return err
	}
	var ve *caseload.ValidationError
	if len(f.Errs) == 0 {
		_, ref, err := s.store.CreatePatientWithReferral(c.Request().Context(), u, newPatientOf(c, f, demographics), caseload.NewReferral{
			TherapistID:       u.ID,
			ReceivedOn:        f.Values["received_on"],
			ProblemDescriptor: f.Values["problem_descriptor"],
			Intensity:         f.Values["intensity"],
			SourceOfReferral:  f.Values["source_of_referral"],
		})
		var pe *caseload.PatientExistsError
		switch {
		case errors.As(err, &pe):
			return s.patientExists(c, u, f, pe, s.newPatientPage(c, f))
		case errors.As(err, &ve):
			copyFieldErrors(f, ve, nil)
		case err != nil:
			return err
		default:
			return c.Redirect(http.StatusSeeOther, referralPath(ref.ID))
		}
	}
	return s.renderFormErrors(c, "patient_new.html", s.newPatientPage(c, f), f)
}

// readNewPatient reads the new patient and referral form (fields), with
// the checks the form makes before the store's: every value typed is kept
// in the form, whatever is wrong.
func readNewPatient(c echo.Context, fields []string) (*form, caseload.Demographics, error) {
	f := newForm(fields...)
	for _, k := range fields {
		f.Values[k] = strings.TrimSpace(c.FormValue(k))
	}
	values, err := c.FormParams()
	if err != nil {
		return nil, caseload.Demographics{}, echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	demographics := parseDemographics(values, f)
	// The patient and the referral are saved together or not at all, so a
	// mistake in the referral never leaves a patient without one.
	if f.Values["name"] == "" {
		f.Errs["name"] = "Enter the patient's full name"
	}
	f.Values["date_of_birth"] = readDate(values, f, "date_of_birth", "Date of birth")
	f.Values["received_on"] = readDate(values, f, "received_on", "The date the referral was received")
	if f.Values["date_of_birth"] == "" && f.Errs["date_of_birth"] == "" {
		f.Errs["date_of_birth"] = "Enter the patient's date of birth"
	}
	if f.Values["received_on"] == "" && f.Errs["received_on"] == "" {
		f.Errs["received_on"] = "Enter the date the referral was received"
	}
	if _, ok := measures.NormaliseDescriptor(f.Values["problem_descriptor"]); !ok {
		f.Errs["problem_descriptor"] = "Select the problem descriptor"
	}
	if i := f.Values["intensity"]; i != string(measures.LowIntensity) && i != string(measures.HighIntensity) {
		f.Errs["intensity"] = "Select low or high intensity"
	}
	return f, demographics, nil
}

// newPatientOf is the patient the new patient form describes.
func newPatientOf(c echo.Context, f *form, d caseload.Demographics) caseload.NewPatient {
	return caseload.NewPatient{
		Name:         f.Values["name"],
		DateOfBirth:  f.Values["date_of_birth"],
		NHSNumber:    f.Values["nhs_number"],
		Demographics: d,
		NotDuplicate: c.FormValue("not_duplicate") == "yes",
	}
}
