package main

// The patient's journey (issue 5) on a phone-sized screen: the demo patient
// signs in, reads their progress, answers the questionnaires by keyboard
// with PHQ-9 question 9 above 0, sees where to get help at once, and chooses
// which of their two sets of answers their therapist should use. Every page
// is checked with axe-core and must not scroll sideways.

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestPatientJourneyOnAPhone(t *testing.T) {
	if testing.Short() {
		t.Skip("browser journeys")
	}
	chromiumPath(t)
	a := startApp(t, "--demo")
	patient, ok := a.Accounts["patient"]
	if !ok {
		t.Fatalf("demo printed no patient sign-in: %v", a.All)
	}
	j := newJourney(t, a)
	// An iPhone SE-sized screen.
	do(t, j.ctx, "phone viewport", chromedp.EmulateViewport(phoneWidth, 667, chromedp.EmulateScale(2), chromedp.EmulateMobile))

	fits := func(page string) {
		t.Helper()
		// Against the screen's width, not window.innerWidth: a mobile layout
		// viewport widens to fit content that overflows.
		w, err := eval[int](j.ctx, `document.documentElement.scrollWidth`)
		if err != nil {
			t.Fatal(err)
		}
		if w == 0 || w > phoneWidth+1 {
			t.Errorf("%s scrolls sideways on a %d px phone: content %d px wide", page, phoneWidth, w)
		}
	}

	j.signIn(patient.Email, patient.Password)
	progress := j.path()
	if !strings.HasPrefix(progress, "/my/referrals/") {
		t.Fatalf("after signing in: at %s, want the patient's progress", progress)
	}
	j.check("patient-progress-phone")
	fits("progress")
	waitCharts(t, j.ctx)
	checkLabelsApart(t, j.ctx, "patient's progress at 375 px")
	body := j.text("main")
	for _, want := range []string{"My progress", "At or above the dotted line (10 or more): in the range where symptoms are likely to need help", "What the questionnaires measure", "My appointments"} {
		if !strings.Contains(body, want) {
			t.Errorf("progress page lacks %q", want)
		}
	}
	for _, leak := range []string{"Caseness", "supervision", "Risk review", "NHS number"} {
		if strings.Contains(body, leak) {
			t.Errorf("progress page shows %q", leak)
		}
	}
	charts, err := readCharts(j.ctx)
	if err != nil {
		t.Fatal(err)
	}
	drawn := map[string]chartState{}
	for _, c := range charts {
		drawn[c.ID] = c
	}
	if c := drawn["chart-phq9"]; !c.Drawn || c.Points < 2 || len(c.Thresholds) != 1 || c.Thresholds[0] != 10 {
		t.Errorf("PHQ-9 chart drawn as %s, want points and the line at 10", mustJSON(c))
	}

	j.followLink(`a[href$="/questionnaire"]`)
	j.check("patient-questionnaire-phone")
	fits("questionnaire")
	// Radios by keyboard: "several days" (1) throughout PHQ-9, question 9
	// included; "not at all" (0) throughout GAD-7.
	for n := 1; n <= 9; n++ {
		j.press("#answers-phq9-items-"+itoa(n)+"-1", " ")
	}
	for n := 1; n <= 7; n++ {
		j.press("#answers-gad7-items-"+itoa(n), " ")
	}
	j.submitWith(`button[data-prevent-double-click]`)
	if p := j.path(); !strings.Contains(p, "/questionnaires/") {
		t.Fatalf("after sending: at %s\n%s", p, j.text("main"))
	}
	j.check("patient-crisis-phone")
	fits("answers sent")
	first, err := eval[bool](j.ctx, `(() => { const h = document.querySelector('#get-help'), t = document.querySelector('h1'); return !!h && !!t && !!(h.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING); })()`)
	if err != nil || !first {
		t.Errorf("where to get help is not the first thing on the page (%v)", err)
	}
	help := j.text("#get-help")
	for _, want := range []string{"999", "NHS 111", "option 2", "116 123"} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q: %q", want, help)
		}
	}

	// The demo patient had answers waiting already: they choose.
	if !j.visible(`input[name="keep"]`) {
		t.Fatalf("no choice between the two sets of answers")
	}
	j.press("#keep", " ")
	j.submitWith(`form[action$="/keep"] button[type="submit"]`)
	if j.visible(".nhsuk-error-summary") {
		t.Fatalf("choice refused: %s", j.text(".nhsuk-error-summary"))
	}
	if j.visible(`input[name="keep"]`) {
		t.Errorf("still asked to choose after choosing")
	}
	j.check("patient-kept-phone")

	// A therapist invites a patient; the patient takes the code up on their
	// phone, typing it as read aloud (lower case, spaces).
	therapist := a.Accounts["therapist"]
	th := newJourney(t, a)
	th.signIn(therapist.Email, therapist.Password)
	th.followLink(`table a[href^="/referrals/"]`)
	referral := th.path()
	dobText, err := eval[string](th.ctx, `(() => { const dt = Array.from(document.querySelectorAll('dt')).find(d => d.textContent.trim() === 'Date of birth'); return dt ? dt.nextElementSibling.textContent.trim() : ''; })()`)
	if err != nil {
		t.Fatal(err)
	}
	dob, err := time.Parse("2 January 2006", dobText)
	if err != nil {
		t.Fatalf("date of birth on the referral page: %q: %v", dobText, err)
	}
	th.followLink(`a[href="` + referral + `/invitation"]`)
	th.check("invitation-show")
	th.submitWith(`form[action="` + referral + `/invitation"] button[type="submit"]`)
	th.check("invitation-code")
	code := th.text("#invitation-code")
	if len(code) != 14 {
		t.Fatalf("invitation code %q", code)
	}

	p := newJourney(t, a)
	do(t, p.ctx, "phone viewport", chromedp.EmulateViewport(phoneWidth, 667, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	p.visit("/sign-in")
	p.followLink(`a[href="/invitation"]`)
	p.check("invitation-accept-phone")
	p.typeInto("code", strings.ToLower(strings.ReplaceAll(code, "-", " ")))
	p.typeInto("date-of-birth", dob.Format("2"))
	p.typeInto("date-of-birth-month", dob.Format("1"))
	p.typeInto("date-of-birth-year", dob.Format("2006"))
	p.typeInto("email", "journey.patient@example.com")
	p.typeInto("password", "kettle river purple")
	p.submitWith(`form[action="/invitation"] button[type="submit"]`)
	if got, want := p.path(), "/my"+referral; got != want {
		t.Fatalf("after taking up the invitation: at %s, want %s\n%s", got, want, p.text("main"))
	}
	p.check("invited-progress-phone")
}

func itoa(n int) string { return string(rune('0' + n)) }
