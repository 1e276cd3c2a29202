package ui

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// Questionnaires before a session (issue 5): the patient's form, the crisis
// message, the therapist's pre-filled session form, and sending twice.

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
	if !strings.Contains(errorSummaryOf(p.Body), "PHQ-9 question 8: select an answer") || !p.doc(t).has(t, `.nhsuk-error-summary a[href="#answers-phq9-items-8"]`) {
		t.Errorf("error summary = %q", errorSummaryOf(p.Body))
	}
	d := p.doc(t)
	for _, kept := range []string{`input#answers-phq9-items-1-2[type=radio][name="answers.phq9.items.1"][value="2"][checked]`, `input#answers-phq9-items-9-1[type=radio][name="answers.phq9.items.9"][value="1"][checked]`, `input#answers-gad7-items-7-1[type=radio][name="answers.gad7.items.7"][value="1"][checked]`} {
		if !d.has(t, kept) {
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

func formAsSent(body string) url.Values {
	v := url.Values{}
	for _, re := range []*regexp.Regexp{checkedRadio, hiddenInput, textInput} {
		for _, m := range re.FindAllStringSubmatch(body, -1) {
			v.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
		}
	}
	return v
}

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

func TestSessionFormPrefillOptOut(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Pat Patient", "F32")
	submitAnswers(t, e.patientOf(r, "pat@example.com"), r, "111111111", "1111111")
	tb := e.signedIn(e.therapist)
	if p := tb.get(referralPath(r.ID) + "/contacts/new?questionnaire=none"); strings.Contains(p.Body, "from_questionnaire") || p.doc(t).has(t, `input[type=radio][name="scores.phq9.items.1"][value="1"][checked]`) {
		t.Errorf("?questionnaire=none is pre-filled")
	}
	sent := formAsSent(tb.get(referralPath(r.ID) + "/contacts/new").Body)
	sent.Set("date", "2027-01-01") // in the future: refused
	sent.Set("action", "save")
	p := tb.post(referralPath(r.ID)+"/contacts/new", sent)
	if p.Status != http.StatusUnprocessableEntity || !p.doc(t).has(t, `input[name=from_questionnaire]`) {
		t.Errorf("form with errors: %d, lost the questionnaire link", p.Status)
	}
}

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
