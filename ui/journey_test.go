package ui

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// sessionForm is a record-a-session form as a browser sends it.
func sessionForm(date string, phq9, gad7 []string, adsm, adsmTotal string) url.Values {
	f := url.Values{"date": {date}, "kind": {"treatment"}, "attendance": {"attended"}, "submission_id": {"sub-" + date + "-" + strings.Join(phq9, "")}}
	for i, a := range phq9 {
		f.Set(itemField(measures.PHQ9, i+1), a)
	}
	for i, a := range gad7 {
		f.Set(itemField(measures.GAD7, i+1), a)
	}
	if adsm != "" {
		f.Set("adsm", adsm)
		f.Set("adsm_total", adsmTotal)
	}
	return f
}

func split(s string) []string { return strings.Split(s, "") }

func TestNewPatientForm(t *testing.T) {
	e := newTestEnv(t)
	b := e.signedIn(e.therapist)

	p := b.get("/patients/new")
	// Today's date (16 March 2026) in the day / month / year boxes.
	if d := p.doc(t); p.Status != http.StatusOK || !d.has(t, `input#received-on[name="received_on_day"][value="16"]`) || !d.has(t, `input#received-on-month[value="3"]`) || !d.has(t, `input#received-on-year[value="2026"]`) || !d.has(t, `select#problem-descriptor option`) || !strings.Contains(p.Body, "Generalised anxiety disorder") {
		t.Fatalf("new patient form: %d, want today's date and the descriptor list", p.Status)
	}

	tests := []struct {
		name   string
		form   url.Values
		errors []string // error summary links
		kept   []string
	}{
		{"nothing", url.Values{}, []string{"#name", "#date-of-birth", "#problem-descriptor", "#intensity"}, nil},
		{"bad NHS number", url.Values{"name": {"Nia Number"}, "date_of_birth": {"1990-01-02"}, "nhs_number": {"1234567890"}, "received_on": {"2026-03-01"}, "problem_descriptor": {"F41.1"}, "intensity": {"low"}},
			[]string{"#nhs-number"}, []string{`input#name[value="Nia Number"]`, `input#nhs-number[value="1234567890"]`, `option[value="F41.1"][selected]`}},
		{"future referral", url.Values{"name": {"Fay Future"}, "date_of_birth": {"1990-01-02"}, "received_on": {"2026-04-01"}, "problem_descriptor": {"F32"}, "intensity": {"high"}},
			[]string{"#received-on"}, []string{`input#name[value="Fay Future"]`, `input#received-on[name="received_on_day"][value="1"]`, `input#received-on-month[value="4"]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := b.post("/patients/new", tt.form)
			if p.Status != http.StatusUnprocessableEntity {
				t.Fatalf("got %d, want 422", p.Status)
			}
			d := p.doc(t)
			if !strings.Contains(p.Body, "There is a problem") || !strings.HasPrefix(d.title(t), "Error: ") {
				t.Errorf("no error summary or error title")
			}
			for _, link := range tt.errors {
				if !d.has(t, `.nhsuk-error-summary a[href="`+link+`"]`) {
					t.Errorf("error summary lacks a link to %s", link)
				}
				if !d.has(t, link) {
					t.Errorf("no field with id %s", link[1:])
				}
			}
			for _, k := range tt.kept {
				if !d.has(t, k) {
					t.Errorf("value not kept: %s", k)
				}
			}
		})
	}

	p = b.post("/patients/new", url.Values{"name": {"Nell New"}, "date_of_birth": {"1990-01-02"}, "nhs_number": {"943 476 5919"}, "received_on": {"2026-03-10"}, "problem_descriptor": {"F40.1"}, "intensity": {"high"}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/referrals/") {
		t.Fatalf("create: %d %q, want a redirect to the referral", p.Status, p.Location)
	}
	ref := b.get(p.Location)
	for _, want := range []string{"Nell New", "Social phobia", "High intensity", "Tara Therapist"} {
		if !strings.Contains(ref.Body, want) {
			t.Errorf("referral page lacks %q", want)
		}
	}
	if home := b.get("/"); !strings.Contains(home.Body, "Nell New") {
		t.Errorf("new referral not on the caseload")
	}
}

func TestRecordSessionForm(t *testing.T) {
	e := newTestEnv(t)
	b := e.signedIn(e.therapist)
	r := e.referral(e.therapist, "Pam Panic", "F41.0") // paired with PDSS
	path := referralPath(r.ID) + "/contacts/new"

	p := b.get(path)
	if p.Status != http.StatusOK {
		t.Fatalf("form: %d", p.Status)
	}
	for _, want := range []string{
		`name="date_day" type="text" value="16"`, // today, 16 March 2026
		`name="date_month" type="text" value="3"`,
		`name="date_year" type="text" value="2026"`,
		`<option value="pdss" data-min="0" data-max="28" data-step="1" selected>`, // paired ADSM
		"Thoughts that you would be better off dead",                              // PHQ-9 item 9 wording
		"Not being able to stop or control worrying",                              // GAD-7 item 2
		`name="submission_id" value="`,
		`src="/static/session_form.js"`,
		`data-risk-prompt hidden`,
	} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("form lacks %s", want)
		}
	}

	// A validation error keeps everything typed.
	bad := sessionForm("2026-03-20", split("21013002"), split("2101300"), "pdss", "30")
	p = b.post(path, bad)
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("future date, PDSS out of range: %d", p.Status)
	}
	for _, want := range []string{`href="#date"`, `href="#adsm-total"`, `value="30"`, `name="date_day" type="text" value="20"`,
		`id="scores-phq9-items-1-2" name="scores.phq9.items.1" type="radio" value="2" checked`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("after errors, page lacks %s", want)
		}
	}

	// Item 9 above 0: the prompt shows on the form sent back...
	risky := sessionForm("2026-03-09", split("222222222"), split("2222222"), "pdss", "14")
	risky.Set("action", "check")
	p = b.post(path, risky)
	if p.Status != http.StatusOK || strings.Contains(p.Body, "data-risk-prompt hidden") || !strings.Contains(p.Body, "High priority: risk review today") {
		t.Errorf("check totals with item 9 = 2: %d, want the risk prompt shown", p.Status)
	}
	if !strings.Contains(p.Body, "18 (moderately severe)") {
		t.Errorf("server-computed PHQ-9 total not shown")
	}
	// ...and after saving, on the referral page.
	risky.Set("action", "save")
	p = b.post(path, risky)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, referralPath(r.ID)+"?recorded=") {
		t.Fatalf("save: %d %q", p.Status, p.Location)
	}
	page := b.get(p.Location)
	for _, want := range []string{"Session recorded", "High priority: risk review today", "never replaces the clinician's risk assessment"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("referral page after a risky PHQ-9 lacks %q", want)
		}
	}

	// The same submission again (a double click) records nothing new.
	b.post(path, risky)
	d, err := e.store.ReferralDetail(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Contacts) != 1 {
		t.Errorf("after a double submit: %d contacts, want 1", len(d.Contacts))
	}

	// A missed appointment with scores is refused, naming them.
	dna := sessionForm("2026-03-12", split("111111111"), nil, "", "")
	dna.Set("attendance", "dna")
	p = b.post(path, dna)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "remove the PHQ-9 answers") {
		t.Errorf("DNA with scores: %d, want the form back naming PHQ-9", p.Status)
	}

	// Quick entry fills the answers without JavaScript.
	quick := url.Values{"date": {"2026-03-13"}, "kind": {"treatment"}, "attendance": {"attended"}, "submission_id": {"q1"},
		"scores.phq9.quick": {"1111 11110"}, "scores.gad7.quick": {"1111111"}}
	p = b.post(path, quick)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("quick entry: %d\n%s", p.Status, errorSummaryOf(p.Body))
	}
	quick.Set("scores.phq9.quick", "12")
	quick.Set("submission_id", "q2")
	if p := b.post(path, quick); p.Status != http.StatusUnprocessableEntity || !p.doc(t).has(t, `.nhsuk-error-summary a[href="#scores-phq9-quick"]`) {
		t.Errorf("short quick entry: %d, want an error on the quick field", p.Status)
	}
}

func errorSummaryOf(body string) string {
	re := regexp.MustCompile(`(?s)<ul class="nhsuk-list nhsuk-error-summary__list">(.*?)</ul>`)
	if m := re.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// A contact posted through the form and one through the API both show on
// the referral page's charts, with each measure's caseness as the threshold.
func TestChartsShowContactsWithThresholds(t *testing.T) {
	e := newTestEnv(t)
	b := e.signedIn(e.therapist)
	r := e.referral(e.therapist, "Sid Social", "F40.1") // paired with SPIN
	p := b.post(referralPath(r.ID)+"/contacts/new", sessionForm("2026-02-02", split("222222220"), split("2222222"), "spin", "40"))
	if p.Status != http.StatusSeeOther {
		t.Fatalf("form: %d %s", p.Status, errorSummaryOf(p.Body))
	}
	status, _, raw := e.api(http.MethodPost, "/api/v1/referrals/"+strconv.FormatInt(r.ID, 10)+"/contacts", e.token(e.therapist),
		`{"date":"2026-02-09","kind":"treatment","attendance":"attended","scores":{"phq9":{"items":[1,1,1,1,1,1,1,1,0]},"gad7":{"items":[1,1,1,1,1,1,0]},"spin":{"total":18},"wsas":{"items":[null,2,2,2,2]}}}`)
	if status != http.StatusCreated {
		t.Fatalf("api: %d %s", status, raw)
	}
	page := b.get(referralPath(r.ID))
	opts := chartOptions(t, page.Body)
	tests := []struct {
		chart string
		want  chartFacts
	}{
		{"chart-phq9", chartFacts{XType: "time", Dates: []string{"2026-02-02", "2026-02-09"}, Points: []float64{16, 8}, Threshold: 10, BandFrom: 0, BandTo: 10, YMin: 0, YMax: 27}},
		{"chart-spin", chartFacts{XType: "time", Dates: []string{"2026-02-02", "2026-02-09"}, Points: []float64{40, 18}, Threshold: 19, BandFrom: 0, BandTo: 19, YMin: 0, YMax: 68}},
		{"chart-gad7", chartFacts{XType: "time", Dates: []string{"2026-02-02", "2026-02-09"}, Points: []float64{14, 6}, Threshold: 8, BandFrom: 0, BandTo: 8, YMin: 0, YMax: 21}},
		{"chart-wsas", chartFacts{XType: "time", Dates: []string{"2026-02-09"}, Points: []float64{8}, YMin: 0, YMax: 40}},
	}
	for _, tt := range tests {
		opt, ok := opts[tt.chart]
		if !ok {
			t.Errorf("no %s on the page (have %v)", tt.chart, keys(opts))
			continue
		}
		if diff := cmp.Diff(tt.want, readChart(t, opt)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.chart, diff)
		}
		if !page.doc(t).has(t, `div.app-chart#`+tt.chart+`[role=img]`) {
			t.Errorf("%s has no container with a role", tt.chart)
		}
	}
	for _, want := range []string{"PHQ-9: 2 scores, from 16 on 2 February 2026 to 8 on 9 February 2026.", "PHQ-9 scores as a table", `src="/static/charts.js"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("referral page lacks %q", want)
		}
	}
	if strings.Contains(page.Body, "<script>") || strings.Contains(page.Body, " onclick=") || strings.Contains(page.Body, " style=") {
		t.Errorf("page has inline script or style")
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestReferralAccess(t *testing.T) {
	e := newTestEnv(t)
	mine := e.referral(e.therapist, "Mo Mine", "F32")
	south := e.referral(e.south, "Sol South", "F32")
	tests := []struct {
		name   string
		user   caseload.User
		ref    caseload.Referral
		status int
	}{
		{"own referral", e.therapist, mine, http.StatusOK},
		{"colleague's referral", e.colleague, mine, http.StatusNotFound},
		{"other team's referral", e.therapist, south, http.StatusNotFound},
		{"supervisor of the team", e.supervisor, mine, http.StatusOK},
		{"supervisor of another team", e.supervisor, south, http.StatusNotFound},
		{"admin", e.admin, mine, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := e.signedIn(tt.user)
			id := strconv.FormatInt(tt.ref.ID, 10)
			for _, path := range []string{"/referrals/" + id, "/referrals/" + id + "/contacts/new", "/referrals/" + id + "/end"} {
				if p := b.get(path); p.Status != tt.status {
					t.Errorf("GET %s: %d, want %d", path, p.Status, tt.status)
				}
			}
			status, _, _ := e.api(http.MethodGet, "/api/v1/referrals/"+id, e.token(tt.user), "")
			if status != tt.status {
				t.Errorf("API GET: %d, want %d", status, tt.status)
			}
			if tt.status == http.StatusNotFound {
				p := b.post("/referrals/"+id+"/contacts/new", sessionForm("2026-03-01", split("111111111"), nil, "", ""))
				if p.Status != http.StatusNotFound {
					t.Errorf("POST a session: %d, want 404", p.Status)
				}
				if p := b.get("/referrals/" + id); strings.Contains(p.Body, tt.ref.PatientName) {
					t.Errorf("404 page names the patient")
				}
			}
		})
	}
	if p := e.signedIn(e.therapist).get("/referrals/999999"); p.Status != http.StatusNotFound {
		t.Errorf("missing referral: %d", p.Status)
	}
	if p := e.signedIn(e.therapist).get("/referrals/abc"); p.Status != http.StatusNotFound {
		t.Errorf("bad id: %d", p.Status)
	}
}

func TestCorrectScore(t *testing.T) {
	e := newTestEnv(t)
	b := e.signedIn(e.therapist)
	r := e.referral(e.therapist, "Cora Correct", "F32")
	ct, err := e.store.RecordContact(context.Background(), e.therapist, r.ID, caseload.NewContact{Date: "2026-03-02", Kind: "treatment", Attendance: "attended",
		Scores: map[measures.InstrumentID]caseload.ScoreInput{measures.PHQ9: {Items: ints(3, 3, 3, 3, 3, 3, 3, 3, 0)}}})
	if err != nil {
		t.Fatal(err)
	}
	sc := ct.Scores[0]
	path := "/scores/" + strconv.FormatInt(sc.ID, 10) + "/correct"
	ref := strconv.FormatInt(r.ID, 10)

	if p := b.get(path); p.Status != http.StatusNotFound {
		t.Errorf("without its referral: %d, want 404", p.Status)
	}
	if p := e.signedIn(e.colleague).get(path + "?referral=" + ref); p.Status != http.StatusNotFound {
		t.Errorf("colleague: %d, want 404", p.Status)
	}
	p := b.get(path + "?referral=" + ref)
	if p.Status != http.StatusOK || !p.doc(t).has(t, `input[type=radio][name="scores.phq9.items.1"][value="3"][checked]`) {
		t.Fatalf("correction form: %d, want the old answers", p.Status)
	}
	form := url.Values{"referral_id": {ref}}
	for i, a := range []string{"1", "1", "1", "1", "1", "1", "1", "1", "0"} {
		form.Set(itemField(measures.PHQ9, i+1), a)
	}
	if p := b.post(path, form); p.Status != http.StatusUnprocessableEntity || !p.doc(t).has(t, `.nhsuk-error-summary a[href="#reason"]`) {
		t.Errorf("no reason: %d, want the form back", p.Status)
	}
	form.Set("reason", "Entered the wrong sheet")
	if p := b.post(path, form); p.Status != http.StatusSeeOther {
		t.Fatalf("correct: %d %s", p.Status, errorSummaryOf(p.Body))
	}
	page := b.get(referralPath(r.ID))
	for _, want := range []string{"<del>PHQ-9 24</del>", "corrected by Tara Therapist", "Entered the wrong sheet", "<strong>PHQ-9 8</strong>"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("referral page lacks %q", want)
		}
	}
	if f := readChart(t, chartOptions(t, page.Body)["chart-phq9"]); !cmp.Equal(f.Points, []float64{8}) {
		t.Errorf("chart shows %v, want the corrected score only", f.Points)
	}
	if p := b.get(path + "?referral=" + ref); p.Status != http.StatusConflict {
		t.Errorf("correcting a superseded score: %d, want 409", p.Status)
	}
}

func TestEndReferralAndBring(t *testing.T) {
	e := newTestEnv(t)
	b := e.signedIn(e.therapist)
	r := e.referral(e.therapist, "Ed End", "F32")
	base := referralPath(r.ID)

	if p := b.post(base+"/bring", url.Values{"reason": {"Not improving after 4 sessions"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("bring: %d", p.Status)
	}
	if p := b.get(base); !strings.Contains(p.Body, "Not improving after 4 sessions") {
		t.Errorf("bring reason not shown")
	}
	if p := e.signedIn(e.supervisor).post(base+"/bring", url.Values{"reason": {"x"}}); p.Status != http.StatusForbidden {
		t.Errorf("supervisor asking for their own supervision: %d, want 403", p.Status)
	}

	p := b.get(base + "/end")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Referred on to another service") {
		t.Fatalf("end form: %d", p.Status)
	}
	if p := b.post(base+"/end", url.Values{"date": {"2026-03-16"}}); p.Status != http.StatusUnprocessableEntity || !p.doc(t).has(t, `.nhsuk-error-summary a[href="#reason"]`) {
		t.Errorf("no reason: %d", p.Status)
	}
	if p := b.post(base+"/end", url.Values{"date": {"2025-12-01"}, "reason": {"completed"}}); p.Status != http.StatusUnprocessableEntity || !p.doc(t).has(t, `.nhsuk-error-summary a[href="#date"]`) {
		t.Errorf("end before referral: %d", p.Status)
	}
	if p := b.post(base+"/end", url.Values{"date": {"2026-03-16"}, "reason": {"completed"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("end: %d %s", p.Status, errorSummaryOf(p.Body))
	}
	page := b.get(base)
	if !strings.Contains(page.Body, "Ended 16 March 2026: Completed treatment") || strings.Contains(page.Body, "Record a session") {
		t.Errorf("ended referral page wrong")
	}
	if p := b.get(base + "/contacts/new"); p.Status != http.StatusConflict {
		t.Errorf("recording on an ended referral: %d, want 409", p.Status)
	}
	if home := b.get("/"); strings.Contains(home.Body, "Ed End") {
		t.Errorf("ended referral still on the caseload")
	}
}
