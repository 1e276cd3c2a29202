package ui

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// addSearchSamples adds the search and patient pages to the templates'
// samples (TestEveryTemplateRenders).
func addSearchSamples(t *testing.T, samples map[string]any, base basePage, f *form) {
	t.Helper()
	ref := caseload.Referral{ID: 7, PatientName: "Pat", TherapistName: "Tara", ReceivedOn: "2026-01-05", ProblemDescriptor: "F41.1", Intensity: "low", EndedOn: "2026-02-01", EndReason: "completed"}
	pv := newPatientView(caseload.PatientMatch{Patient: caseload.Patient{ID: 3, Name: "Pat", DateOfBirth: "1980-05-01", NHSNumber: "9434765919"}, Referrals: []caseload.Referral{ref}})
	samples["patient_search.html"] = &patientSearchPage{basePage: base, Form: f, Searched: true, Results: []patientView{pv}, More: true, ClosedToAdmin: true}
	samples["caseload_ended.html"] = &caseloadEndedPage{basePage: base, Days: 90, Rows: []endedRow{{ReferralID: 7, Patient: "Pat", Descriptor: "F41.1", Intensity: "Low intensity", Sessions: 6, EndedOn: "2026-02-01", EndReason: "completed"}}}
	samples["referral_new.html"] = &referralNewPage{basePage: base, Patient: caseload.Patient{ID: 3, Name: "Pat", DateOfBirth: "1980-05-01"}, Form: f, Descriptors: measures.Descriptors(), Intensities: intensityOptions}
	samples["waiting.html"] = &waitingPage{basePage: base, Rows: []waitingRow{{ReferralID: 7, Patient: "Pat", Descriptor: "F41.1", Intensity: "Low intensity", ReceivedOn: "2026-01-05", DaysWaiting: 12, Risk: measures.RiskHigh}}}
	samples["referral_move.html"] = &movePage{basePage: base, Referral: ref, Form: f, Therapists: []option{{"3", "Tara (North)"}}, Intensities: intensityOptions}
	samples["cover.html"] = &coverPage{basePage: base, CanGrant: true, Form: f, Therapists: []option{{"3", "Tara (North)"}},
		Covers:  []coverView{{Cover: caseload.Cover{TherapistName: "Colin", ColleagueName: "Tara", FromOn: "2026-03-16", ToOn: "2026-03-20", Reason: "Leave", GrantedByName: "Sue"}, Active: true}},
		Covered: []caseload.CaseloadRow{{Referral: ref}}}
	samples["patient_show.html"] = &patientShowPage{basePage: base, Patient: pv, OtherReferrals: 1}
}

// searchFixture: Tara's patient Ann (NHS number 943 476 5919) whose
// referral has ended.
func searchFixture(t *testing.T) (*testEnv, caseload.Referral) {
	t.Helper()
	e := newTestEnv(t)
	ctx := context.Background()
	p, err := e.store.CreatePatient(ctx, e.therapist, caseload.NewPatient{Name: "Ann Example", DateOfBirth: "1980-05-01", NHSNumber: "9434765919"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.store.CreateReferral(ctx, e.therapist, caseload.NewReferral{PatientID: p.ID, ReceivedOn: "2026-01-05", ProblemDescriptor: "F41.1", Intensity: "low"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.EndReferral(ctx, e.therapist, r.ID, "2026-02-02", "completed", "", caseload.EndRisk{}); err != nil {
		t.Fatal(err)
	}
	return e, r
}

func TestPatientSearchPage(t *testing.T) {
	e, r := searchFixture(t)
	tara := e.signedIn(e.therapist)
	for _, q := range []string{"943 476 5919", "9434765919", "01/05/1980", "1 May 1980", "ann exam"} {
		p := tara.get("/patients?q=" + url.QueryEscape(q))
		if p.Status != http.StatusOK {
			t.Fatalf("search %q: %d", q, p.Status)
		}
		for _, want := range []string{"1 patient found", "Ann Example", "943 476 5919", "1 May 1980", "Ended 2 February 2026", `href="/referrals/` + itoa(r.ID)} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("search %q: the page lacks %q", q, want)
			}
		}
	}
	if p := tara.get("/patients?q=x"); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "at least two letters") || !strings.Contains(p.Body, `value="x"`) {
		t.Errorf("a one-letter search: %d, want 422 with the message and what was typed", p.Status)
	}
	colin := e.signedIn(e.colleague)
	if p := colin.get("/patients?q=943+476+5919"); p.Status != http.StatusOK || strings.Contains(p.Body, "Ann Example") || !strings.Contains(p.Body, "No patients found") {
		t.Errorf("a colleague's search found Tara's patient: %d", p.Status)
	}
	sue := e.signedIn(e.supervisor)
	if p := sue.get("/patients?q=ann"); !strings.Contains(p.Body, "Ann Example") {
		t.Errorf("the team's supervisor does not find the team's patient")
	}
	ada := e.signedIn(e.admin)
	if p := ada.get("/patients?q=ann"); p.Status != http.StatusOK || strings.Contains(p.Body, "Ann Example") || !strings.Contains(p.Body, "closed to administrators") {
		t.Errorf("an admin without break glass: %d, found the patient or was not told why", p.Status)
	}
	if _, err := e.store.BreakGlass(context.Background(), e.admin, r.ID, "Complaint investigation"); err != nil {
		t.Fatal(err)
	}
	if p := ada.get("/patients?q=ann"); !strings.Contains(p.Body, "Ann Example") || strings.Contains(p.Body, "closed to administrators") {
		t.Errorf("an admin under break glass does not find the patient")
	}
	audit, err := e.store.SearchAudit(context.Background(), caseload.AuditQuery{Action: caseload.AuditSearchPatients})
	if err != nil {
		t.Fatal(err)
	}
	// Five of Tara's, Colin's, Sue's and Ada's two: the one-letter search
	// was refused before any was made.
	if len(audit.Entries) != 9 {
		t.Errorf("%d searches audited, want 9", len(audit.Entries))
	}
}

func TestPatientShowPage(t *testing.T) {
	e, r := searchFixture(t)
	path := "/patients/" + itoa(r.PatientID)
	p := e.signedIn(e.therapist).get(path)
	if p.Status != http.StatusOK {
		t.Fatalf("patient page: %d", p.Status)
	}
	for _, want := range []string{"Ann Example", "943 476 5919", "Ended 2 February 2026", "/referrals/" + itoa(r.ID)} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("patient page lacks %q", want)
		}
	}
	if p := e.signedIn(e.colleague).get(path); p.Status != http.StatusNotFound {
		t.Errorf("a colleague: %d, want 404", p.Status)
	}
	views, err := e.store.RecordViews(context.Background(), r.PatientID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(views) == 0 || views[0].Entity != "patient" || views[0].Detail != "patient page" {
		t.Errorf("the patient page's view is not audited: %+v", views)
	}
}

func TestAPIPatientSearch(t *testing.T) {
	e, _ := searchFixture(t)
	status, body, raw := e.api("GET", "/api/v1/patients?q=943+476+5919", e.token(e.therapist), "")
	if status != http.StatusOK {
		t.Fatalf("search: %d %s", status, raw)
	}
	patients, _ := body["patients"].([]any)
	if len(patients) != 1 {
		t.Fatalf("patients: %s", raw)
	}
	p := patients[0].(map[string]any)
	refs, _ := p["referrals"].([]any)
	if p["name"] != "Ann Example" || p["nhs_number_spaced"] != "943 476 5919" || len(refs) != 1 || refs[0].(map[string]any)["ended_on"] != "2026-02-02" {
		t.Errorf("patient: %s", raw)
	}
	if status, body, raw = e.api("GET", "/api/v1/patients?q=943+476+5919", e.token(e.colleague), ""); status != http.StatusOK || len(body["patients"].([]any)) != 0 {
		t.Errorf("a colleague's search: %d %s", status, raw)
	}
	if status, body, raw = e.api("GET", "/api/v1/patients?q=", e.token(e.therapist), ""); status != http.StatusUnprocessableEntity || body["field"] != "q" {
		t.Errorf("an empty search: %d %s", status, raw)
	}
}

// TestCaseloadEndedView: a therapist's "ended" view lists the referral
// that ended, with how; the open view no longer does, and links to it.
func TestCaseloadEndedView(t *testing.T) {
	e, r := searchFixture(t)
	tara := e.signedIn(e.therapist)
	open := tara.get("/")
	if strings.Contains(open.Body, "Ann Example") || !strings.Contains(open.Body, `href="/?view=ended"`) {
		t.Errorf("the open view lists the ended referral, or does not link to the ended view")
	}
	p := tara.get("/?view=ended")
	if p.Status != http.StatusOK {
		t.Fatalf("ended view: %d", p.Status)
	}
	for _, want := range []string{"Ann Example", "/referrals/" + itoa(r.ID), "2 February 2026", "Completed"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the ended view lacks %q", want)
		}
	}
	if p := e.signedIn(e.colleague).get("/?view=ended"); strings.Contains(p.Body, "Ann Example") {
		t.Errorf("a colleague's ended view lists Tara's referral")
	}
}

// TestSeeScopeAgreesWithPolicy: the scope the store applies in SQL lets a
// user see exactly the referrals canSeeReferral allows, for every kind of
// staff, covering therapists included.
func TestSeeScopeAgreesWithPolicy(t *testing.T) {
	refs := []caseload.Referral{
		{ID: 1, PatientID: 10, TherapistID: 1, TeamID: 1},
		{ID: 2, PatientID: 11, TherapistID: 2, TeamID: 1},
		{ID: 3, PatientID: 12, TherapistID: 3, TeamID: 2},
		{ID: 4, PatientID: 13, TherapistID: 4, TeamID: 1}, // a supervisor holding a waiting referral
	}
	users := map[string]caseload.User{
		"therapist":          {ID: 1, Role: caseload.RoleTherapist, TeamID: 1},
		"covering therapist": {ID: 2, Role: caseload.RoleTherapist, TeamID: 1, Covering: []int64{1}},
		"supervisor":         {ID: 4, Role: caseload.RoleSupervisor, Teams: []int64{1}},
		"other supervisor":   {ID: 5, Role: caseload.RoleSupervisor, Teams: []int64{2}},
		"admin":              {ID: 6, Role: caseload.RoleAdmin},
	}
	inScope := func(sc caseload.Scope, r caseload.Referral) bool {
		return slices.Contains(sc.TherapistIDs, r.TherapistID) || slices.Contains(sc.Teams, r.TeamID) || slices.Contains(sc.PatientIDs, r.PatientID)
	}
	for name, u := range users {
		sc := seeScope(u, nil)
		for _, r := range refs {
			if got, want := inScope(sc, r), canSeeReferral(u, r); got != want {
				t.Errorf("%s, referral %d: in scope %v, canSeeReferral %v", name, r.ID, got, want)
			}
		}
	}
	admin := seeScope(users["admin"], []int64{12})
	for _, r := range refs {
		if inScope(admin, r) != (r.PatientID == 12) {
			t.Errorf("admin with a grant for patient 12, referral %d: in scope %v", r.ID, inScope(admin, r))
		}
	}
}
