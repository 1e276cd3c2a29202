package ui

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/fhir"
	"clinic/internal/measures"
)

// FHIR R4 (issue 18): a referral's measures out as a Bundle for other NHS
// systems, and PHQ-9 or GAD-7 answers in from patient apps as a
// QuestionnaireResponse. The mapping is internal/fhir's; these handlers
// apply the referral's access rules and audit, as the JSON API does.

// fhirJSON is FHIR's JSON media type.
const fhirJSON = "application/fhir+json"

// apiReferralFHIR is GET /api/v1/referrals/:id/fhir: whoever may read the
// referral's JSON may read its Bundle, and the read is audited the same way.
func (s *Server) apiReferralFHIR(c echo.Context) error {
	_, r, err := s.referralFor(c, nil)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	d, err := s.store.ReferralDetail(ctx, r.ID)
	if err != nil {
		return err
	}
	data, err := json.Marshal(fhir.ReferralBundle(fhir.Record{Detail: d, Names: d.Names, Generated: s.clock()}))
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, fhirJSON+"; charset=utf-8", data)
}

// relayedJSON answers a QuestionnaireResponse taken: the pending
// questionnaire it became, with what measures makes of the answers.
type relayedJSON struct {
	ID          int64     `json:"id"`
	ReferralID  int64     `json:"referral_id"`
	Status      string    `json:"status"`
	SubmittedAt time.Time `json:"submitted_at"`
	Instrument  string    `json:"instrument"`
	Items       []*int    `json:"items"`
	Total       float64   `json:"total"`
	Prorated    bool      `json:"prorated"`
	Severity    *string   `json:"severity"`
	AtCaseness  *bool     `json:"at_caseness"`
	Risk        *string   `json:"risk,omitempty"`
}

// apiQuestionnaireResponseCreate is POST
// /api/v1/referrals/:id/questionnaire-responses: a patient's PHQ-9 or GAD-7
// answers from another system, kept as the patient pages keep them, waiting
// for the therapist to confirm them at a session. Whoever may record on the
// open referral may relay them (its therapist, or a supervisor of its team);
// patients' own tokens are refused like everywhere in the API.
func (s *Server) apiQuestionnaireResponseCreate(c echo.Context) error {
	u, r, err := s.referralFor(c, canChangeReferral)
	if err != nil {
		return err
	}
	data, err := readFHIRBody(c)
	if err != nil {
		return err
	}
	ans, err := fhir.ReadQuestionnaireResponse(data)
	var fe *fhir.FieldError
	var se *fhir.SyntaxError
	switch {
	case errors.As(err, &fe):
		return apiErr(http.StatusUnprocessableEntity, fe.Message, fe.Field)
	case errors.As(err, &se):
		return apiErr(http.StatusBadRequest, se.Message, se.Field)
	case err != nil:
		return err
	}
	ctx := c.Request().Context()
	if ans.SubjectNHSNumber != "" {
		p, err := s.store.Patient(ctx, r.PatientID)
		if err != nil {
			return err
		}
		if p.NHSNumber != ans.SubjectNHSNumber {
			return apiErr(http.StatusUnprocessableEntity, "the subject's NHS number is not this referral's patient's: nothing was recorded", "subject.identifier.value")
		}
	}
	q, err := s.store.RelayQuestionnaire(ctx, u, r.ID, map[measures.InstrumentID][]*int{ans.Instrument: ans.Items}, "FHIR QuestionnaireResponse")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, newRelayedJSON(q, ans.Instrument))
}

func newRelayedJSON(q caseload.Questionnaire, id measures.InstrumentID) relayedJSON {
	out := relayedJSON{ID: q.ID, ReferralID: q.ReferralID, Status: q.Status, SubmittedAt: q.SubmittedAt.UTC(), Instrument: string(id), Items: q.Answers[id]}
	for _, sc := range q.Scores() {
		if sc.Instrument != id {
			continue
		}
		out.Total, out.Prorated = sc.Total, sc.Prorated
		out.Severity = optional(measures.Severity(id, sc.Total))
		if in, ok := measures.Lookup(id); ok && in.HasCaseness {
			c := in.IsCase(sc.Total)
			out.AtCaseness = &c
		}
	}
	if id == measures.PHQ9 {
		r := measures.RiskOf(q.Item9()).String()
		out.Risk = &r
	}
	return out
}

// readFHIRBody reads a FHIR JSON body (application/fhir+json, or
// application/json), bounded like every JSON body.
func readFHIRBody(c echo.Context) ([]byte, error) {
	ct := strings.ToLower(c.Request().Header.Get("Content-Type"))
	if ct != "" && !strings.HasPrefix(ct, fhirJSON) && !strings.HasPrefix(ct, "application/json") {
		return nil, apiErr(http.StatusUnsupportedMediaType, "send the QuestionnaireResponse as application/fhir+json", "")
	}
	data, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, maxJSONBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, apiErr(http.StatusRequestEntityTooLarge, "the request body is larger than 1 MiB", "")
		}
		return nil, apiErr(http.StatusBadRequest, "the request body could not be read", "")
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, apiErr(http.StatusBadRequest, "the request body is empty: send a QuestionnaireResponse", "")
	}
	return data, nil
}
