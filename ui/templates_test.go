package ui

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"clinic/internal/caseload"
	"clinic/internal/dataset"
	"clinic/internal/measures"
	"clinic/ui/chart"
)

// TestEveryTemplateRenders renders each page template with typical data and
// with empty data, and checks what every page must have: a title, the skip
// link, one h1, and no inline script or style (the CSP forbids them).
func TestEveryTemplateRenders(t *testing.T) {
	e := newTestEnv(t)
	u := e.therapist
	base := basePage{Title: "A page", User: &u, CSRF: "tok"}
	f := newForm("date")
	f.Values["date"] = "2026-03-16"
	f.Errs["date"] = "Enter a date"
	ref := caseload.Referral{ID: 7, PatientName: "Pat", ReceivedOn: "2026-01-05", ProblemDescriptor: "F41.1", Intensity: "low"}
	cv, err := chart.NewView(mustInstrument(t, measures.PHQ9), []chart.Point{{Number: 1, Date: "2026-02-02", Label: "1 · 2 Feb 2026: 14", Value: "14", Total: 14}}, []chart.Mark{{Date: "2026-02-09", What: "Did not attend", When: "9 February 2026"}})
	if err != nil {
		t.Fatal(err)
	}
	sc := scoreView{Score: caseload.Score{ID: 3, Instrument: measures.PHQ9, Total: 14}, Name: "PHQ-9", Value: "14", Severity: "moderate", CanCorrect: true}
	q := newQuestionnaireView(mustInstrument(t, measures.PHQ9), f)
	samples := map[string]any{
		"sign_in.html":  &signInPage{basePage: basePage{Title: "Sign in", CSRF: "tok"}, Form: f, Next: "/"},
		"caseload.html": &caseloadPage{basePage: base, Rows: []caseloadRow{{ReferralID: 7, Patient: "Pat", PHQ9: measureCell{Has: true, Value: "14", Change: measures.ReliableImprovement, Delta: "−6"}}}, Columns: []sortColumn{{Key: "patient", Label: "Patient", Href: "/", Aria: "ascending"}}},
		"patient_new.html": &patientNewPage{basePage: base, Form: f, Descriptors: measures.Descriptors(), Intensities: intensityOptions,
			Existing: &existingPatient{Visible: true, ID: 3, Name: "Pat", DateOfBirth: "1980-05-01", NHSNumber: "943 476 5919"}},
		"referral_show.html": &referralPage{basePage: base, Referral: ref, Patient: caseload.Patient{Name: "Pat", DateOfBirth: "1990-01-01"}, Summary: []string{"At caseness at the start."},
			Charts: []chart.View{cv}, Contacts: []contactView{{Contact: caseload.Contact{ID: 1, Date: "2026-02-02", Kind: "treatment", Attendance: "attended"}, Number: 1, Scores: []scoreView{sc}}},
			Risk: measures.RiskHigh, Recorded: true, CanChange: true, CanBring: true, CanMove: true,
			Moves: []caseload.Move{{Kind: caseload.MoveStepUp, FromTherapistName: "Tara", FromIntensity: "low", ToTherapistName: "Cara", ToIntensity: "high", Reason: "No change", MovedByName: "Sue", CreatedAt: testNow}}},
		"contact_new.html":   &contactNewPage{basePage: base, Referral: ref, Form: f, Kinds: kindOptions, Attendances: attendanceOptions, Questionnaires: []questionnaireView{q}, Risk: measures.RiskPresent},
		"score_correct.html": &scoreCorrectPage{basePage: base, Referral: ref, Score: sc, Instrument: mustInstrument(t, measures.PHQ9), Questionnaire: &q, Form: f},
		"referral_end.html":  &referralEndPage{basePage: base, Referral: ref, Form: f, Reasons: endReasonOptions()},
		"error.html":         &errorPage{basePage: base, Status: 404, Heading: "Page not found", Message: "Gone."},
		"referral_demographics.html": &demographicsPage{basePage: base, Referral: ref, Form: f, Options: newDemographicsOptions(),
			History: []caseload.Demographics{{EthnicCategory: "A", Postcode: "LS1 4AP"}, {}}},
		"admin_dataset.html": &datasetPage{basePage: base, Form: f, Month: "2026-02", From: "2026-02-01", To: "2026-02-28",
			Export:    &caseload.IDSExport{Referrals: 3, Contacts: 9},
			TableRows: []datasetTableRow{{Name: "IDS101", Title: "Referral", Rows: 3}},
			Problems:  []datasetProblemRow{{DatasetProblem: caseload.DatasetProblem{Table: "IDS101", RecordID: "R1", Field: "EndCode", Problem: "Missing", ReferralID: 1}, Href: "/referrals/1"}}},
		"admin_qualifications.html": &qualificationsPage{basePage: base, Options: codeOptions(dataset.QualAttainLevel),
			Staff: []qualificationRow{{User: caseload.User{ID: 2, Name: "Tara", Role: caseload.RoleTherapist}, Qualification: "10"}}},
		"admin_care_professionals.html": &careProfPage{basePage: base, Notice: "Saved.", Therapists: []option{{"2", "Tara (North)"}},
			Rows: []careProfRow{
				{CareProfessional: caseload.CareProfessional{LocalID: "EXT7", Qualification: "10", Contacts: 4, Unallocated: 1}, FieldID: "user-0", Err: "Choose a therapist"},
				{CareProfessional: caseload.CareProfessional{LocalID: "EXT8", UserID: 2, UserName: "Tara"}, FieldID: "user-1", Selected: "2"},
			}},
	}
	addPatientSamples(t, samples, base, f)     // portal_test.go
	addAdminSamples(t, samples, base, f)       // security_test.go
	addSupervisionSamples(t, samples, base, f) // review_test.go
	addSearchSamples(t, samples, base, f)      // search_test.go
	addAdminToolSamples(samples, base, f)      // admin_users_edit_test.go
	addLetterSample(samples, base)             // admin_users_edit_test.go
	addRiskSamples(t, samples, base, f)        // risk_test.go
	var names, sampled []string
	for n := range e.server.pages {
		names = append(names, n)
	}
	for n := range samples {
		sampled = append(sampled, n)
	}
	sort.Strings(names)
	sort.Strings(sampled)
	if diff := cmp.Diff(names, sampled); diff != "" {
		t.Fatalf("templates without a sample (-templates +samples):\n%s", diff)
	}
	inline := regexp.MustCompile(`(?i)<script>|<script [^>]*>[^<]|\son[a-z]+=|\sstyle=|<style`)
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			var buf bytes.Buffer
			if err := e.server.pages[n].t.ExecuteTemplate(&buf, "layout", samples[n]); err != nil {
				t.Fatalf("render: %v", err)
			}
			html := buf.String()
			for _, want := range []string{"<title>", `href="#maincontent"`, `id="maincontent"`, "<h1"} {
				if !strings.Contains(html, want) {
					t.Errorf("lacks %s", want)
				}
			}
			if c := strings.Count(html, "<h1"); c != 1 {
				t.Errorf("%d h1 elements", c)
			}
			for _, m := range inline.FindAllString(html, -1) {
				if !strings.HasPrefix(m, `<script type="application/json"`) {
					t.Errorf("inline script or style: %q", m)
				}
			}
			// Every input has a label.
			for _, id := range regexp.MustCompile(`<(?:input|select|textarea) [^>]*id="([^"]+)"`).FindAllStringSubmatch(html, -1) {
				if !strings.Contains(html, `for="`+id[1]+`"`) {
					t.Errorf("input %s has no label", id[1])
				}
			}
		})
	}
}

func mustInstrument(t *testing.T, id measures.InstrumentID) measures.Instrument {
	t.Helper()
	in, ok := measures.Lookup(id)
	if !ok {
		t.Fatalf("no instrument %s", id)
	}
	return in
}

func TestErrorPages(t *testing.T) {
	e := newTestEnv(t)
	b := e.signedIn(e.therapist)
	tests := []struct {
		path   string
		status int
		want   string
	}{
		{"/no-such-page", http.StatusNotFound, "Page not found"},
		{"/referrals/0", http.StatusNotFound, "Page not found"},
	}
	for _, tt := range tests {
		p := b.get(tt.path)
		if p.Status != tt.status || !strings.Contains(p.Body, tt.want) || !strings.Contains(p.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s: %d, want %d with %q", tt.path, p.Status, tt.status, tt.want)
		}
	}
	status, body, _ := e.api("GET", "/api/v1/nowhere", e.token(e.therapist), "")
	if status != http.StatusNotFound || body["error"] == nil {
		t.Errorf("API 404: %d %v, want JSON", status, body)
	}

	// The way out of an error page fits who is looking: a patient refused
	// a staff page is sent to their own progress, not to a caseload.
	r := e.referral(e.therapist, "Erin Errorpage", "F32")
	ways := []struct {
		who  string
		b    *browser
		path string
		want string
	}{
		{"therapist", b, "/referrals/0", `<a href="/">Go to my caseload</a>`},
		{"patient", e.patientOf(r, "erin@example.org"), "/", `<a href="/my">Go to my progress</a>`},
		{"unknown page", e.browser(), "/no-such-page", `<a href="/">Go to the start page</a>`},
	}
	for _, w := range ways {
		p := w.b.get(w.path)
		if !strings.Contains(p.Body, w.want) {
			t.Errorf("%s on %s (%d): no %s", w.who, w.path, p.Status, w.want)
		}
	}
}

func TestStaticFiles(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		path   string
		status int
		ctype  string
		cache  string
	}{
		{"/static/charts.js", 200, "text/javascript", "max-age=3600"},
		{"/static/session_form.js", 200, "text/javascript", "max-age=3600"},
		{"/static/nhsuk_init.js", 200, "text/javascript", "max-age=3600"},
		{"/static/app.css", 200, "text/css", "max-age=3600"},
		{"/static/vendor/echarts/echarts.min.js", 200, "text/javascript", "max-age=604800"},
		{"/static/vendor/nhsuk/nhsuk-frontend.min.css", 200, "text/css", "max-age=604800"},
		{"/static/vendor/nhsuk/nhsuk-frontend.min.js", 200, "text/javascript", "max-age=604800"},
		{"/static/vendor/", 404, "", ""},
		{"/static/nothing.js", 404, "", ""},
	}
	for _, tt := range tests {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			req, _ := http.NewRequest(method, e.http.URL+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("%s %s: %d, want %d", method, tt.path, resp.StatusCode, tt.status)
				continue
			}
			if tt.status == 200 && (!strings.HasPrefix(resp.Header.Get("Content-Type"), tt.ctype) || !strings.Contains(resp.Header.Get("Cache-Control"), tt.cache)) {
				t.Errorf("%s %s: %q %q", method, tt.path, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
			}
		}
	}
	// Nothing on a page points off-site: the app runs with no network.
	css, _ := assets.ReadFile("static/vendor/nhsuk/nhsuk-frontend.min.css")
	if regexp.MustCompile(`url\((["']?)(https?:)?//`).Match(css) {
		t.Errorf("the NHS.UK CSS still loads something remote")
	}
}
