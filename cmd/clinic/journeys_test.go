package main

// Browser journeys (issue 7): a therapist, a supervisor and a patient use the
// real server in headless Chromium, by keyboard, and every page they visit is
// checked with axe-core.

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"clinic"
	"clinic/internal/caseload"
)

// journey is one person's browser tab against the shared server.
type journey struct {
	t   *testing.T
	ctx context.Context
	app *app
}

func newJourney(t *testing.T, a *app) *journey {
	return &journey{t: t, ctx: newBrowser(t), app: a}
}

// visit opens a page by address (as a user following a bookmark would).
func (j *journey) visit(path string) {
	j.t.Helper()
	do(j.t, j.ctx, "open "+path, chromedp.Navigate(j.app.URL+path), chromedp.WaitReady("body"))
}

// check runs the accessibility check and saves a screenshot of the page.
func (j *journey) check(name string) {
	j.t.Helper()
	checkAccessibility(j.t, j.ctx, name)
	shot(j.t, j.ctx, name)
}

// typeInto focuses a field and types into it, as a keyboard user would.
func (j *journey) typeInto(id, text string) {
	j.t.Helper()
	do(j.t, j.ctx, "type into #"+id,
		chromedp.Focus(chromedp.ID(id)),
		selectAll(),
		chromedp.KeyEvent(kb.Delete),
		chromedp.KeyEvent(text))
}

// selectAll selects the focused field's text with Ctrl+A.
func selectAll() chromedp.Action[chromedp.Void] {
	return chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl))
}

// press focuses an element and presses a key on it (Enter on a link or
// button, Space on a radio or checkbox).
//
// It tries again when the element was replaced between finding and focusing
// it: the NHS.UK header script rebuilds the navigation once the page loads.
func (j *journey) press(sel, key string) {
	j.t.Helper()
	var err error
	for try := 0; try < 5; try++ {
		if err = chromedp.Do(j.ctx, chromedp.Focus(chromedp.CSS(sel), chromedp.NodeVisible), chromedp.KeyEvent(key)); err == nil {
			return
		}
		if !strings.Contains(err.Error(), "Could not find node") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	shot(j.t, j.ctx, "failed-press")
	j.t.Fatalf("press %q on %s: %v", key, sel, err)
}

// submitWith presses Enter on a button and waits for the next page.
func (j *journey) submitWith(sel string) {
	j.t.Helper()
	before, _ := chromedp.Run(j.ctx, chromedp.Evaluate[string](`document.location.href + '#' + performance.timeOrigin`))
	j.press(sel, kb.Enter)
	j.waitNavigated(before)
}

// followLink activates a link by keyboard and waits for the next page.
func (j *journey) followLink(sel string) {
	j.t.Helper()
	j.submitWith(sel)
}

func (j *journey) waitNavigated(before string) {
	j.t.Helper()
	for start := time.Now(); time.Since(start) < 15*time.Second; time.Sleep(50 * time.Millisecond) {
		now, err := chromedp.Run(j.ctx, chromedp.Evaluate[string](`document.readyState === 'complete' ? document.location.href + '#' + performance.timeOrigin : ''`))
		if err == nil && now != "" && now != before {
			return
		}
	}
	shot(j.t, j.ctx, "failed-navigation")
	j.t.Fatalf("no new page after %s", before)
}

// text returns the visible text of the first element matching sel.
func (j *journey) text(sel string) string {
	j.t.Helper()
	s, err := chromedp.Run(j.ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeReady))
	if err != nil {
		shot(j.t, j.ctx, "failed-text")
		j.t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

func (j *journey) value(id string) string {
	j.t.Helper()
	v, err := chromedp.Run(j.ctx, chromedp.Value(chromedp.ID(id)))
	if err != nil {
		j.t.Fatalf("read value of #%s: %v", id, err)
	}
	return v
}

func (j *journey) visible(sel string) bool {
	j.t.Helper()
	v, err := chromedp.Run(j.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const el = document.querySelector(%q); return !!el && !el.hidden && el.offsetParent !== null; })()`, sel)))
	if err != nil {
		j.t.Fatalf("visible %s: %v", sel, err)
	}
	return v
}

func (j *journey) path() string {
	j.t.Helper()
	p, err := chromedp.Run(j.ctx, chromedp.Evaluate[string](`location.pathname + location.search`))
	if err != nil {
		j.t.Fatal(err)
	}
	return p
}

// signIn signs in through the form by keyboard.
func (j *journey) signIn(email, password string) {
	j.t.Helper()
	j.visit("/sign-in")
	j.check("sign-in")
	j.typeInto("email", email)
	j.typeInto("password", password)
	before, _ := chromedp.Run(j.ctx, chromedp.Evaluate[string](`document.location.href + '#' + performance.timeOrigin`))
	do(j.t, j.ctx, "submit sign-in", chromedp.KeyEvent(kb.Enter))
	j.waitNavigated(before)
	if strings.HasPrefix(j.path(), "/sign-in") {
		shot(j.t, j.ctx, "failed-sign-in")
		j.t.Fatalf("still on the sign-in page after signing in as %s", email)
	}
}

// typeDate types a calendar date by keyboard into a day / month / year
// date input (the NHS.UK pattern, issue 16) the way people in the UK write
// it, "12/4/1990" from the day box, and checks the three boxes then read it.
func (j *journey) typeDate(id string, d time.Time) {
	j.t.Helper()
	do(j.t, j.ctx, "type date into #"+id,
		chromedp.Focus(chromedp.ID(id)),
		selectAll(),
		chromedp.KeyEvent(kb.Delete),
		chromedp.KeyEvent(d.Format("2/1/2006")))
	if got := j.dateValue(id); got != d.Format("2006-01-02") {
		j.t.Fatalf("date typed into #%s reads %q, want %s", id, got, d.Format("2006-01-02"))
	}
}

// dateValue reads a day / month / year date input as YYYY-MM-DD.
func (j *journey) dateValue(id string) string {
	j.t.Helper()
	v, err := chromedp.Run(j.ctx, chromedp.Evaluate[string](fmt.Sprintf(`(() => {
		const v = s => (document.getElementById(s) || {value: ''}).value.trim();
		const pad = x => x.length === 1 ? '0' + x : x;
		return v(%[1]q + '-year') + '-' + pad(v(%[1]q + '-month')) + '-' + pad(v(%[1]q));
	})()`, id)))
	if err != nil {
		j.t.Fatalf("read date #%s: %v", id, err)
	}
	return v
}

// session is one appointment recorded in the therapist journey.
type session struct {
	daysAgo    int
	kind       string // radio id of the kind
	phq9, gad7 string // quick-entry answers
}

// TestJourneys runs the three journeys in order on one server: the case the
// therapist records is the one the supervisor finds flagged and reviews, and
// the one the patient sees; the therapist ends it last.
func TestJourneys(t *testing.T) {
	if testing.Short() {
		t.Skip("browser journeys")
	}
	chromiumPath(t)
	a := startApp(t, "--demo")
	therapist, ok := a.Accounts["therapist"]
	if !ok {
		t.Fatalf("demo printed no therapist sign-in: %v", a.All)
	}
	today := time.Now().UTC()

	th := newJourney(t, a)
	var referralPath string
	t.Run("therapist records three sessions", func(t *testing.T) {
		th.t = t
		th.signIn(therapist.Email, therapist.Password)
		th.check("caseload")

		th.followLink(`a[href="/patients/new"]`)
		th.check("patient-new")
		th.typeInto("name", "Journey Testpatient")
		th.typeDate("date-of-birth", time.Date(1990, 4, 12, 0, 0, 0, 0, time.UTC))
		th.typeInto("nhs-number", "943 476 5919")
		th.typeDate("received-on", today.AddDate(0, 0, -40))
		do(t, th.ctx, "choose problem descriptor", chromedp.Focus(chromedp.ID("problem-descriptor")))
		chooseOption(t, th.ctx, "problem-descriptor", "F41.1")
		th.press(`input[name="intensity"][value="high"]`, " ")
		// The national data set's demographics (issue 12), by keyboard.
		th.press(`details summary`, " ")
		chooseOption(t, th.ctx, "ethnic-category", "M")
		chooseOption(t, th.ctx, "gender-identity", "2")
		th.typeInto("postcode", "LS1 4AP")
		chooseOption(t, th.ctx, "source-of-referral", "B1")
		th.check("patient-new-demographics")
		th.submitWith(`form[action="/patients/new"] button[type="submit"]`)
		referralPath = th.path()
		if !strings.HasPrefix(referralPath, "/referrals/") {
			t.Fatalf("after adding the patient: at %s, want the referral page", referralPath)
		}
		th.check("referral-new")

		sessions := []session{
			{daysAgo: 21, kind: "kind", phq9: "222222110", gad7: "2222221"},
			{daysAgo: 14, kind: "kind-treatment", phq9: "221111111", gad7: "1111111"},
			{daysAgo: 7, kind: "kind-review_treatment", phq9: "222222222", gad7: "2222222"},
		}
		for i, s := range sessions {
			th.followLink(`a[href$="/contacts/new"]`)
			if i == 0 {
				th.check("session-form")
				// A radio's focus: Tab reaches a group at its checked radio.
				// The first contact's kind is now "Assessment" (issue 11), the
				// first radio, whose predecessor is the date field (Tab moves
				// within its segments), so the attendance group is used.
				checkFocusVisible(t, th.ctx, "#date", "#scores-phq9-quick", "#adsm", `button[name="action"][value="save"]`, "#attendance")
			}
			th.typeDate("date", today.AddDate(0, 0, -s.daysAgo))
			th.press("#"+s.kind, " ")
			th.press("#attendance", " ")
			switch i {
			case 0: // a telephone assessment (issue 12: a non-default medium)
				chooseOption(t, th.ctx, "medium", "telephone")
			case 1: // the medium is remembered from the last session
				if got := th.value("medium"); got != "telephone" {
					t.Errorf("medium on the second session's form: %q, want telephone remembered", got)
				}
			}
			if i == 1 {
				// A PHQ-9 with a digit missing: the form comes back with the
				// error on the field and everything typed kept.
				th.typeInto("scores-phq9-quick", s.phq9[:8])
				th.typeInto("scores-gad7-quick", s.gad7)
				th.submitWith(`button[name="action"][value="save"]`)
				if !th.visible(".nhsuk-error-summary") {
					t.Fatal("a PHQ-9 with eight answers was accepted without an error")
				}
				summary := th.text(".nhsuk-error-summary")
				if !strings.Contains(summary, "PHQ-9") {
					t.Errorf("error summary does not name the PHQ-9: %q", summary)
				}
				th.check("session-form-error")
				checkErrorSummaryLinks(t, th.ctx)
				if got := th.value("scores-gad7-quick"); got != s.gad7 {
					t.Errorf("GAD-7 answers after the error: %q, want %q kept", got, s.gad7)
				}
				if got := th.dateValue("date"); got != today.AddDate(0, 0, -s.daysAgo).Format("2006-01-02") {
					t.Errorf("date after the error: %q, want it kept", got)
				}
				if th.visible("#risk-prompt") {
					t.Error("risk prompt shown before question 9 was answered")
				}
			}
			th.typeInto("scores-phq9-quick", s.phq9)
			th.typeInto("scores-gad7-quick", s.gad7)
			if item9 := s.phq9[8]; item9 != '0' {
				if !th.visible("#risk-prompt") {
					t.Errorf("session %d: PHQ-9 question 9 answered %c but no risk prompt is shown", i+1, item9)
				}
				shot(t, th.ctx, fmt.Sprintf("session-%d-risk-prompt", i+1))
			}
			th.submitWith(`button[name="action"][value="save"]`)
			if th.visible(".nhsuk-error-summary") {
				t.Fatalf("session %d not saved: %s", i+1, th.text(".nhsuk-error-summary"))
			}
		}
		if p := th.path(); !strings.HasPrefix(p, referralPath) {
			t.Fatalf("after saving: at %s, want %s", p, referralPath)
		}
		if !th.visible("#risk") {
			t.Error("referral page shows no risk warning after a PHQ-9 question 9 of 2")
		}
		waitCharts(t, th.ctx)
		th.check("referral-three-sessions")
		charts, err := readCharts(th.ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]float64{"chart-phq9": 10, "chart-gad7": 8}
		for _, c := range charts {
			th, ok := want[c.ID]
			if !ok {
				continue
			}
			delete(want, c.ID)
			if c.Points != 3 || !c.Drawn {
				t.Errorf("%s drew %d points (drawn %v), want 3 drawn", c.ID, c.Points, c.Drawn)
			}
			if len(c.Thresholds) == 0 || c.Thresholds[0] != th {
				t.Errorf("%s threshold lines %v, want %v", c.ID, c.Thresholds, th)
			}
		}
		if len(want) > 0 {
			t.Errorf("charts not drawn: %v (page has %s)", want, mustJSON(charts))
		}
		checkJourneyRecorded(t, a, referralPath)
	})
	if t.Failed() {
		return
	}

	t.Run("supervisor reviews the flagged case", func(t *testing.T) {
		sup, ok := a.Accounts["supervisor"]
		if !ok {
			t.Fatalf("demo printed no supervisor sign-in: %v", a.All)
		}
		j := newJourney(t, a)
		j.signIn(sup.Email, sup.Password)
		if p := j.path(); p != "/review" {
			t.Fatalf("supervisor's start page is %s, want the weekly review", p)
		}
		j.check("weekly-review")
		card, err := eval[string](j.ctx, `(() => { const c = Array.from(document.querySelectorAll('.nhsuk-card')).find(c => c.textContent.includes('Journey Testpatient')); return c ? c.innerText : ''; })()`)
		if err != nil {
			t.Fatal(err)
		}
		if card == "" {
			t.Fatalf("the weekly review does not list the therapist's case:\n%s", trim(j.text("main"), 800))
		}
		for _, want := range []string{"Risk, high", "item 9", "was 2"} {
			if !strings.Contains(card, want) {
				t.Errorf("the case's card lacks %q:\n%s", want, card)
			}
		}

		j.followLink(`a[href="` + referralPath + `/reviews/new?next=/review"]`)
		j.check("review-new")
		j.press(`input[name="decision"][value="risk_plan_agreed"]`, " ")
		j.typeInto("note", "Risk plan agreed with the therapist; safety plan reviewed at the next session.")
		j.submitWith(`form[action$="/reviews"] button[type="submit"]`)
		if p := j.path(); p != "/review" {
			t.Fatalf("after recording the review: at %s\n%s", p, trim(j.text("main"), 400))
		}
		quiet, err := eval[string](j.ctx, `(() => { const li = Array.from(document.querySelectorAll('li')).find(l => l.textContent.includes('Journey Testpatient')); return li ? li.textContent : ''; })()`)
		if err != nil || !strings.Contains(strings.ToLower(quiet), "risk plan agreed") {
			t.Errorf("the reviewed case is not listed as reviewed (risk plan agreed): %q %v", quiet, err)
		}
		j.check("weekly-review-after-review")

		j.followLink(`a[href="/reports/outcomes"]`)
		waitCharts(t, j.ctx)
		j.check("outcome-report")
		main := j.text("main")
		for _, want := range []string{"Recovery", "Reliable improvement", "Reliable recovery", "nhs-tt-"} {
			if !strings.Contains(main, want) {
				t.Errorf("the outcome report lacks %q", want)
			}
		}
		type download struct {
			Status int    `json:"status"`
			Type   string `json:"type"`
			Body   string `json:"body"`
		}
		csv, err := eval[download](j.ctx, `(async () => { const a = document.querySelector('a[download]'); const r = await fetch(a.href); return {status: r.status, type: r.headers.get('Content-Type'), body: await r.text()}; })()`)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(csv.Body), "\n")
		if csv.Status != 200 || !strings.HasPrefix(csv.Type, "text/csv") || len(lines) < 2 {
			t.Errorf("CSV download: %d %q, %d lines", csv.Status, csv.Type, len(lines))
		}
		if strings.Contains(csv.Body, "Testpatient") {
			t.Error("the report's CSV carries a patient's name")
		}
	})
	if t.Failed() {
		return
	}

	t.Run("patient takes up an invitation and answers before the session", func(t *testing.T) {
		th.t = t
		th.visit(referralPath)
		th.followLink(`a[href="` + referralPath + `/invitation"]`)
		th.submitWith(`form[action="` + referralPath + `/invitation"] button[type="submit"]`)
		code := th.text("#invitation-code")

		p := newJourney(t, a)
		p.visit("/invitation")
		p.check("invitation-accept")
		p.typeInto("code", code)
		p.typeInto("date-of-birth", "12")
		p.typeInto("date-of-birth-month", "4")
		p.typeInto("date-of-birth-year", "1990")
		p.typeInto("email", "journey.testpatient@example.com")
		p.typeInto("password", "correct horse battery")
		p.submitWith(`form[action="/invitation"] button[type="submit"]`)
		if got, want := p.path(), "/my"+referralPath; got != want {
			t.Fatalf("after taking up the invitation: at %s, want %s\n%s", got, want, trim(p.text("main"), 400))
		}
		waitCharts(t, p.ctx)
		p.check("patient-progress")

		// Only their own graph: the three sessions the therapist recorded,
		// their own name, and nobody else's.
		charts, err := readCharts(p.ctx)
		if err != nil {
			t.Fatal(err)
		}
		var phq9 *chartState
		for i := range charts {
			if charts[i].ID == "chart-phq9" {
				phq9 = &charts[i]
			}
		}
		if phq9 == nil || phq9.Points != 3 || !phq9.Drawn || len(phq9.Thresholds) != 1 || phq9.Thresholds[0] != 10 {
			t.Errorf("patient's PHQ-9 chart: %s, want their 3 scores and the line at 10", mustJSON(phq9))
		}
		page := p.text("body")
		if !strings.Contains(page, "Journey Testpatient") {
			t.Error("the patient's own name is not on their page")
		}
		for _, other := range demoPatientNames(t, a) {
			if strings.Contains(page, other) {
				t.Errorf("the patient's page shows another patient: %s", other)
			}
		}
		// Staff pages are refused, with a way back to their own page.
		p.visit("/")
		if h := p.text("h1"); h != "You cannot do this" {
			t.Errorf("a patient opening the caseload address got %q", h)
		}
		p.check("error-forbidden")
		p.followLink(`main a[href="/my"]`)

		// PHQ-9 and GAD-7 before the next session, by keyboard.
		p.visit("/my" + referralPath)
		p.followLink(`a[href$="/questionnaire"]`)
		p.check("patient-questionnaire")
		phq9Answers := []int{1, 1, 2, 1, 0, 1, 1, 0, 0}
		for n, v := range phq9Answers {
			sel := fmt.Sprintf("#answers-phq9-items-%d", n+1)
			if v > 0 {
				sel += fmt.Sprintf("-%d", v)
			}
			p.press(sel, " ")
		}
		for n := 1; n <= 7; n++ {
			p.press(fmt.Sprintf("#answers-gad7-items-%d-1", n), " ")
		}
		p.submitWith(`button[data-prevent-double-click]`)
		if p.visible(".nhsuk-error-summary") {
			t.Fatalf("answers refused: %s", p.text(".nhsuk-error-summary"))
		}
		p.check("patient-answers-sent")

		// The therapist finds the answers filled in on "Record a session".
		th.visit(referralPath)
		th.followLink(`a[href$="/contacts/new"]`)
		if !th.visible("#from-questionnaire") {
			t.Fatal("the session form does not say it was filled in from the patient's answers")
		}
		th.check("session-form-prefilled")
		got, err := eval[[]string](th.ctx, `['phq9', 'gad7'].map(id => { const q = document.querySelector('[data-questionnaire="' + id + '"]'); return Array.from(q.querySelectorAll('fieldset')).map(f => { const c = f.querySelector('input:checked'); return c ? c.value : '-'; }).join(''); })`)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"112101100", "1111111"}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("pre-filled answers %v, want the patient's %v", got, want)
		}
	})
	if t.Failed() {
		return
	}

	t.Run("therapist corrects a score and ends the referral", func(t *testing.T) {
		th.t = t
		th.visit(referralPath)
		// The third session's GAD-7 (14): its first answer was meant to be 1.
		href, err := eval[string](th.ctx, `(() => { const a = Array.from(document.querySelectorAll('a[href^="/scores/"]')).find(a => a.parentElement.textContent.includes('GAD-7 14')); return a ? a.getAttribute('href') : ''; })()`)
		if err != nil || href == "" {
			t.Fatalf("no correction link for the GAD-7 of 14: %v", err)
		}
		th.followLink(`a[href="` + href + `"]`)
		th.check("score-correct")
		th.press("#scores-gad7-items-1-1", " ")
		th.submitWith(`form[action^="/scores/"] button[type="submit"]`)
		if !th.visible(".nhsuk-error-summary") {
			t.Fatal("a correction with no reason was accepted")
		}
		th.check("score-correct-error")
		checkErrorSummaryLinks(t, th.ctx)
		th.typeInto("reason", "First answer misheard in session; patient said several days.")
		th.submitWith(`form[action^="/scores/"] button[type="submit"]`)
		if p := th.path(); !strings.HasPrefix(p, referralPath) {
			t.Fatalf("after correcting: at %s\n%s", p, trim(th.text("main"), 400))
		}
		contacts := th.text("main")
		if !strings.Contains(contacts, "GAD-7 13") || !strings.Contains(contacts, "misheard") {
			t.Errorf("the referral page does not show the corrected GAD-7 (13) with the old one and its reason:\n%s", trim(contacts, 1500))
		}

		th.followLink(`a[href$="/end"]`)
		th.check("referral-end")
		th.typeDate("date", today)
		th.press(`input[name="reason"][value="completed"]`, " ")
		// The last session answered question 9 with 2: its open risk alert
		// is named, and the ending needs the tick and a note (issue 11).
		if !th.visible("#ending-risk") {
			t.Error("the end form does not name the open risk alert")
		}
		th.press("#risk-acknowledged", " ")
		th.typeInto("risk-note", "Risk reviewed at the last session; safety plan shared with the GP.")
		th.submitWith(`form[action$="/end"] button[type="submit"]`)
		if p := th.path(); !strings.HasPrefix(p, referralPath) || strings.HasSuffix(p, "/end") {
			t.Fatalf("after ending: at %s, want %s", p, referralPath)
		}
		body := th.text("main")
		if !strings.Contains(strings.ToLower(body), "ended") {
			t.Errorf("referral page does not say the referral ended:\n%s", trim(body, 400))
		}
		th.check("referral-ended")
	})
}

// chooseOption picks a <select> option by value with the keyboard: focus,
// then arrow down until the wanted option is selected.
func chooseOption(t *testing.T, ctx context.Context, id, value string) {
	t.Helper()
	do(t, ctx, "focus #"+id, chromedp.Focus(chromedp.ID(id)))
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`(() => { const s = document.getElementById(%q); return Array.from(s.options).findIndex(o => o.value === %q) - s.selectedIndex; })()`, id, value)))
	if err != nil {
		t.Fatalf("find option %s in #%s: %v", value, id, err)
	}
	key := kb.ArrowDown
	if n < 0 {
		key, n = kb.ArrowUp, -n
	}
	for i := 0; i < n; i++ {
		do(t, ctx, "arrow in #"+id, chromedp.KeyEvent(key))
	}
	got, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID(id)))
	if got != value {
		t.Fatalf("#%s reads %q after the arrow keys, want %q", id, got, value)
	}
}

// waitCharts waits until every chart on the page has started (or failed).
func waitCharts(t *testing.T, ctx context.Context) {
	t.Helper()
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(50 * time.Millisecond) {
		done, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`Array.from(document.querySelectorAll('script[data-chart]')).every(b => { const el = document.getElementById(b.dataset.chart); return !el || el.hasAttribute('data-rendered'); })`))
		if err == nil && done {
			return
		}
	}
	t.Fatal("charts did not start within 10 s")
}

// demoPatientNames lists the demo service's patients as a therapist's
// caseload shows them, to check that none appears where it should not.
func demoPatientNames(t *testing.T, a *app) []string {
	t.Helper()
	var names []string
	for _, acc := range a.All {
		if acc.Role != "therapist" {
			continue
		}
		j := newJourney(t, a)
		j.signIn(acc.Email, acc.Password)
		got, err := eval[[]string](j.ctx, `Array.from(document.querySelectorAll('table a[href^="/referrals/"]')).map(a => a.textContent.trim())`)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range got {
			if n != "" && n != "Journey Testpatient" {
				names = append(names, n)
			}
		}
	}
	if len(names) < 10 {
		t.Fatalf("found only %d demo patients' names to check against", len(names))
	}
	return names
}

// checkErrorSummaryLinks checks that every link in the page's error summary
// leads to an element on the page, and that following the first moves the
// focus to that field.
func checkErrorSummaryLinks(t *testing.T, ctx context.Context) {
	t.Helper()
	targets, err := eval[[]string](ctx, `Array.from(document.querySelectorAll('.nhsuk-error-summary a')).map(a => a.getAttribute('href'))`)
	if err != nil || len(targets) == 0 {
		t.Fatalf("error summary links: %v %v", targets, err)
	}
	for _, href := range targets {
		ok, err := eval[bool](ctx, fmt.Sprintf(`(() => { const h = %q; return h.startsWith('#') && !!document.getElementById(h.slice(1)); })()`, href))
		if err != nil || !ok {
			t.Errorf("error summary link %q leads to no element on the page", href)
		}
	}
	// Enter on a focused link fires its click; firing the click directly
	// avoids the synthetic Enter's trailing key event landing in the field
	// the link has just focused (which would submit the form).
	if _, err := eval[bool](ctx, `(() => { const a = document.querySelector('.nhsuk-error-summary a'); a.focus(); a.click(); return true; })()`); err != nil {
		t.Fatal(err)
	}
	focused, err := eval[bool](ctx, fmt.Sprintf(`(() => { const el = document.getElementById(%q.slice(1)); const a = document.activeElement; return !!el && !!a && (a === el || el.contains(a) || (el.closest('.nhsuk-form-group') || el).contains(a)); })()`, targets[0]))
	if err != nil || !focused {
		active, _ := eval[string](ctx, `document.activeElement ? document.activeElement.outerHTML.slice(0, 120) : ''`)
		t.Errorf("following the error link %s left the focus on %s", targets[0], active)
	}
}

// checkFocusVisible focuses each element by keyboard (Tab from the one
// before it) and checks that the focus is drawn: an outline or a shadow on
// the element, or, for a radio, on its label's drawn circle.
func checkFocusVisible(t *testing.T, ctx context.Context, selectors ...string) {
	t.Helper()
	for _, sel := range selectors {
		// Focus the element before it in tab order, then press Tab, so the
		// browser treats the focus as keyboard focus.
		_, err := eval[bool](ctx, fmt.Sprintf(`(() => {
			const el = document.querySelector(%q);
			const all = Array.from(document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')).filter(e => !e.disabled && e.checkVisibility());
			const i = all.indexOf(el);
			if (i > 0) { all[i-1].focus(); } else { document.body.focus(); }
			return true;
		})()`, sel))
		if err != nil {
			t.Fatal(err)
		}
		do(t, ctx, "tab to "+sel, chromedp.KeyEvent(kb.Tab))
		shown, err := eval[string](ctx, fmt.Sprintf(`(() => {
			const el = document.querySelector(%q);
			if (document.activeElement !== el) return 'not focused: ' + (document.activeElement ? document.activeElement.outerHTML.slice(0, 80) : 'nothing');
			const drawn = s => (s.boxShadow && s.boxShadow !== 'none') || (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && s.outlineColor !== 'rgba(0, 0, 0, 0)');
			if (drawn(getComputedStyle(el))) return '';
			const label = el.id && document.querySelector('label[for="' + el.id + '"]');
			if (label && (drawn(getComputedStyle(label, '::before')) || drawn(getComputedStyle(label, '::after')))) return '';
			return 'no focus indicator';
		})()`, sel))
		if err != nil {
			t.Fatal(err)
		}
		if shown != "" {
			t.Errorf("keyboard focus on %s: %s", sel, shown)
		}
	}
}

// checkJourneyRecorded reads back, from the running server's database,
// what the therapist journey typed (issue 12): the new patient's
// demographics, and sessions of a non-default purpose and medium.
func checkJourneyRecorded(t *testing.T, a *app, referralPath string) {
	t.Helper()
	id, err := strconv.ParseInt(strings.TrimPrefix(referralPath, "/referrals/"), 10, 64)
	if err != nil {
		t.Fatalf("referral path %q", referralPath)
	}
	s, err := caseload.Open(a.DB, clinic.Schema, func() time.Time { return time.Now().UTC() })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	d, err := s.ReferralDetail(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	history, err := s.DemographicsHistory(ctx, d.Patient.ID)
	if err != nil || len(history) == 0 {
		t.Fatalf("demographics: %v %v", history, err)
	}
	if !slices.ContainsFunc(history, func(h caseload.Demographics) bool { return h.EthnicCategory == "M" && h.GenderIdentity == "2" }) {
		t.Errorf("demographics recorded %+v, want ethnic category M and gender identity 2", history)
	}
	var kinds, media []string
	for _, c := range d.Contacts {
		kinds, media = append(kinds, string(c.Kind)), append(media, c.Medium)
	}
	if !slices.Contains(kinds, "review_treatment") || !slices.Contains(media, "telephone") {
		t.Errorf("sessions recorded with purposes %v and media %v, want a review and treatment and a telephone session", kinds, media)
	}
}
