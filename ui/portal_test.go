package ui

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"clinic"
	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// The patients' side (issue 5), through the real server on a real store.

const patientDOB = "1980-05-01" // testEnv.referral's patients

// newTestEnvAt is newTestEnv with one settable clock for the store and the
// server, for tests that move time (expiry, the 90-day rule).
func newTestEnvAt(t *testing.T, now *time.Time) *testEnv {
	t.Helper()
	clock := func() time.Time { return *now }
	store, err := caseload.Open(filepath.Join(t.TempDir(), "clinic.db"), clinic.Schema, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv, err := New(store, Options{Clock: clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{t: t, store: store, server: srv}
	e.http = httptest.NewServer(srv.Handler())
	t.Cleanup(e.http.Close)
	e.therapist = e.user("tara@example.nhs.uk", "Tara Therapist", caseload.RoleTherapist, "North")
	e.colleague = e.user("colin@example.nhs.uk", "Colin Colleague", caseload.RoleTherapist, "North")
	e.south = e.user("sam@example.nhs.uk", "Sam South", caseload.RoleTherapist, "South")
	e.supervisor = e.user("sue@example.nhs.uk", "Sue Supervisor", caseload.RoleSupervisor, "North")
	e.admin = e.user("ada@example.nhs.uk", "Ada Admin", caseload.RoleAdmin, "")
	return e
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

func TestInvitationJourney(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Pat Patient", "F32")
	tb := e.signedIn(e.therapist)

	if p := tb.get(referralPath(r.ID)); !strings.Contains(p.Body, "The patient has no access") || !strings.Contains(p.Body, referralPath(r.ID)+"/invitation") {
		t.Errorf("referral page lacks the patient access section")
	}
	code := e.inviteCode(tb, r)
	if p := tb.get(referralPath(r.ID) + "/invitation"); strings.Contains(p.Body, code) || !strings.Contains(p.Body, "Waiting to be used") {
		t.Errorf("the access page shows the code again, or not its status")
	}

	b := e.browser()
	if p := b.get("/invitation"); p.Status != http.StatusOK || !strings.Contains(p.Body, `name="code"`) {
		t.Fatalf("invitation form: %d", p.Status)
	}
	// Wrong date of birth and wrong code: the same answer.
	wrongDOB := b.post("/invitation", acceptForm(code, "1980-05-02", "pat@example.com"))
	wrongCode := b.post("/invitation", acceptForm("ABCD-EFGH-JKLM", patientDOB, "pat@example.com"))
	for _, p := range []page{wrongDOB, wrongCode} {
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, html.EscapeString(badInvitation)) {
			t.Errorf("wrong code or date: %d\n%s", p.Status, errorSummaryOf(p.Body))
		}
		if !strings.Contains(p.Body, `value="pat@example.com"`) || strings.Contains(p.Body, testPassword) {
			t.Errorf("the form should keep the e-mail and never echo the password")
		}
	}
	if errorSummaryOf(wrongDOB.Body) != errorSummaryOf(wrongCode.Body) {
		t.Errorf("a wrong date of birth and a wrong code answer differently:\n%s\n%s", errorSummaryOf(wrongDOB.Body), errorSummaryOf(wrongCode.Body))
	}
	// A weak password is refused by the staff rules, without spending a try.
	weak := acceptForm(code, patientDOB, "pat@example.com")
	weak.Set("password", "password123")
	if p := b.post("/invitation", weak); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "too common") {
		t.Errorf("common password: %d\n%s", p.Status, errorSummaryOf(p.Body))
	}

	p := b.post("/invitation", acceptForm(strings.ToLower(code), patientDOB, "pat@example.com"))
	if p.Status != http.StatusSeeOther || p.Location != "/my" {
		t.Fatalf("accept: %d %q\n%s", p.Status, p.Location, errorSummaryOf(p.Body))
	}
	if p := b.get("/my"); p.Status != http.StatusSeeOther || p.Location != portalPath(r.ID) {
		t.Fatalf("/my: %d %q, want the one referral", p.Status, p.Location)
	}
	if p := b.get(portalPath(r.ID)); p.Status != http.StatusOK || !strings.Contains(p.Body, "My progress") {
		t.Fatalf("progress: %d", p.Status)
	}
	// Single use.
	if p := e.browser().post("/invitation", acceptForm(code, patientDOB, "someone@example.com")); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("the code a second time: %d, want 422", p.Status)
	}
	// Sign out, and in again with the chosen password.
	if p := b.post("/sign-out", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("sign out: %d", p.Status)
	}
	if p := b.get(portalPath(r.ID)); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/sign-in") {
		t.Errorf("after sign-out: %d %q", p.Status, p.Location)
	}
	if p := b.post("/sign-in", url.Values{"email": {"pat@example.com"}, "password": {testPassword}}); p.Status != http.StatusSeeOther || p.Location != "/my" {
		t.Errorf("patient sign-in: %d %q", p.Status, p.Location)
	}
	if p := tb.get(referralPath(r.ID)); !strings.Contains(p.Body, "The patient can sign in") {
		t.Errorf("referral page does not say the patient can sign in")
	}
}

func TestInvitationGuessingIsThrottled(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Pat Patient", "F32")
	code := e.inviteCode(e.signedIn(e.therapist), r)
	b := e.browser()
	for i := 0; i < caseload.InvitationFailuresPerAddress; i++ {
		if p := b.post("/invitation", acceptForm(fmt.Sprintf("ABCD-EFGH-JKM%d", i+2), patientDOB, "pat@example.com")); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("guess %d: %d", i, p.Status)
		}
	}
	p := b.post("/invitation", acceptForm(code, patientDOB, "pat@example.com"))
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Too many codes") {
		t.Errorf("the right code after %d guesses: %d\n%s", caseload.InvitationFailuresPerAddress, p.Status, errorSummaryOf(p.Body))
	}
}

func TestInvitationExpires(t *testing.T) {
	now := testNow
	e := newTestEnvAt(t, &now)
	r := e.referral(e.therapist, "Pat Patient", "F32")
	code := e.inviteCode(e.signedIn(e.therapist), r)
	now = now.Add(7 * 24 * time.Hour)
	if p := e.browser().post("/invitation", acceptForm(code, patientDOB, "pat@example.com")); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, html.EscapeString(badInvitation)) {
		t.Errorf("a 7-day-old code: %d", p.Status)
	}
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
		"Scores under the dotted line are in the non-clinical range",
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
}

func TestBeforeMySession(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Pat Patient", "F32")
	b := e.patientOf(r, "pat@example.com")
	form := portalPath(r.ID) + "/questionnaire"

	p := b.get(form)
	if p.Status != http.StatusOK {
		t.Fatalf("form: %d", p.Status)
	}
	for _, id := range caseload.PatientQuestionnaires {
		in, _ := measures.Lookup(id)
		for _, it := range in.Items {
			if !strings.Contains(p.Body, html.EscapeString(it.Text)) {
				t.Errorf("%s question %d is not asked", in.Name, it.Number)
			}
		}
	}

	// An unanswered question: the form comes back with the error on it and
	// every answer kept.
	p = b.post(form, answerForm("2102102-1", "1212121"))
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("unanswered question: %d", p.Status)
	}
	if !strings.Contains(errorSummaryOf(p.Body), "PHQ-9 question 8: select an answer") || !strings.Contains(p.Body, `href="#answers-phq9-items-8"`) {
		t.Errorf("error summary = %q", errorSummaryOf(p.Body))
	}
	for _, kept := range []string{`id="answers-phq9-items-1-2" name="answers.phq9.items.1" type="radio" value="2" checked`, `id="answers-phq9-items-9-1" name="answers.phq9.items.9" type="radio" value="1" checked`, `id="answers-gad7-items-7-1" name="answers.gad7.items.7" type="radio" value="1" checked`} {
		if !strings.Contains(p.Body, kept) {
			t.Errorf("answer not kept: %s", kept)
		}
	}

	// Sent with item 9 at 0: thanks, no crisis message.
	loc := submitAnswers(t, b, r, "210210210", "1212121")
	p = b.get(loc)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Your answers have been sent") || !strings.Contains(p.Body, "PHQ-9: 9 out of 27") {
		t.Errorf("after sending: %d\n%s", p.Status, p.Body)
	}
	if strings.Contains(p.Body, "116 123") {
		t.Errorf("crisis message shown for item 9 answered 0")
	}
	// The therapist sees it waiting; no risk.
	tp := e.signedIn(e.therapist).get(referralPath(r.ID))
	if !strings.Contains(tp.Body, "Answers from the patient, waiting for you") || !strings.Contains(tp.Body, "PHQ-9 9, GAD-7 10") {
		t.Errorf("referral page lacks the waiting answers")
	}
	if strings.Contains(tp.Body, "Risk review today") {
		t.Errorf("risk prompt without an item 9 answer")
	}
}

// PHQ-9 item 9 above 0: the patient sees at once where to get help now,
// and the case gets the risk prompt and flag for the therapist.
func TestCrisisMessage(t *testing.T) {
	for _, item9 := range []string{"1", "3"} {
		t.Run("item 9 = "+item9, func(t *testing.T) {
			e := newTestEnv(t)
			r := e.referral(e.therapist, "Pat Patient", "F32")
			b := e.patientOf(r, "pat@example.com")
			p := b.post(portalPath(r.ID)+"/questionnaire", answerForm("11111111"+item9, "1111111"))
			if p.Status != http.StatusSeeOther {
				t.Fatalf("submit: %d", p.Status)
			}
			p = b.get(p.Location)
			for _, want := range []string{"If you need help now", "call 999", "call NHS 111 and choose option 2", "call Samaritans on 116 123", "thoughts that you would be better off dead"} {
				if !strings.Contains(p.Body, want) {
					t.Errorf("the page after sending lacks %q", want)
				}
			}
			if i, j := strings.Index(p.Body, "If you need help now"), strings.Index(p.Body, "<h1"); i < 0 || i > j {
				t.Errorf("the crisis message is not the first thing on the page")
			}
			tp := e.signedIn(e.therapist).get(referralPath(r.ID))
			want := "Risk review today"
			if item9 == "3" {
				want = "High priority: risk review today"
			}
			if !strings.Contains(tp.Body, want) || !strings.Contains(tp.Body, "PHQ-9 question 9 answered "+item9) {
				t.Errorf("the therapist's page lacks the risk prompt %q", want)
			}
			d, err := e.store.ReferralDetail(context.Background(), r.ID)
			if err != nil {
				t.Fatal(err)
			}
			flags := measures.Flags(d.Outcome, d.Referral.ProblemDescriptor, d.Referral.Intensity, testNow, nil)
			risk := false
			for _, f := range flags {
				risk = risk || f.Code == measures.FlagRisk
			}
			if !risk {
				t.Errorf("flags = %+v, want a risk flag", flags)
			}
		})
	}
}

var (
	checkedRadio = regexp.MustCompile(`<input class="nhsuk-radios__input" id="[^"]*" name="([^"]+)" type="radio" value="([^"]*)" checked>`)
	hiddenInput  = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	textInput    = regexp.MustCompile(`<input class="nhsuk-input[^"]*" id="[^"]*" name="([^"]+)" type="(?:text|date)" value="([^"]*)"`)
)

// formAsSent reads a rendered form's values as a browser would send them.
func formAsSent(body string) url.Values {
	v := url.Values{}
	for _, re := range []*regexp.Regexp{checkedRadio, hiddenInput, textInput} {
		for _, m := range re.FindAllStringSubmatch(body, -1) {
			v.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
		}
	}
	return v
}

// The therapist's "record a session" starts from the patient's answers:
// saved as they are, the scores keep the patient as source and the
// questionnaire is confirmed; an answer changed at the session is the
// therapist's.
func TestSessionFormPrefilledFromPatient(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	r := e.referral(e.therapist, "Pat Patient", "F32")
	b := e.patientOf(r, "pat@example.com")
	submitAnswers(t, b, r, "210321012", "3210123")
	qs, _ := e.store.Questionnaires(ctx, r.ID)

	tb := e.signedIn(e.therapist)
	p := tb.get(referralPath(r.ID))
	if !strings.Contains(p.Body, fmt.Sprintf("/contacts/new?questionnaire=%d", qs[0].ID)) {
		t.Fatalf("no link to record the session from the answers")
	}
	p = tb.get(referralPath(r.ID) + "/contacts/new")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "filled in with the answers the patient sent") {
		t.Fatalf("session form: %d, not pre-filled", p.Status)
	}
	sent := formAsSent(p.Body)
	for n, want := range "210321012" {
		if got := sent.Get(itemField(measures.PHQ9, n+1)); got != string(want) {
			t.Errorf("PHQ-9 item %d pre-filled %q, want %q", n+1, got, string(want))
		}
	}
	if sent.Get("from_questionnaire") != strconv.FormatInt(qs[0].ID, 10) {
		t.Errorf("from_questionnaire = %q", sent.Get("from_questionnaire"))
	}
	// The therapist changes one GAD-7 answer with the patient, and saves.
	sent.Set(itemField(measures.GAD7, 7), "2")
	sent.Set("action", "save")
	p = tb.post(referralPath(r.ID)+"/contacts/new", sent)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", p.Status, errorSummaryOf(p.Body))
	}
	d, err := e.store.ReferralDetail(ctx, r.ID)
	if err != nil || len(d.Contacts) != 1 {
		t.Fatalf("contacts = %+v, %v", d.Contacts, err)
	}
	sources := map[measures.InstrumentID]caseload.Source{}
	for _, sc := range d.Contacts[0].Scores {
		sources[sc.Instrument] = sc.Source
	}
	if sources[measures.PHQ9] != caseload.SourcePatient || sources[measures.GAD7] != caseload.SourceTherapist {
		t.Errorf("sources = %v, want PHQ-9 patient (as sent), GAD-7 therapist (changed)", sources)
	}
	qs, _ = e.store.Questionnaires(ctx, r.ID)
	if qs[0].Status != caseload.QuestionnaireConfirmed || qs[0].ContactID != d.Contacts[0].ID {
		t.Errorf("questionnaire = %+v, want confirmed by the contact", qs[0])
	}
	// Nothing waits any more, the source shows, and the next form starts
	// empty.
	if p := tb.get(referralPath(r.ID)); strings.Contains(p.Body, "waiting for you") || strings.Count(p.Body, "(answered by the patient)") != 1 {
		t.Errorf("the confirmed answers still show as waiting, or the patient's source is not shown once")
	}
	// A choice sent from a page left open meanwhile: no error, the page
	// says where the answers stand.
	qpath := fmt.Sprintf("%s/questionnaires/%d", portalPath(r.ID), qs[0].ID)
	if p := b.post(qpath+"/keep", url.Values{"keep": {strconv.FormatInt(qs[0].ID, 10)}}); p.Status != http.StatusSeeOther || p.Location != qpath {
		t.Errorf("keep after the session: %d %q", p.Status, p.Location)
	}
	if p := tb.get(referralPath(r.ID) + "/contacts/new"); strings.Contains(p.Body, "from_questionnaire") {
		t.Errorf("the next session form is pre-filled again")
	}
	// The patient sees that their answers were used.
	if p := b.get(fmt.Sprintf("%s/questionnaires/%d", portalPath(r.ID), qs[0].ID)); !strings.Contains(p.Body, "went through these answers with you") {
		t.Errorf("patient's page does not say the answers were used")
	}
}

// The "empty form" choice and a form sent back with errors keep the right
// questionnaire link.
func TestSessionFormPrefillOptOut(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Pat Patient", "F32")
	submitAnswers(t, e.patientOf(r, "pat@example.com"), r, "111111111", "1111111")
	tb := e.signedIn(e.therapist)
	if p := tb.get(referralPath(r.ID) + "/contacts/new?questionnaire=none"); strings.Contains(p.Body, "from_questionnaire") || strings.Contains(p.Body, `name="scores.phq9.items.1" type="radio" value="1" checked`) {
		t.Errorf("?questionnaire=none is pre-filled")
	}
	sent := formAsSent(tb.get(referralPath(r.ID) + "/contacts/new").Body)
	sent.Set("date", "2027-01-01") // in the future: refused
	sent.Set("action", "save")
	p := tb.post(referralPath(r.ID)+"/contacts/new", sent)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `name="from_questionnaire"`) {
		t.Errorf("form with errors: %d, lost the questionnaire link", p.Status)
	}
}

// A patient who sends answers twice before the session chooses which to
// keep; both are kept.
func TestSentTwiceAsksWhichToKeep(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	r := e.referral(e.therapist, "Pat Patient", "F32")
	b := e.patientOf(r, "pat@example.com")
	first := submitAnswers(t, b, r, "111111110", "1111111")
	if p := b.get(first); strings.Contains(p.Body, "Which should your therapist use") {
		t.Errorf("asked to choose after sending once")
	}
	if p := b.get(portalPath(r.ID) + "/questionnaire"); !strings.Contains(p.Body, "You already sent answers on 16 March 2026") {
		t.Errorf("the form does not say answers are already waiting")
	}
	second := submitAnswers(t, b, r, "222222220", "2222222")
	p := b.get(second)
	if !strings.Contains(p.Body, "Which should your therapist use") || !strings.Contains(p.Body, "PHQ-9 8, GAD-7 7") || !strings.Contains(p.Body, "PHQ-9 16, GAD-7 14") {
		t.Fatalf("no choice offered:\n%s", p.Body)
	}
	firstID := first[strings.LastIndex(first, "/")+1:]
	// No choice made: asked again.
	if p := b.post(second+"/keep", nil); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Select which answers") {
		t.Errorf("keep with no choice: %d", p.Status)
	}
	p = b.post(second+"/keep", url.Values{"keep": {firstID}})
	if p.Status != http.StatusSeeOther || p.Location != first {
		t.Fatalf("keep the first: %d %q", p.Status, p.Location)
	}
	qs, err := e.store.Questionnaires(ctx, r.ID)
	if err != nil || len(qs) != 2 {
		t.Fatalf("questionnaires = %+v, %v: both must be kept", qs, err)
	}
	status := map[string]string{}
	for _, q := range qs {
		status[strconv.FormatInt(q.ID, 10)] = q.Status
	}
	if status[firstID] != caseload.QuestionnairePending || len(status) != 2 {
		t.Errorf("statuses = %v, want the first pending and the second discarded", status)
	}
	for id, st := range status {
		if id != firstID && st != caseload.QuestionnaireDiscarded {
			t.Errorf("second questionnaire = %s, want discarded", st)
		}
	}
	if p := b.get(second); !strings.Contains(p.Body, "used other answers you sent") {
		t.Errorf("the set-aside answers' page does not say so")
	}
	tp := e.signedIn(e.therapist).get(referralPath(r.ID))
	if strings.Count(tp.Body, "Answers from the patient, waiting for you") != 1 || !strings.Contains(tp.Body, "PHQ-9 8, GAD-7 7") {
		t.Errorf("the therapist should see the one kept")
	}
}

func TestRevokeSignsPatientOut(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Pat Patient", "F32")
	b := e.patientOf(r, "pat@example.com")
	tb := e.signedIn(e.therapist)
	if p := tb.get(referralPath(r.ID) + "/invitation"); !strings.Contains(p.Body, "Revoke the patient's access") {
		t.Fatalf("no revoke button")
	}
	if p := tb.post(referralPath(r.ID)+"/invitation/revoke", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", p.Status)
	}
	if p := b.get(portalPath(r.ID)); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/sign-in") {
		t.Errorf("after revoking: %d %q, want signed out", p.Status, p.Location)
	}
	if p := e.browser().post("/sign-in", url.Values{"email": {"pat@example.com"}, "password": {testPassword}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("sign in after revoking: %d, want refused", p.Status)
	}
	// A colleague in another team cannot revoke.
	if p := e.signedIn(e.south).post(referralPath(r.ID)+"/invitation/revoke", nil); p.Status != http.StatusNotFound {
		t.Errorf("another team's therapist revoking: %d, want 404", p.Status)
	}
}

// Ending a referral keeps the patient's read access for 90 days after the
// end date; then it closes, at the next request and at sign-in.
func TestPatientAccessClosesNinetyDaysAfterEnd(t *testing.T) {
	now := testNow // 16 March 2026
	e := newTestEnvAt(t, &now)
	r := e.referral(e.therapist, "Pat Patient", "F32")
	b := e.patientOf(r, "pat@example.com")
	if _, err := e.store.EndReferral(context.Background(), e.therapist, r.ID, "2026-03-16", "completed"); err != nil {
		t.Fatal(err)
	}
	p := b.get(portalPath(r.ID))
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "You can read this page until 14 June 2026") || strings.Contains(p.Body, "/questionnaire\"") {
		t.Errorf("ended referral: %d, or still offers questionnaires", p.Status)
	}
	if p := b.post(portalPath(r.ID)+"/questionnaire", answerForm("111111111", "1111111")); p.Status != http.StatusSeeOther || p.Location != portalPath(r.ID) {
		t.Errorf("sending answers after the end: %d %q", p.Status, p.Location)
	}
	// The last day, late in the evening (British Summer Time).
	now = time.Date(2026, 6, 14, 22, 50, 0, 0, time.UTC)
	b = e.browser()
	if p := b.post("/sign-in", url.Values{"email": {"pat@example.com"}, "password": {testPassword}}); p.Status != http.StatusSeeOther || p.Location != "/my" {
		t.Fatalf("sign in on the 90th day: %d %q", p.Status, p.Location)
	}
	if p := b.get(portalPath(r.ID)); p.Status != http.StatusOK {
		t.Fatalf("read on the 90th day: %d", p.Status)
	}
	// Twenty minutes later it is the 91st day in England.
	now = now.Add(20 * time.Minute)
	if p := b.get(portalPath(r.ID)); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/sign-in") {
		t.Errorf("on the 91st day: %d %q, want signed out", p.Status, p.Location)
	} else if p := b.get(p.Location); !strings.Contains(p.Body, "your access to clinic has ended") {
		t.Errorf("the sign-in page does not say why")
	}
	p = e.browser().post("/sign-in", url.Values{"email": {"pat@example.com"}, "password": {testPassword}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Your access to clinic has ended") {
		t.Errorf("sign in on the 91st day: %d\n%s", p.Status, errorSummaryOf(p.Body))
	}
}

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
			{Created: when, Revoked: when, Status: caseload.InvitationRevoked, Attempts: 5},
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
