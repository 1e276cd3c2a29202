package ui

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
)

// Receiving a referral without a therapist (issue 14): an admin (the
// service's front desk) or a supervisor types in a new referral, of a new
// patient or of one already on record, and it joins a team's waiting list,
// where a supervisor allocates it. The form is the new patient form
// (handle_patient.go), with the team; its checks are the same.

var receiveFields = append(append([]string{}, patientFields...), "team_id")

// receivePage is the new patient form, posting to /referrals/receive and
// asking for the team u may receive into.
func (s *Server) receivePage(c echo.Context, u caseload.User, f *form) (*patientNewPage, error) {
	p := s.newPatientPage(c, f)
	p.Title, p.Heading, p.Submit, p.Action, p.Receiving = "Receive a referral", "Receive a referral", "Add to the waiting list", "/referrals/receive", true
	p.Nav = "receive"
	teams, err := s.store.Teams(c.Request().Context())
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		if canReceiveInto(u, t.ID) {
			p.Teams = append(p.Teams, option{strconv.FormatInt(t.ID, 10), t.Name})
		}
	}
	if len(p.Teams) == 1 && f.Values["team_id"] == "" {
		f.Values["team_id"] = p.Teams[0].Value
	}
	return p, nil
}

// handleReceiveForm is GET /referrals/receive.
func (s *Server) handleReceiveForm(c echo.Context) error {
	u, _ := currentUser(c)
	if !canReceiveReferrals(u) {
		return echo.ErrForbidden
	}
	f := newForm(receiveFields...)
	setDate(f, "received_on", s.store.Today())
	p, err := s.receivePage(c, u, f)
	if err != nil {
		return err
	}
	if c.QueryParam("done") == "received" {
		p.Notice = "Referral received: it is on the team's waiting list."
	}
	return s.render(c, http.StatusOK, "patient_new.html", p)
}

// handleReceive is POST /referrals/receive: the patient and the waiting
// referral together, or, when the patient is already on record and the
// user says it is the same person, the referral on their record.
func (s *Server) handleReceive(c echo.Context) error {
	u, _ := currentUser(c)
	if !canReceiveReferrals(u) {
		return echo.ErrForbidden
	}
	f, demographics, err := readNewPatient(c, receiveFields)
	if err != nil {
		return err
	}
	team, _ := strconv.ParseInt(f.Values["team_id"], 10, 64)
	if !canReceiveInto(u, team) {
		f.Errs["team_id"] = "Choose the team whose waiting list the referral joins"
	}
	if len(f.Errs) == 0 {
		err = s.receive(c, u, f, demographics, team)
		var pe *caseload.PatientExistsError
		var ve *caseload.ValidationError
		switch {
		case err == nil:
			if canSeeWaitingList(u) {
				return c.Redirect(http.StatusSeeOther, "/waiting?done=received")
			}
			return c.Redirect(http.StatusSeeOther, "/referrals/receive?done=received")
		case errors.As(err, &pe):
			p, perr := s.receivePage(c, u, f)
			if perr != nil {
				return perr
			}
			return s.patientExists(c, u, f, pe, p)
		case errors.As(err, &ve):
			copyFieldErrors(f, ve, nil)
		default:
			return err
		}
	}
	p, err := s.receivePage(c, u, f)
	if err != nil {
		return err
	}
	return s.renderFormErrors(c, "patient_new.html", p, f)
}

// receive saves the form: a new patient with the waiting referral, or,
// with "existing" ticked after the store found them on record, the
// referral on the existing patient's record.
func (s *Server) receive(c echo.Context, u caseload.User, f *form, d caseload.Demographics, team int64) error {
	ctx := c.Request().Context()
	in := caseload.NewReferral{TeamID: team, ReceivedOn: f.Values["received_on"], ProblemDescriptor: f.Values["problem_descriptor"],
		Intensity: f.Values["intensity"], SourceOfReferral: f.Values["source_of_referral"]}
	_, _, err := s.store.CreatePatientWithReferral(ctx, u, newPatientOf(c, f, d), in)
	var pe *caseload.PatientExistsError
	if !errors.As(err, &pe) || c.FormValue("existing") != "yes" {
		return err
	}
	in.PatientID = pe.Existing.ID
	_, err = s.store.CreateReferral(ctx, u, in)
	return err
}
