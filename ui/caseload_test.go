package ui

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

func TestCaseloadPage(t *testing.T) {
	e := newTestEnv(t)
	b := e.signedIn(e.therapist)
	if p := b.get("/"); p.Status != http.StatusOK || !strings.Contains(p.Body, "You have no open referrals") {
		t.Fatalf("empty caseload: %d, want the empty state", p.Status)
	}

	ctx := context.Background()
	record := func(r caseload.Referral, date string, phq9, gad7 []*int, extra map[measures.InstrumentID]caseload.ScoreInput) {
		t.Helper()
		scores := map[measures.InstrumentID]caseload.ScoreInput{measures.PHQ9: {Items: phq9}, measures.GAD7: {Items: gad7}}
		for k, v := range extra {
			scores[k] = v
		}
		if _, err := e.store.RecordContact(ctx, e.therapist, r.ID, caseload.NewContact{Date: date, Kind: "treatment", Attendance: "attended", Scores: scores}); err != nil {
			t.Fatal(err)
		}
	}
	total := func(v float64) *float64 { return &v }
	// Better: PHQ-9 20 -> 8 (reliable improvement), GAD-7 16 -> 7.
	better := e.referral(e.therapist, "Bea Better", "F32")
	record(better, "2026-02-02", ints(3, 3, 2, 2, 2, 2, 2, 2, 2), ints(3, 3, 2, 2, 2, 2, 2), nil)
	record(better, "2026-03-02", ints(1, 1, 1, 1, 1, 1, 1, 1, 0), ints(1, 1, 1, 1, 1, 1, 1), nil)
	// Worse: PHQ-9 6 -> 18 (reliable deterioration), with an ADSM.
	worse := e.referral(e.therapist, "Will Worse", "F41.0")
	record(worse, "2026-02-03", ints(1, 1, 1, 1, 1, 1, 0, 0, 0), ints(1, 1, 1, 1, 1, 1, 1), map[measures.InstrumentID]caseload.ScoreInput{measures.PDSS: {Total: total(10)}})
	record(worse, "2026-03-03", ints(2, 2, 2, 2, 2, 2, 2, 2, 2), ints(2, 2, 2, 2, 2, 2, 2), map[measures.InstrumentID]caseload.ScoreInput{measures.PDSS: {Total: total(20)}})
	// New: no scores yet.
	e.referral(e.therapist, "Ned New", "F41.1")
	// Someone else's: never shown.
	e.referral(e.colleague, "Other Person", "F32")

	p := b.get("/")
	if p.Status != http.StatusOK {
		t.Fatalf("caseload: %d", p.Status)
	}
	for _, want := range []string{
		"Bea Better", "Depressive episode", "reliable improvement",
		"Will Worse", "Panic disorder", "reliable deterioration", "PDSS", "Risk: high",
		"Ned New", "none yet", "3 March 2026", "moderately severe",
	} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("caseload lacks %q", want)
		}
	}
	if strings.Contains(p.Body, "Other Person") {
		t.Errorf("caseload shows a colleague's patient")
	}

	tests := []struct {
		query string
		order []string
	}{
		{"", []string{"Bea Better", "Ned New", "Will Worse"}},
		{"?sort=patient&dir=desc", []string{"Will Worse", "Ned New", "Bea Better"}},
		{"?sort=phq9", []string{"Bea Better", "Will Worse", "Ned New"}},
		{"?sort=phq9&dir=desc", []string{"Will Worse", "Bea Better", "Ned New"}},
		{"?sort=last_contact&dir=desc", []string{"Will Worse", "Bea Better", "Ned New"}},
		{"?sort=descriptor", []string{"Bea Better", "Ned New", "Will Worse"}},
		{"?sort=nonsense", []string{"Bea Better", "Ned New", "Will Worse"}},
	}
	re := regexp.MustCompile(`<a href="/referrals/\d+">([^<]+)</a>`)
	for _, tt := range tests {
		p := b.get("/" + tt.query)
		var got []string
		for _, m := range re.FindAllStringSubmatch(p.Body, -1) {
			got = append(got, m[1])
		}
		if diff := cmp.Diff(tt.order, got); diff != "" {
			t.Errorf("order for %q (-want +got):\n%s", tt.query, diff)
		}
	}
	if p := b.get("/?sort=phq9"); !p.doc(t).has(t, `th[aria-sort=ascending] a[href="/?sort=phq9&dir=desc"]`) {
		t.Errorf("sorted column lacks aria-sort and a link to reverse")
	}
}

// Only therapists hold caseloads: the start page sends a supervisor to the
// weekly review and an admin to the users, and neither is offered "New
// patient" (the store puts every referral on a therapist's caseload).
func TestStartPageByRole(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		who  caseload.User
		home string
	}{
		{e.supervisor, "/review"},
		{e.admin, "/admin/users"},
	}
	for _, tt := range tests {
		b := e.signedIn(tt.who)
		p := b.get("/")
		if p.Status != http.StatusSeeOther || p.Location != tt.home {
			t.Errorf("%s's start page: %d to %q, want %s", tt.who.Role, p.Status, p.Location, tt.home)
		}
		home := b.get(tt.home)
		if d := home.doc(t); d.has(t, `a[href="/patients/new"]`) || d.hasText(t, "*", "My caseload") {
			t.Errorf("%s is offered a caseload or new patients", tt.who.Role)
		}
		if p := b.get("/patients/new"); p.Status != http.StatusForbidden {
			t.Errorf("%s new patient: %d, want 403", tt.who.Role, p.Status)
		}
	}
	if p := e.signedIn(e.therapist).get("/"); p.Status != http.StatusOK || !p.doc(t).has(t, `a[href="/patients/new"]`) {
		t.Errorf("therapist's start page: %d, want the caseload with New patient", p.Status)
	}
}

func TestAdminHasNoCaseload(t *testing.T) {
	e := newTestEnv(t)
	p := e.signedIn(e.admin).get("/admin/users")
	if p.Status != http.StatusOK || p.doc(t).hasText(t, "*", "My caseload") {
		t.Errorf("admin home: %d", p.Status)
	}
	if p := e.signedIn(e.admin).get("/patients/new"); p.Status != http.StatusForbidden {
		t.Errorf("admin new patient: %d, want 403", p.Status)
	}
}

// A patient's answers sent before a session show on the therapist's
// caseload, linked to recording the session, until a session confirms them.
func TestCaseloadShowsAnswersWaiting(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Wren Waiting", "F41.1")
	quiet := e.referral(e.therapist, "Quinn Quiet", "F32")
	th := e.signedIn(e.therapist)
	tag := fmt.Sprintf(`href="/referrals/%d/contacts/new">Answers waiting`, r.ID)
	if p := th.get("/"); strings.Contains(p.Body, "Answers waiting") {
		t.Fatal("answers waiting before the patient sent any")
	}

	submitAnswers(t, e.patientOf(r, "wren@example.org"), r, "110110100", "1101100")
	p := th.get("/")
	if !strings.Contains(p.Body, tag) {
		t.Errorf("caseload lacks the answers-waiting link for %s", r.PatientName)
	}
	if strings.Contains(p.Body, fmt.Sprintf(`href="/referrals/%d/contacts/new">Answers waiting`, quiet.ID)) {
		t.Error("answers waiting shown for a patient who sent none")
	}

	// Recording the session from the pre-filled form confirms them.
	form := th.get(fmt.Sprintf("/referrals/%d/contacts/new", r.ID))
	if !form.doc(t).has(t, `#from-questionnaire`) {
		t.Fatal("the session form is not pre-filled from the answers")
	}
	values := formValues(t, form.Body, `/referrals/`+itoa(r.ID)+`/contacts/new`)
	values.Set("kind", "treatment")
	values.Set("attendance", "attended")
	values.Set("action", "save")
	if res := th.post(fmt.Sprintf("/referrals/%d/contacts/new", r.ID), values); res.Status != http.StatusSeeOther {
		t.Fatalf("record the session: %d\n%s", res.Status, errorSummaryOf(res.Body))
	}
	if p := th.get("/"); strings.Contains(p.Body, tag) {
		t.Error("answers still waiting after the session recorded them")
	}
}

var (
	formTag  = regexp.MustCompile(`(?s)<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>`)
	inputTag = regexp.MustCompile(`<input[^>]*>`)
	attr     = regexp.MustCompile(`\b(name|value|type|checked)(?:="([^"]*)")?`)
)

// formValues reads back what a browser would send from the form with this
// action as rendered: hidden and text fields, and the checked radios.
func formValues(t *testing.T, body, action string) url.Values {
	t.Helper()
	for _, f := range formTag.FindAllStringSubmatch(body, -1) {
		if f[1] != action {
			continue
		}
		v := url.Values{}
		for _, in := range inputTag.FindAllString(f[2], -1) {
			a := map[string]string{}
			for _, m := range attr.FindAllStringSubmatch(in, -1) {
				a[m[1]] = html.UnescapeString(m[2])
				if m[1] == "checked" {
					a["checked"] = "yes"
				}
			}
			if a["name"] == "" || (a["type"] == "radio" && a["checked"] == "") {
				continue
			}
			v.Set(a["name"], a["value"])
		}
		return v
	}
	t.Fatalf("no form with action %s", action)
	return nil
}
