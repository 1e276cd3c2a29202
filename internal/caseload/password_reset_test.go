package caseload

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func auditDetails(t *testing.T, f *fixture, action string) []string {
	t.Helper()
	page, err := f.s.SearchAudit(f.ctx, AuditQuery{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range page.Entries {
		out = append(out, e.Detail)
	}
	return out
}

func TestPasswordReset(t *testing.T) {
	f := newFixture(t)
	admin := f.user(t, "ada@example.nhs.uk", "Ada Admin", RoleAdmin, "")
	old, _, err := f.s.CreatePasswordReset(f.ctx, admin, f.therapist.ID)
	if err != nil {
		t.Fatal(err)
	}
	code, expires, err := f.s.CreatePasswordReset(f.ctx, admin, f.therapist.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := testNow.Add(PasswordResetLifetime); !expires.Equal(want) {
		t.Errorf("expires %v, want %v", expires, want)
	}
	if _, err := f.s.ResetPassword(f.ctx, old, "another long phrase", testAddress); !errors.Is(err, ErrBadResetCode) {
		t.Errorf("an earlier code still works after a new one: %v", err)
	}
	// A password against the rules is refused without spending the code.
	_, err = f.s.ResetPassword(f.ctx, code, "short", testAddress)
	wantFields(t, err, "password")
	// The code as a person types it: lower case, spaces.
	u, err := f.s.ResetPassword(f.ctx, strings.ToLower(strings.ReplaceAll(code, "-", " ")), "another long phrase", testAddress)
	if err != nil {
		t.Fatalf("reset: %v", err)
	}
	if u.ID != f.therapist.ID {
		t.Errorf("reset user %d, want %d", u.ID, f.therapist.ID)
	}
	if _, err := f.s.Authenticate(f.ctx, f.therapist.Email, testPassword); err == nil {
		t.Error("the old password still works")
	}
	if _, err := f.s.Authenticate(f.ctx, f.therapist.Email, "another long phrase"); err != nil {
		t.Errorf("the new password does not work: %v", err)
	}
	if _, err := f.s.ResetPassword(f.ctx, code, "a third long phrase", testAddress); !errors.Is(err, ErrBadResetCode) {
		t.Errorf("a code works twice: %v", err)
	}
	// Expiry.
	late, _, err := f.s.CreatePasswordReset(f.ctx, admin, f.other.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.t = testNow.Add(PasswordResetLifetime + time.Second)
	if _, err := f.s.ResetPassword(f.ctx, late, "another long phrase", testAddress); !errors.Is(err, ErrBadResetCode) {
		t.Errorf("an expired code works: %v", err)
	}
	if _, _, err := f.s.CreatePasswordReset(f.ctx, admin, 9999); !errors.Is(err, ErrNotFound) {
		t.Errorf("reset for no such user: %v", err)
	}
	if got := auditDetails(t, f, AuditPasswordResetCode); len(got) != 3 || !strings.Contains(got[0], f.other.Email) {
		t.Errorf("reset codes audited as %q", got)
	}
	if got := auditDetails(t, f, AuditResetPassword); len(got) != 1 {
		t.Errorf("password resets audited as %q, want one", got)
	}
}

// testAddress is the throttle key of the tests' password resets.
const testAddress = "192.0.2.1"

func TestPasswordResetThrottled(t *testing.T) {
	f := newFixture(t)
	admin := f.user(t, "ada@example.nhs.uk", "Ada Admin", RoleAdmin, "")
	code, _, err := f.s.CreatePasswordReset(f.ctx, admin, f.therapist.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range InvitationFailuresPerAddress {
		if _, err := f.s.ResetPassword(f.ctx, fmt.Sprintf("WRONG-CODE-%d", i), "another long phrase", testAddress); !errors.Is(err, ErrBadResetCode) {
			t.Fatalf("wrong code %d: got %v, want ErrBadResetCode", i, err)
		}
	}
	// Even the right code is refused from that address now, and not spent.
	if _, err := f.s.ResetPassword(f.ctx, code, "another long phrase", testAddress); !errors.Is(err, ErrTooManyAttempts) {
		t.Fatalf("right code after %d wrong ones: got %v, want ErrTooManyAttempts", InvitationFailuresPerAddress, err)
	}
	if _, err := f.s.Authenticate(f.ctx, f.therapist.Email, testPassword); err != nil {
		t.Errorf("a refused try changed the password: %v", err)
	}
	// Another address is not held up, nor is this one once the window has passed.
	f.clock.t = testNow.Add(InvitationWindow + time.Second)
	if _, err := f.s.ResetPassword(f.ctx, code, "another long phrase", testAddress); err != nil {
		t.Errorf("right code after the window: %v", err)
	}
	other, _, err := f.s.CreatePasswordReset(f.ctx, admin, f.other.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.t = testNow
	if _, err := f.s.ResetPassword(f.ctx, other, "another long phrase", "198.51.100.7"); err != nil {
		t.Errorf("right code from another address: %v", err)
	}
}

func TestUpdateUser(t *testing.T) {
	f := newFixture(t)
	admin := f.user(t, "ada@example.nhs.uk", "Ada Admin", RoleAdmin, "")
	u, err := f.s.UpdateUser(f.ctx, admin, f.therapist.ID, UserEdit{Name: "Tara Jones", Email: " Tara.Jones@example.nhs.uk", Role: RoleSupervisor, Team: "East"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "Tara Jones" || u.Email != "tara.jones@example.nhs.uk" || u.Role != RoleSupervisor || u.TeamID != 0 {
		t.Errorf("after the edit: %+v", u)
	}
	got, err := f.s.User(f.ctx, f.therapist.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Teams) != 1 {
		t.Errorf("supervises %v, want the one team East", got.Teams)
	}
	want := `name: "Tara Therapist" → "Tara Jones"; email: "tara@example.nhs.uk" → "tara.jones@example.nhs.uk"; role: "therapist" → "supervisor"; team: "North" → "East"`
	if d := auditDetails(t, f, AuditEditUser); len(d) != 1 || d[0] != want {
		t.Errorf("audit %q, want %q", d, want)
	}
	// Unchanged: no audit row.
	if _, err := f.s.UpdateUser(f.ctx, admin, f.therapist.ID, UserEdit{Name: "Tara Jones", Email: "tara.jones@example.nhs.uk", Role: RoleSupervisor, Team: "East"}); err != nil {
		t.Fatal(err)
	}
	if d := auditDetails(t, f, AuditEditUser); len(d) != 1 {
		t.Errorf("an edit that changed nothing was audited: %q", d)
	}
	if _, err := f.s.UpdateUser(f.ctx, admin, f.therapist.ID, UserEdit{Name: "T", Email: f.other.Email, Role: RoleTherapist, Team: "North"}); !errors.Is(err, ErrConflict) {
		t.Errorf("another user's email: %v, want ErrConflict", err)
	}
	_, err = f.s.UpdateUser(f.ctx, admin, f.therapist.ID, UserEdit{Role: RolePatient})
	wantFields(t, err, "name", "email", "role")
}

func TestDisabledHolders(t *testing.T) {
	f := newFixture(t)
	admin := f.user(t, "ada@example.nhs.uk", "Ada Admin", RoleAdmin, "")
	if h, err := f.s.DisabledHolders(f.ctx); err != nil || len(h) != 0 {
		t.Fatalf("before disabling: %v %v", h, err)
	}
	if err := f.s.SetUserDisabled(f.ctx, admin, f.therapist.ID, true); err != nil {
		t.Fatal(err)
	}
	h, err := f.s.DisabledHolders(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 1 || h[0].User.ID != f.therapist.ID || h[0].Open != 1 {
		t.Errorf("disabled holders %+v, want Tara with 1 open case", h)
	}
}
