package ui

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// TestWaitingListAllocateStepUp: a supervisor receives a referral through
// the API without a therapist, finds it on the waiting list with its days
// waiting, allocates it to a PWP; a supervision review's "step up" leads to
// the move form filled in, and the move to a CBT therapist shows on the
// referral as history; each move is audited.
func TestWaitingListAllocateStepUp(t *testing.T) {
	e, r := searchFixture(t) // Ann Example, Tara's ended referral
	ctx := context.Background()
	status, m, raw := e.api("POST", "/api/v1/referrals", e.token(e.supervisor),
		`{"patient_id": `+itoa(r.PatientID)+`, "received_on": "2026-03-02", "problem_descriptor": "F32", "intensity": "low"}`)
	if status != http.StatusCreated {
		t.Fatalf("receive: %d %s", status, raw)
	}
	id := int64(m["id"].(float64))
	sue := e.signedIn(e.supervisor)
	p := sue.get("/waiting")
	for _, want := range []string{"Ann Example", "2 March 2026", ">14<", `href="/referrals/` + itoa(id) + `/move"`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the waiting list lacks %q", want)
		}
	}
	if p := sue.post("/referrals/"+itoa(id)+"/move", url.Values{"therapist_id": {itoa(e.south.ID)}, "intensity": {"low"}}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Choose a therapist of your team") {
		t.Errorf("allocating to another team's therapist: %d", p.Status)
	}
	if p := sue.post("/referrals/"+itoa(id)+"/move", url.Values{"therapist_id": {itoa(e.therapist.ID)}, "intensity": {"low"}}); p.Status != http.StatusSeeOther || p.Location != "/waiting" {
		t.Fatalf("allocate: %d %s", p.Status, p.Location)
	}
	if p := sue.get("/waiting"); strings.Contains(p.Body, "Ann Example") {
		t.Errorf("still on the waiting list after allocation")
	}
	if p := e.signedIn(e.therapist).get("/"); !strings.Contains(p.Body, "Ann Example") {
		t.Errorf("not on Tara's caseload after allocation")
	}
	p = sue.post("/referrals/"+itoa(id)+"/reviews", url.Values{"date": {"2026-03-16"}, "decision": {"step_up"}, "note": {"No change at four sessions"}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/referrals/"+itoa(id)+"/move?intensity=high") {
		t.Fatalf("a step-up review leads to %d %q, want the move form", p.Status, p.Location)
	}
	if form := sue.get(p.Location); !strings.Contains(form.Body, "Supervision review: step up") || !strings.Contains(form.Body, `value="high" checked`) {
		t.Errorf("the move form is not filled in from the review")
	}
	if p := sue.post("/referrals/"+itoa(id)+"/move", url.Values{"therapist_id": {itoa(e.colleague.ID)}, "intensity": {"high"}, "reason": {"Supervision review: step up"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("step up: %d", p.Status)
	}
	page := e.signedIn(e.colleague).get("/referrals/" + itoa(id))
	for _, want := range []string{"History of care", "Allocated", "Stepped up", "Tara Therapist, low intensity", "Colin Colleague, high intensity", "Supervision review: step up"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("Colin's referral page lacks %q", want)
		}
	}
	audit, err := e.store.SearchAudit(ctx, caseload.AuditQuery{Action: caseload.AuditMoveReferral, ReferralID: id})
	if err != nil {
		t.Fatal(err)
	}
	if len(audit.Entries) != 2 || audit.Entries[0].UserID != e.supervisor.ID {
		t.Errorf("moves audited: %+v", audit.Entries)
	}
}

// TestAPITransfer: POST /api/v1/referrals/:id/transfer moves a referral
// to a therapist of the caller's teams; 422 for an unknown therapist or one
// outside them, 404 for a caller who may not see the referral.
func TestAPITransfer(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Ann Example", "F41.1")
	path := "/api/v1/referrals/" + itoa(r.ID) + "/transfer"
	body := func(email string) string {
		return `{"therapist_email": "` + email + `", "intensity": "high", "reason": "Needs CBT"}`
	}
	for _, tc := range []struct {
		name   string
		token  string
		body   string
		status int
		field  string
	}{
		{"an unknown therapist", e.token(e.supervisor), body("nobody@example.nhs.uk"), http.StatusUnprocessableEntity, "therapist_email"},
		{"a therapist outside the supervisor's teams", e.token(e.supervisor), body(e.south.Email), http.StatusUnprocessableEntity, "therapist_email"},
		{"a therapist who may not see the referral", e.token(e.south), body(e.colleague.Email), http.StatusNotFound, ""},
		{"no reason", e.token(e.supervisor), `{"therapist_email": "` + e.colleague.Email + `", "intensity": "high"}`, http.StatusUnprocessableEntity, "reason"},
		{"to a colleague, stepped up", e.token(e.supervisor), body(e.colleague.Email), http.StatusOK, ""},
		{"the former therapist no longer sees it", e.token(e.therapist), body(e.therapist.Email), http.StatusNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, m, raw := e.api("POST", path, tc.token, tc.body)
			if status != tc.status || (tc.field != "" && m["field"] != tc.field) {
				t.Errorf("%d %s, want %d on %q", status, raw, tc.status, tc.field)
			}
		})
	}
	moved, err := e.store.Referral(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if moved.TherapistID != e.colleague.ID || moved.Intensity != "high" {
		t.Errorf("after the transfer: %+v", moved)
	}
}

// TestTherapistMovesOwnCase: a therapist may transfer their own open case
// to a colleague of their team (not to another team), and then no longer
// sees it; the colleague does.
func TestTherapistMovesOwnCase(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Ann Example", "F41.1")
	tara := e.signedIn(e.therapist)
	path := "/referrals/" + itoa(r.ID) + "/move"
	if p := tara.post(path, url.Values{"therapist_id": {itoa(e.south.ID)}, "intensity": {"low"}, "reason": {"Moving house"}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("to another team's therapist: %d, want 422", p.Status)
	}
	if p := tara.post(path, url.Values{"therapist_id": {itoa(e.colleague.ID)}, "intensity": {"low"}, "reason": {"Caseload balance"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("to a colleague: %d %s", p.Status, errorSummaryText(p.Body))
	}
	if p := tara.get("/referrals/" + itoa(r.ID)); p.Status != http.StatusNotFound {
		t.Errorf("Tara after the transfer: %d, want 404", p.Status)
	}
	if p := e.signedIn(e.colleague).get("/referrals/" + itoa(r.ID)); p.Status != http.StatusOK || !strings.Contains(p.Body, "Transferred") || !strings.Contains(p.Body, "Caseload balance") {
		t.Errorf("Colin after the transfer: %d, or no history", p.Status)
	}
}

// TestWaitingListShowsOpenRiskAlerts: a waiting referral whose patient
// answered question 9 above 0 shows each open risk alert on the waiting
// list, linked to the alert on the referral; once acknowledged it goes.
func TestWaitingListShowsOpenRiskAlerts(t *testing.T) {
	e, r := searchFixture(t)
	ctx := context.Background()
	waiting, err := e.store.CreateReferral(ctx, e.supervisor, caseload.NewReferral{PatientID: r.PatientID, TeamID: e.supervisor.Teams[0],
		ReceivedOn: "2026-03-02", ProblemDescriptor: "F32", Intensity: "low"})
	if err != nil || !waiting.Waiting {
		t.Fatalf("receive: %+v %v", waiting, err)
	}
	if _, err := e.store.RecordContact(ctx, e.supervisor, waiting.ID, caseload.NewContact{Date: "2026-03-03", Kind: "assessment", Attendance: "attended",
		Scores: map[measures.InstrumentID]caseload.ScoreInput{measures.PHQ9: {Items: ints(2, 2, 2, 2, 2, 2, 2, 2, 2)}}}); err != nil {
		t.Fatal(err)
	}
	alerts, err := e.store.RiskAlerts(ctx, caseload.RiskAlertFilter{ReferralID: waiting.ID, OpenOnly: true})
	if err != nil || len(alerts) != 1 {
		t.Fatalf("alerts: %+v %v", alerts, err)
	}
	sue := e.signedIn(e.supervisor)
	p := sue.get("/waiting")
	link := `href="/referrals/` + itoa(waiting.ID) + `#risk-alert-` + itoa(alerts[0].ID) + `"`
	for _, want := range []string{link, "High priority risk alert", "question 9 answered 2"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the waiting list lacks %q", want)
		}
	}
	if page := sue.get("/referrals/" + itoa(waiting.ID)); !strings.Contains(page.Body, `id="risk-alert-`+itoa(alerts[0].ID)+`"`) {
		t.Errorf("the referral page has no anchor for the alert the waiting list links to")
	}
	if _, err := e.store.AcknowledgeRiskAlert(ctx, e.supervisor, alerts[0].ID, "Called the patient; safety plan agreed"); err != nil {
		t.Fatal(err)
	}
	if p := sue.get("/waiting"); strings.Contains(p.Body, link) || !strings.Contains(p.Body, "Ann Example") {
		t.Errorf("an acknowledged alert is still listed, or the referral went")
	}
}
