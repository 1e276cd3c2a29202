package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

type patientRequest struct {
	Name        string `json:"name"`
	DateOfBirth string `json:"date_of_birth"`
	NHSNumber   string `json:"nhs_number"`
	demographicsRequest
	// NotDuplicate: not the patient on record with the same name and date
	// of birth.
	NotDuplicate bool `json:"not_duplicate"`
}

func (s *Server) apiPatientCreate(c echo.Context) error {
	u, _ := currentUser(c)
	if !addsReferrals(u) {
		return apiErr(http.StatusForbidden, "only therapists add patients", "")
	}
	var req patientRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.store.CreatePatient(c.Request().Context(), u, caseload.NewPatient{Name: req.Name, DateOfBirth: req.DateOfBirth, NHSNumber: req.NHSNumber, Demographics: req.demographics(), NotDuplicate: req.NotDuplicate})
	if pe := (*caseload.PatientExistsError)(nil); errors.As(err, &pe) {
		return s.apiPatientExists(c, u, pe)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, newPatientJSON(p))
}

type referralRequest struct {
	PatientID         int64  `json:"patient_id"`
	ReceivedOn        string `json:"received_on"`
	ProblemDescriptor string `json:"problem_descriptor"`
	Intensity         string `json:"intensity"`
	SourceOfReferral  string `json:"source_of_referral"`
	LTCPathway        bool   `json:"ltc_pathway"`
	// TherapistEmail (issue 14) names the therapist whose caseload it
	// joins (one of the caller's teams); omitted, a therapist's own, and a
	// supervisor's team's waiting list (TeamID, needed when they supervise
	// more than one team).
	TherapistEmail string `json:"therapist_email"`
	TeamID         int64  `json:"team_id"`
}

// apiReferralCreate puts the referral on the caseload of the token's user,
// of the therapist named, or on a supervisor's team's waiting list.
func (s *Server) apiReferralCreate(c echo.Context) error {
	u, _ := currentUser(c)
	if !addsReferrals(u) && !canSeeWaitingList(u) {
		return apiErr(http.StatusForbidden, "only therapists and supervisors receive referrals", "")
	}
	var req referralRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.PatientID <= 0 {
		return apiErr(http.StatusUnprocessableEntity, "patient_id is required", "patient_id")
	}
	pc, err := s.store.PatientCare(c.Request().Context(), req.PatientID)
	if errors.Is(err, caseload.ErrNotFound) || (err == nil && !canReferPatient(u, pc)) {
		return apiErr(http.StatusUnprocessableEntity, "no patient has this id", "patient_id")
	}
	if err != nil {
		return err
	}
	in := caseload.NewReferral{
		PatientID:         req.PatientID,
		ReceivedOn:        req.ReceivedOn,
		ProblemDescriptor: req.ProblemDescriptor,
		Intensity:         req.Intensity,
		SourceOfReferral:  req.SourceOfReferral,
		LTCPathway:        req.LTCPathway,
	}
	if err := s.referralHolder(c, u, req, &in); err != nil {
		return err
	}
	r, err := s.store.CreateReferral(c.Request().Context(), u, in)
	if errors.Is(err, caseload.ErrNotFound) {
		return apiErr(http.StatusUnprocessableEntity, "no patient has this id", "patient_id")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, newReferralJSON(r))
}

// apiReferralShow answers from the referral as kept or read afresh
// (api_referral_cache.go), deciding on access from the user of the moment
// and auditing the view before anything is sent. A kept answer is as fresh
// as a read at the request's start for this process's writes, but another
// process's commit is noticed only when the audit row is written: if the
// store's Version has moved by then, the answer is read again and access
// decided again, so nothing sent is older than the audit row (issue 17).
// The same holds for a token kept between writes (access.go): if the
// AccessVersion moved since it was kept, it is checked in the database
// again and access decided again for the user it then belongs to.
func (s *Server) apiReferralShow(c echo.Context) error {
	u, _ := currentUser(c)
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	v, settled := s.store.Version()
	k, kept := s.referrals.get(id, v)
	kept = kept && settled
	if !kept {
		if k, err = s.readReferral(ctx, id); err != nil {
			return err
		}
	}
	if err := s.admitReferral(c, u, k.referral, nil); err != nil {
		return err
	}
	u, rechecked, err := s.confirmKeptToken(c)
	if err != nil {
		return err
	}
	if now, _ := s.store.Version(); (kept && now != v) || rechecked {
		if k, err = s.readReferral(ctx, id); err != nil {
			return err
		}
		if _, _, err := s.decideReferral(c, u, k.referral, nil); err != nil {
			return err
		}
	}
	return c.JSONBlob(http.StatusOK, k.body)
}

func (s *Server) apiReferralOutcome(c echo.Context) error {
	_, r, err := s.referralFor(c, nil)
	if err != nil {
		return err
	}
	d, err := s.store.ReferralDetail(c.Request().Context(), r.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newOutcomeJSON(d.Outcome, d.Referral.ProblemDescriptor))
}

type endRequest struct {
	Date    string `json:"date"`
	Reason  string `json:"reason"`
	EndCode string `json:"end_code"`
	// With open risk alerts or unconfirmed patient answers (issue 11).
	RiskAcknowledged bool   `json:"risk_acknowledged"`
	RiskNote         string `json:"risk_note"`
}

func (s *Server) apiReferralEnd(c echo.Context) error {
	u, r, err := s.referralFor(c, canChangeReferral)
	if err != nil {
		return err
	}
	var req endRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ended, err := s.store.EndReferral(c.Request().Context(), u, r.ID, req.Date, req.Reason, req.EndCode, caseload.EndRisk{Acknowledged: req.RiskAcknowledged, Note: req.RiskNote})
	if er := (*caseload.EndingRiskError)(nil); errors.As(err, &er) {
		return apiErr(http.StatusConflict, er.Error()+`: send "risk_acknowledged": true and a "risk_note" of the action taken`, "risk_acknowledged")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newReferralJSON(ended))
}

type contactRequest struct {
	Date         string                     `json:"date"`
	Kind         string                     `json:"kind"`
	Attendance   string                     `json:"attendance"`
	Scores       map[string]json.RawMessage `json:"scores"`
	SubmissionID string                     `json:"submission_id"`
	contactDatasetRequest
}

type scoreRequest struct {
	Items []json.RawMessage `json:"items"`
	Total json.RawMessage   `json:"total"`
}

// apiContactCreate decides on access from the referral as the save reads
// it on its snapshot (RecordContactAdmitted), before the contact is
// checked: one read of the referral a save rather than two (issue 17). A
// body that cannot be decoded is answered only once access is decided, as
// on every route of a referral. A token kept between writes
// (keptSaveRoute) is confirmed by the save itself before it writes
// (RecordContactKept), or checked in the database and the save made again
// for the user it names now.
func (s *Server) apiContactCreate(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	nc, err := decodeContactRequest(c)
	if err != nil {
		// Nothing will be written to confirm a kept token by: check it now.
		if _, kept := c.Get(keptTokenKey).(uint64); kept {
			if _, refused := s.recheckToken(c); refused != nil {
				return refused
			}
		}
		if _, _, refused := s.referralFor(c, canChangeReferral); refused != nil {
			return refused
		}
		return err
	}
	save := func() (caseload.Contact, int64, error) {
		u, _ := currentUser(c)
		admit := func(r caseload.Referral) error { return s.admitReferral(c, u, r, canChangeReferral) }
		if v, kept := c.Get(keptTokenKey).(uint64); kept {
			return s.store.RecordContactKept(c.Request().Context(), u, id, nc, admit, v)
		}
		return s.store.RecordContactAdmitted(c.Request().Context(), u, id, nc, admit)
	}
	// The save names the contact's risk alert itself: no second read.
	ct, alert, err := save()
	if errors.Is(err, caseload.ErrAccessMoved) {
		if _, refused := s.recheckToken(c); refused != nil {
			return refused
		}
		ct, alert, err = save()
	}
	if errors.Is(err, caseload.ErrAlreadyRecorded) {
		return apiErr(http.StatusConflict, fmt.Sprintf("this submission_id was already recorded, as contact %d: nothing was recorded again", ct.ID), "submission_id")
	}
	if err != nil {
		return err
	}
	out := newContactJSON(ct)
	out.RiskAlertID = alert
	return c.JSON(http.StatusCreated, out)
}

// decodeContactRequest reads the contact of an API request.
func decodeContactRequest(c echo.Context) (caseload.NewContact, error) {
	var req contactRequest
	if err := decodeJSON(c, &req); err != nil {
		return caseload.NewContact{}, err
	}
	nc := caseload.NewContact{
		Date:         req.Date,
		Kind:         req.Kind,
		Attendance:   req.Attendance,
		Source:       caseload.SourceTherapist,
		SubmissionID: req.SubmissionID,
		Scores:       map[measures.InstrumentID]caseload.ScoreInput{},
	}
	req.contactDatasetRequest.fill(&nc)
	for _, id := range slices.Sorted(maps.Keys(req.Scores)) {
		in, err := decodeScore(id, req.Scores[id])
		if err != nil {
			return caseload.NewContact{}, err
		}
		nc.Scores[measures.InstrumentID(id)] = in
	}
	return nc, nil
}

// decodeScore reads one questionnaire of a contact, naming the exact item
// at fault ("scores.phq9.items.4", 1-based as on the form).
func decodeScore(id string, raw json.RawMessage) (caseload.ScoreInput, error) {
	prefix := "scores." + id
	if _, ok := measures.Lookup(measures.InstrumentID(id)); !ok {
		return caseload.ScoreInput{}, apiErr(http.StatusUnprocessableEntity, fmt.Sprintf("unknown instrument %q", id), prefix)
	}
	var sr scoreRequest
	if err := decodeStrict(raw, &sr, prefix+"."); err != nil {
		return caseload.ScoreInput{}, err
	}
	var in caseload.ScoreInput
	if sr.Items != nil {
		in.Items = make([]*int, len(sr.Items))
		for i, it := range sr.Items {
			if string(it) == "null" {
				continue
			}
			if a, ok := plainAnswer(it); ok {
				in.Items[i] = &a
				continue
			}
			var a int
			if err := json.Unmarshal(it, &a); err != nil {
				field := fmt.Sprintf("%s.items.%d", prefix, i+1)
				return in, apiErr(http.StatusBadRequest, fmt.Sprintf("%s must be a whole number or null", field), field)
			}
			in.Items[i] = &a
		}
	}
	if len(sr.Total) > 0 && string(sr.Total) != "null" {
		var t float64
		if err := json.Unmarshal(sr.Total, &t); err != nil {
			return in, apiErr(http.StatusBadRequest, prefix+".total must be a number", prefix+".total")
		}
		in.Total = &t
	}
	return in, nil
}

// plainAnswer reads an answer that is a JSON integer of at most 9 digits,
// as every form and client sends one, without encoding/json (issue 17: a
// call of its reflection per answer was a fifth of decoding a save); false
// for anything else, which json.Unmarshal then reads or refuses as before.
// The raw value is valid JSON already (the request was decoded), so it has
// no leading zeros.
func plainAnswer(raw json.RawMessage) (int, bool) {
	digits := raw
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 9 {
		return 0, false
	}
	v := 0
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	if len(digits) != len(raw) {
		v = -v
	}
	return v, true
}
