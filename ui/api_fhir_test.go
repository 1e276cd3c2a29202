package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"clinic/internal/caseload"
	"clinic/internal/fhir/fhirtest"
	"clinic/internal/measures"
)

// fhirReferral is a referral whose patient has an NHS number, with an
// assessment recorded through the API and its PHQ-9 corrected.
func fhirReferral(t *testing.T, e *testEnv, tok string) int64 {
	t.Helper()
	status, m, raw := e.api(http.MethodPost, "/api/v1/patients", tok, `{"name":"Jo Example","date_of_birth":"1985-07-14","nhs_number":"943 476 5919"}`)
	if status != http.StatusCreated {
		t.Fatalf("patient: %d %s", status, raw)
	}
	status, m, raw = e.api(http.MethodPost, "/api/v1/referrals", tok, fmt.Sprintf(`{"patient_id":%v,"received_on":"2026-01-05","problem_descriptor":"F41.0","intensity":"low"}`, m["id"]))
	if status != http.StatusCreated {
		t.Fatalf("referral: %d %s", status, raw)
	}
	ref := int64(m["id"].(float64))
	status, m, raw = e.api(http.MethodPost, fmt.Sprintf("/api/v1/referrals/%d/contacts", ref), tok,
		`{"date":"2026-01-12","kind":"assessment","attendance":"attended","scores":{"phq9":{"items":[2,2,1,3,1,1,1,0,1]},"gad7":{"items":[2,3,2,2,1,1,2]},"pdss":{"total":16}}}`)
	if status != http.StatusCreated {
		t.Fatalf("contact: %d %s", status, raw)
	}
	for _, sc := range m["scores"].([]any) {
		s := sc.(map[string]any)
		if s["instrument"] == "phq9" {
			if _, err := e.store.CorrectScore(context.Background(), e.therapist, int64(s["id"].(float64)),
				caseload.ScoreInput{Items: ints(2, 2, 1, 2, 1, 1, 1, 0, 1)}, "item 4 typed wrongly"); err != nil {
				t.Fatal(err)
			}
		}
	}
	return ref
}

// fhirGet reads a referral's Bundle, failing unless it conforms to the R4
// schema.
func fhirGet(t *testing.T, e *testEnv, tok string, ref int64) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v1/referrals/%d/fhir", e.http.URL, ref), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/fhir+json") {
		t.Fatalf("GET fhir: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
	if err := fhirtest.Validate(raw); err != nil {
		t.Fatalf("the Bundle breaks the FHIR R4 schema:\n%v", err)
	}
	var b map[string]any
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// resources are a Bundle's resources of one type.
func resources(b map[string]any, typ string) []map[string]any {
	var out []map[string]any
	entries, _ := b["entry"].([]any)
	for _, e := range entries {
		r := e.(map[string]any)["resource"].(map[string]any)
		if r["resourceType"] == typ {
			out = append(out, r)
		}
	}
	return out
}

func TestFHIRBundleOverHTTP(t *testing.T) {
	e := newTestEnv(t)
	tok := e.token(e.therapist)
	ref := fhirReferral(t, e, tok)
	b := fhirGet(t, e, tok, ref)
	if b["type"] != "collection" {
		t.Errorf("Bundle type %v", b["type"])
	}
	pats := resources(b, "Patient")
	if len(pats) != 1 {
		t.Fatalf("%d patients", len(pats))
	}
	id := pats[0]["identifier"].([]any)[0].(map[string]any)
	if id["system"] != "https://fhir.nhs.uk/Id/nhs-number" || id["value"] != "9434765919" || pats[0]["birthDate"] != "1985-07-14" {
		t.Errorf("patient = %v", pats[0])
	}
	statuses := map[string]int{}
	for _, o := range resources(b, "Observation") {
		statuses[o["status"].(string)]++
	}
	// PHQ-9 as first recorded (entered-in-error) and corrected (amended);
	// GAD-7 and PDSS final.
	if want := map[string]int{"entered-in-error": 1, "amended": 1, "final": 2}; fmt.Sprint(statuses) != fmt.Sprint(want) {
		t.Errorf("Observation statuses %v, want %v", statuses, want)
	}
	if n := len(resources(b, "QuestionnaireResponse")); n != 3 {
		t.Errorf("%d QuestionnaireResponses, want 3 (two PHQ-9, one GAD-7)", n)
	}

	// The read is audited like the referral's JSON.
	r, err := e.store.Referral(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	views, err := e.store.RecordViews(context.Background(), r.PatientID, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(views) == 0 || views[0].Detail != "API: FHIR Bundle" || views[0].UserID != e.therapist.ID {
		t.Errorf("latest view = %+v, want the therapist's FHIR read", views)
	}
}

// qrJSON is a QuestionnaireResponse as a patient app might send it.
func qrJSON(questionnaire string, items ...string) string {
	q := ""
	if questionnaire != "" {
		q = fmt.Sprintf(`"questionnaire":%q,`, questionnaire)
	}
	return `{"resourceType":"QuestionnaireResponse",` + q + `"status":"completed","authored":"2026-01-18T19:02:00Z","item":[` + strings.Join(items, ",") + `]}`
}

func coded(link, code string) string {
	return fmt.Sprintf(`{"linkId":%q,"answer":[{"valueCoding":{"system":"http://loinc.org","code":%q}}]}`, link, code)
}

func integer(link string, v int) string {
	return fmt.Sprintf(`{"linkId":%q,"answer":[{"valueInteger":%d}]}`, link, v)
}

var (
	phq9Links = []string{"44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"}
	gad7Links = []string{"69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"}
	laCodes   = []string{"LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"}
)

// phq9Items answers PHQ-9 with LOINC answer codes; -1 leaves an item out.
func phq9Items(answers ...int) []string {
	var out []string
	for i, a := range answers {
		if a >= 0 {
			out = append(out, coded(phq9Links[i], laCodes[a]))
		}
	}
	return out
}

func postQR(e *testEnv, tok string, ref int64, body string) (int, map[string]any, string) {
	return e.api(http.MethodPost, fmt.Sprintf("/api/v1/referrals/%d/questionnaire-responses", ref), tok, body)
}

// TestFHIRQuestionnaireResponseRoundTrip: a patient app's PHQ-9 is posted,
// the therapist confirms it in the session form, and the export gives the
// same answers back, as the patient's.
func TestFHIRQuestionnaireResponseRoundTrip(t *testing.T) {
	e := newTestEnv(t)
	tok := e.token(e.therapist)
	ref := fhirReferral(t, e, tok)
	posted := []int{1, 2, 1, 1, 0, 1, 2, 0, 1}
	status, m, raw := postQR(e, tok, ref, qrJSON("http://loinc.org/q/44249-1|2.72", phq9Items(posted...)...))
	if status != http.StatusCreated || m["status"] != "pending" || m["total"] != 9.0 || m["risk"] != "present" || m["instrument"] != "phq9" {
		t.Fatalf("post: %d %s", status, raw)
	}
	// Its item 9 answer of 1 opens a risk alert at once, as the patient's
	// own answers do: the therapist's list names it.
	_, list, listRaw := e.api(http.MethodGet, "/api/v1/risk-alerts", tok, "")
	relayed := 0
	for _, a := range list["risk_alerts"].([]any) {
		a := a.(map[string]any)
		if a["referral_id"] == float64(ref) && a["source"] == "patient" && a["item9"] == 1.0 && a["priority"] == "standard" {
			relayed++
		}
	}
	if relayed != 1 {
		t.Errorf("risk alerts after a relayed item 9 = 1: %s, want one from the patient's answers", listRaw)
	}
	// The app's GAD-7, sent on its own as FHIR apps do, joins the same
	// answers waiting for the therapist.
	gadPosted := []int{3, 2, 1, 0, 1, 2, 3}
	var gad7 []string
	for i, a := range gadPosted {
		gad7 = append(gad7, coded(gad7Links[i], laCodes[a]))
	}
	status, m2, raw := postQR(e, tok, ref, qrJSON("http://loinc.org/q/69737-5", gad7...))
	if status != http.StatusCreated || m2["id"] != m["id"] || m2["total"] != 12.0 {
		t.Fatalf("post GAD-7: %d %s (PHQ-9 was questionnaire %v)", status, raw, m["id"])
	}

	tb := e.signedIn(e.therapist)
	p := tb.get(referralPath(ref) + "/contacts/new")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "filled in with the answers the patient sent") {
		t.Fatalf("session form: %d, not pre-filled", p.Status)
	}
	sent := formAsSent(p.Body)
	sent.Set("date", "2026-01-19")
	sent.Set("kind", "treatment")
	sent.Set("attendance", "attended")
	sent.Set("action", "save")
	if p = tb.post(referralPath(ref)+"/contacts/new", sent); p.Status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", p.Status, errorSummaryOf(p.Body))
	}

	b := fhirGet(t, e, tok, ref)
	back := map[string]map[string]any{}
	for _, qr := range resources(b, "QuestionnaireResponse") {
		if qr["authored"] == "2026-01-19" {
			back[qr["questionnaire"].(string)] = qr
		}
	}
	totals := map[string]any{}
	for _, o := range resources(b, "Observation") {
		if o["effectiveDateTime"] == "2026-01-19" {
			totals[o["code"].(map[string]any)["text"].(string)] = o["valueInteger"]
		}
	}
	for _, want := range []struct {
		questionnaire, total string
		links                []string
		answers              []int
		sum                  float64
	}{
		{"http://loinc.org/q/44249-1", "PHQ-9 total score", phq9Links, posted, 9},
		{"http://loinc.org/q/69737-5", "GAD-7 total score", gad7Links, gadPosted, 12},
	} {
		found := back[want.questionnaire]
		if found == nil {
			t.Errorf("%s: the confirmed answers are not in the export", want.questionnaire)
			continue
		}
		if found["status"] != "completed" || found["source"].(map[string]any)["type"] != "Patient" {
			t.Errorf("QuestionnaireResponse = %v, want completed, from the patient", found)
		}
		items := found["item"].([]any)
		if len(items) != len(want.answers) {
			t.Errorf("%s: %d items back, %d posted", want.questionnaire, len(items), len(want.answers))
			continue
		}
		for i, it := range items {
			item := it.(map[string]any)
			code := item["answer"].([]any)[0].(map[string]any)["valueCoding"].(map[string]any)["code"]
			if item["linkId"] != want.links[i] || code != laCodes[want.answers[i]] {
				t.Errorf("%s item %d back as %v %v, posted %s %s", want.questionnaire, i+1, item["linkId"], code, want.links[i], laCodes[want.answers[i]])
			}
		}
		if totals[want.total] != want.sum {
			t.Errorf("%s back as %v, want %v", want.total, totals[want.total], want.sum)
		}
	}
}

func TestFHIRQuestionnaireResponseAccepted(t *testing.T) {
	e := newTestEnv(t)
	tok := e.token(e.supervisor) // a supervisor of the referral's team may relay answers too
	ref := fhirReferral(t, e, e.token(e.therapist))
	var gad7 []string
	for i, l := range gad7Links {
		gad7 = append(gad7, integer("/69737-5/"+l, i%4))
	}
	// GAD-7 known by its items alone, answered as integers, one left out
	// (pro-rated), inside a group as some apps send it, with the subject's
	// NHS number.
	body := `{"resourceType":"QuestionnaireResponse","status":"completed",
		"subject":{"identifier":{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}},
		"item":[{"linkId":"/69737-5","item":[` + strings.Join(gad7[:6], ",") + `]},{"linkId":"70274-6","answer":[{"valueInteger":21}]}]}`
	status, m, raw := postQR(e, tok, ref, body)
	if status != http.StatusCreated || m["instrument"] != "gad7" || m["prorated"] != true {
		t.Fatalf("post: %d %s", status, raw)
	}
	// The total is measures': 0+1+2+3+0+1 = 7 over six items, pro-rated to
	// 7×7/6 = 8.17, kept as 8; never the 21 the app sent.
	sc, err := measures.ScoreItems(measures.GAD7, []*int{ints(0)[0], ints(1)[0], ints(2)[0], ints(3)[0], ints(0)[0], ints(1)[0], nil})
	if err != nil || m["total"] != sc.Total {
		t.Errorf("total %v, measures says %v (%v)", m["total"], sc.Total, err)
	}
	qs, err := e.store.Questionnaires(context.Background(), ref)
	if err != nil || len(qs) != 1 || qs[0].Status != caseload.QuestionnairePending || qs[0].SubmittedBy != e.supervisor.ID {
		t.Errorf("questionnaires = %+v, %v", qs, err)
	}
}

func TestFHIRQuestionnaireResponseRejected(t *testing.T) {
	e := newTestEnv(t)
	tok := e.token(e.therapist)
	ref := fhirReferral(t, e, tok)
	phq := "http://loinc.org/q/44249-1"
	outOfRange := phq9Items(1, 1, 1, 1, 1, 1, 1, 1, 1)
	outOfRange[3] = integer(phq9Links[3], 4)
	badCode := phq9Items(1, 1, 1, 1, 1, 1, 1, 1, 1)
	badCode[3] = coded(phq9Links[3], "LA6572-7")
	tests := []struct {
		name, body, contentType string
		status                  int
		field                   string
	}{
		{"unknown questionnaire", qrJSON("http://loinc.org/q/12345-6", phq9Items(1, 1, 1, 1, 1, 1, 1, 1, 1)...), "", 422, "questionnaire"},
		{"no questionnaire, unknown items", qrJSON("", integer("1234-5", 1)), "", 422, "questionnaire"},
		{"an answer outside 0–3", qrJSON(phq, outOfRange...), "", 422, "item[3].answer[0].valueInteger"},
		{"an unknown answer code", qrJSON(phq, badCode...), "", 422, "item[3].answer[0].valueCoding"},
		{"three items missing", qrJSON(phq, phq9Items(1, -1, 1, -1, 1, -1, 1, 1, 1)...), "", 422, "item"},
		{"a GAD-7 item in a PHQ-9", qrJSON(phq, append(phq9Items(1, 1, 1, 1, 1, 1, 1, 1, 1), integer(gad7Links[0], 1))...), "", 422, "item[9].linkId"},
		{"an item twice", qrJSON(phq, append(phq9Items(1, 1, 1, 1, 1, 1, 1, 1, 1), integer(phq9Links[0], 1))...), "", 422, "item[9].linkId"},
		{"not finished", strings.Replace(qrJSON(phq, phq9Items(1, 1, 1, 1, 1, 1, 1, 1, 1)...), "completed", "in-progress", 1), "", 422, "status"},
		{"another resource", `{"resourceType":"Observation","status":"final"}`, "", 422, "resourceType"},
		{"another patient", strings.Replace(qrJSON(phq, phq9Items(1, 1, 1, 1, 1, 1, 1, 1, 1)...), `"status"`,
			`"subject":{"identifier":{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"4010232137"}},"status"`, 1), "", 422, "subject.identifier.value"},
		{"malformed JSON", `{"resourceType":`, "", 400, ""},
		{"a string answer", qrJSON(phq, `{"linkId":"44250-9","answer":[{"valueInteger":"2"}]}`), "", 400, "item.answer.valueInteger"},
		{"XML", `<QuestionnaireResponse/>`, "application/fhir+xml", 415, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/v1/referrals/%d/questionnaire-responses", e.http.URL, ref), strings.NewReader(tt.body))
			req.Header.Set("Authorization", "Bearer "+tok)
			ct := tt.contentType
			if ct == "" {
				ct = "application/fhir+json"
			}
			req.Header.Set("Content-Type", ct)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			var m map[string]any
			_ = json.Unmarshal(raw, &m)
			if resp.StatusCode != tt.status || (tt.field != "" && m["field"] != tt.field) || m["error"] == "" {
				t.Errorf("%d %s, want %d on %q", resp.StatusCode, raw, tt.status, tt.field)
			}
		})
	}
	if qs, err := e.store.Questionnaires(context.Background(), ref); err != nil || len(qs) != 0 {
		t.Errorf("rejected answers were kept: %+v, %v", qs, err)
	}
	// An ended referral takes no more answers.
	if status, m, _ := e.api(http.MethodPost, fmt.Sprintf("/api/v1/referrals/%d/end", ref), tok, `{"date":"2026-01-20","reason":"completed","risk_acknowledged":true,"risk_note":"Risk reviewed at assessment"}`); status != http.StatusOK {
		t.Fatalf("end: %d %v", status, m)
	}
	if status, _, raw := postQR(e, tok, ref, qrJSON(phq, phq9Items(1, 1, 1, 1, 1, 1, 1, 1, 1)...)); status != http.StatusConflict {
		t.Errorf("ended referral: %d %s, want 409", status, raw)
	}
}

// Issue 15, 1 on the FHIR endpoints: the view row of a Bundle read and the
// row of a QuestionnaireResponse relayed carry the API token the request
// was made with, like the rest of the API's audit rows.
func TestFHIRAuditNamesToken(t *testing.T) {
	e := newTestEnv(t)
	tok := e.token(e.therapist)
	tokens, err := e.store.Tokens(context.Background(), e.therapist.ID)
	if err != nil || len(tokens) != 1 {
		t.Fatalf("tokens %v, %v", tokens, err)
	}
	ref := fhirReferral(t, e, tok)
	fhirGet(t, e, tok, ref)
	if status, _, raw := postQR(e, tok, ref, qrJSON("http://loinc.org/q/44249-1|2.72", phq9Items(1, 2, 1, 1, 0, 1, 2, 0, 1)...)); status != http.StatusCreated {
		t.Fatalf("post: %d %s", status, raw)
	}
	for _, action := range []string{caseload.AuditView, caseload.AuditQuestionnaire} {
		res, err := e.store.SearchAudit(context.Background(), caseload.AuditQuery{Action: action, ReferralID: ref})
		if err != nil || len(res.Entries) == 0 {
			t.Fatalf("%s rows: %v, %v", action, res.Entries, err)
		}
		for _, r := range res.Entries {
			if r.TokenID != tokens[0].ID {
				t.Errorf("%s row %+v: token %d, want %d", action, r, r.TokenID, tokens[0].ID)
			}
		}
	}
}
