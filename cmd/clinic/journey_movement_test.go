package main

// The movement journey (issue 14): a supervisor allocates a waiting referral
// to a PWP, the PWP records two sessions, the supervisor's review steps it
// up to a CBT therapist in one step, and the CBT therapist finds the patient
// by NHS number and sees the whole history. Every page is checked with
// axe-core.

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"clinic"
	"clinic/internal/caseload"
)

// receiveWaiting puts a referral on the demo supervisor's team's waiting
// list, as an import or the API would, through the store on the running
// server's database.
func receiveWaiting(t *testing.T, a *app, supervisorEmail string, name, nhs string) int64 {
	t.Helper()
	ctx := context.Background()
	s, err := caseload.Open(a.DB, clinic.Schema, func() time.Time { return time.Now().UTC() })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sup, err := s.TherapistByEmail(ctx, supervisorEmail)
	if err != nil || len(sup.Teams) == 0 {
		t.Fatalf("supervisor %s: %v %+v", supervisorEmail, err, sup)
	}
	p, err := s.CreatePatient(ctx, sup, caseload.NewPatient{Name: name, DateOfBirth: "1988-09-14", NHSNumber: nhs})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.CreateReferral(ctx, sup, caseload.NewReferral{PatientID: p.ID, TeamID: sup.Teams[0],
		ReceivedOn: time.Now().UTC().AddDate(0, 0, -30).Format("2006-01-02"), ProblemDescriptor: "F32", Intensity: "low"})
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// userID reads a demo user's id from the running server's database.
func userID(t *testing.T, a *app, email string) int64 {
	t.Helper()
	s, err := caseload.Open(a.DB, clinic.Schema, func() time.Time { return time.Now().UTC() })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, err := s.TherapistByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func TestJourneyWaitingStepUp(t *testing.T) {
	if testing.Short() {
		t.Skip("browser journeys")
	}
	chromiumPath(t)
	a := startApp(t, "--demo")
	sup, ok := a.Accounts["supervisor"]
	var therapists []demoAccount
	for _, acc := range a.All {
		if acc.Role == "therapist" {
			therapists = append(therapists, acc)
		}
	}
	if !ok || len(therapists) < 2 {
		t.Fatalf("demo printed no supervisor or fewer than two therapists: %v", a.All)
	}
	pwp, cbt := therapists[0], therapists[1]
	const name, nhs = "Wendy Waiting", "4010232137"
	id := receiveWaiting(t, a, sup.Email, name, nhs)
	referral := "/referrals/" + idText(id)
	today := time.Now().UTC()

	sj := newJourney(t, a)
	t.Run("supervisor allocates the waiting referral to a PWP", func(t *testing.T) {
		sj.t = t
		sj.signIn(sup.Email, sup.Password)
		sj.followLink(`a[href="/waiting"]`)
		sj.check("waiting-list")
		if row := sj.text(".app-waiting"); !strings.Contains(row, name) {
			t.Fatalf("the waiting list lacks %s:\n%s", name, row)
		}
		sj.followLink(`a[href="` + referral + `/move"]`)
		sj.check("allocate")
		chooseOption(t, sj.ctx, "therapist-id", idText(userID(t, a, pwp.Email)))
		sj.press(`#intensity`, " ")
		sj.submitWith(`form[action="` + referral + `/move"] button[type="submit"]`)
		if p := sj.path(); p != "/waiting" {
			t.Fatalf("after allocating: at %s, want the waiting list", p)
		}
		if strings.Contains(sj.text("main"), name) {
			t.Error("still on the waiting list after allocation")
		}
	})
	if t.Failed() {
		return
	}

	t.Run("the PWP records two sessions", func(t *testing.T) {
		j := newJourney(t, a)
		j.signIn(pwp.Email, pwp.Password)
		j.followLink(`a[href="` + referral + `"]`)
		for i, s := range []session{
			{daysAgo: 14, kind: "kind", phq9: "222222110", gad7: "2222221"},
			{daysAgo: 7, kind: "kind-treatment", phq9: "222222210", gad7: "2222222"},
		} {
			j.followLink(`a[href$="/contacts/new"]`)
			j.typeDate("date", today.AddDate(0, 0, -s.daysAgo))
			j.press("#"+s.kind, " ")
			j.press("#attendance", " ")
			j.typeInto("scores-phq9-quick", s.phq9)
			j.typeInto("scores-gad7-quick", s.gad7)
			j.submitWith(`button[name="action"][value="save"]`)
			if j.visible(".nhsuk-error-summary") {
				t.Fatalf("session %d not saved: %s", i+1, j.text(".nhsuk-error-summary"))
			}
		}
		j.check("pwp-referral-two-sessions")
	})
	if t.Failed() {
		return
	}

	t.Run("the supervisor's review steps it up to a CBT therapist", func(t *testing.T) {
		sj.t = t
		sj.visit(referral + "/reviews/new")
		sj.check("review-step-up")
		sj.press("#decision-step_up", " ")
		sj.submitWith(`form[action="` + referral + `/reviews"] button[type="submit"]`)
		if p := sj.path(); !strings.HasPrefix(p, referral+"/move") {
			t.Fatalf("after a step-up review: at %s, want the move form", p)
		}
		sj.check("step-up-form")
		if got := sj.value("reason"); got != "Supervision review: step up" {
			t.Errorf("reason filled in from the review: %q", got)
		}
		chooseOption(t, sj.ctx, "therapist-id", idText(userID(t, a, cbt.Email)))
		sj.submitWith(`form[action="` + referral + `/move"] button[type="submit"]`)
		if p := sj.path(); p != referral {
			t.Fatalf("after stepping up: at %s, want the referral", p)
		}
		history := sj.text("#history-of-care + table")
		for _, want := range []string{"Allocated", "Stepped up", "low intensity", "high intensity"} {
			if !strings.Contains(history, want) {
				t.Errorf("history of care lacks %q:\n%s", want, history)
			}
		}
	})
	if t.Failed() {
		return
	}

	t.Run("the CBT therapist finds the patient by NHS number and sees the whole history", func(t *testing.T) {
		j := newJourney(t, a)
		j.signIn(cbt.Email, cbt.Password)
		j.followLink(`a[href="/patients"]`)
		j.check("find-a-patient")
		j.typeInto("q", "401 023 2137")
		j.submitWith(`form[action="/patients"] button[type="submit"]`)
		j.check("search-results")
		results := j.text(".app-search-results")
		for _, want := range []string{name, "401 023 2137", "14 September 1988", "Open"} {
			if !strings.Contains(results, want) {
				t.Errorf("search results lack %q:\n%s", want, results)
			}
		}
		j.followLink(`.app-search-results a[href^="/patients/"]`)
		j.check("patient-page")
		j.followLink(`.app-patient-referrals a[href="` + referral + `"]`)
		j.check("referral-after-step-up")
		page := j.text("main")
		for _, want := range []string{"History of care", "Stepped up", pwpName(a, pwp), "Supervision review: step up"} {
			if !strings.Contains(page, want) {
				t.Errorf("the referral page lacks %q", want)
			}
		}
		for _, daysAgo := range []int{14, 7} {
			if d := today.AddDate(0, 0, -daysAgo).Format("2 January 2006"); !strings.Contains(page, d) {
				t.Errorf("the PWP's session of %s is not on the page:\n%s", d, trim(page, 1500))
			}
		}
	})
}

// pwpName is the demo therapist's name as the pages show it.
func pwpName(a *app, acc demoAccount) string {
	s, err := caseload.Open(a.DB, clinic.Schema, func() time.Time { return time.Now().UTC() })
	if err != nil {
		return acc.Email
	}
	defer s.Close()
	u, err := s.TherapistByEmail(context.Background(), acc.Email)
	if err != nil {
		return acc.Email
	}
	return u.Name
}

func idText(id int64) string { return strconv.FormatInt(id, 10) }
