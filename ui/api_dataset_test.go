package ui

import (
	"context"
	"fmt"
	"strconv"
	"testing"
)

// TestAPIDatasetFields: the data set fields go in through the JSON API,
// bad codes are refused naming the field, and nothing is kept from a
// refused request.
func TestAPIDatasetFields(t *testing.T) {
	e := newTestEnv(t)
	tok := e.token(e.therapist)
	status, p, raw := e.api("POST", "/api/v1/patients", tok, `{"name":"Dana Set","date_of_birth":"1985-04-03",
		"ethnic_category":"H","gender_identity":"2","sexual_orientation":"1","postcode":"ls1 4ap",
		"gp_practice_code":"B86001","ex_armed_forces":"N","disability":["NN"]}`)
	if status != 201 {
		t.Fatalf("patient: %d %s", status, raw)
	}
	pid := int64(p["id"].(float64))
	h, err := e.store.DemographicsHistory(context.Background(), pid)
	if err != nil || len(h) != 1 || h[0].EthnicCategory != "H" || h[0].Postcode != "LS1 4AP" {
		t.Fatalf("demographics %+v %v", h, err)
	}
	status, r, raw := e.api("POST", "/api/v1/referrals", tok, fmt.Sprintf(
		`{"patient_id":%d,"received_on":"2026-01-05","problem_descriptor":"723916001","intensity":"high","source_of_referral":"A1","ltc_pathway":true}`, pid))
	if status != 201 {
		t.Fatalf("referral: %d %s", status, raw)
	}
	rid := strconv.FormatInt(int64(r["id"].(float64)), 10)
	status, c, raw := e.api("POST", "/api/v1/referrals/"+rid+"/contacts", tok,
		`{"date":"2026-02-02","kind":"assessment_treatment","attendance":"attended_late","medium":"video","duration_minutes":50,"employment_status":"01"}`)
	if status != 201 {
		t.Fatalf("contact: %d %s", status, raw)
	}
	if c["kind"] != "assessment_treatment" || c["attendance"] != "attended_late" || c["medium"] != "video" ||
		c["duration_minutes"] != 50.0 || c["therapy_type"] != "1026131000000100" || c["employment_status"] != "01" {
		t.Errorf("contact as recorded: %s", raw)
	}
	// The first release's "cancelled" is still taken.
	if status, _, raw := e.api("POST", "/api/v1/referrals/"+rid+"/contacts", tok,
		`{"date":"2026-02-09","kind":"treatment","attendance":"cancelled"}`); status != 201 {
		t.Errorf("legacy cancelled: %d %s", status, raw)
	}

	bad := []struct{ name, method, path, body, field string }{
		{"ethnic category", "POST", "/api/v1/patients", `{"name":"A","date_of_birth":"1990-01-01","ethnic_category":"Q"}`, "ethnic_category"},
		{"postcode", "POST", "/api/v1/patients", `{"name":"A","date_of_birth":"1990-01-01","postcode":"nowhere"}`, "postcode"},
		{"source of referral", "POST", "/api/v1/referrals", fmt.Sprintf(`{"patient_id":%d,"received_on":"2026-01-05","problem_descriptor":"F32","intensity":"low","source_of_referral":"ZZ"}`, pid), "source_of_referral"},
		{"medium", "POST", "/api/v1/referrals/" + rid + "/contacts", `{"date":"2026-02-03","kind":"treatment","attendance":"attended","medium":"fax"}`, "medium"},
		{"duration", "POST", "/api/v1/referrals/" + rid + "/contacts", `{"date":"2026-02-03","kind":"treatment","attendance":"attended","duration_minutes":601}`, "duration_minutes"},
		{"therapy type", "POST", "/api/v1/referrals/" + rid + "/contacts", `{"date":"2026-02-03","kind":"treatment","attendance":"attended","therapy_type":"1"}`, "therapy_type"},
		{"end code", "POST", "/api/v1/referrals/" + rid + "/end", `{"date":"2026-03-01","reason":"completed","end_code":"99"}`, "end_code"},
		{"demographics", "PUT", "/api/v1/referrals/" + rid + "/demographics", `{"gender_identity":"7"}`, "gender_identity"},
	}
	for _, tt := range bad {
		status, body, raw := e.api(tt.method, tt.path, tok, tt.body)
		if status != 422 || body["field"] != tt.field {
			t.Errorf("%s: %d %s, want 422 on %s", tt.name, status, raw, tt.field)
		}
	}
	d, err := e.store.ReferralDetail(context.Background(), int64(r["id"].(float64)))
	if err != nil || len(d.Contacts) != 2 || !d.Referral.Open() {
		t.Fatalf("refused requests changed the referral: %d contacts, ended %q (%v)", len(d.Contacts), d.Referral.EndedOn, err)
	}

	// Demographics are edited later, keeping the history.
	status, body, raw := e.api("PUT", "/api/v1/referrals/"+rid+"/demographics", tok, `{"ethnic_category":"J","postcode":"LS1 4AP"}`)
	if status != 200 || body["ethnic_category"] != "J" || body["versions"] != 2.0 {
		t.Errorf("demographics update: %d %s", status, raw)
	}
	status, _, raw = e.api("POST", "/api/v1/referrals/"+rid+"/end", tok, `{"date":"2026-03-01","reason":"completed","end_code":"46"}`)
	if status != 200 {
		t.Fatalf("end: %d %s", status, raw)
	}
	ds, err := e.store.ReferralDataset(context.Background(), int64(r["id"].(float64)))
	if err != nil || ds.EndCode != "46" || ds.SourceOfReferral != "A1" || !ds.LTCPathway {
		t.Errorf("referral data set %+v %v", ds, err)
	}
}
