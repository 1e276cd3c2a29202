package main

// The clinicians' pages on a phone-sized screen (issue 16: the caseload ran
// to 706 px at 375 px): a therapist's caseload, a referral with its charts,
// the session form and the duty list, and the supervisor's weekly review;
// issue 14's ended caseload, patient search, cover and waiting list; each
// checked with axe-core and required not to scroll sideways (a wide
// table scrolls inside its own box instead).

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// phoneWidth is an iPhone SE's screen width in CSS pixels.
const phoneWidth = 375

func TestClinicianPagesOnAPhone(t *testing.T) {
	if testing.Short() {
		t.Skip("browser journeys")
	}
	chromiumPath(t)
	a := startApp(t, "--demo")
	for _, role := range []string{"therapist", "supervisor"} {
		acc, ok := a.Accounts[role]
		if !ok {
			t.Fatalf("demo printed no %s sign-in: %v", role, a.All)
		}
		j := newJourney(t, a)
		do(t, j.ctx, "phone viewport", chromedp.EmulateViewport(phoneWidth, 667, chromedp.EmulateScale(2), chromedp.EmulateMobile))
		j.signIn(acc.Email, acc.Password)
		fits := func(page string) {
			t.Helper()
			j.check(role + "-" + page + "-phone")
			// Against the screen's 375 px, not window.innerWidth: a mobile
			// layout viewport widens to fit content that overflows.
			w, err := eval[int](j.ctx, `document.documentElement.scrollWidth`)
			if err != nil {
				t.Fatal(err)
			}
			if w == 0 || w > phoneWidth+1 {
				t.Errorf("%s's %s scrolls sideways on a %d px phone: content %d px wide", role, page, phoneWidth, w)
			}
		}
		if role == "supervisor" {
			fits("weekly-review")
			j.visit("/duty")
			fits("duty-list")
			j.visit("/waiting")
			fits("waiting-list")
			j.visit("/cover")
			fits("cover")
			j.visit("/reports/outcomes")
			j.press(`input[name="period"][value="year"]`, " ")
			j.submitWith(`form.app-filter button[type="submit"]`)
			waitCharts(t, j.ctx)
			fits("outcome-report")
			checkLabelsApart(t, j.ctx, "outcome report at 375 px")
			continue
		}
		fits("caseload")
		j.visit("/duty")
		fits("duty-list")
		j.visit("/")
		j.followLink(`table.app-caseload tbody tr a[href^="/referrals/"]`)
		waitCharts(t, j.ctx)
		fits("referral")
		checkLabelsApart(t, j.ctx, "referral page at 375 px")
		missedMarksApart(t, j)
		j.followLink(`a[href$="/contacts/new"]`)
		fits("session-form")
		j.visit("/?view=ended")
		fits("ended-caseload")
		j.visit("/patients?q=a")
		fits("patient-search")
	}
}

// missedMarksApart finds a referral of the caseload with missed or
// cancelled appointments and checks, at the phone's width, that its charts
// mark them in a legend and that no two labels overlap.
func missedMarksApart(t *testing.T, j *journey) {
	t.Helper()
	j.visit("/")
	hrefs, err := eval[[]string](j.ctx, `Array.from(document.querySelectorAll('table.app-caseload tbody tr a[href^="/referrals/"]')).map(a => a.getAttribute('href'))`)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hrefs {
		j.visit(h)
		waitCharts(t, j.ctx)
		missed, err := eval[int](j.ctx, `Math.max(0, ...Array.from(document.querySelectorAll('.app-chart[data-missed]')).map(e => Number(e.dataset.missed)))`)
		if err != nil {
			t.Fatal(err)
		}
		if missed == 0 {
			continue
		}
		j.check("therapist-referral-missed-phone")
		checkLabelsApart(t, j.ctx, h+" (with missed appointments) at 375 px")
		labels, err := chartLabels(j.ctx)
		if err != nil {
			t.Fatal(err)
		}
		legend := 0
		for _, l := range labels {
			if l.Text == "Missed or cancelled appointment" {
				legend++
			}
		}
		if legend == 0 {
			t.Errorf("%s: %d missed appointments, but no chart's legend names them", h, missed)
		}
		return
	}
	t.Errorf("no referral of the caseload (%d) has a missed or cancelled appointment to check", len(hrefs))
}
