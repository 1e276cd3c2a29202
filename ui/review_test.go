package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"clinic/internal/caseload"
	"clinic/internal/measures"
	"clinic/ui/chart"
)

// addSupervisionSamples adds the supervision pages to the every-template
// test (templates_test.go).
func addSupervisionSamples(t *testing.T, samples map[string]any, base basePage, f *form) {
	t.Helper()
	sup := caseload.User{ID: 4, Name: "Sue Supervisor", Role: caseload.RoleSupervisor, Teams: []int64{1}}
	sb := base
	sb.User = &sup
	ref := caseload.Referral{ID: 7, PatientName: "Pat", TherapistName: "Tara", ReceivedOn: "2026-01-05", ProblemDescriptor: "F41.1", Intensity: "low", BringToSupervision: "Unsure"}
	flags := []flagView{{Code: "risk", Label: "Risk", Severity: "high", Level: "High", Reason: "PHQ-9 item 9 was 2"}}
	o := measures.Outcome{PHQ9: measures.MeasureOutcome{Count: 3, First: 14, Last: 20, BySession: []float64{14, 17, 20}}, AnxietyM: measures.MeasureOutcome{Count: 1, First: 9}, Anxiety: measures.GAD7}
	lr := newReviewView(caseload.Review{Date: "2026-03-09", Decision: "continue", Note: "Seen", FlagCodes: []string{"risk"}})
	c := reviewCaseView{ReferralID: 7, Patient: "Pat", Therapist: "Tara", Descriptor: "GAD", Sessions: 3, Level: "High", Severity: "high",
		Flags: flags, Quiet: flags, Brought: "Unsure", Spark: chart.NewSparkline(o, "F41.1"), LastReview: &lr}
	samples["review.html"] = &reviewPage{basePage: sb, AsOf: "2026-03-16", Therapists: []option{{"2", "Tara"}}, Therapist: "2",
		Counts: []flagCount{{"risk", "Risk", 1, []caseLink{{7, "Pat"}}, []pageLink{{2, "/review?page=2"}}}}, Brought: 1, BroughtOn: []pageLink{{3, "/review?page=3"}}, Cases: []reviewCaseView{c}, Quiet: []reviewCaseView{c},
		NewAccounts: []caseload.NewAccount{{UserID: 9, Name: "Nia", Email: "nia@example.nhs.uk", Role: caseload.RoleTherapist, CreatedAt: testNow, AddedBy: "Ada", AddedByRole: caseload.RoleAdmin}, {UserID: 10, Name: "Ned", Role: caseload.RoleTherapist, CreatedAt: testNow}}}
	samples["review_new.html"] = &reviewNewPage{basePage: sb, Referral: ref, Flags: flags, Decisions: decisionOptions(), Form: f, Next: "/review"}
	trend, err := chart.Trend([]caseload.MonthFigures{{Month: "2026-01", Figures: caseload.Figures{Rates: measures.ServiceRates(nil)}}})
	if err != nil {
		t.Fatal(err)
	}
	funnel, err := chart.NewFunnel("chart-funnel-teams", "team", []chart.FunnelPoint{{Name: "North", X: 9, N: 20}, {Name: "South", X: 0, N: 0}})
	if err != nil {
		t.Fatal(err)
	}
	samples["report.html"] = &reportPage{basePage: sb, Funnels: []chart.Funnel{funnel}, Form: f, Periods: periodOptions, Teams: []option{{"", "All"}}, Therapists: []option{{"", "Every"}},
		Descriptors: []option{{"", "Every problem"}}, From: "2026-01-01", To: "2026-01-31", Scope: "team North",
		Lines: reportLines(caseload.Figures{Rates: measures.Rates{Finished: 4, Recovered: 2, Paired: 3}}, measures.National2425), NationalLabel: "England 2024-25", RuleSet: measures.RuleSet,
		Sections: newSectionsView(caseload.Sections{Waits: caseload.Waits{Assessed: 12, AssessmentUnder29: 12, StillWaitingByBand: make([]int, 6)},
			Endings: caseload.Endings{Ended: 3, ByCode: caseload.EndCodeCounts(map[string]int{"46": 3})},
			Groups:  caseload.LayOutGroups(map[[2]string]measures.Rates{{"ethnic_group", "white"}: {Finished: 12, Recovered: 6}, {"ethnic_group", "black"}: {Finished: 11, Recovered: 3}})},
			measures.Rates{}, func(string) string { return "/reports/sections.csv?section=waits" }),
		Trend: trend, Months: []monthRow{{Month: "2026-01", Label: "Jan 2026"}}, Compare: chart.Report{ID: "chart-therapists", Caption: "None"},
		TherapistRows: []therapistRow{{Name: "Tara", Team: "North"}}, CSVHref: "/reports/outcomes.csv?period=custom"}
}

// supervisionEnv is the test service with cases worth supervising: Tara's
// referral deteriorating with item 9 answered 2, Colin's waiting with no
// treatment, Sam's (team South) deteriorating too, and two finished courses
// in February.
type supervisionEnv struct {
	*testEnv
	tara, colin, sid     caseload.Referral
	finished1, finished2 caseload.Referral
}

func (e *testEnv) contact(u caseload.User, r caseload.Referral, date string, phq9, gad7 []*int) {
	e.t.Helper()
	_, err := e.store.RecordContact(context.Background(), u, r.ID, caseload.NewContact{Date: date, Kind: "treatment", Attendance: "attended",
		Scores: map[measures.InstrumentID]caseload.ScoreInput{measures.PHQ9: {Items: phq9}, measures.GAD7: {Items: gad7}}})
	if err != nil {
		e.t.Fatal(err)
	}
}

func newSupervisionEnv(t *testing.T) *supervisionEnv {
	e := &supervisionEnv{testEnv: newTestEnv(t)}
	gad := ints(1, 1, 1, 1, 1, 1, 1)
	e.tara = e.referral(e.therapist, "Pat Declining", "F41.1")
	e.contact(e.therapist, e.tara, "2026-02-02", ints(2, 1, 1, 1, 1, 1, 1, 1, 1), gad)
	e.contact(e.therapist, e.tara, "2026-03-09", ints(3, 2, 2, 2, 2, 2, 2, 2, 2), gad)
	e.colin = e.referral(e.colleague, "Wendy Waiting", "F32")
	e.sid = e.referral(e.south, "Sid South", "F32")
	e.contact(e.south, e.sid, "2026-02-02", ints(1, 1, 1, 1, 1, 1, 1, 1, 0), gad)
	e.contact(e.south, e.sid, "2026-03-09", ints(3, 3, 2, 2, 2, 2, 2, 2, 0), gad)
	ctx := context.Background()
	e.finished1 = e.referral(e.therapist, "Fay Finished", "F41.1")
	e.contact(e.therapist, e.finished1, "2026-01-12", ints(2, 2, 2, 2, 2, 2, 2, 2, 0), ints(2, 2, 2, 2, 2, 2, 2))
	e.contact(e.therapist, e.finished1, "2026-02-09", ints(0, 0, 0, 0, 0, 0, 0, 0, 0), ints(0, 0, 0, 0, 0, 0, 0))
	e.finished2 = e.referral(e.colleague, "Fred Finished", "F32")
	e.contact(e.colleague, e.finished2, "2026-01-12", ints(1, 1, 1, 1, 1, 1, 1, 1, 0), ints(1, 1, 1, 1, 1, 1, 1))
	e.contact(e.colleague, e.finished2, "2026-02-09", ints(3, 3, 2, 2, 2, 2, 2, 2, 0), ints(1, 1, 1, 1, 1, 1, 1))
	for _, x := range []struct {
		u caseload.User
		r caseload.Referral
	}{{e.therapist, e.finished1}, {e.colleague, e.finished2}} {
		if _, err := e.store.EndReferral(ctx, x.u, x.r.ID, "2026-02-20", "completed", "", caseload.EndRisk{}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// reviewCases returns the referral ids of the cases to discuss on a review
// page, in order, and those listed as quiet.
func reviewCases(body string) (discuss []string, quiet string) {
	main, rest, _ := strings.Cut(body, "Reviewed, nothing new since")
	for _, m := range regexp.MustCompile(`data-referral="(\d+)"`).FindAllStringSubmatch(main, -1) {
		discuss = append(discuss, m[1])
	}
	return discuss, rest
}

func id(r caseload.Referral) string { return strconv.FormatInt(r.ID, 10) }

func TestWeeklyReviewPage(t *testing.T) {
	e := newSupervisionEnv(t)
	b := e.signedIn(e.supervisor)
	p := b.get("/review")
	if p.Status != http.StatusOK {
		t.Fatalf("GET /review: %d", p.Status)
	}
	discuss, _ := reviewCases(p.Body)
	if len(discuss) != 2 || discuss[0] != id(e.tara) || discuss[1] != id(e.colin) {
		t.Errorf("cases %v; want Tara's (high) then Colin's", discuss)
	}
	for _, want := range []string{
		"PHQ-9 rose from 10 to 19 since the first session", "PHQ-9 item 9", "Risk, high</strong>",
		"No first treatment 70 days after referral", // Colin's, waiting, high
		`data-count="risk"><th class="nhsuk-table__header" scope="row">Risk</th><td class="nhsuk-table__cell nhsuk-table__cell--numeric">1</td>`,
		`role="img" aria-label="Progress by treatment session: PHQ-9 10 → 19; GAD-7 7 → 7."`,
		`href="/referrals/` + id(e.tara) + `"`, "Weekly review</a>",
	} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("review page lacks %q", want)
		}
	}
	if strings.Contains(p.Body, "Sid South") {
		t.Error("a supervisor of North sees a South case")
	}

	// Filtered to Colin.
	p = b.get("/review?therapist=" + strconv.FormatInt(e.colleague.ID, 10))
	if discuss, _ := reviewCases(p.Body); p.Status != 200 || len(discuss) != 1 || discuss[0] != id(e.colin) {
		t.Errorf("filtered to Colin: %d %v", p.Status, discuss)
	}
	// A therapist of another team is not a filter a supervisor of North can use.
	if p := b.get("/review?therapist=" + strconv.FormatInt(e.south.ID, 10)); p.Status != http.StatusBadRequest {
		t.Errorf("filter by a South therapist: %d, want 400", p.Status)
	}
	// A case with no flag is listed once its therapist asks to bring it.
	quiet := e.referral(e.therapist, "Quinn Quiet", "F32")
	e.contact(e.therapist, quiet, "2026-03-09", ints(1, 1, 1, 1, 1, 1, 1, 1, 0), ints(1, 1, 1, 1, 1, 1, 1))
	if discuss, _ := reviewCases(b.get("/review").Body); len(discuss) != 2 {
		t.Fatalf("an unflagged case is listed: %v", discuss)
	}
	if p := e.signedIn(e.therapist).post("/referrals/"+id(quiet)+"/bring", url.Values{"reason": {"Wants to stop early"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("bring to supervision: %d", p.Status)
	}
	p = b.get("/review")
	if discuss, _ := reviewCases(p.Body); len(discuss) != 3 || discuss[2] != id(quiet) || !strings.Contains(p.Body, "Therapist asks to bring:</strong> Wants to stop early") {
		t.Errorf("brought case: %v", discuss)
	}

	// Therapists and admins have no weekly review.
	for _, u := range []caseload.User{e.therapist, e.admin} {
		if p := e.signedIn(u).get("/review"); p.Status != http.StatusForbidden {
			t.Errorf("%s GET /review: %d, want 403", u.Role, p.Status)
		}
		if strings.Contains(e.signedIn(u).get("/").Body, `href="/review"`) {
			t.Errorf("%s sees the Weekly review link", u.Role)
		}
	}
}

func TestRecordReviewQuietsFlagsUntilNewData(t *testing.T) {
	e := newSupervisionEnv(t)
	b := e.signedIn(e.supervisor)
	path := "/referrals/" + id(e.tara) + "/reviews"

	// The form, then a review with errors, then a good one.
	if p := b.get(path + "/new?next=/review"); p.Status != 200 || !strings.Contains(p.Body, "PHQ-9 rose from 10 to 19") || !strings.Contains(p.Body, `value="/review"`) {
		t.Fatalf("review form: %d", p.Status)
	}
	p := b.post(path, url.Values{"date": {"2026-03-16"}, "note": {"Kept note"}, "next": {"/review"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Select the decision") || !strings.Contains(p.Body, "Kept note") {
		t.Fatalf("review without a decision: %d", p.Status)
	}
	p = b.post(path, url.Values{"date": {"2026-03-16"}, "decision": {"risk_plan_agreed"}, "note": {"Risk plan agreed"}, "next": {"/review"}})
	if p.Status != http.StatusSeeOther || p.Location != "/review" {
		t.Fatalf("record review: %d %s", p.Status, p.Location)
	}
	p = b.get("/review")
	discuss, quiet := reviewCases(p.Body)
	if len(discuss) != 1 || discuss[0] != id(e.colin) || !strings.Contains(quiet, "Pat Declining") {
		t.Errorf("after review: discuss %v; Tara's case should be quiet", discuss)
	}
	// The review is on the referral page, for the therapist too.
	for _, u := range []caseload.User{e.supervisor, e.therapist} {
		rp := e.signedIn(u).get("/referrals/" + id(e.tara))
		if !strings.Contains(rp.Body, "Risk plan agreed</td>") || !strings.Contains(rp.Body, "Sue Supervisor") {
			t.Errorf("%s: referral page lacks the review", u.Role)
		}
	}

	// New data brings the flags back.
	e.contact(e.therapist, e.tara, "2026-03-16", ints(3, 2, 2, 2, 2, 2, 2, 2, 2), ints(1, 1, 1, 1, 1, 1, 1))
	if discuss, _ := reviewCases(b.get("/review").Body); len(discuss) != 2 || discuss[0] != id(e.tara) {
		t.Errorf("after new data: %v; want Tara's case back first", discuss)
	}
}

func TestReviewAccess(t *testing.T) {
	e := newSupervisionEnv(t)
	form := url.Values{"date": {"2026-03-16"}, "decision": {"continue"}}
	tests := []struct {
		name   string
		who    caseload.User
		ref    caseload.Referral
		status int
	}{
		{"therapist on own case", e.therapist, e.tara, http.StatusForbidden},
		{"therapist on a colleague's case", e.therapist, e.colin, http.StatusNotFound},
		{"supervisor on another team's case", e.supervisor, e.sid, http.StatusNotFound},
		{"admin", e.admin, e.tara, http.StatusForbidden},
		{"supervisor of the team", e.supervisor, e.colin, http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := e.signedIn(tt.who)
			if p := b.post("/referrals/"+id(tt.ref)+"/reviews", form); p.Status != tt.status {
				t.Errorf("POST review: %d, want %d", p.Status, tt.status)
			}
		})
	}
}

func TestReferralFlagsAPI(t *testing.T) {
	e := newSupervisionEnv(t)
	tok := e.token(e.therapist)
	status, _, raw := e.api("GET", "/api/v1/referrals/"+id(e.tara)+"/flags", tok, "")
	var flags []map[string]any
	if err := json.Unmarshal([]byte(raw), &flags); status != 200 || err != nil || len(flags) == 0 {
		t.Fatalf("flags: %d %v %s", status, err, raw)
	}
	for _, f := range flags {
		if len(f) != 3 || f["code"] == nil || f["severity"] == nil || f["reason"] == nil {
			t.Errorf("flag shape %v, want exactly code, severity, reason", f)
		}
	}
	if flags[0]["code"] != "risk" || flags[0]["severity"] != "high" {
		t.Errorf("first flag %v, want risk high", flags[0])
	}
	// An ended referral has none: an empty array, not null.
	if status, _, raw := e.api("GET", "/api/v1/referrals/"+id(e.finished1)+"/flags", tok, ""); status != 200 || strings.TrimSpace(raw) != "[]" {
		t.Errorf("ended referral flags: %d %s", status, raw)
	}
	// Another therapist's referral: not found.
	if status, _, _ := e.api("GET", "/api/v1/referrals/"+id(e.tara)+"/flags", e.token(e.colleague), ""); status != http.StatusNotFound {
		t.Errorf("colleague's flags: %d, want 404", status)
	}
}

// TestReferralPageShowsExpectedBand: with 30 finished courses that started
// at a PHQ-9 of 16, an open case that started there shows their band.
func TestReferralPageShowsExpectedBand(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	phq := func(v int) []*int { return ints(v, v, v, v, v, v, v, v, 0) }
	gad := ints(1, 1, 1, 1, 1, 1, 1)
	for i := 0; i < measures.MinComparableCases; i++ {
		r := e.referral(e.therapist, "Finished "+strconv.Itoa(i), "F32")
		e.contact(e.therapist, r, "2026-01-12", phq(2), gad)
		e.contact(e.therapist, r, "2026-01-19", phq(1+i%2), gad) // 8 or 16
		if _, err := e.store.EndReferral(ctx, e.therapist, r.ID, "2026-01-26", "completed", "", caseload.EndRisk{}); err != nil {
			t.Fatal(err)
		}
	}
	open := e.referral(e.therapist, "Olive Open", "F32")
	e.contact(e.therapist, open, "2026-03-02", phq(2), gad)
	e.contact(e.therapist, open, "2026-03-09", phq(2), gad)
	p := e.signedIn(e.therapist).get("/referrals/" + id(open))
	opt := chartOptions(t, p.Body)["chart-phq9"]
	if opt == nil {
		t.Fatal("no PHQ-9 chart")
	}
	series := opt["series"].([]any)
	if len(series) != 3 || series[2].(map[string]any)["name"] != "Expected range of similar cases" {
		t.Fatalf("PHQ-9 chart series %d, want the band", len(series))
	}
	// Session 2 of the finished courses: 8 for half, 16 for the others.
	// On the time axis each is a [date, value] pair at the contact's date.
	low, width := series[1].(map[string]any)["data"].([]any), series[2].(map[string]any)["data"].([]any)
	l, w := low[1].([]any), width[1].([]any)
	if l[0] != "2026-03-09" || w[0] != "2026-03-09" || l[1] != 8.0 || w[1] != 8.0 {
		t.Errorf("band at session 2: %v + %v, want 8 to 16 on 2026-03-09", l, w)
	}
	if !strings.Contains(p.Body, "30 similar finished cases in this service") {
		t.Error("the chart's caption does not describe the band")
	}
}
