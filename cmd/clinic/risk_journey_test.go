package main

// The risk journey (issue 11): the demo patient answers PHQ-9 question 9
// with 2 on their phone; the crisis numbers are tappable; their therapist
// finds the alert at the top of the caseload, tries to end the referral, is
// asked to acknowledge the risk first, and does; the team's supervisor then
// sees the alert acknowledged on the duty list. Every page is checked with
// axe-core.

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestRiskJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser journeys")
	}
	chromiumPath(t)
	a := startApp(t, "--demo")
	patient, therapist, supervisor := a.Accounts["patient"], a.Accounts["therapist"], a.Accounts["supervisor"]
	if patient.Email == "" || therapist.Email == "" || supervisor.Email == "" {
		t.Fatalf("demo printed no patient, therapist or supervisor sign-in: %v", a.All)
	}

	// The patient, on a 375 px phone.
	p := newJourney(t, a)
	do(t, p.ctx, "phone viewport", chromedp.EmulateViewport(375, 667, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	p.signIn(patient.Email, patient.Password)
	p.followLink(`a[href$="/questionnaire"]`)
	for n := 1; n <= 8; n++ {
		p.press("#answers-phq9-items-"+itoa(n)+"-1", " ")
	}
	p.press("#answers-phq9-items-9-2", " ")
	for n := 1; n <= 7; n++ {
		p.press("#answers-gad7-items-"+itoa(n), " ")
	}
	p.submitWith(`button[data-prevent-double-click]`)
	if path := p.path(); !strings.Contains(path, "/questionnaires/") {
		t.Fatalf("after sending: at %s\n%s", path, trim(p.text("main"), 400))
	}
	p.check("risk-crisis-phone")
	if body := p.text("main"); !strings.Contains(body, "duty clinician are told now") || !strings.Contains(body, "do not wait") {
		t.Errorf("the crisis page does not say who is told and when:\n%s", trim(body, 600))
	}
	// Each crisis number is a tel: link at least 44 by 44 CSS pixels.
	sizes, err := eval[[]map[string]any](p.ctx, `Array.from(document.querySelectorAll('#get-help a[href^="tel:"]')).map(a => { const r = a.getBoundingClientRect(); return {href: a.getAttribute('href'), w: r.width, h: r.height}; })`)
	if err != nil {
		t.Fatal(err)
	}
	hrefs := map[string]bool{}
	for _, s := range sizes {
		hrefs[s["href"].(string)] = true
		if s["w"].(float64) < 44 || s["h"].(float64) < 44 {
			t.Errorf("%v is %v × %v px on a phone, smaller than 44 × 44", s["href"], s["w"], s["h"])
		}
	}
	for _, want := range []string{"tel:999", "tel:111", "tel:116123"} {
		if !hrefs[want] {
			t.Errorf("no tappable %s on the crisis page (links: %v)", want, hrefs)
		}
	}

	// The therapist: the alert tops the caseload.
	th := newJourney(t, a)
	th.signIn(therapist.Email, therapist.Password)
	th.check("risk-caseload")
	first, err := eval[bool](th.ctx, `(() => { const s = document.querySelector('#risk-alerts'), t = document.querySelector('table.app-caseload'); return !!s && !!t && !!(s.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING); })()`)
	if err != nil || !first {
		t.Fatalf("the risk alerts are not at the top of the caseload (%v)", err)
	}
	fromPatient, err := eval[string](th.ctx, `(() => { const c = Array.from(document.querySelectorAll('#risk-alerts [data-alert]')).find(c => c.textContent.includes("own answers sent")); return c ? c.getAttribute('data-alert') : ''; })()`)
	if err != nil || fromPatient == "" {
		t.Fatalf("no alert from the patient's own answers on the caseload:\n%s", trim(th.text("#risk-alerts"), 800))
	}
	card := `#risk-alert-` + fromPatient
	if text := th.text(card); !strings.Contains(text, "High priority") || !strings.Contains(text, "2 (more than half the days)") {
		t.Errorf("the alert does not give the priority and the answer: %q", text)
	}
	th.followLink(card + ` a[href^="/referrals/"]`)
	referral := strings.TrimSuffix(th.path(), "#risk-alerts")
	th.check("risk-referral")
	if banner := th.text("#risk"); !strings.Contains(banner, "own answers sent") {
		t.Errorf("the banner does not name the patient's answers as its source: %q", banner)
	}

	// Ending: refused until the risk is acknowledged with a note.
	th.followLink(`a[href$="/end"]`)
	th.check("risk-end-form")
	if text := th.text("#ending-risk"); !strings.Contains(text, "open risk alerts") || !strings.Contains(text, "no session has confirmed") {
		t.Errorf("the end form does not name the open alerts and the unconfirmed answers: %q", text)
	}
	th.press(`input[name="reason"][value="completed"]`, " ")
	th.submitWith(`form[action$="/end"] button[type="submit"]`)
	if !th.visible(".nhsuk-error-summary") || !strings.Contains(th.text(".nhsuk-error-summary"), "Tick to confirm") {
		t.Fatalf("ending without acknowledging the risk was not refused: at %s", th.path())
	}
	th.check("risk-end-refused")
	checkErrorSummaryLinks(t, th.ctx)
	th.press("#risk-acknowledged", " ")
	th.typeInto("risk-note", "Phoned the patient: risk assessed, safety plan updated, GP informed.")
	th.submitWith(`form[action$="/end"] button[type="submit"]`)
	if path := th.path(); path != referral {
		t.Fatalf("after ending with the acknowledgement: at %s, want %s\n%s", path, referral, trim(th.text("main"), 400))
	}
	if body := th.text("main"); !strings.Contains(body, "Ended") || !strings.Contains(body, "At the ending: Phoned the patient") {
		t.Errorf("the ended referral does not show the acknowledgement:\n%s", trim(body, 800))
	}
	th.check("risk-ended")

	// The supervisor sees it acknowledged on the duty list.
	sup := newJourney(t, a)
	sup.signIn(supervisor.Email, supervisor.Password)
	sup.followLink(`a[href="/duty"]`)
	sup.check("duty-list")
	recent := sup.text("#risk-alert-" + fromPatient)
	if !strings.Contains(recent, "Acknowledged") || !strings.Contains(recent, "Phoned the patient") {
		t.Errorf("the supervisor does not see the alert acknowledged: %q", recent)
	}
	if open, err := eval[bool](sup.ctx, `!!document.querySelector('#risk-alerts #risk-alert-`+fromPatient+`')`); err != nil || open {
		t.Errorf("the acknowledged alert is still listed as open (%v)", err)
	}
}
