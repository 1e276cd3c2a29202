package main

import (
	"strings"
	"testing"
)

// TestSupervisionJourney (issue 4): the demo service's supervisor opens the
// weekly review, records a review of the first case by keyboard, and reads
// the outcome report; every page passes the accessibility check and the
// report's charts start.
func TestSupervisionJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser journeys")
	}
	chromiumPath(t)
	a := startApp(t, "--demo")
	sup, ok := a.Accounts["supervisor"]
	if !ok {
		t.Fatalf("demo printed no supervisor sign-in: %v", a.All)
	}
	j := newJourney(t, a)
	j.signIn(sup.Email, sup.Password)
	j.followLink(`a[href="/review"]`)
	j.check("weekly-review")
	if n := strings.Count(j.text("main"), "Record a review"); n == 0 {
		t.Fatalf("the demo's weekly review lists no case:\n%s", trim(j.text("main"), 600))
	}

	j.followLink(`a[href$="/reviews/new?next=/review"]`)
	j.check("review-new")
	j.press(`input[name="decision"][value="continue"]`, " ")
	j.typeInto("note", "Discussed in supervision; continue for two sessions.")
	j.submitWith(`form[action$="/reviews"] button[type="submit"]`)
	if p := j.path(); p != "/review" {
		t.Fatalf("after recording a review: at %s, want /review", p)
	}
	if !strings.Contains(j.text("main"), "Reviewed, nothing new since") && !strings.Contains(j.text("main"), "Last reviewed") {
		t.Errorf("the weekly review does not show the review just recorded")
	}

	j.followLink(`a[href="/reports/outcomes"]`)
	j.check("outcome-report")
	waitCharts(t, j.ctx)
	if !strings.Contains(j.text("main"), "nhs-tt-") {
		t.Error("the report does not print its rule set")
	}
}
