package ui

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// The patients' side (issue 5), through the real server on a real store:
// helpers, access to patient and staff pages, and what the progress page shows.

const patientDOB = "1980-05-01" // testEnv.referral's patients

// newTestEnvAt is newTestEnv with one settable clock for the store and the

// server, for tests that move time (expiry, the 90-day rule).

func newTestEnvAt(t *testing.T, now *time.Time) *testEnv {
	t.Helper()
	return newTestEnvClock(t, func() time.Time { return *now })
}

var codePattern = regexp.MustCompile(`id="invitation-code">([A-Z2-9-]+)<`)

// inviteCode makes an invitation as the therapist would, through the page,

// and returns the code shown.

func (e *testEnv) inviteCode(therapist *browser, r caseload.Referral) string {
	e.t.Helper()
	p := therapist.post(referralPath(r.ID)+"/invitation", nil)
	m := codePattern.FindStringSubmatch(p.Body)
	if p.Status != http.StatusOK || m == nil {
		e.t.Fatalf("make invitation: %d, no code in\n%s", p.Status, p.Body)
	}
	return m[1]
}

func acceptForm(code, dob, email string) url.Values {
	parts := strings.Split(dob, "-")
	return url.Values{
		"code": {code}, "email": {email}, "password": {testPassword},
		"date_of_birth_day": {parts[2]}, "date_of_birth_month": {parts[1]}, "date_of_birth_year": {parts[0]},
	}
}

// patientOf invites r's patient and returns their signed-in browser.

func (e *testEnv) patientOf(r caseload.Referral, email string) *browser {
	e.t.Helper()
	therapist := e.therapist
	for _, u := range []caseload.User{e.colleague, e.south} {
		if u.ID == r.TherapistID {
			therapist = u
		}
	}
	code := e.inviteCode(e.signedIn(therapist), r)
	b := e.browser()
	p := b.post("/invitation", acceptForm(code, patientDOB, email))
	if p.Status != http.StatusSeeOther || p.Location != "/my" {
		e.t.Fatalf("accept invitation: %d %q\n%s", p.Status, p.Location, p.Body)
	}
	return b
}

// answerForm is the "before my session" form as a browser sends it.

func answerForm(phq9, gad7 string) url.Values {
	f := url.Values{}
	for i, a := range phq9 {
		if a != '-' {
			f.Set(patientItemField(measures.PHQ9, i+1), string(a))
		}
	}
	for i, a := range gad7 {
		if a != '-' {
			f.Set(patientItemField(measures.GAD7, i+1), string(a))
		}
	}
	return f
}

// submitAnswers sends answers and returns the questionnaire page's path.

func submitAnswers(t *testing.T, b *browser, r caseload.Referral, phq9, gad7 string) string {
	t.Helper()
	p := b.post(portalPath(r.ID)+"/questionnaire", answerForm(phq9, gad7))
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, portalPath(r.ID)+"/questionnaires/") {
		t.Fatalf("submit answers: %d %q\n%s", p.Status, p.Location, errorSummaryOf(p.Body))
	}
	return p.Location
}

// Every staff page answers 403 to a patient's session, whatever referral it

// names, their own included.

func TestStaffPagesRefusePatients(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Pat Patient", "F32")
	ct, err := e.store.RecordContact(context.Background(), e.therapist, r.ID, caseload.NewContact{Date: "2026-03-02", Kind: "treatment", Attendance: "attended",
		Scores: map[measures.InstrumentID]caseload.ScoreInput{measures.PHQ9: {Items: ints(1, 1, 1, 1, 1, 1, 1, 1, 0)}}})
	if err != nil {
		t.Fatal(err)
	}
	b := e.patientOf(r, "pat@example.com")
	n := 0
	for _, rt := range e.server.routes() {
		if rt.access != staff {
			continue
		}
		n++
		path := strings.NewReplacer(":id", strconv.FormatInt(r.ID, 10)).Replace(rt.path)
		if strings.HasPrefix(rt.path, "/scores/") {
			path = fmt.Sprintf("/scores/%d/correct?referral=%d", ct.Scores[0].ID, r.ID)
		}
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			var p page
			if rt.method == http.MethodGet {
				p = b.get(path)
			} else {
				p = b.post(path, url.Values{"date": {"2026-03-10"}, "reason": {"completed"}})
			}
			if p.Status != http.StatusForbidden {
				t.Errorf("got %d %q, want 403", p.Status, p.Location)
			}
			for _, leak := range []string{"Tara Therapist", "Outcome so far", "Record a session", "Date of birth"} {
				if strings.Contains(p.Body, leak) {
					t.Errorf("the refusal shows %q", leak)
				}
			}
		})
	}
	if n < 10 {
		t.Errorf("only %d staff routes tried", n)
	}
	if _, err := e.store.Referral(context.Background(), r.ID); err != nil {
		t.Fatal(err)
	}
	if d, _ := e.store.ReferralDetail(context.Background(), r.ID); !d.Referral.Open() || len(d.Contacts) != 1 {
		t.Errorf("a patient's posts changed the referral: %+v", d.Referral)
	}
}

// Every patient route, tried with another patient's identifiers, answers

// 404 and shows nothing of theirs: the same page as for an id that does not

// exist.

func TestPatientRoutesAreOwnOnly(t *testing.T) {
	e := newTestEnv(t)
	mine := e.referral(e.therapist, "Pat Patient", "F32")
	theirs := e.referral(e.colleague, "Zed Zebedee", "F41.1")
	me := e.patientOf(mine, "pat@example.com")
	them := e.patientOf(theirs, "zed@example.com")
	theirQ := submitAnswers(t, them, theirs, "222222221", "2222222")
	theirQID := theirQ[strings.LastIndex(theirQ, "/")+1:]
	myQ := submitAnswers(t, me, mine, "111111110", "1111111")
	myQID := myQ[strings.LastIndex(myQ, "/")+1:]

	type try struct{ id, qid string }
	tries := map[string]try{
		"their referral":                   {strconv.FormatInt(theirs.ID, 10), theirQID},
		"my referral, their questionnaire": {strconv.FormatInt(mine.ID, 10), theirQID},
		"their referral, my questionnaire": {strconv.FormatInt(theirs.ID, 10), myQID},
		"a referral that does not exist":   {"99999", "99999"},
		"not a number":                     {"x", "y"},
	}
	notFound := ""
	n := 0
	for _, rt := range e.server.routes() {
		if rt.access != patient || !strings.Contains(rt.path, ":id") {
			continue
		}
		n++
		for name, tr := range tries {
			if tr.id == strconv.FormatInt(mine.ID, 10) && !strings.Contains(rt.path, ":qid") {
				continue // my own page: not a try
			}
			path := strings.NewReplacer(":id", tr.id, ":qid", tr.qid).Replace(rt.path)
			t.Run(rt.method+" "+rt.path+" "+name, func(t *testing.T) {
				var p page
				if rt.method == http.MethodGet {
					p = me.get(path)
				} else {
					p = me.post(path, answerForm("333333333", "3333333"))
				}
				if p.Status != http.StatusNotFound {
					t.Fatalf("got %d %q, want 404", p.Status, p.Location)
				}
				for _, leak := range []string{"Zed", "Zebedee", "zed@example.com", e.colleague.Name} {
					if strings.Contains(p.Body, leak) {
						t.Errorf("the 404 reveals %q", leak)
					}
				}
				if notFound == "" {
					notFound = p.Body
				} else if p.Body != notFound {
					t.Errorf("this 404 differs from the others")
				}
			})
		}
	}
	if n < 4 {
		t.Errorf("only %d patient routes tried", n)
	}
	// Nothing was written for them: their one questionnaire is as it was.
	qs, err := e.store.Questionnaires(context.Background(), theirs.ID)
	if err != nil || len(qs) != 1 || qs[0].Status != caseload.QuestionnairePending {
		t.Errorf("their questionnaires = %+v, %v", qs, err)
	}
	qs, err = e.store.Questionnaires(context.Background(), mine.ID)
	if err != nil || len(qs) != 1 {
		t.Errorf("my questionnaires = %d, %v: a refused post wrote one", len(qs), err)
	}
	// A member of staff on a patient page: refused.
	if p := e.signedIn(e.therapist).get(portalPath(mine.ID)); p.Status != http.StatusForbidden {
		t.Errorf("therapist on a patient page: %d, want 403", p.Status)
	}
}

// The progress page shows the patient's own scores, appointments and what

// the questionnaires measure, and nothing of the clinic's: no notes, flags,

// risk prompts, supervision, corrections, or other patients.

func TestPatientProgressShowsOnlyTheirs(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	r := e.referral(e.therapist, "Pat Patient", "F32")
	e.referral(e.therapist, "Olive Otherpatient", "F32")
	record := func(date, attendance string, phq9, gad7 []*int) caseload.Contact {
		nc := caseload.NewContact{Date: date, Kind: "treatment", Attendance: attendance}
		if phq9 != nil {
			nc.Scores = map[measures.InstrumentID]caseload.ScoreInput{measures.PHQ9: {Items: phq9}, measures.GAD7: {Items: gad7}}
		}
		c, err := e.store.RecordContact(ctx, e.therapist, r.ID, nc)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	first := record("2026-02-02", "attended", ints(3, 3, 2, 2, 2, 2, 2, 1, 0), ints(2, 2, 2, 2, 2, 2, 2))
	record("2026-02-09", "dna", nil, nil)
	record("2026-02-16", "attended", ints(2, 2, 2, 2, 2, 2, 2, 2, 3), ints(2, 2, 2, 2, 2, 2, 3))
	var firstPHQ9 int64
	for _, sc := range first.Scores {
		if sc.Instrument == measures.PHQ9 {
			firstPHQ9 = sc.ID
		}
	}
	if _, err := e.store.CorrectScore(ctx, e.therapist, firstPHQ9, caseload.ScoreInput{Items: ints(3, 3, 2, 2, 2, 2, 2, 2, 0)}, "SECRET-CORRECTION typed in wrong"); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetBringToSupervision(ctx, e.therapist, r.ID, "SECRET-BRING worried about engagement"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.RecordReview(ctx, e.supervisor, r.ID, caseload.NewReview{Date: "2026-03-02", Decision: "risk_plan_agreed", Note: "SECRET-REVIEW note"}); err != nil {
		t.Fatal(err)
	}
	b := e.patientOf(r, "pat@example.com")
	p := b.get(portalPath(r.ID))
	if p.Status != http.StatusOK {
		t.Fatalf("progress: %d", p.Status)
	}
	in, _ := measures.Lookup(measures.PHQ9)
	for _, want := range []string{
		"At or above the dotted line (10 or more): in the range where symptoms are likely to need help",
		html.EscapeString(in.About),
		"Did not attend",
		"2 February 2026", "16 February 2026",
		`data-chart="chart-phq9"`, `data-chart="chart-gad7"`,
		"116 123",
	} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	lower := strings.ToLower(p.Body)
	for _, leak := range []string{
		"secret", "olive", "otherpatient", "supervision", "review", "risk review", "caseness",
		"deteriorat", "not on track", "flag", "item 9", "question 9", "corrected", "sue supervisor", "recorded by", "nhs number",
	} {
		if strings.Contains(lower, leak) {
			i := strings.Index(lower, leak)
			t.Errorf("the patient's page shows %q: …%s…", leak, p.Body[max(0, i-80):min(len(p.Body), i+80)])
		}
	}
	opts := chartOptions(t, p.Body)
	phq := readChart(t, opts["chart-phq9"])
	if len(phq.Points) != 2 || phq.Points[0] != 18 || phq.Threshold != 10 || phq.YMax != 27 {
		t.Errorf("PHQ-9 chart = %+v, want the corrected first score and the line at 10", phq)
	}
	if !strings.Contains(fmt.Sprint(opts["chart-phq9"]), "dotted") {
		t.Errorf("the line is not dotted")
	}
	// Placed by date, the missed appointment marked on the date axis between
	// them and said in words.
	if phq.XType != "time" || !slices.Equal(phq.Dates, []string{"2026-02-02", "2026-02-16"}) {
		t.Errorf("PHQ-9 chart on a %q axis at %v, want a time axis at the two sessions' dates", phq.XType, phq.Dates)
	}
	if got := markedDates(opts["chart-phq9"]); !slices.Equal(got, []string{"2026-02-09"}) {
		t.Errorf("missed appointments marked at %v, want 2026-02-09", got)
	}
	if !strings.Contains(p.Body, "did not attend on 9 February 2026") {
		t.Errorf("the page does not say which appointment was missed")
	}
}

// markedDates are the dates a progress chart marks as missed or cancelled
// appointments: its scatter series' points, on the axis.
func markedDates(opt map[string]any) []string {
	var out []string
	for _, s := range opt["series"].([]any) {
		se := s.(map[string]any)
		if se["type"] != "scatter" {
			continue
		}
		for _, d := range se["data"].([]any) {
			out = append(out, d.(map[string]any)["value"].([]any)[0].(string))
		}
	}
	return out
}

// PHQ-9 item 9 above 0: the patient sees at once where to get help now,

// and the case gets the risk prompt and flag for the therapist.

// formAsSent reads a rendered form's values as a browser would send them.

// The therapist's "record a session" starts from the patient's answers:

// saved as they are, the scores keep the patient as source and the

// questionnaire is confirmed; an answer changed at the session is the

// therapist's.

// The "empty form" choice and a form sent back with errors keep the right

// questionnaire link.

// A patient who sends answers twice before the session chooses which to

// keep; both are kept.

// Ending a referral keeps the patient's read access for 90 days after the

// end date; then it closes, at the next request and at sign-in.

// addPatientSamples adds the patients' pages to TestEveryTemplateRenders'

// samples, and the patient section to the referral page's.

func addPatientSamples(t *testing.T, samples map[string]any, staffBase basePage, f *form) {
	t.Helper()
	pat := caseload.User{ID: 9, Name: "Pat Patient", Role: caseload.RolePatient, PatientID: 3}
	base := basePage{Title: "A page", User: &pat, CSRF: "tok"}
	ref := caseload.Referral{ID: 7, PatientName: "Pat", ReceivedOn: "2026-01-05", ProblemDescriptor: "F41.1", Intensity: "low"}
	when := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	in, _ := measures.Lookup(measures.PHQ9)
	charts, err := portalCharts([]caseload.Contact{{Date: "2026-02-02", Attendance: measures.Attended, Scores: []caseload.Score{{Instrument: measures.PHQ9, Total: 14}}}})
	if err != nil {
		t.Fatal(err)
	}
	qf := newForm(patientFieldOrder()...)
	qf.Values[patientItemField(measures.PHQ9, 1)] = "2"
	qf.Errs[patientItemField(measures.PHQ9, 2)] = "PHQ-9 question 2: select an answer"
	if rp, ok := samples["referral_show.html"].(*referralPage); ok {
		rp.PatientSide = &patientSideView{Access: "The patient can sign in.", Pending: []pendingView{{ID: 4, SentAt: "2 March 2026 at 10:00", Totals: "PHQ-9 14", Item9: "2", Risk: measures.RiskHigh}}, Undecided: true}
	}
	if cp, ok := samples["contact_new.html"].(*contactNewPage); ok {
		cp.Form.Values["from_questionnaire"] = "4"
	}
	for name, sample := range map[string]any{
		"invitation_show.html": &invitationShowPage{basePage: staffBase, Referral: ref, Invitations: []invitationView{
			{Created: when, Expires: when.Add(caseload.InvitationLifetime), Status: caseload.InvitationWaiting},
			{Created: when, Used: when, Status: caseload.InvitationUsed, UserEmail: "pat@example.com"},
			{Created: when, Revoked: when, Status: caseload.InvitationRevoked, Attempts: 5, Spent: true},
			{Created: when, Expires: when, Status: caseload.InvitationExpired},
		}, HasAccess: true, CanInvite: true, CanRevoke: true, Revoked: true, ReadUntil: "2026-06-14"},
		"invitation_code.html":   &invitationCodePage{basePage: staffBase, Referral: ref, Code: "ABCD-EFGH-JKLM", Expires: when},
		"invitation_accept.html": &invitationAcceptPage{basePage: basePage{Title: "Set up your account", CSRF: "tok"}, Form: newForm(invitationFields...)},
		"portal_home.html":       &portalHomePage{basePage: base, Referrals: []portalReferral{{ID: 7, Received: "2026-01-05", Therapist: "Tara"}, {ID: 8, Received: "2025-01-05", Ended: "2025-06-01"}}},
		"portal_progress.html": &portalProgressPage{basePage: base, ReferralID: 7, Therapist: "Tara", Received: "2026-01-05", PendingOn: "2026-03-02", CanSubmit: true,
			Charts: charts, Appointments: []portalAppointment{{Date: "2026-02-02", Kind: "Treatment session", Attendance: "Attended", Attended: true}, {Date: "2026-02-09", Kind: "Treatment session", Attendance: "Did not attend"}},
			Measures: []portalMeasure{{Name: in.Name, Title: in.Title, About: in.About}}},
		"portal_questionnaire.html": &portalQuestionnairePage{basePage: base, ReferralID: 7, PendingOn: "2026-03-02", Form: qf, Questionnaires: portalQuestionnaireForms(qf)},
		"portal_submitted.html": &portalSubmittedPage{basePage: base, ReferralID: 7, QuestionnaireID: 4, SentAt: "2 March 2026 at 10:00", Status: caseload.QuestionnairePending, Crisis: true,
			Totals: []portalTotal{{Name: "PHQ-9", Value: "14", Max: "27"}}, Choices: []portalChoice{{ID: 4, SentAt: "2 March", Totals: "PHQ-9 14", This: true}, {ID: 5, SentAt: "3 March", Totals: "PHQ-9 9"}}, ChoiceErr: "Select which answers your therapist should use"},
	} {
		samples[name] = sample
	}
}
