package main

import (
	"strings"
	"testing"
)

// TestAdminResetsAPasswordJourney (issue 16): the demo admin changes a
// therapist's team, makes a one-time password reset code, and the therapist,
// in their own browser, follows the link, chooses a new password and signs
// in with it. Every new page is checked with axe-core.
func TestAdminResetsAPasswordJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser journeys")
	}
	chromiumPath(t)
	a := startApp(t, "--demo")
	admin, therapist := a.Accounts["admin"], a.Accounts["therapist"]
	j := newJourney(t, a)
	j.signIn(admin.Email, admin.Password)

	// The therapist's row, then "Change".
	id, err := eval[string](j.ctx, `(() => { const r = Array.from(document.querySelectorAll('tr[id^="user-"]')).find(r => r.textContent.includes(`+"`"+therapist.Email+"`"+`)); return r ? r.id.slice(5) : ''; })()`)
	if err != nil || id == "" {
		t.Fatalf("no row for %s on the users page: %v", therapist.Email, err)
	}
	j.followLink(`a[href="/admin/users/` + id + `/edit"]`)
	j.check("admin-user-edit")
	j.typeInto("name", "")
	j.submitWith(`form[action="/admin/users/` + id + `/edit"] button[type="submit"]`)
	if !j.visible(".nhsuk-error-summary") {
		t.Fatal("an empty name was accepted")
	}
	checkErrorSummaryLinks(t, j.ctx)
	j.check("admin-user-edit-error")
	j.typeInto("name", "Renamed Therapist")
	j.submitWith(`form[action="/admin/users/` + id + `/edit"] button[type="submit"]`)
	if !strings.Contains(j.text("main"), "Changes saved") {
		t.Fatalf("no confirmation after saving:\n%s", trim(j.text("main"), 400))
	}

	j.submitWith(`form[action="/admin/users/` + id + `/reset-password"] button[type="submit"]`)
	j.check("admin-password-reset")
	link := j.text("#reset-link")
	if !strings.Contains(link, "/reset-password?code=") {
		t.Fatalf("reset link %q", link)
	}

	th := newJourney(t, a)
	th.visit(link[strings.Index(link, "/reset-password"):])
	th.check("password-reset")
	th.typeInto("password", "a fresh lantern phrase")
	th.submitWith(`form[action="/reset-password"] button[type="submit"]`)
	if !strings.Contains(th.text("main"), "Password changed") {
		t.Fatalf("after choosing a new password:\n%s", trim(th.text("main"), 400))
	}
	th.check("password-reset-done")
	th.signIn(therapist.Email, "a fresh lantern phrase")
	if p := th.path(); p != "/" {
		t.Errorf("therapist signed in with the new password lands at %s, want the caseload", p)
	}
}
