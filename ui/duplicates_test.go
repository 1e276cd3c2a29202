package ui

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"clinic/internal/caseload"
)

func newPatientForm(name, dob, nhs string) url.Values {
	return url.Values{"name": {name}, "date_of_birth": {dob}, "nhs_number": {nhs}, "received_on": {"2026-03-02"}, "problem_descriptor": {"F32"}, "intensity": {"low"}}
}

// patientCount counts the patients added, by their audit rows.
func patientCount(t *testing.T, e *testEnv) int {
	t.Helper()
	page, err := e.store.SearchAudit(context.Background(), caseload.AuditQuery{Action: caseload.AuditCreatePatient, PerPage: 500})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Entries)
}

// TestNewPatientAlreadyOnRecord: the new patient form refuses an NHS number
// on record, naming the patient and offering a new referral to a therapist
// who may refer them, and to anyone else without naming them; a name and
// date of birth on record asks "is this the same person?", and a "no" adds
// them. Nothing typed is lost.
func TestNewPatientAlreadyOnRecord(t *testing.T) {
	e, r := searchFixture(t) // Ann Example, 1980-05-01, 943 476 5919, Tara's
	before := patientCount(t, e)
	tara := e.signedIn(e.therapist)
	p := tara.post("/patients/new", newPatientForm("Ann Other", "1980-05-02", "943 476 5919"))
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("an NHS number on record: %d, want 422", p.Status)
	}
	for _, want := range []string{"already on record for Ann Example", `href="/patients/` + itoa(r.PatientID) + `/referrals/new"`, `value="Ann Other"`, `value="943 476 5919"`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("Tara's answer lacks %q", want)
		}
	}
	sam := e.signedIn(e.south)
	p = sam.post("/patients/new", newPatientForm("Ann Other", "1980-05-02", "9434765919"))
	if p.Status != http.StatusUnprocessableEntity || strings.Contains(p.Body, "Ann Example") || !strings.Contains(p.Body, "caseload you do not see") {
		t.Errorf("Sam (another team): %d, named the patient or did not say why", p.Status)
	}
	p = tara.post("/patients/new", newPatientForm("ann example", "1980-05-01", ""))
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Is this the same person?") || !strings.Contains(p.Body, `name="not_duplicate"`) {
		t.Errorf("the same name and date of birth: %d, not asked", p.Status)
	}
	if n := patientCount(t, e); n != before {
		t.Fatalf("%d patients added by refused forms", n-before)
	}
	form := newPatientForm("ann example", "1980-05-01", "")
	form.Set("not_duplicate", "yes")
	if p = tara.post("/patients/new", form); p.Status != http.StatusSeeOther {
		t.Errorf("a different person, confirmed: %d, want 303", p.Status)
	}
}

// TestNewReferralForExistingPatient: the offered link opens a referral on
// the patient's existing record.
func TestNewReferralForExistingPatient(t *testing.T) {
	e, r := searchFixture(t)
	tara := e.signedIn(e.therapist)
	path := "/patients/" + itoa(r.PatientID) + "/referrals/new"
	if p := tara.get(path); p.Status != http.StatusOK || !strings.Contains(p.Body, "Ann Example") {
		t.Fatalf("new referral form: %d", p.Status)
	}
	if p := tara.post(path, url.Values{"received_on": {"2026-03-02"}, "problem_descriptor": {""}, "intensity": {"high"}}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "problem descriptor") {
		t.Errorf("a referral without a problem: %d", p.Status)
	}
	p := tara.post(path, url.Values{"received_on": {"2026-03-02"}, "problem_descriptor": {"F32"}, "intensity": {"high"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("new referral: %d", p.Status)
	}
	res, err := e.store.PatientRecord(context.Background(), r.PatientID, caseload.Scope{TherapistIDs: []int64{e.therapist.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Referrals) != 2 || !res.Referrals[0].Open() || res.Referrals[0].Intensity != "high" {
		t.Errorf("the patient's referrals: %+v, want the new open one and the ended one", res.Referrals)
	}
	if p := e.signedIn(e.colleague).get(path); p.Status != http.StatusNotFound {
		t.Errorf("a colleague who never saw the patient: %d, want 404", p.Status)
	}
}

// TestAPIPatientConflict: POST /api/v1/patients with an NHS number on
// record is 409 on nhs_number, with the existing patient's id only for a
// caller who may refer them.
func TestAPIPatientConflict(t *testing.T) {
	e, r := searchFixture(t)
	body := `{"name": "Ann Other", "date_of_birth": "1980-05-02", "nhs_number": "943 476 5919"}`
	status, m, raw := e.api("POST", "/api/v1/patients", e.token(e.therapist), body)
	if status != http.StatusConflict || m["field"] != "nhs_number" || m["existing_patient_id"] != float64(r.PatientID) {
		t.Errorf("Tara: %d %s", status, raw)
	}
	status, m, raw = e.api("POST", "/api/v1/patients", e.token(e.south), body)
	if _, named := m["existing_patient_id"]; status != http.StatusConflict || m["field"] != "nhs_number" || named {
		t.Errorf("Sam: %d %s", status, raw)
	}
	same := `{"name": "Ann Example", "date_of_birth": "1980-05-01"}`
	if status, m, raw = e.api("POST", "/api/v1/patients", e.token(e.therapist), same); status != http.StatusConflict || m["field"] != "name" {
		t.Errorf("same name and date of birth: %d %s", status, raw)
	}
	other := `{"name": "Ann Example", "date_of_birth": "1980-05-01", "not_duplicate": true}`
	if status, _, raw = e.api("POST", "/api/v1/patients", e.token(e.therapist), other); status != http.StatusCreated {
		t.Errorf("a different person, confirmed: %d %s", status, raw)
	}
}
