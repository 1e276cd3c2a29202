package ui

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSessionFormShowsEveryProblemAtOnce: a date in the future (the store's
// rule), a PHQ-9 with eight answers (the form's) and a PDSS total out of
// range come back together, each in words and linked from the summary, with
// everything typed kept.
func TestSessionFormShowsEveryProblemAtOnce(t *testing.T) {
	e := newTestEnv(t)
	b := e.signedIn(e.therapist)
	r := e.referral(e.therapist, "Pam Panic", "F41.0")
	path := referralPath(r.ID) + "/contacts/new"
	p := b.post(path, url.Values{
		"date_day": {"20"}, "date_month": {"3"}, "date_year": {"2026"},
		"kind": {"treatment"}, "attendance": {"attended"},
		"scores.phq9.quick": {"21013002"}, "scores.gad7.quick": {"2101300"},
		"adsm": {"pdss"}, "adsm_total": {"29"}, "action": {"save"},
	})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("three problems: %d", p.Status)
	}
	summary := errorSummaryOf(p.Body)
	for _, want := range []string{
		`href="#date"`, "must be today or in the past",
		`href="#scores-phq9-quick"`, "Type 9 PHQ-9 answers (you typed 8)",
		`href="#adsm-total"`, "PDSS total must be between 0 and 28",
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("error summary lacks %s:\n%s", want, summary)
		}
	}
	if strings.Contains(summary, "got ") {
		t.Errorf("error summary in programmer's wording:\n%s", summary)
	}
	for _, want := range []string{`value="21013002"`, `value="2101300"`, `value="29"`, `name="date_day" type="text" value="20"`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("typed value not kept: %s", want)
		}
	}
	d, err := e.store.ReferralDetail(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(d.Contacts); got != 0 {
		t.Errorf("%d contacts recorded by a form with problems", got)
	}
}

func TestInClinicianWords(t *testing.T) {
	for in, want := range map[string]string{
		"PDSS total must be 0–28, got 29":                                         "PDSS total must be between 0 and 28",
		"PHQ-9 needs 9 answers, got 8":                                            "PHQ-9 needs 9 answers",
		"The appointment cannot be before the referral was received (2026-03-01)": "The appointment cannot be before the referral was received (1 March 2026)",
		"Enter the date of the appointment":                                       "Enter the date of the appointment",
	} {
		if got := inClinicianWords(in); got != want {
			t.Errorf("inClinicianWords(%q) = %q, want %q", in, got, want)
		}
	}
}
