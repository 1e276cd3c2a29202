package ui

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// TestCoverAccess: Sue grants Colin cover of Tara's caseload for a week.
// Before it starts, Colin cannot see Tara's referral; while it lasts he
// sees and records on it, finds the patient and both see the cover; once
// it has ended he cannot see it again. While it lasts, the risk alerts of
// Tara's cases are on his duty list too (issue 11). The grant is audited,
// and Sue may not grant cover to another team's therapist.
func TestCoverAccess(t *testing.T) {
	now := testNow
	e := newTestEnvAt(t, &now)
	r := e.referral(e.therapist, "Ann Example", "F41.1")
	ct, err := e.store.RecordContact(context.Background(), e.therapist, r.ID, caseload.NewContact{
		Date: "2026-03-02", Kind: "treatment", Attendance: "attended",
		Scores: map[measures.InstrumentID]caseload.ScoreInput{
			measures.PHQ9: {Items: ints(2, 2, 2, 2, 2, 2, 2, 2, 2)},
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
	sue := e.signedIn(e.supervisor)
	grant := url.Values{"therapist_id": {itoa(e.colleague.ID)}, "colleague_id": {itoa(e.therapist.ID)}, "from_on": {"2026-03-17"}, "to_on": {"2026-03-23"}, "reason": {"Annual leave"}}
	south := url.Values{"therapist_id": {itoa(e.south.ID)}, "colleague_id": {itoa(e.therapist.ID)}, "from_on": {"2026-03-17"}, "to_on": {"2026-03-23"}, "reason": {"Annual leave"}}
	if p := sue.post("/cover", south); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Choose a therapist of your teams") {
		t.Errorf("cover by another team's therapist: %d", p.Status)
	}
	if p := sue.post("/cover", grant); p.Status != http.StatusSeeOther {
		t.Fatalf("grant cover: %d %s", p.Status, errorSummaryText(p.Body))
	}
	path := "/referrals/" + itoa(r.ID)
	for _, tc := range []struct {
		name  string
		at    time.Time
		want  int
		finds bool
	}{
		{"the day before cover starts", testNow, http.StatusNotFound, false},
		{"the first day", time.Date(2026, 3, 17, 8, 0, 0, 0, time.UTC), http.StatusOK, true},
		{"the last day", time.Date(2026, 3, 23, 20, 0, 0, 0, time.UTC), http.StatusOK, true},
		{"after it has ended", time.Date(2026, 3, 24, 8, 0, 0, 0, time.UTC), http.StatusNotFound, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now = tc.at
			colin := e.signedIn(e.colleague) // a session of the day
			if p := colin.get(path); p.Status != tc.want {
				t.Errorf("Colin on Tara's referral: %d, want %d", p.Status, tc.want)
			}
			if p := colin.get(path + "/contacts/new"); p.Status != tc.want {
				t.Errorf("Colin recording a session: %d, want %d", p.Status, tc.want)
			}
			if p := colin.get("/patients?q=ann"); strings.Contains(p.Body, "Ann Example") != tc.finds {
				t.Errorf("Colin's search finds Ann: %v, want %v", !tc.finds, tc.finds)
			}
			if p := colin.get("/duty"); slices.Contains(alertIDs(p.Body), itoa(alert)) != tc.finds {
				t.Errorf("Tara's risk alert on Colin's duty list: %v, want %v", !tc.finds, tc.finds)
			}
			status, _, _ := e.api("GET", "/api/v1/referrals/"+itoa(r.ID), e.token(e.colleague), "")
			if status != tc.want {
				t.Errorf("Colin through the API: %d, want %d", status, tc.want)
			}
		})
	}
	now = time.Date(2026, 3, 18, 9, 0, 0, 0, time.UTC)
	for who, b := range map[string]*browser{"Colin": e.signedIn(e.colleague), "Tara": e.signedIn(e.therapist)} {
		if p := b.get("/cover"); !strings.Contains(p.Body, "Annual leave") || !strings.Contains(p.Body, "23 March 2026") {
			t.Errorf("%s does not see the cover", who)
		}
	}
	audit, err := e.store.SearchAudit(context.Background(), caseload.AuditQuery{Action: caseload.AuditGrantCover})
	if err != nil {
		t.Fatal(err)
	}
	if len(audit.Entries) != 1 || audit.Entries[0].UserID != e.supervisor.ID || !strings.Contains(audit.Entries[0].Detail, "Colin Colleague covers Tara Therapist from 2026-03-17 to 2026-03-23") {
		t.Errorf("cover audit: %+v", audit.Entries)
	}
}

// TestDisabledTherapistsCases: a disabled therapist's open referrals are
// counted on the admin's users page and listed on the supervisor's waiting
// list page to be moved; once moved, neither shows them.
func TestDisabledTherapistsCases(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Ann Example", "F41.1")
	if err := e.store.SetUserDisabled(context.Background(), e.admin, e.therapist.ID, true); err != nil {
		t.Fatal(err)
	}
	ada := e.signedIn(e.admin)
	if p := ada.get("/admin/users"); !strings.Contains(p.Body, "1 open case held by disabled accounts") || !strings.Contains(p.Body, "from the waiting list page") {
		t.Errorf("the admin page does not count the disabled therapist's open referral, or say who moves it")
	}
	sue := e.signedIn(e.supervisor)
	if p := sue.get("/waiting"); !strings.Contains(p.Body, "Held by disabled accounts (1)") || !strings.Contains(p.Body, "/referrals/"+itoa(r.ID)+"/move") {
		t.Errorf("the supervisor is not offered the move")
	}
	if p := sue.post("/referrals/"+itoa(r.ID)+"/move", url.Values{"therapist_id": {itoa(e.colleague.ID)}, "intensity": {"low"}, "reason": {"Tara has left"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("move: %d %s", p.Status, errorSummaryText(p.Body))
	}
	if p := ada.get("/admin/users"); strings.Contains(p.Body, "held by disabled accounts") {
		t.Errorf("still counted after the move")
	}
}
