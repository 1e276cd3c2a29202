package main

// The movement journey (issue 14): a supervisor receives a referral onto
// the waiting list through the receive form and allocates it to a PWP, the PWP records two sessions, the supervisor's review steps it
// up to a CBT therapist in one step, and the CBT therapist finds the patient
// by NHS number and sees the whole history; an admin maps an imported
// record's unknown care professional to a therapist, allocating its
// waiting referral (issue 12). Every page is checked with axe-core.

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"clinic"
	"clinic/internal/caseload"
	"clinic/internal/dataset"
)

// importUnknownCareProf imports, on the running server's database, a
// referral whose care professional (prof) nobody here is known as: it
// waits on the supervisor's first team's waiting list.
func importUnknownCareProf(t *testing.T, a *app, supervisorEmail, prof string) {
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
	admin, err := firstAdmin(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	appType, _ := dataset.CodeOf(dataset.Purposes, "assessment")
	attend, _ := dataset.AttendanceCode("attended")
	day := func(ago int) string { return time.Now().UTC().AddDate(0, 0, -ago).Format("2006-01-02") }
	tables := map[string][]map[string]string{
		"IDS001": {{"LocalPatientId": "JP1", "PersonBirthDate": "1975-06-01"}},
		"IDS101": {{"ServiceRequestId": "JR1", "LocalPatientId": "JP1", "ReferralRequestReceivedDate": day(20)}},
		"IDS201": {{"CareContactId": "JC1", "ServiceRequestId": "JR1", "CareContDate": day(10), "AppType": appType, "AttendOrDNACode": attend, "CareProfLocalId": prof}},
		"IDS902": {{"CareProfLocalId": prof}},
	}
	rep, err := s.ImportIDS(ctx, admin, tables, caseload.IDSImportOptions{TeamID: sup.Teams[0]})
	if err != nil || !rep.Kept || rep.Unallocated != 1 {
		t.Fatalf("import: %+v %v", rep, err)
	}
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
	const name, nhs = "Wendy Waiting", "401 023 2137"
	var referral string
	today := time.Now().UTC()

	sj := newJourney(t, a)
	t.Run("supervisor receives a referral and allocates it to a PWP", func(t *testing.T) {
		sj.t = t
		sj.signIn(sup.Email, sup.Password)
		sj.followLink(`a[href="/referrals/receive"]`)
		sj.check("receive-form")
		sj.typeInto("name", name)
		sj.typeDate("date-of-birth", time.Date(1988, 9, 14, 0, 0, 0, 0, time.UTC))
		sj.typeInto("nhs-number", nhs)
		sj.typeDate("received-on", today.AddDate(0, 0, -30))
		chooseOption(t, sj.ctx, "problem-descriptor", "F32")
		chooseOption(t, sj.ctx, "source-of-referral", "B1")
		// No intensity yet: the form comes back, everything typed kept.
		sj.submitWith(`form[action="/referrals/receive"] button[type="submit"]`)
		if !sj.visible(".nhsuk-error-summary") || !strings.Contains(sj.text(".nhsuk-error-summary"), "intensity") {
			t.Fatal("a referral without an intensity was received without an error")
		}
		sj.check("receive-form-error")
		if got := sj.value("name"); got != name {
			t.Errorf("name after the error: %q, want it kept", got)
		}
		sj.press(`input[name="intensity"][value="low"]`, " ")
		sj.submitWith(`form[action="/referrals/receive"] button[type="submit"]`)
		if p := sj.path(); p != "/waiting?done=received" {
			t.Fatalf("after receiving: at %s (%s), want the waiting list", p, sj.text("main"))
		}
		sj.check("waiting-list")
		if row := sj.text(".app-waiting"); !strings.Contains(row, name) {
			t.Fatalf("the waiting list lacks %s:\n%s", name, row)
		}
		move, err := eval[string](sj.ctx, `Array.from(document.querySelectorAll(".app-waiting tbody tr")).find(r => r.textContent.includes(`+strconv.Quote(name)+`)).querySelector('a[href$="/move"]').getAttribute("href")`)
		if err != nil || !strings.HasPrefix(move, "/referrals/") {
			t.Fatalf("the waiting referral's allocate link: %q %v", move, err)
		}
		referral = strings.TrimSuffix(move, "/move")
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

	t.Run("an admin maps an imported care professional and allocates its referral", func(t *testing.T) {
		admin, ok := a.Accounts["admin"]
		if !ok {
			t.Fatalf("demo printed no admin sign-in: %v", a.All)
		}
		importUnknownCareProf(t, a, sup.Email, "EXT-J1")
		j := newJourney(t, a)
		j.signIn(admin.Email, admin.Password)
		j.visit("/admin/dataset")
		j.followLink(`a[href="/admin/care-professionals"]`)
		j.check("care-professionals")
		row := `tr[data-care-prof="EXT-J1"]`
		if got := j.text(row); !strings.Contains(got, "Allocate its 1 unallocated referrals") {
			t.Fatalf("the care professional's row: %q", got)
		}
		id, err := eval[string](j.ctx, `document.querySelector('`+row+` select').id`)
		if err != nil {
			t.Fatal(err)
		}
		chooseOption(t, j.ctx, id, idText(userID(t, a, cbt.Email)))
		j.press(row+` input[name="allocate"]`, " ")
		j.submitWith(row + ` button[type="submit"]`)
		if !strings.Contains(j.text("main"), "1 referrals allocated") {
			t.Errorf("no notice of the allocation: %s", trim(j.text("main"), 500))
		}
		j.check("care-professionals-saved")
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
