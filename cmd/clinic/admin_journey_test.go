package main

import (
	"strings"
	"testing"
)

// TestAdminJourney: the demo admin adds a user by keyboard (a common
// password first, refused on the field), gives them an API token, looks at
// the teams and the audit log, and opens one patient's record through break
// glass, which the audit log then shows. Every page is checked with axe-core.
func TestAdminJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser journeys")
	}
	chromiumPath(t)
	a := startApp(t, "--demo")
	admin, ok := a.Accounts["admin"]
	if !ok {
		t.Fatalf("demo printed no admin sign-in: %v", a.All)
	}
	j := newJourney(t, a)
	j.signIn(admin.Email, admin.Password)
	if p := j.path(); p != "/admin/users" {
		t.Fatalf("admin's start page is %s, want /admin/users", p)
	}
	j.check("admin-users")

	j.followLink(`a[href="/admin/users/new"]`)
	j.check("admin-user-new")
	j.typeInto("email", "nia.newstarter@example.nhs.uk")
	j.typeInto("name", "Nia Newstarter")
	j.press(`input[name="role"][value="therapist"]`, " ")
	j.typeInto("team", "North")
	j.typeInto("password", "password123")
	j.submitWith(`form[action="/admin/users/new"] button[type="submit"]`)
	if !j.visible(".nhsuk-error-summary") {
		t.Fatal("a common password was accepted")
	}
	checkErrorSummaryLinks(t, j.ctx)
	j.check("admin-user-new-error")
	if got := j.value("email"); got != "nia.newstarter@example.nhs.uk" {
		t.Errorf("e-mail after the error: %q, want it kept", got)
	}
	j.typeInto("password", "lantern orchard pebble")
	j.submitWith(`form[action="/admin/users/new"] button[type="submit"]`)
	if p := j.path(); !strings.HasPrefix(p, "/admin/users") || !strings.Contains(j.text("main"), "Nia Newstarter") {
		t.Fatalf("after adding the user: at %s\n%s", p, trim(j.text("main"), 400))
	}

	// Issue 15: no token buttons for other users; the admin makes their own.
	if n, err := eval[int](j.ctx, `document.querySelectorAll('form[action$="/tokens"]').length`); err != nil || n != 0 {
		t.Errorf("the users page offers %d token forms (%v), want none", n, err)
	}
	j.visit("/account/tokens")
	j.typeInto("name", "audit export")
	j.submitWith(`form[action="/account/tokens"] button[type="submit"]`)
	j.check("account-token")
	if tok := j.text("main"); !strings.Contains(tok, "Copy it now") || !strings.Contains(tok, "audit export") {
		t.Errorf("the tokens page does not show the new token:\n%s", trim(tok, 300))
	}
	j.visit("/admin/tokens")
	j.check("admin-tokens")

	j.visit("/admin/teams")
	j.check("admin-teams")
	if !strings.Contains(j.text("main"), "North") {
		t.Error("the teams page does not list North")
	}

	// Break glass on the first demo referral, then read it.
	j.visit("/admin/break-glass")
	j.check("admin-break-glass")
	j.typeInto("referral", "1")
	j.typeInto("reason", "Subject access request from the patient, ticket 4471.")
	j.submitWith(`form[action="/admin/break-glass"] button[type="submit"]`)
	if p := j.path(); p != "/referrals/1" {
		t.Fatalf("after break glass: at %s\n%s", p, trim(j.text("main"), 400))
	}
	j.check("referral-break-glass")
	if strings.Contains(j.text("main"), "Record a session") {
		t.Error("an admin under break glass is offered to record a session")
	}

	j.visit("/admin/audit")
	j.check("admin-audit")
	log := j.text("main")
	if !strings.Contains(log, "ticket 4471") {
		t.Errorf("the audit log does not show the break-glass reason:\n%s", trim(log, 800))
	}
}
