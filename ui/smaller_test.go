package ui

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"clinic/internal/caseload"
)

// Issue 16's smaller findings.

func TestNHSNumberSpaced(t *testing.T) {
	for in, want := range map[string]string{"9434765919": "943 476 5919", "": "", "12345": "12345", "123": "123"} {
		if got := nhsNumber(in); got != want {
			t.Errorf("nhsNumber(%q) = %q, want %q", in, got, want)
		}
	}
	e := newTestEnv(t)
	ctx := context.Background()
	p, err := e.store.CreatePatient(ctx, e.therapist, caseload.NewPatient{Name: "Nia Number", DateOfBirth: "1980-05-01", NHSNumber: "9434765919"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.store.CreateReferral(ctx, e.therapist, caseload.NewReferral{PatientID: p.ID, TherapistID: e.therapist.ID, ReceivedOn: "2026-01-05", ProblemDescriptor: "F32", Intensity: "low"})
	if err != nil {
		t.Fatal(err)
	}
	page := e.signedIn(e.therapist).get(referralPath(r.ID))
	if !strings.Contains(page.Body, "943 476 5919") {
		t.Errorf("referral page does not show the NHS number spaced 3-3-4")
	}
}

func TestForbiddenPageOffersEachRoleItsStart(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Pat Patient", "F32")
	for _, tt := range []struct {
		user      caseload.User
		want, not string
	}{
		{e.admin, `<a href="/admin/users">Go to users</a>`, "Go to my caseload"},
		{e.colleague, `<a href="/">Go to my caseload</a>`, "Go to users"},
	} {
		p := e.signedIn(tt.user).get(referralPath(r.ID) + "/contacts/new")
		if p.Status != http.StatusForbidden && p.Status != http.StatusNotFound {
			t.Fatalf("%s: %d, want refused", tt.user.Name, p.Status)
		}
		if !strings.Contains(p.Body, tt.want) || strings.Contains(p.Body, tt.not) {
			t.Errorf("%s's refusal page: want %s and no %q", tt.user.Name, tt.want, tt.not)
		}
	}
}

func TestCaseloadColumns(t *testing.T) {
	e := newTestEnv(t)
	e.referral(e.therapist, "Gina Generalised", "F41.1") // GAD-7 is the anxiety measure
	p := e.signedIn(e.therapist).get("/")
	if !strings.Contains(p.Body, "Treatment sessions") || strings.Contains(p.Body, "Sessions attended") {
		t.Errorf("caseload's sessions column is not named for what it counts")
	}
	if strings.Contains(p.Body, `<span class="app-muted">GAD-7</span>`) || !strings.Contains(p.Body, "the GAD-7 is this problem's anxiety measure") {
		t.Errorf("anxiety measure column repeats GAD-7")
	}
	if !strings.Contains(p.Body, `class="app-table-scroll"`) {
		t.Errorf("caseload table not in a scrolling box")
	}
}

// TestWeeklyReviewCountsLinkToCases: each flag's row names its cases, each
// a link to the case's card on the page.
func TestWeeklyReviewCountsLinkToCases(t *testing.T) {
	e := newSupervisionEnv(t)
	p := e.signedIn(e.supervisor).get("/review")
	row := regexp.MustCompile(`(?s)<tr class="nhsuk-table__row" data-count="risk">.*?</tr>`).FindString(p.Body)
	link := `<a href="#case-` + id(e.tara) + `">`
	if !strings.Contains(row, link) {
		t.Errorf("the risk row does not link to Tara's case card:\n%s", row)
	}
	if !strings.Contains(p.Body, `id="case-`+id(e.tara)+`"`) {
		t.Errorf("no card with the id the row links to")
	}
}

func TestConfirmationAfterCorrectionOrReview(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Pat Patient", "F32")
	b := e.signedIn(e.therapist)
	if p := b.get(referralPath(r.ID) + "?done=corrected"); !strings.Contains(p.Body, "Score corrected.") {
		t.Errorf("no confirmation after a correction")
	}
	if p := b.get(referralPath(r.ID) + "?done=%3Cb%3Ehi"); strings.Contains(p.Body, "done-title") {
		t.Errorf("an unknown ?done= shows a banner")
	}
}

// TestWeeklyReviewConfirmsAReview: back at /review after a review, the page
// says whose review was recorded, once.
func TestWeeklyReviewConfirmsAReview(t *testing.T) {
	e := newSupervisionEnv(t)
	b := e.signedIn(e.supervisor)
	p := b.post("/referrals/"+id(e.tara)+"/reviews", url.Values{"date": {"2026-03-16"}, "decision": {"risk_plan_agreed"}, "next": {"/review"}})
	if p.Status != http.StatusSeeOther || p.Location != "/review" {
		t.Fatalf("record review: %d %s", p.Status, p.Location)
	}
	if done := b.get("/review"); !strings.Contains(done.Body, "Review of Pat Declining&#39;s case recorded.") {
		t.Errorf("the weekly review does not confirm the review")
	}
	if again := b.get("/review"); strings.Contains(again.Body, "case recorded.") {
		t.Errorf("the confirmation shows again on the next visit")
	}
	// From the referral page (no next): back to the referral, confirmed.
	p = b.post("/referrals/"+id(e.colin)+"/reviews", url.Values{"date": {"2026-03-16"}, "decision": {"continue"}})
	if want := referralPath(e.colin.ID) + "?done=reviewed#reviews"; p.Status != http.StatusSeeOther || p.Location != want {
		t.Fatalf("review from the referral: %d %s, want %s", p.Status, p.Location, want)
	}
	if done := b.get(referralPath(e.colin.ID) + "?done=reviewed"); !strings.Contains(done.Body, "Supervision review recorded.") {
		t.Errorf("the referral page does not confirm the review")
	}
}

// TestPatientQuestionnaireNamesThePairedADSM: a patient referred for panic
// is told the PDSS is done with the therapist; one referred for generalised
// anxiety (GAD-7) is not told of another.
func TestPatientQuestionnaireNamesThePairedADSM(t *testing.T) {
	e := newTestEnv(t)
	pn := e.referral(e.therapist, "Pat Panic", "F41.0")
	p := e.patientOf(pn, "pat@example.com").get(portalPath(pn.ID) + "/questionnaire")
	if !strings.Contains(p.Body, `id="paired-adsm"`) || !strings.Contains(p.Body, "PDSS") {
		t.Errorf("the panic patient's questionnaire does not mention the PDSS (%d)", p.Status)
	}
	gad := e.referral(e.therapist, "Gus Gad", "F41.1")
	if p := e.patientOf(gad, "gus@example.com").get(portalPath(gad.ID) + "/questionnaire"); strings.Contains(p.Body, `id="paired-adsm"`) {
		t.Errorf("a GAD referral is told of another anxiety questionnaire")
	}
}
