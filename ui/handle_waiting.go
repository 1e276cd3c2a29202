package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// The waiting list and moving a referral (issue 14): a supervisor's teams'
// referrals waiting for a therapist, oldest first, and one form that
// allocates a waiting referral or steps up, steps down or transfers an
// open one. Who may do what is access.go's.

type waitingRow struct {
	ReferralID  int64
	Patient     string
	Descriptor  string
	Intensity   string
	ReceivedOn  string
	DaysWaiting int
	Risk        measures.Risk
	Alerts      []riskAlertView // open, each linked to where it is on the referral
}

type waitingPage struct {
	basePage
	Rows []waitingRow
	// Orphaned are open referrals of the teams held by disabled accounts:
	// to be moved to a therapist who can see the patient (issue 14).
	Orphaned []caseload.Referral
	Notice   string // what was just done
}

// daysBetween counts the days from one YYYY-MM-DD date to another.
func daysBetween(from, to string) int {
	a, errA := parseDate(from)
	b, errB := parseDate(to)
	if errA != nil || errB != nil {
		return 0
	}
	return int(b.Sub(a).Hours() / 24)
}

// handleWaitingList is GET /waiting, a supervisor's teams' waiting list.
func (s *Server) handleWaitingList(c echo.Context) error {
	u, _ := currentUser(c)
	if !canSeeWaitingList(u) {
		return echo.ErrForbidden
	}
	rows, err := s.store.WaitingList(c.Request().Context(), u.Teams)
	if err != nil {
		return err
	}
	p := waitingPage{basePage: s.base(c, "Waiting list")}
	p.Nav = "waiting"
	if c.QueryParam("done") == "received" {
		p.Notice = "Referral received: it is on the waiting list."
	}
	today := s.store.Today()
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		p.Rows = append(p.Rows, waitingRow{ReferralID: r.Referral.ID, Patient: r.Referral.PatientName,
			Descriptor: measures.DescriptorLabel(r.Referral.ProblemDescriptor), Intensity: intensityLabel(r.Referral.Intensity),
			ReceivedOn: r.Referral.ReceivedOn, DaysWaiting: daysBetween(r.Referral.ReceivedOn, today), Risk: measures.RiskOf(r.Outcome.LatestItem9),
			Alerts: newRiskAlertViews(u, r.Alerts)})
		ids = append(ids, r.Referral.ID)
	}
	if p.Orphaned, err = s.store.DisabledHoldingIn(c.Request().Context(), u.Teams); err != nil {
		return err
	}
	for _, r := range p.Orphaned {
		ids = append(ids, r.ID)
	}
	if err := s.recordListView(c, u, "waiting list", ids); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "waiting.html", &p)
}

var moveFields = []string{"therapist_id", "intensity", "reason"}

type movePage struct {
	basePage
	Referral    caseload.Referral
	Form        *form
	Therapists  []option
	Intensities []option
}

func (s *Server) movePage(c echo.Context, u caseload.User, r caseload.Referral, f *form) (*movePage, error) {
	title := "Move this referral"
	if r.Waiting {
		title = "Allocate this referral"
	}
	p := &movePage{basePage: s.base(c, title), Referral: r, Form: f, Intensities: intensityOptions}
	therapists, err := s.store.TeamTherapists(c.Request().Context(), moveTeams(u))
	if err != nil {
		return nil, err
	}
	p.Therapists = activeTherapistOptions(therapists)
	return p, nil
}

// activeTherapistOptions offers the therapists whose accounts are enabled,
// named with their team: to whom a case may be moved, or who may cover.
func activeTherapistOptions(therapists []caseload.User) []option {
	var out []option
	for _, t := range therapists {
		if !t.Disabled {
			out = append(out, option{strconv.FormatInt(t.ID, 10), t.Name + " (" + t.TeamName + ")"})
		}
	}
	return out
}

// handleMoveForm is GET /referrals/:id/move. A supervision review's "step
// up" or "step down" arrives here with the intensity and reason filled in.
func (s *Server) handleMoveForm(c echo.Context) error {
	u, r, err := s.referralFor(c, canMoveReferral)
	if err != nil {
		return err
	}
	f := newForm(moveFields...)
	f.Values["intensity"] = string(r.Intensity)
	if i := c.QueryParam("intensity"); i == string(measures.LowIntensity) || i == string(measures.HighIntensity) {
		f.Values["intensity"] = i
	}
	f.Values["reason"] = c.QueryParam("reason")
	if !r.Waiting {
		f.Values["therapist_id"] = strconv.FormatInt(r.TherapistID, 10)
	}
	p, err := s.movePage(c, u, r, f)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "referral_move.html", p)
}

// handleMove is POST /referrals/:id/move.
func (s *Server) handleMove(c echo.Context) error {
	u, r, err := s.referralFor(c, canMoveReferral)
	if err != nil {
		return err
	}
	f := newForm(moveFields...)
	for _, k := range moveFields {
		f.Values[k] = strings.TrimSpace(c.FormValue(k))
	}
	id, _ := strconv.ParseInt(f.Values["therapist_id"], 10, 64)
	err = s.moveTo(c, u, r, id, f.Values["intensity"], f.Values["reason"])
	var ve *caseload.ValidationError
	switch {
	case err == nil:
		if canSeeWaitingList(u) && r.Waiting {
			return c.Redirect(http.StatusSeeOther, "/waiting")
		}
		return c.Redirect(http.StatusSeeOther, referralPath(r.ID))
	case errors.As(err, &ve):
		copyFieldErrors(f, ve, nil)
	default:
		return err
	}
	p, err := s.movePage(c, u, r, f)
	if err != nil {
		return err
	}
	return s.renderFormErrors(c, "referral_move.html", p, f)
}

// moveTo moves r to the therapist with this id when u may move it there;
// a therapist u may not move it to is a field error on therapist_id.
func (s *Server) moveTo(c echo.Context, u caseload.User, r caseload.Referral, therapistID int64, intensity, reason string) error {
	if therapistID != 0 {
		target, err := s.store.User(c.Request().Context(), therapistID)
		if err != nil && !errors.Is(err, caseload.ErrNotFound) {
			return err
		}
		if err != nil || !canMoveTo(u, target) {
			return &caseload.ValidationError{Fields: map[string]string{"therapist_id": "Choose a therapist of your team"}}
		}
	}
	_, err := s.store.MoveReferral(c.Request().Context(), u, r.ID, caseload.NewMove{TherapistID: therapistID, Intensity: intensity, Reason: reason})
	return err
}

type transferRequest struct {
	TherapistEmail string `json:"therapist_email"`
	Intensity      string `json:"intensity"`
	Reason         string `json:"reason"`
}

// apiReferralTransfer is POST /api/v1/referrals/:id/transfer: 404 where the
// caller may not see the referral, 403 where they may see but not move it,
// 422 for an unknown therapist or one outside the caller's teams.
func (s *Server) apiReferralTransfer(c echo.Context) error {
	u, r, err := s.referralFor(c, canMoveReferral)
	if err != nil {
		return err
	}
	var req transferRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	target, err := s.store.TherapistByEmail(c.Request().Context(), req.TherapistEmail)
	if errors.Is(err, caseload.ErrNotFound) || (err == nil && !canMoveTo(u, target)) {
		return apiErr(http.StatusUnprocessableEntity, fmt.Sprintf("no therapist of your teams has the email %q", req.TherapistEmail), "therapist_email")
	}
	if err != nil {
		return err
	}
	if _, err := s.store.MoveReferral(c.Request().Context(), u, r.ID, caseload.NewMove{TherapistID: target.ID, Intensity: req.Intensity, Reason: req.Reason}); err != nil {
		return err
	}
	moved, err := s.store.Referral(c.Request().Context(), r.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newReferralJSON(moved))
}

// moveLabel names a move kind.
func moveLabel(kind string) string {
	switch kind {
	case caseload.MoveAllocate:
		return "Allocated"
	case caseload.MoveStepUp:
		return "Stepped up"
	case caseload.MoveStepDown:
		return "Stepped down"
	}
	return "Transferred"
}

// reviewMove is where a recorded supervision review leads when it decides
// a move: a "step up" or "step down" decision goes straight to the move
// form, filled in, so that the decision is carried out in one step. ""
// for any other decision, or a referral u may not move.
func reviewMove(u caseload.User, r caseload.Referral, decision string) string {
	to := map[string]measures.Intensity{"step_up": measures.HighIntensity, "step_down": measures.LowIntensity}[decision]
	if to == "" || !canMoveReferral(u, r) {
		return ""
	}
	label := map[string]string{"step_up": "step up", "step_down": "step down"}[decision]
	return fmt.Sprintf("/referrals/%d/move?intensity=%s&reason=%s", r.ID, to, url.QueryEscape("Supervision review: "+label))
}

// referralHolder fills in whose a referral received through the API is:
// the therapist named by e-mail (one the caller may move referrals to),
// the calling therapist, or the calling supervisor's team's waiting list.
func (s *Server) referralHolder(c echo.Context, u caseload.User, req referralRequest, in *caseload.NewReferral) error {
	if req.TherapistEmail != "" {
		target, err := s.store.TherapistByEmail(c.Request().Context(), req.TherapistEmail)
		if errors.Is(err, caseload.ErrNotFound) || (err == nil && !canMoveTo(u, target)) {
			return apiErr(http.StatusUnprocessableEntity, fmt.Sprintf("no therapist of your teams has the email %q", req.TherapistEmail), "therapist_email")
		}
		in.TherapistID = target.ID
		return err
	}
	if addsReferrals(u) {
		in.TherapistID = u.ID
		return nil
	}
	switch {
	case req.TeamID != 0 && canReceiveInto(u, req.TeamID):
		in.TeamID = req.TeamID
	case req.TeamID == 0 && len(u.Teams) == 1:
		in.TeamID = u.Teams[0]
	default:
		return apiErr(http.StatusUnprocessableEntity, "team_id must be one of the teams you supervise", "team_id")
	}
	return nil
}
