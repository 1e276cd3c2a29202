package ui

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestDatasetForms: a new patient's demographics and source of referral on
// the new-patient form, a session with a non-default purpose and medium,
// the next session's form remembering the medium, length and therapy, an
// ending with its EndCode, and the demographics edited later with the
// history kept. A bad code comes back on its field with what was typed.
func TestDatasetForms(t *testing.T) {
	e := newTestEnv(t)
	b := e.signedIn(e.therapist)
	ctx := context.Background()

	bad := b.post("/patients/new", url.Values{"name": {"Nia Data"}, "date_of_birth": {"1991-02-03"}, "received_on": {"2026-01-05"},
		"problem_descriptor": {"F41.1"}, "intensity": {"low"}, "postcode": {"not a postcode"}, "ethnic_category": {"N"}})
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "Enter a UK postcode") || !strings.Contains(bad.Body, `value="not a postcode"`) {
		t.Fatalf("bad postcode: %d", bad.Status)
	}
	p := b.post("/patients/new", url.Values{"name": {"Nia Data"}, "date_of_birth": {"1991-02-03"}, "received_on": {"2026-01-05"},
		"problem_descriptor": {"F41.1"}, "intensity": {"low"}, "postcode": {"ls1 4ap"}, "ethnic_category": {"N"},
		"gender_identity": {"2"}, "disability": {"NN"}, "source_of_referral": {"B1"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("new patient: %d %s", p.Status, p.Body)
	}
	refPath := p.Location
	rows, err := e.store.Caseload(ctx, e.therapist.ID)
	if err != nil {
		t.Fatal(err)
	}
	var refID, patientID int64
	for _, r := range rows {
		if r.Referral.PatientName == "Nia Data" {
			refID, patientID = r.Referral.ID, r.Referral.PatientID
		}
	}
	h, err := e.store.DemographicsHistory(ctx, patientID)
	if err != nil || len(h) != 1 || h[0].EthnicCategory != "N" || h[0].Postcode != "LS1 4AP" {
		t.Fatalf("demographics %+v %v", h, err)
	}
	if ds, _ := e.store.ReferralDataset(ctx, refID); ds.SourceOfReferral != "B1" {
		t.Errorf("source of referral %+v", ds)
	}

	form := b.get(refPath + "/contacts/new")
	for _, want := range []string{`value="assessment_treatment"`, `value="cancelled_by_provider"`, `name="medium"`, `name="therapy_type"`, `name="employment_status"`} {
		if !strings.Contains(form.Body, want) {
			t.Errorf("session form lacks %s", want)
		}
	}
	s := b.post(refPath+"/contacts/new", url.Values{"date": {"2026-02-02"}, "kind": {"assessment_treatment"}, "attendance": {"attended"},
		"medium": {"video"}, "duration_minutes": {"50"}, "employment_status": {"01"}, "submission_id": {"s1"}})
	if s.Status != http.StatusSeeOther {
		t.Fatalf("session: %d", s.Status)
	}
	last, err := e.store.LastContact(ctx, refID)
	if err != nil || last.Kind != "assessment_treatment" || last.Medium != "video" || last.DurationMinutes != 50 || last.TherapyType != "1026111000000108" {
		t.Fatalf("recorded %+v %v", last, err)
	}
	next := b.get(refPath + "/contacts/new")
	for _, want := range []string{`<option value="video" selected>`, `value="50"`, `<option value="1026111000000108" selected>`} {
		if !strings.Contains(next.Body, want) {
			t.Errorf("the next session's form does not remember %s", want)
		}
	}
	s = b.post(refPath+"/contacts/new", url.Values{"date": {"2026-02-09"}, "kind": {"treatment"}, "attendance": {"attended"},
		"duration_minutes": {"fifty"}, "submission_id": {"s2"}})
	if s.Status != http.StatusUnprocessableEntity || !strings.Contains(s.Body, "whole minutes") || !strings.Contains(s.Body, `value="fifty"`) {
		t.Errorf("bad duration: %d", s.Status)
	}

	end := b.post(refPath+"/end", url.Values{"date": {"2026-03-01"}, "reason": {"completed"}, "end_code": {"99"}})
	if end.Status != http.StatusUnprocessableEntity || !strings.Contains(end.Body, "Choose the ending from the list") {
		t.Errorf("bad end code: %d", end.Status)
	}
	if end = b.post(refPath+"/end", url.Values{"date": {"2026-03-01"}, "reason": {"completed"}, "end_code": {"12"}}); end.Status != http.StatusSeeOther {
		t.Fatalf("end: %d", end.Status)
	}
	if ds, _ := e.store.ReferralDataset(ctx, refID); ds.EndCode != "12" {
		t.Errorf("end code %+v", ds)
	}

	// After the ending the demographics are still put right, as a new version.
	if d := b.get(refPath + "/demographics"); d.Status != 200 || !strings.Contains(d.Body, `<option value="N" selected>`) {
		t.Errorf("demographics page: %d", d.Status)
	}
	if d := b.post(refPath+"/demographics", url.Values{"ethnic_category": {"Q"}}); d.Status != http.StatusUnprocessableEntity {
		t.Errorf("bad ethnic category: %d", d.Status)
	}
	if d := b.post(refPath+"/demographics", url.Values{"ethnic_category": {"M"}, "postcode": {"LS1 4AP"}}); d.Status != http.StatusSeeOther {
		t.Errorf("save demographics: %d", d.Status)
	}
	if h, _ := e.store.DemographicsHistory(ctx, patientID); len(h) != 2 || h[0].EthnicCategory != "M" || h[1].EthnicCategory != "N" {
		t.Errorf("history %+v", h)
	}
}

// TestEndingWithRiskKeepsItsEndCode: the ending's EndCode goes with the
// ending in one request. Refused for an unacknowledged risk alert, the form
// comes back with the EndCode chosen and nothing saved; acknowledged, the
// referral ends with its EndCode and the alert is closed.
func TestEndingWithRiskKeepsItsEndCode(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	r := e.referral(e.therapist, "Ria Risk", "F32")
	e.contact(e.therapist, r, "2026-02-02", ints(2, 2, 2, 2, 2, 2, 2, 2, 2), ints(1, 1, 1, 1, 1, 1, 1))
	b := e.signedIn(e.therapist)
	path := "/referrals/" + strconv.FormatInt(r.ID, 10) + "/end"
	end := b.post(path, url.Values{"date": {"2026-03-01"}, "reason": {"completed"}, "end_code": {"46"}})
	if end.Status != http.StatusUnprocessableEntity || !strings.Contains(end.Body, `<option value="46" selected>`) || !strings.Contains(end.Body, "Tick to confirm") {
		t.Errorf("unacknowledged risk: %d", end.Status)
	}
	if ds, _ := e.store.ReferralDataset(ctx, r.ID); ds.EndCode != "" {
		t.Errorf("a refused ending kept its EndCode %q", ds.EndCode)
	}
	end = b.post(path, url.Values{"date": {"2026-03-01"}, "reason": {"completed"}, "end_code": {"46"},
		"risk_acknowledged": {"yes"}, "risk_note": {"Risk assessed; safety plan shared with the GP"}})
	if end.Status != http.StatusSeeOther {
		t.Fatalf("acknowledged ending: %d", end.Status)
	}
	got, err := e.store.Referral(ctx, r.ID)
	if ds, _ := e.store.ReferralDataset(ctx, r.ID); err != nil || got.EndedOn != "2026-03-01" || ds.EndCode != "46" {
		t.Errorf("ended %q with EndCode %q (%v)", got.EndedOn, ds.EndCode, err)
	}
}
