package ui

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// Issue 15, 12: a page rendered in answer to a POST that shows a patient's
// record (the form back with its errors, "check totals") is a view, and is
// audited like the GET of the form.
func TestFormAnswersAreAudited(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Ann Example", "F41.1")
	tara := e.signedIn(e.therapist)
	views := func() int {
		t.Helper()
		res, err := e.store.SearchAudit(context.Background(), caseload.AuditQuery{Action: caseload.AuditView, ReferralID: r.ID, PerPage: 500})
		if err != nil {
			t.Fatal(err)
		}
		return len(res.Entries)
	}
	ct, err := e.store.RecordContact(context.Background(), e.therapist, r.ID, caseload.NewContact{
		Date: "2026-02-02", Kind: "treatment", Attendance: "attended",
		Scores: map[measures.InstrumentID]caseload.ScoreInput{
			measures.PHQ9: {Items: ints(2, 2, 2, 2, 2, 2, 2, 2, 1)},
			measures.GAD7: {Items: ints(2, 2, 2, 2, 2, 2, 2)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	alert, err := e.store.ContactRiskAlertID(context.Background(), ct.ID)
	if err != nil || alert == 0 {
		t.Fatalf("risk alert: %d %v", alert, err)
	}
	for _, tt := range []struct {
		name, path string
		form       url.Values
		status     int
	}{
		{"contact with errors", referralPath(r.ID) + "/contacts/new", url.Values{"date": {"not a date"}}, http.StatusUnprocessableEntity},
		{"check totals", referralPath(r.ID) + "/contacts/new", url.Values{"action": {"check"}, "date": {"2026-03-02"}, "kind": {"treatment"}, "attendance": {"attended"}}, http.StatusOK},
		{"end with errors", referralPath(r.ID) + "/end", url.Values{"date": {""}}, http.StatusUnprocessableEntity},
		{"move with errors", referralPath(r.ID) + "/move", url.Values{"reason": {""}}, http.StatusUnprocessableEntity},
		{"risk alert acknowledged without a note", "/risk-alerts/" + itoa(alert) + "/acknowledge", url.Values{"note": {""}}, http.StatusUnprocessableEntity},
	} {
		before := views()
		p := tara.post(tt.path, tt.form)
		if p.Status != tt.status {
			t.Errorf("%s: %d, want %d", tt.name, p.Status, tt.status)
			continue
		}
		if got := views(); got != before+1 {
			t.Errorf("%s: %d view rows written, want 1", tt.name, got-before)
		}
	}
	// A new referral's form names the patient: shown again with its errors,
	// it is a view of the patient's record (issue 14).
	patientViews := func() int {
		t.Helper()
		res, err := e.store.SearchAudit(context.Background(), caseload.AuditQuery{Action: caseload.AuditView, PatientID: r.PatientID, PerPage: 500})
		if err != nil {
			t.Fatal(err)
		}
		return len(res.Entries)
	}
	before := patientViews()
	if p := tara.post("/patients/"+itoa(r.PatientID)+"/referrals/new", url.Values{"received_on": {"not a date"}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("new referral with errors: %d", p.Status)
	} else if got := patientViews(); got != before+1 {
		t.Errorf("new referral with errors: %d view rows written, want 1", got-before)
	}
	// A post that saves and redirects shows no record: its change is
	// audited, not a view.
	before = views()
	if p := tara.post(referralPath(r.ID)+"/bring", url.Values{"reason": {"stuck"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("bring: %d", p.Status)
	}
	if got := views(); got != before {
		t.Errorf("a redirecting post wrote %d view rows", got-before)
	}
}
