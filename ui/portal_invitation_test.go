package ui

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"clinic/internal/caseload"
)

// Invitations and the life of a patient's access (issue 5): taking up a
// code, guessing, expiry, revoking, and the 90 days after a referral ends.

func TestInvitationJourney(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Pat Patient", "F32")
	tb := e.signedIn(e.therapist)

	if p := tb.get(referralPath(r.ID)); !strings.Contains(p.Body, "The patient has no access") || !strings.Contains(p.Body, referralPath(r.ID)+"/invitation") {
		t.Errorf("referral page lacks the patient access section")
	}
	code := e.inviteCode(tb, r)
	// Without --base-url the page names the path on this site, never the
	// request's Host (issue 15; TestInvitationLinkFromBaseURL).
	if p := tb.post(referralPath(r.ID)+"/invitation", nil); !strings.Contains(p.Body, "<strong>/invitation</strong>") {
		t.Errorf("the code page does not give the address to take it up at")
	} else {
		code = codePattern.FindStringSubmatch(p.Body)[1] // the newer code replaces the first
	}
	if p := tb.get(referralPath(r.ID) + "/invitation"); strings.Contains(p.Body, code) || !strings.Contains(p.Body, "Waiting to be used") {
		t.Errorf("the access page shows the code again, or not its status")
	}

	b := e.browser()
	if p := b.get("/invitation"); p.Status != http.StatusOK || !p.doc(t).has(t, `input[name=code]`) {
		t.Fatalf("invitation form: %d", p.Status)
	}
	// Wrong date of birth and wrong code: the same answer.
	wrongDOB := b.post("/invitation", acceptForm(code, "1980-05-02", "pat@example.com"))
	wrongCode := b.post("/invitation", acceptForm("ABCD-EFGH-JKLM", patientDOB, "pat@example.com"))
	for _, p := range []page{wrongDOB, wrongCode} {
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, html.EscapeString(badInvitation)) {
			t.Errorf("wrong code or date: %d\n%s", p.Status, errorSummaryOf(p.Body))
		}
		if !p.doc(t).has(t, `input[value="pat@example.com"]`) || strings.Contains(p.Body, testPassword) {
			t.Errorf("the form should keep the e-mail and never echo the password")
		}
	}
	if errorSummaryOf(wrongDOB.Body) != errorSummaryOf(wrongCode.Body) {
		t.Errorf("a wrong date of birth and a wrong code answer differently:\n%s\n%s", errorSummaryOf(wrongDOB.Body), errorSummaryOf(wrongCode.Body))
	}
	// A weak password is refused by the staff rules, without spending a try.
	weak := acceptForm(code, patientDOB, "pat@example.com")
	weak.Set("password", "password123")
	if p := b.post("/invitation", weak); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "too common") {
		t.Errorf("common password: %d\n%s", p.Status, errorSummaryOf(p.Body))
	}

	p := b.post("/invitation", acceptForm(strings.ToLower(code), patientDOB, "pat@example.com"))
	if p.Status != http.StatusSeeOther || p.Location != "/my" {
		t.Fatalf("accept: %d %q\n%s", p.Status, p.Location, errorSummaryOf(p.Body))
	}
	if p := b.get("/my"); p.Status != http.StatusSeeOther || p.Location != portalPath(r.ID) {
		t.Fatalf("/my: %d %q, want the one referral", p.Status, p.Location)
	}
	if p := b.get(portalPath(r.ID)); p.Status != http.StatusOK || !strings.Contains(p.Body, "My progress") {
		t.Fatalf("progress: %d", p.Status)
	}
	// Single use.
	if p := e.browser().post("/invitation", acceptForm(code, patientDOB, "someone@example.com")); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("the code a second time: %d, want 422", p.Status)
	}
	// Sign out, and in again with the chosen password.
	if p := b.post("/sign-out", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("sign out: %d", p.Status)
	}
	if p := b.get(portalPath(r.ID)); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/sign-in") {
		t.Errorf("after sign-out: %d %q", p.Status, p.Location)
	}
	if p := b.post("/sign-in", url.Values{"email": {"pat@example.com"}, "password": {testPassword}}); p.Status != http.StatusSeeOther || p.Location != "/my" {
		t.Errorf("patient sign-in: %d %q", p.Status, p.Location)
	}
	if p := tb.get(referralPath(r.ID)); !strings.Contains(p.Body, "The patient can sign in") {
		t.Errorf("referral page does not say the patient can sign in")
	}
}

func TestInvitationGuessingIsThrottled(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Pat Patient", "F32")
	code := e.inviteCode(e.signedIn(e.therapist), r)
	b := e.browser()
	for i := 0; i < caseload.InvitationFailuresPerAddress; i++ {
		if p := b.post("/invitation", acceptForm(fmt.Sprintf("ABCD-EFGH-JKM%d", i+2), patientDOB, "pat@example.com")); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("guess %d: %d", i, p.Status)
		}
	}
	p := b.post("/invitation", acceptForm(code, patientDOB, "pat@example.com"))
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Too many codes") {
		t.Errorf("the right code after %d guesses: %d\n%s", caseload.InvitationFailuresPerAddress, p.Status, errorSummaryOf(p.Body))
	}
}

func TestInvitationExpires(t *testing.T) {
	now := testNow
	e := newTestEnvAt(t, &now)
	r := e.referral(e.therapist, "Pat Patient", "F32")
	code := e.inviteCode(e.signedIn(e.therapist), r)
	now = now.Add(7 * 24 * time.Hour)
	if p := e.browser().post("/invitation", acceptForm(code, patientDOB, "pat@example.com")); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, html.EscapeString(badInvitation)) {
		t.Errorf("a 7-day-old code: %d", p.Status)
	}
}

func TestRevokeSignsPatientOut(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Pat Patient", "F32")
	b := e.patientOf(r, "pat@example.com")
	tb := e.signedIn(e.therapist)
	if p := tb.get(referralPath(r.ID) + "/invitation"); !strings.Contains(p.Body, "Revoke the patient's access") {
		t.Fatalf("no revoke button")
	}
	if p := tb.post(referralPath(r.ID)+"/invitation/revoke", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", p.Status)
	}
	if p := b.get(portalPath(r.ID)); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/sign-in") {
		t.Errorf("after revoking: %d %q, want signed out", p.Status, p.Location)
	}
	if p := e.browser().post("/sign-in", url.Values{"email": {"pat@example.com"}, "password": {testPassword}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("sign in after revoking: %d, want refused", p.Status)
	}
	// A colleague in another team cannot revoke.
	if p := e.signedIn(e.south).post(referralPath(r.ID)+"/invitation/revoke", nil); p.Status != http.StatusNotFound {
		t.Errorf("another team's therapist revoking: %d, want 404", p.Status)
	}
}

func TestPatientAccessClosesNinetyDaysAfterEnd(t *testing.T) {
	now := testNow // 16 March 2026
	e := newTestEnvAt(t, &now)
	r := e.referral(e.therapist, "Pat Patient", "F32")
	b := e.patientOf(r, "pat@example.com")
	if _, err := e.store.EndReferral(context.Background(), e.therapist, r.ID, "2026-03-16", "completed", "", caseload.EndRisk{}); err != nil {
		t.Fatal(err)
	}
	p := b.get(portalPath(r.ID))
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "You can read this page until 14 June 2026") || strings.Contains(p.Body, "/questionnaire\"") {
		t.Errorf("ended referral: %d, or still offers questionnaires", p.Status)
	}
	if p := b.post(portalPath(r.ID)+"/questionnaire", answerForm("111111111", "1111111")); p.Status != http.StatusSeeOther || p.Location != portalPath(r.ID) {
		t.Errorf("sending answers after the end: %d %q", p.Status, p.Location)
	}
	// The last day, late in the evening (British Summer Time).
	now = time.Date(2026, 6, 14, 22, 50, 0, 0, time.UTC)
	b = e.browser()
	if p := b.post("/sign-in", url.Values{"email": {"pat@example.com"}, "password": {testPassword}}); p.Status != http.StatusSeeOther || p.Location != "/my" {
		t.Fatalf("sign in on the 90th day: %d %q", p.Status, p.Location)
	}
	if p := b.get(portalPath(r.ID)); p.Status != http.StatusOK {
		t.Fatalf("read on the 90th day: %d", p.Status)
	}
	// Twenty minutes later it is the 91st day in England.
	now = now.Add(20 * time.Minute)
	if p := b.get(portalPath(r.ID)); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/sign-in") {
		t.Errorf("on the 91st day: %d %q, want signed out", p.Status, p.Location)
	} else if p := b.get(p.Location); !strings.Contains(p.Body, "your access to clinic has ended") {
		t.Errorf("the sign-in page does not say why")
	}
	p = e.browser().post("/sign-in", url.Values{"email": {"pat@example.com"}, "password": {testPassword}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Your access to clinic has ended") {
		t.Errorf("sign in on the 91st day: %d\n%s", p.Status, errorSummaryOf(p.Body))
	}
}
