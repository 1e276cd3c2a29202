package ui

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"clinic/internal/caseload"
)

func addAdminToolSamples(samples map[string]any, base basePage, f *form) {
	u := caseload.User{ID: 2, Name: "Tara Therapist", Email: "tara@example.nhs.uk", Role: caseload.RoleTherapist}
	samples["admin_user_edit.html"] = &adminUserEditPage{basePage: base, Target: u, Form: f, Roles: roleOptions, Done: "Saved."}
	samples["admin_password_reset.html"] = &adminPasswordResetPage{basePage: base, Target: u, Code: "ABCD-EFGH-JKLM",
		Link: "http://127.0.0.1/reset-password?code=ABCD-EFGH-JKLM", Expires: time.Date(2026, 3, 17, 9, 0, 0, 0, time.UTC)}
	samples["password_reset.html"] = &passwordResetPage{basePage: base, Form: f}
}

var resetCode = regexp.MustCompile(`id="reset-code">([A-Z0-9-]+)<`)

// TestAdminResetsAPassword: the admin makes a code for a therapist, who
// chooses a new password with it and signs in; the code works once.
func TestAdminResetsAPassword(t *testing.T) {
	e := newTestEnv(t)
	admin := e.signedIn(e.admin)
	path := "/admin/users/" + itoa(e.therapist.ID)
	if p := admin.get(path + "/edit"); p.Status != http.StatusOK || !strings.Contains(p.Body, `value="tara@example.nhs.uk"`) {
		t.Fatalf("edit form: %d", p.Status)
	}
	p := admin.post(path+"/reset-password", url.Values{})
	m := resetCode.FindStringSubmatch(p.Body)
	if p.Status != http.StatusOK || m == nil {
		t.Fatalf("reset code page: %d", p.Status)
	}
	if !strings.Contains(p.Body, "/reset-password?code="+m[1]) {
		t.Errorf("no link carrying the code")
	}
	anon := e.browser()
	if f := anon.get("/reset-password?code=" + m[1]); !strings.Contains(f.Body, `value="`+m[1]+`"`) {
		t.Errorf("the link does not fill in the code")
	}
	bad := anon.post("/reset-password", url.Values{"code": {m[1]}, "password": {"short"}})
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, `href="#password"`) || !strings.Contains(bad.Body, `value="`+m[1]+`"`) {
		t.Errorf("short password: %d", bad.Status)
	}
	ok := anon.post("/reset-password", url.Values{"code": {m[1]}, "password": {"a brand new phrase"}})
	if ok.Status != http.StatusOK || !strings.Contains(ok.Body, "Password changed") {
		t.Fatalf("reset: %d %s", ok.Status, errorSummaryOf(ok.Body))
	}
	again := anon.post("/reset-password", url.Values{"code": {m[1]}, "password": {"yet another phrase"}})
	if again.Status != http.StatusUnprocessableEntity || !strings.Contains(again.Body, "does not work") {
		t.Errorf("the code worked twice: %d", again.Status)
	}
	if s := e.browser().post("/sign-in", url.Values{"email": {e.therapist.Email}, "password": {"a brand new phrase"}}); s.Status != http.StatusSeeOther || strings.HasPrefix(s.Location, "/sign-in") {
		t.Errorf("sign in with the new password: %d %s", s.Status, s.Location)
	}
}

// TestPasswordResetCodesThrottled: after too many wrong codes from one
// address the form says to wait, on the code field, keeping what was typed.
func TestPasswordResetCodesThrottled(t *testing.T) {
	e := newTestEnv(t)
	anon := e.browser()
	for i := range caseload.InvitationFailuresPerAddress {
		p := anon.post("/reset-password", url.Values{"code": {"WRONG-CODE-" + itoa(int64(i))}, "password": {"a brand new phrase"}})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "does not work") {
			t.Fatalf("wrong code %d: %d %s", i, p.Status, errorSummaryOf(p.Body))
		}
	}
	p := anon.post("/reset-password", url.Values{"code": {"ABCD-EFGH-JKLM"}, "password": {"a brand new phrase"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Too many codes have been tried") ||
		!strings.Contains(p.Body, `href="#code"`) || !strings.Contains(p.Body, `value="ABCD-EFGH-JKLM"`) {
		t.Errorf("code after %d wrong ones: %d %s", caseload.InvitationFailuresPerAddress, p.Status, errorSummaryOf(p.Body))
	}
}

func TestAdminEditsAUser(t *testing.T) {
	e := newTestEnv(t)
	admin := e.signedIn(e.admin)
	path := "/admin/users/" + itoa(e.therapist.ID) + "/edit"
	bad := admin.post(path, url.Values{"name": {""}, "email": {"not an email"}, "role": {"therapist"}, "team": {""}})
	if bad.Status != http.StatusUnprocessableEntity {
		t.Fatalf("three problems: %d", bad.Status)
	}
	for _, want := range []string{`href="#name"`, `href="#email"`, `href="#team"`, `value="not an email"`} {
		if !strings.Contains(bad.Body, want) {
			t.Errorf("edit with problems lacks %s", want)
		}
	}
	p := admin.post(path, url.Values{"name": {"Tara Jones"}, "email": {"tara.jones@example.nhs.uk"}, "role": {"therapist"}, "team": {"South"}})
	if p.Status != http.StatusSeeOther || !strings.HasSuffix(p.Location, "/edit?done=saved") {
		t.Fatalf("save: %d %s", p.Status, p.Location)
	}
	if done := admin.get(p.Location); !strings.Contains(done.Body, "Changes saved") || !strings.Contains(done.Body, `value="Tara Jones"`) {
		t.Errorf("after saving the form does not confirm and show the change")
	}
	page, err := e.store.SearchAudit(context.Background(), caseload.AuditQuery{Action: caseload.AuditEditUser})
	if err != nil || len(page.Entries) != 1 || !strings.Contains(page.Entries[0].Detail, `team: "North" → "South"`) {
		t.Errorf("audit of the edit: %+v %v", page.Entries, err)
	}
	if dup := admin.post(path, url.Values{"name": {"Tara"}, "email": {e.colleague.Email}, "role": {"therapist"}, "team": {"North"}}); !strings.Contains(dup.Body, "Another user has this email address") {
		t.Errorf("another user's email accepted: %d", dup.Status)
	}
}

func TestAdminSeesCasesHeldByDisabledAccounts(t *testing.T) {
	e := newTestEnv(t)
	e.referral(e.therapist, "Pat Patient", "F32")
	admin := e.signedIn(e.admin)
	if p := admin.get("/admin/users"); strings.Contains(p.Body, "held by disabled accounts") {
		t.Errorf("warning shown with nobody disabled")
	}
	if p := admin.post("/admin/users/"+itoa(e.therapist.ID)+"/disable", url.Values{}); p.Status != http.StatusSeeOther {
		t.Fatalf("disable: %d", p.Status)
	}
	p := admin.get("/admin/users")
	if !strings.Contains(p.Body, "1 open case held by disabled accounts") || !strings.Contains(p.Body, `<a href="/admin/users/`+itoa(e.therapist.ID)+`/edit">`+e.therapist.Name+`</a>: 1 open case`) {
		t.Errorf("no count of the disabled therapist's open case with a link")
	}
}

func addLetterSample(samples map[string]any, base basePage) {
	samples["referral_letter.html"] = &letterPage{basePage: base, Referral: caseload.Referral{ID: 1, PatientName: "Pat", ReceivedOn: "2026-01-05", TherapistName: "Tara"},
		Patient: caseload.Patient{Name: "Pat", DateOfBirth: "1980-05-01", NHSNumber: "9434765919"}, Descriptor: "Depression", Assessment: "2026-01-12",
		Scores:  []letterScore{{Name: "PHQ-9", First: "18", Last: "8", Caseness: "10 or more", Change: "-10 since the first score: a reliable improvement"}},
		Outcome: []string{"Open: 3 sessions so far"}, RuleSet: "test", Today: "16 March 2026"}
}

// A patient user is "patient user #N" to an admin (issue 15) on the edit
// page and the reset code's page too: the admin can make a reset code but
// neither sees nor changes the patient's name or email.
func TestAdminResetsAPatientWithoutSeeingThem(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Pip Private", "F32")
	e.patientOf(r, "pip.private@example.com")
	users, err := e.store.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var pat caseload.User
	for _, u := range users {
		if u.Email == "pip.private@example.com" {
			pat = u
		}
	}
	if pat.Role != caseload.RolePatient {
		t.Fatalf("no patient user made: %+v", pat)
	}
	admin := e.signedIn(e.admin)
	path := "/admin/users/" + itoa(pat.ID) + "/edit"
	page := admin.get(path)
	if page.Status != http.StatusOK || !strings.Contains(page.Body, patientLabel(pat.ID)) {
		t.Fatalf("edit page of a patient user: %d, want it named %q", page.Status, patientLabel(pat.ID))
	}
	for _, hidden := range []string{"Pip Private", "pip.private@example.com", `name="email"`} {
		if strings.Contains(page.Body, hidden) {
			t.Errorf("the admin's page of a patient user shows %q", hidden)
		}
	}
	if p := admin.post(path, url.Values{"name": {"Someone Else"}, "email": {"else@example.com"}, "role": {"patient"}}); p.Status != http.StatusForbidden {
		t.Errorf("admin changing a patient's name and email: %d, want 403", p.Status)
	}
	if u, err := e.store.User(context.Background(), pat.ID); err != nil || u.Name == "Someone Else" {
		t.Errorf("patient user after the refused edit: %+v %v", u, err)
	}
	code := admin.post("/admin/users/"+itoa(pat.ID)+"/reset-password", url.Values{})
	if code.Status != http.StatusOK || !strings.Contains(code.Body, `id="reset-code"`) || strings.Contains(code.Body, "pip.private@example.com") {
		t.Errorf("reset code for a patient user: %d, want the code without their email", code.Status)
	}
}
