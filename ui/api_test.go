package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

func TestAPIValidation(t *testing.T) {
	e := newTestEnv(t)
	tok := e.token(e.therapist)
	r := e.referral(e.therapist, "Val Idation", "F41.1") // received 2026-01-05
	contacts := "/api/v1/referrals/" + strconv.FormatInt(r.ID, 10) + "/contacts"
	const phq9 = `"phq9":{"items":[1,1,1,1,1,1,1,1,0]}`
	tests := []struct {
		name   string
		method string
		path   string
		token  string
		body   string
		status int
		field  string
	}{
		{"no token", "POST", "/api/v1/patients", "", `{"name":"A","date_of_birth":"1990-01-01"}`, 401, ""},
		{"bad token", "POST", "/api/v1/patients", "not-a-token", `{"name":"A","date_of_birth":"1990-01-01"}`, 401, ""},
		{"no token on a read", "GET", "/api/v1/referrals/" + strconv.FormatInt(r.ID, 10), "", "", 401, ""},
		{"bad JSON", "POST", "/api/v1/patients", tok, `{"name":`, 400, ""},
		{"not JSON at all", "POST", "/api/v1/patients", tok, `name=A`, 400, ""},
		{"two values", "POST", "/api/v1/patients", tok, `{"name":"A","date_of_birth":"1990-01-01"} {}`, 400, ""},
		{"empty body", "POST", "/api/v1/patients", tok, ``, 400, ""},
		{"unknown field", "POST", "/api/v1/patients", tok, `{"name":"A","date_of_birth":"1990-01-01","shoe_size":9}`, 400, "shoe_size"},
		{"wrong type", "POST", "/api/v1/patients", tok, `{"name":42,"date_of_birth":"1990-01-01"}`, 400, "name"},
		{"missing field", "POST", "/api/v1/patients", tok, `{"date_of_birth":"1990-01-01"}`, 422, "name"},
		{"bad date", "POST", "/api/v1/patients", tok, `{"name":"A","date_of_birth":"1990-02-30"}`, 422, "date_of_birth"},
		{"bad NHS number", "POST", "/api/v1/patients", tok, `{"name":"A","date_of_birth":"1990-01-01","nhs_number":"1234567890"}`, 422, "nhs_number"},
		{"bad descriptor", "POST", "/api/v1/referrals", tok, fmt.Sprintf(`{"patient_id":%d,"received_on":"2026-01-05","problem_descriptor":"X99","intensity":"low"}`, r.PatientID), 422, "problem_descriptor"},
		{"bad intensity", "POST", "/api/v1/referrals", tok, fmt.Sprintf(`{"patient_id":%d,"received_on":"2026-01-05","problem_descriptor":"F32","intensity":"medium"}`, r.PatientID), 422, "intensity"},
		{"no patient", "POST", "/api/v1/referrals", tok, `{"received_on":"2026-01-05","problem_descriptor":"F32","intensity":"low"}`, 422, "patient_id"},
		{"unknown patient", "POST", "/api/v1/referrals", tok, `{"patient_id":99999,"received_on":"2026-01-05","problem_descriptor":"F32","intensity":"low"}`, 422, "patient_id"},
		{"patient id a string", "POST", "/api/v1/referrals", tok, `{"patient_id":"7","received_on":"2026-01-05","problem_descriptor":"F32","intensity":"low"}`, 400, "patient_id"},
		{"future referral", "POST", "/api/v1/referrals", tok, fmt.Sprintf(`{"patient_id":%d,"received_on":"2026-03-17","problem_descriptor":"F32","intensity":"low"}`, r.PatientID), 422, "received_on"},
		{"contact: missing date", "POST", contacts, tok, `{"kind":"treatment","attendance":"attended"}`, 422, "date"},
		{"contact: bad date", "POST", contacts, tok, `{"date":"16/03/2026","kind":"treatment","attendance":"attended"}`, 422, "date"},
		{"contact: future date", "POST", contacts, tok, `{"date":"2026-03-17","kind":"treatment","attendance":"attended"}`, 422, "date"},
		{"contact before referral", "POST", contacts, tok, `{"date":"2026-01-04","kind":"treatment","attendance":"attended"}`, 422, "date"},
		{"contact: bad kind", "POST", contacts, tok, `{"date":"2026-03-02","kind":"party","attendance":"attended"}`, 422, "kind"},
		{"contact: bad attendance", "POST", contacts, tok, `{"date":"2026-03-02","kind":"treatment","attendance":"maybe"}`, 422, "attendance"},
		{"item out of range", "POST", contacts, tok, `{"date":"2026-03-02","kind":"treatment","attendance":"attended","scores":{"phq9":{"items":[1,1,1,4,1,1,1,1,0]}}}`, 422, "scores.phq9.items.4"},
		{"item not a number", "POST", contacts, tok, `{"date":"2026-03-02","kind":"treatment","attendance":"attended","scores":{"phq9":{"items":[1,1,"x",1,1,1,1,1,0]}}}`, 400, "scores.phq9.items.3"},
		{"item a fraction", "POST", contacts, tok, `{"date":"2026-03-02","kind":"treatment","attendance":"attended","scores":{"gad7":{"items":[1,1,1.5,1,1,1,1]}}}`, 400, "scores.gad7.items.3"},
		{"too many missing items", "POST", contacts, tok, `{"date":"2026-03-02","kind":"treatment","attendance":"attended","scores":{"phq9":{"items":[1,null,null,null,1,1,1,1,0]}}}`, 422, "scores.phq9.items"},
		{"wrong number of items", "POST", contacts, tok, `{"date":"2026-03-02","kind":"treatment","attendance":"attended","scores":{"gad7":{"items":[1,1,1]}}}`, 422, "scores.gad7.items"},
		{"scores on a DNA contact", "POST", contacts, tok, `{"date":"2026-03-02","kind":"treatment","attendance":"dna","scores":{` + phq9 + `}}`, 422, "scores"},
		{"unknown instrument", "POST", contacts, tok, `{"date":"2026-03-02","kind":"treatment","attendance":"attended","scores":{"bdi":{"total":20}}}`, 422, "scores.bdi"},
		{"unknown field in a score", "POST", contacts, tok, `{"date":"2026-03-02","kind":"treatment","attendance":"attended","scores":{"phq9":{"answers":[1]}}}`, 400, "scores.phq9.answers"},
		{"ADSM total out of range", "POST", contacts, tok, `{"date":"2026-03-02","kind":"treatment","attendance":"attended","scores":{"pdss":{"total":29}}}`, 422, "scores.pdss.total"},
		{"ADSM total a string", "POST", contacts, tok, `{"date":"2026-03-02","kind":"treatment","attendance":"attended","scores":{"pdss":{"total":"12"}}}`, 400, "scores.pdss.total"},
		{"PHQ-9 sent as a total", "POST", contacts, tok, `{"date":"2026-03-02","kind":"treatment","attendance":"attended","scores":{"phq9":{"total":12}}}`, 422, "scores.phq9.total"},
		{"scores not an object", "POST", contacts, tok, `{"date":"2026-03-02","kind":"treatment","attendance":"attended","scores":[1]}`, 400, "scores"},
		{"end: no reason", "POST", "/api/v1/referrals/" + strconv.FormatInt(r.ID, 10) + "/end", tok, `{"date":"2026-03-16"}`, 422, "reason"},
		{"end: bad reason", "POST", "/api/v1/referrals/" + strconv.FormatInt(r.ID, 10) + "/end", tok, `{"date":"2026-03-16","reason":"bored"}`, 422, "reason"},
		{"end: future date", "POST", "/api/v1/referrals/" + strconv.FormatInt(r.ID, 10) + "/end", tok, `{"date":"2026-04-16","reason":"completed"}`, 422, "date"},
		{"referral not found", "GET", "/api/v1/referrals/999999", tok, "", 404, ""},
		{"referral id not a number", "GET", "/api/v1/referrals/abc/outcome", tok, "", 404, ""},
		{"no such endpoint", "GET", "/api/v1/nothing", tok, "", 404, ""},
		{"admin adds a patient", "POST", "/api/v1/patients", e.token(e.admin), `{"name":"A","date_of_birth":"1990-01-01"}`, 403, ""},
		{"body over 1 MiB", "POST", "/api/v1/patients", tok, `{"name":"` + strings.Repeat("a", 1<<20) + `"}`, 413, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, raw := e.api(tt.method, tt.path, tt.token, tt.body)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, raw)
			}
			msg, _ := body["error"].(string)
			if msg == "" {
				t.Errorf("no error message: %s", raw)
			}
			field, _ := body["field"].(string)
			if field != tt.field {
				t.Errorf("field %q, want %q (%s)", field, tt.field, msg)
			}
		})
	}
	// None of those recorded anything.
	d, err := e.store.ReferralDetail(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Contacts) != 0 || !d.Referral.Open() {
		t.Errorf("rejected requests changed the referral: %d contacts, ended %q", len(d.Contacts), d.Referral.EndedOn)
	}
}

// The API journey: a patient, a referral on the token's caseload, contacts
// with computed totals, the referral read back, its outcome agreeing with
// measures.Evaluate, and its end.
func TestAPIJourney(t *testing.T) {
	e := newTestEnv(t)
	tok := e.token(e.therapist)

	status, p, raw := e.api("POST", "/api/v1/patients", tok, `{"name":"Jo Journey","date_of_birth":"1985-07-14","nhs_number":"9434765919"}`)
	if status != http.StatusCreated || p["id"] == nil || p["nhs_number"] != "9434765919" {
		t.Fatalf("create patient: %d %s", status, raw)
	}
	status, ref, raw := e.api("POST", "/api/v1/referrals", tok, fmt.Sprintf(`{"patient_id":%v,"received_on":"2026-01-05","problem_descriptor":"F431","intensity":"high"}`, p["id"]))
	if status != http.StatusCreated || ref["problem_descriptor"] != "F43.1" || ref["paired_measure"] != "iesr" || ref["therapist_id"] != float64(e.therapist.ID) {
		t.Fatalf("create referral: %d %s", status, raw)
	}
	id := strconv.FormatInt(int64(ref["id"].(float64)), 10)

	bodies := []string{
		`{"date":"2026-01-12","kind":"assessment","attendance":"attended","scores":{"phq9":{"items":[3,3,2,2,2,2,2,2,2]},"gad7":{"items":[3,3,2,2,2,2,2]},"iesr":{"total":50}}}`,
		`{"date":"2026-01-19","kind":"treatment","attendance":"dna"}`,
		`{"date":"2026-01-26","kind":"treatment","attendance":"attended","scores":{"phq9":{"items":[1,1,1,1,1,1,1,null,0]},"gad7":{"items":[1,1,1,1,1,1,1]},"iesr":{"total":30}}}`,
		`{"date":"2026-02-02","kind":"treatment","attendance":"attended","scores":{"phq9":{"items":[1,1,0,0,1,1,0,0,0]},"gad7":{"items":[1,1,0,0,1,0,0]},"iesr":{"total":20}}}`,
	}
	var first map[string]any
	for i, b := range bodies {
		status, ct, raw := e.api("POST", "/api/v1/referrals/"+id+"/contacts", tok, b)
		if status != http.StatusCreated {
			t.Fatalf("contact %d: %d %s", i+1, status, raw)
		}
		if i == 0 {
			first = ct
		}
	}
	// The first contact's scores came back computed by measures.
	got := map[string][]any{}
	for _, s := range first["scores"].([]any) {
		s := s.(map[string]any)
		got[s["instrument"].(string)] = []any{s["total"], s["severity"], s["at_caseness"], s["risk"]}
	}
	want := map[string][]any{
		"phq9": {float64(20), "severe", true, "high"},
		"gad7": {float64(16), "severe", true, nil},
		"iesr": {float64(50), nil, true, nil},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("computed scores (-want +got):\n%s", diff)
	}

	// GET the referral: its contacts and scores.
	status, full, raw := e.api("GET", "/api/v1/referrals/"+id, tok, "")
	if status != http.StatusOK {
		t.Fatalf("get referral: %d %s", status, raw)
	}
	if n := len(full["contacts"].([]any)); n != 4 {
		t.Errorf("%d contacts, want 4", n)
	}
	if full["patient"].(map[string]any)["name"] != "Jo Journey" || full["ended_on"] != nil {
		t.Errorf("referral: %s", raw)
	}

	// The outcome endpoint agrees with measures.Evaluate on the same data.
	checkOutcome(t, e, id, tok)

	// The first PHQ-9 answered item 9 with 2: the ending must acknowledge
	// the open risk alert (issue 11).
	status, refused, raw := e.api("POST", "/api/v1/referrals/"+id+"/end", tok, `{"date":"2026-02-10","reason":"completed"}`)
	if status != http.StatusConflict || refused["field"] != "risk_acknowledged" {
		t.Fatalf("end with an open risk alert: %d %s, want 409 naming risk_acknowledged", status, raw)
	}
	status, ended, raw := e.api("POST", "/api/v1/referrals/"+id+"/end", tok, `{"date":"2026-02-10","reason":"completed","risk_acknowledged":true,"risk_note":"Risk reviewed at the last session"}`)
	if status != http.StatusOK || ended["ended_on"] != "2026-02-10" || ended["end_reason"] != "completed" {
		t.Fatalf("end: %d %s", status, raw)
	}
	out := checkOutcome(t, e, id, tok)
	if out.FinishedCourse != true || out.TreatmentSessions != 2 {
		t.Errorf("after ending: %+v", out)
	}
	if status, body, _ := e.api("POST", "/api/v1/referrals/"+id+"/contacts", tok, `{"date":"2026-02-12","kind":"follow_up","attendance":"attended"}`); status != http.StatusConflict && status != http.StatusUnprocessableEntity {
		t.Errorf("contact on an ended referral: %d %v", status, body)
	}

	// The referral is the token user's: another therapist cannot see it.
	if status, _, _ := e.api("GET", "/api/v1/referrals/"+id+"/outcome", e.token(e.colleague), ""); status != http.StatusNotFound {
		t.Errorf("colleague reads the outcome: %d, want 404", status)
	}
}

// checkOutcome compares the outcome endpoint with measures.Evaluate run on
// the referral as the store holds it.
func checkOutcome(t *testing.T, e *testEnv, id, tok string) outcomeJSON {
	t.Helper()
	status, _, raw := e.api("GET", "/api/v1/referrals/"+id+"/outcome", tok, "")
	if status != http.StatusOK {
		t.Fatalf("outcome: %d %s", status, raw)
	}
	var got outcomeJSON
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("outcome shape: %v: %s", err, raw)
	}
	rid, _ := strconv.ParseInt(id, 10, 64)
	d, err := e.store.ReferralDetail(context.Background(), rid)
	if err != nil {
		t.Fatal(err)
	}
	want := newOutcomeJSON(measures.Evaluate(toMeasures(t, d)), d.Referral.ProblemDescriptor)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outcome endpoint disagrees with measures.Evaluate (-want +got):\n%s", diff)
	}
	return got
}

// toMeasures rebuilds the rules' view of a referral from its stored contacts
// and current scores, independently of the store's summary.
func toMeasures(t *testing.T, d caseload.ReferralDetail) measures.Referral {
	t.Helper()
	date := func(s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		v, err := time.Parse(dateLayout, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	r := measures.Referral{Received: date(d.Referral.ReceivedOn), Descriptor: d.Referral.ProblemDescriptor, Intensity: d.Referral.Intensity,
		EndedOn: date(d.Referral.EndedOn), EndReason: d.Referral.EndReason}
	for _, c := range d.Contacts {
		mc := measures.Contact{Date: date(c.Date), Kind: c.Kind, Attendance: c.Attendance, Scores: map[measures.InstrumentID]float64{}}
		for _, s := range c.Scores {
			if !s.Current() {
				continue
			}
			mc.Scores[s.Instrument] = s.Total
			if s.Instrument == measures.PHQ9 && len(s.Items) == 9 {
				mc.Item9 = s.Items[8]
			}
		}
		r.Contacts = append(r.Contacts, mc)
	}
	return r
}

func TestAPIOutcomeNulls(t *testing.T) {
	e := newTestEnv(t)
	tok := e.token(e.therapist)
	r := e.referral(e.therapist, "Nu Null", "F42")
	status, _, raw := e.api("GET", "/api/v1/referrals/"+strconv.FormatInt(r.ID, 10)+"/outcome", tok, "")
	want := `{"open":true,"finished_course":false,"treatment_sessions":0,"at_caseness":false,"recovered":false,"reliable_improvement":false,"reliable_deterioration":false,"reliable_recovery":false,"phq9":{"first":null,"last":null,"paired":false},"anxiety":{"instrument":"oci","first":null,"last":null,"paired":false}}`
	if status != http.StatusOK || strings.TrimSpace(raw) != want {
		t.Errorf("outcome of a referral without scores:\n got %d %s\nwant %s", status, raw, want)
	}
}

// A referral that ended without a course of treatment (one treatment
// session after the assessment) is not judged: its scores would show a
// recovery, but the outcome says none, as the national figures would.
func TestOutcomeOfReferralEndedWithoutACourse(t *testing.T) {
	e := newTestEnv(t)
	tok := e.token(e.therapist)
	r := e.referral(e.therapist, "Ula Unfinished", "F32")
	id := strconv.FormatInt(r.ID, 10)
	post := func(body string) {
		t.Helper()
		if status, got, _ := e.api("POST", "/api/v1/referrals/"+id+"/contacts", tok, body); status != http.StatusCreated {
			t.Fatalf("record contact: %d %v", status, got)
		}
	}
	post(`{"date": "2026-02-02", "kind": "assessment", "attendance": "attended", "scores": {"phq9": {"items": [3,3,3,3,3,3,0,0,0]}, "gad7": {"items": [3,3,3,3,0,0,0]}}}`)
	post(`{"date": "2026-02-09", "kind": "treatment", "attendance": "attended", "scores": {"phq9": {"items": [1,0,0,0,0,0,0,0,0]}, "gad7": {"items": [1,0,0,0,0,0,0]}}}`)

	open := checkOutcome(t, e, id, tok)
	if !open.Open || !open.Recovered || !open.ReliableRecovery {
		t.Errorf("open referral, 18 to 1 on PHQ-9: %+v, want recovered so far", open)
	}
	if status, got, _ := e.api("POST", "/api/v1/referrals/"+id+"/end", tok, `{"date": "2026-02-10", "reason": "dropped_out"}`); status != http.StatusOK {
		t.Fatalf("end: %d %v", status, got)
	}
	ended := checkOutcome(t, e, id, tok)
	if ended.Open || ended.FinishedCourse || ended.Recovered || ended.ReliableImprovement || ended.ReliableRecovery || ended.ReliableDeterioration {
		t.Errorf("ended after one treatment session: %+v, want not finished and no judgements", ended)
	}
	if ended.PHQ9.First == nil || *ended.PHQ9.First != 18 || ended.PHQ9.Last == nil || *ended.PHQ9.Last != 1 {
		t.Errorf("scores still reported: %+v", ended.PHQ9)
	}
}
