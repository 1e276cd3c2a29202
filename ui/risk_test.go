package ui

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

func addRiskSamples(t *testing.T, samples map[string]any, base basePage, f *form) {
	t.Helper()
	u := *base.User
	open := newRiskAlertView(u, caseload.RiskAlert{ID: 4, ReferralID: 7, Source: caseload.RiskFromPatient, AnsweredOn: "2026-03-16",
		AnsweredAt: time.Date(2026, 3, 16, 10, 15, 0, 0, time.UTC), Item9: 2, Priority: measures.PriorityHigh, PatientName: "Pat", TherapistID: u.ID, TherapistName: "Tara", ReferralOpen: true})
	done := newRiskAlertView(u, caseload.RiskAlert{ID: 5, ReferralID: 7, Source: caseload.RiskFromSession, AnsweredOn: "2026-03-09", Item9: 1,
		Priority: measures.PriorityStandard, PatientName: "Pat", TherapistName: "Tara", AcknowledgedAt: time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC),
		AcknowledgedByName: "Sue", AckNote: "Risk assessed"})
	ref := caseload.Referral{ID: 7, PatientName: "Pat", ReceivedOn: "2026-01-05", ProblemDescriptor: "F32", Intensity: "low", EndedOn: "2026-03-02", EndReason: "completed"}
	samples["duty_list.html"] = &dutyListPage{basePage: base, Open: []riskAlertView{open}, Recent: []riskAlertView{done}, Days: dutyRecentDays}
	samples["risk_alert_ack.html"] = &riskAckPage{basePage: base, Alert: open, Form: f, Next: "/duty"}
	samples["referral_reopen.html"] = &referralReopenPage{basePage: base, Referral: ref, Deadline: caseload.ReopenDeadline(ref), Form: f}
	samples["admin_urgent_contact.html"] = &urgentContactPage{basePage: base, Form: f, Saved: true}
}

// alertIDs are the alerts a page lists, in order.
func alertIDs(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`data-alert="(\d+)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// A patient's answer of 2 to question 9 reaches the team at once: the next
// request of the supervisor (no weekly review, no therapist in between)
// shows it on the duty list, and it tops the therapist's caseload and the
// weekly review, with the banner naming the answer's true source.
func TestPatientAnswerReachesDutyListAtOnce(t *testing.T) {
	e := newTestEnv(t)
	quiet := e.referral(e.therapist, "Quinn Quiet", "F32")
	r := e.referral(e.therapist, "Ria Risk", "F32")
	if _, err := e.store.RecordContact(context.Background(), e.therapist, r.ID, caseload.NewContact{Date: "2026-03-09", Kind: "assessment", Attendance: "attended",
		Scores: map[measures.InstrumentID]caseload.ScoreInput{measures.PHQ9: {Items: ints(1, 1, 1, 1, 1, 0, 0, 0, 0)}}}); err != nil {
		t.Fatal(err)
	}
	pat := e.patientOf(r, "ria@example.com")
	sup := e.signedIn(e.supervisor)
	if ids := alertIDs(sup.get("/duty").Body); len(ids) != 0 {
		t.Fatalf("duty list before any answer: %v", ids)
	}
	submitAnswers(t, pat, r, "111111112", "1111111")

	duty := sup.get("/duty")
	if duty.Status != http.StatusOK || len(alertIDs(duty.Body)) != 1 {
		t.Fatalf("duty list after the patient's answer: %d %v", duty.Status, alertIDs(duty.Body))
	}
	for _, want := range []string{"Ria Risk", "High priority", "answered <strong>2 (more than half the days)</strong>", "the patient&#39;s own answers sent 16 March 2026 at 10:00", "Tara Therapist"} {
		if !strings.Contains(duty.Body, want) {
			t.Errorf("duty list lacks %q", want)
		}
	}
	// Colleagues of other teams do not see it; the therapist does.
	if ids := alertIDs(e.signedIn(e.south).get("/duty").Body); len(ids) != 0 {
		t.Errorf("a therapist of another team sees %v", ids)
	}
	th := e.signedIn(e.therapist)
	caseloadPage := th.get("/").Body
	i, j := strings.Index(caseloadPage, `id="risk-alerts"`), strings.Index(caseloadPage, "app-caseload")
	if i < 0 || j < 0 || i > j || !strings.Contains(caseloadPage[i:j], "Ria Risk") || strings.Contains(caseloadPage[i:j], quiet.PatientName) {
		t.Errorf("the alert is not at the top of the caseload (alerts at %d, table at %d)", i, j)
	}
	review := sup.get("/review").Body
	if i, j := strings.Index(review, `id="risk-alerts"`), strings.Index(review, "Cases to discuss"); i < 0 || i > j {
		t.Errorf("the alert is not at the top of the weekly review")
	}
	// The banner tells the truth: the answer came from the patient on
	// 16 March, not from the session of 9 March.
	page := th.get(referralPath(r.ID)).Body
	if !strings.Contains(page, "High priority: risk review today") || !strings.Contains(page, "in the patient&#39;s own answers sent 16 March 2026 at 10:00") {
		t.Errorf("the banner does not name the answer's source and date")
	}
	if strings.Contains(page, "9 March 2026)") || strings.Contains(page, "The latest PHQ-9 (") {
		t.Errorf("the banner still names the session")
	}
	// Audited: the alert's opening, and the duty list as a view.
	res, err := e.store.SearchAudit(context.Background(), caseload.AuditQuery{Action: caseload.AuditOpenRiskAlert})
	if err != nil || len(res.Entries) != 1 {
		t.Errorf("open_risk_alert audit rows: %+v %v", res.Entries, err)
	}
}

// Ending with an open alert and unconfirmed answers: refused with the
// check-your-answers page, refused without a note, accepted with both; the
// supervisor then sees the alert acknowledged.
func TestEndingRefusedThenAccepted(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Eli Ending", "F32")
	pat := e.patientOf(r, "eli@example.com")
	submitAnswers(t, pat, r, "111111113", "1111111")
	th := e.signedIn(e.therapist)

	form := th.get(referralPath(r.ID) + "/end")
	for _, want := range []string{"Check before ending", "open risk alerts", "PHQ-9 question 9 answered 3 (nearly every day)", "The patient sent answers that no session has confirmed", `name="risk_acknowledged"`} {
		if !strings.Contains(form.Body, want) {
			t.Errorf("end form lacks %q", want)
		}
	}
	end := url.Values{"date": {"2026-03-16"}, "reason": {"completed"}}
	p := th.post(referralPath(r.ID)+"/end", end)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Tick to confirm") || !strings.Contains(p.Body, `name="date_day" type="text" value="16"`) || !strings.Contains(p.Body, `name="date_month" type="text" value="3"`) {
		t.Fatalf("ending without the tick: %d %s", p.Status, errorSummaryOf(p.Body))
	}
	end.Set("risk_acknowledged", "yes")
	p = th.post(referralPath(r.ID)+"/end", end)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Say what was done about the risk") || !strings.Contains(p.Body, `checked`) {
		t.Fatalf("ending without a note: %d %s", p.Status, errorSummaryOf(p.Body))
	}
	if got, _ := e.store.Referral(context.Background(), r.ID); !got.Open() {
		t.Fatal("a refused ending ended the referral")
	}
	end.Set("risk_note", "Called the patient: risk assessed, safety plan in place, GP informed")
	p = th.post(referralPath(r.ID)+"/end", end)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("ending with the acknowledgement: %d %s", p.Status, errorSummaryOf(p.Body))
	}
	duty := e.signedIn(e.supervisor).get("/duty").Body
	i := strings.Index(duty, `id="recent"`)
	if i < 0 || !strings.Contains(duty[i:], "Eli Ending") || !strings.Contains(duty[i:], "Acknowledged") || !strings.Contains(duty[i:], "At the ending: Called the patient") {
		t.Errorf("the supervisor does not see the alert acknowledged")
	}
	if strings.Contains(duty[:i], "data-alert=") {
		t.Errorf("the alert is still open on the duty list")
	}
	show := th.get(referralPath(r.ID)).Body
	if !strings.Contains(show, "Reopen referral") || !strings.Contains(show, "At the ending: Called the patient") {
		t.Errorf("the ended referral page lacks the acknowledged alert or the reopen button")
	}
}

func TestAcknowledgeFromDutyList(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Ada Alert", "F32")
	ct, err := e.store.RecordContact(context.Background(), e.therapist, r.ID, caseload.NewContact{Date: "2026-03-16", Kind: "assessment", Attendance: "attended",
		Scores: map[measures.InstrumentID]caseload.ScoreInput{measures.PHQ9: {Items: ints(1, 1, 1, 1, 1, 1, 1, 1, 1)}}})
	if err != nil {
		t.Fatal(err)
	}
	id, err := e.store.ContactRiskAlertID(context.Background(), ct.ID)
	if err != nil || id == 0 {
		t.Fatalf("alert: %d %v", id, err)
	}
	path := "/risk-alerts/" + itoa(id) + "/acknowledge"
	if p := e.signedIn(e.colleague).post(path, url.Values{"note": {"done"}}); p.Status != http.StatusNotFound {
		t.Errorf("a colleague acknowledging: %d, want 404", p.Status)
	}
	sup := e.signedIn(e.supervisor)
	p := sup.post(path, url.Values{"note": {"  "}, "next": {"/duty"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Say what was done about the risk") {
		t.Fatalf("empty note: %d", p.Status)
	}
	p = sup.post(path, url.Values{"note": {"Risk assessed by phone"}, "next": {"/duty"}})
	if p.Status != http.StatusSeeOther || p.Location != "/duty" {
		t.Fatalf("acknowledge: %d %q", p.Status, p.Location)
	}
	show := e.signedIn(e.therapist).get(referralPath(r.ID)).Body
	if !strings.Contains(show, "Acknowledged</strong> by Sue Supervisor") || !strings.Contains(show, "Risk assessed by phone") || !strings.Contains(show, "the session of 16 March 2026") {
		t.Errorf("the referral page does not show the acknowledgement")
	}
	// A second acknowledgement (a colleague's page was stale) changes nothing.
	if p := sup.post(path, url.Values{"note": {"again"}}); p.Status != http.StatusSeeOther {
		t.Errorf("second acknowledgement: %d", p.Status)
	}
	a, _ := e.store.RiskAlert(context.Background(), id)
	if a.AckNote != "Risk assessed by phone" {
		t.Errorf("note after a second acknowledgement: %q", a.AckNote)
	}
}

func TestRiskAlertAPI(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Api Alert", "F32")
	tok, colTok, supTok := e.token(e.therapist), e.token(e.colleague), e.token(e.supervisor)
	contacts := "/api/v1/referrals/" + itoa(r.ID) + "/contacts"
	status, c, raw := e.api("POST", contacts, tok, `{"date":"2026-03-09","kind":"assessment","attendance":"attended","scores":{"phq9":{"items":[1,1,1,1,1,1,1,1,0]}}}`)
	if status != http.StatusCreated || c["risk_alert_id"] != nil {
		t.Fatalf("contact without risk: %d %s", status, raw)
	}
	status, c, raw = e.api("POST", contacts, tok, `{"date":"2026-03-16","kind":"treatment","attendance":"attended","scores":{"phq9":{"items":[1,1,1,1,1,1,1,1,2]}}}`)
	id, _ := c["risk_alert_id"].(float64)
	if status != http.StatusCreated || id == 0 {
		t.Fatalf("contact with item 9 = 2: %d %s", status, raw)
	}
	for _, tt := range []struct {
		name, token string
		n           int
	}{{"therapist", tok, 1}, {"supervisor", supTok, 1}, {"colleague", colTok, 0}} {
		status, list, raw := e.api("GET", "/api/v1/risk-alerts", tt.token, "")
		alerts, _ := list["risk_alerts"].([]any)
		if status != http.StatusOK || len(alerts) != tt.n {
			t.Errorf("%s's list: %d %s, want %d alerts", tt.name, status, raw, tt.n)
			continue
		}
		if tt.n == 1 {
			a := alerts[0].(map[string]any)
			if a["id"] != id || a["referral_id"] != float64(r.ID) || a["source"] != "session" || a["answered_on"] != "2026-03-16" ||
				a["item9"] != float64(2) || a["priority"] != "high" || a["opened_at"] == nil {
				t.Errorf("%s's alert: %v", tt.name, a)
			}
		}
	}
	ack := "/api/v1/risk-alerts/" + itoa(int64(id)) + "/acknowledge"
	if status, body, raw := e.api("POST", ack, tok, `{"note":" "}`); status != http.StatusUnprocessableEntity || body["field"] != "note" {
		t.Errorf("empty note: %d %s", status, raw)
	}
	if status, _, raw := e.api("POST", ack, colTok, `{"note":"done"}`); status != http.StatusNotFound {
		t.Errorf("colleague: %d %s, want 404", status, raw)
	}
	if status, _, raw := e.api("POST", "/api/v1/risk-alerts/99999/acknowledge", tok, `{"note":"done"}`); status != http.StatusNotFound {
		t.Errorf("unknown alert: %d %s, want 404", status, raw)
	}
	status, done, raw := e.api("POST", ack, supTok, `{"note":"Risk assessed, safety plan updated"}`)
	if status != http.StatusOK || done["note"] != "Risk assessed, safety plan updated" || done["acknowledged_by"] != float64(e.supervisor.ID) {
		t.Fatalf("acknowledge: %d %s", status, raw)
	}
	if status, _, raw := e.api("POST", ack, tok, `{"note":"again"}`); status != http.StatusConflict {
		t.Errorf("second acknowledgement: %d %s, want 409", status, raw)
	}
	if _, list, raw := e.api("GET", "/api/v1/risk-alerts", tok, ""); len(list["risk_alerts"].([]any)) != 0 {
		t.Errorf("open alerts after acknowledging: %s", raw)
	}
}

// The API refuses an ending with unconfirmed answers (and no alert) until
// risk is acknowledged with a note.
func TestAPIEndingNeedsRiskAcknowledged(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Una Unconfirmed", "F32")
	pat := e.patientOf(r, "una@example.com")
	submitAnswers(t, pat, r, "111111110", "1111111")
	tok := e.token(e.therapist)
	end := "/api/v1/referrals/" + itoa(r.ID) + "/end"
	for _, tt := range []struct {
		body   string
		status int
		field  string
	}{
		{`{"date":"2026-03-16","reason":"completed"}`, http.StatusConflict, "risk_acknowledged"},
		{`{"date":"2026-03-16","reason":"completed","risk_acknowledged":false,"risk_note":"x"}`, http.StatusConflict, "risk_acknowledged"},
		{`{"date":"2026-03-16","reason":"completed","risk_acknowledged":true}`, http.StatusUnprocessableEntity, "risk_note"},
		{`{"date":"2026-03-16","reason":"completed","risk_acknowledged":true,"risk_note":"Answers reviewed with the patient by phone"}`, http.StatusOK, ""},
	} {
		status, body, raw := e.api("POST", end, tok, tt.body)
		if status != tt.status || (tt.field != "" && body["field"] != tt.field) {
			t.Errorf("%s: %d %s, want %d %s", tt.body, status, raw, tt.status, tt.field)
		}
	}
}

func TestReopenReferralPages(t *testing.T) {
	now := testNow
	e := newTestEnvAt(t, &now)
	r := e.referral(e.therapist, "Rey Reopen", "F32")
	if _, err := e.store.EndReferral(context.Background(), e.therapist, r.ID, "2026-03-02", "completed", "", caseload.EndRisk{}); err != nil {
		t.Fatal(err)
	}
	path := referralPath(r.ID) + "/reopen"
	if p := e.signedIn(e.colleague).post(path, url.Values{"reason": {"x"}}); p.Status != http.StatusNotFound {
		t.Errorf("colleague: %d, want 404", p.Status)
	}
	th := e.signedIn(e.therapist)
	if p := th.get(path); p.Status != http.StatusOK || !strings.Contains(p.Body, "30 March 2026") {
		t.Errorf("reopen form: %d, or lacks the deadline", p.Status)
	}
	if p := th.post(path, url.Values{"reason": {""}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("no reason: %d", p.Status)
	}
	now = time.Date(2026, 3, 31, 9, 0, 0, 0, time.UTC) // day 29
	th = e.signedIn(e.therapist)
	if p := th.post(path, url.Values{"reason": {"asked to continue"}}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "more than 28 days ago") {
		t.Errorf("after 28 days: %d", p.Status)
	}
	now = time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC) // day 28
	if p := e.signedIn(e.supervisor).post(path, url.Values{"reason": {"Ended by mistake"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("supervisor reopening: %d %s", p.Status, errorSummaryOf(p.Body))
	}
	if got, _ := e.store.Referral(context.Background(), r.ID); !got.Open() {
		t.Error("not reopened")
	}
}

// The first contact of a referral is an assessment by default; later ones
// treatment sessions.
func TestFirstContactDefaultsToAssessment(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Fay First", "F32")
	th := e.signedIn(e.therapist)
	checked := regexp.MustCompile(`name="kind" type="radio" value="(\w+)" checked`)
	kind := func() string {
		m := checked.FindStringSubmatch(th.get(referralPath(r.ID) + "/contacts/new").Body)
		if m == nil {
			return ""
		}
		return m[1]
	}
	if k := kind(); k != string(measures.Assessment) {
		t.Errorf("first contact defaults to %q, want assessment", k)
	}
	if _, err := e.store.RecordContact(context.Background(), e.therapist, r.ID, caseload.NewContact{Date: "2026-03-09", Kind: "assessment", Attendance: "dna"}); err != nil {
		t.Fatal(err)
	}
	if k := kind(); k != string(measures.Treatment) {
		t.Errorf("later contact defaults to %q, want treatment", k)
	}
}

// The crisis numbers are tel: links, with the service's own number when an
// admin sets one.
func TestCrisisNumbersAreLinks(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Cal Crisis", "F32")
	pat := e.patientOf(r, "cal@example.com")
	loc := submitAnswers(t, pat, r, "111111111", "1111111")
	p := pat.get(loc).Body
	for _, want := range []string{`href="tel:999"`, `href="tel:111"`, `href="tel:116123"`, "duty clinician are told now", "do not wait"} {
		if !strings.Contains(p, want) {
			t.Errorf("crisis page lacks %q", want)
		}
	}
	if strings.Contains(p, "Your therapist will see this") {
		t.Errorf("crisis page still promises only the therapist's next look")
	}
	admin := e.signedIn(e.admin)
	if x := admin.post("/admin/urgent-contact", url.Values{"label": {"Our duty line"}, "number": {"call us"}}); x.Status != http.StatusUnprocessableEntity {
		t.Errorf("bad number: %d", x.Status)
	}
	if x := admin.post("/admin/urgent-contact", url.Values{"label": {"Our duty line, weekdays 9am to 5pm"}, "number": {"0300 123 4567"}}); x.Status != http.StatusSeeOther {
		t.Fatalf("set urgent number: %d %s", x.Status, errorSummaryOf(x.Body))
	}
	p = pat.get(loc).Body
	if !strings.Contains(p, `href="tel:03001234567"`) || !strings.Contains(p, "Our duty line, weekdays 9am to 5pm") {
		t.Errorf("crisis page lacks the service's own number")
	}
}

func TestTelHref(t *testing.T) {
	for in, want := range map[string]string{"0300 123 4567": "tel:03001234567", "+44 300 123": "tel:+44300123", "javascript:alert(1)": "#", "": "#", "12+3": "#"} {
		if got := string(telHref(in)); got != want {
			t.Errorf("telHref(%q) = %q, want %q", in, got, want)
		}
	}
}
