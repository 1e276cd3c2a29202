package caseload

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"clinic"
)

// Version moves with every write but the audit log's own (issue 17): a
// view, a download or a token's "last used" stamp leave it alone.
func TestVersionCountsWritesButNotAuditRows(t *testing.T) {
	f := newFixture(t)
	tok, _, err := f.s.CreateToken(f.ctx, f.therapist.Email, "")
	if err != nil {
		t.Fatal(err)
	}
	// The writer's first look at PRAGMA data_version counts as a change.
	if err := f.s.RecordView(f.ctx, f.therapist, "patient", f.patient.ID, "patient page"); err != nil {
		t.Fatal(err)
	}
	v0, settled := f.s.Version()
	if !settled {
		t.Fatal("a write under way with nothing running")
	}
	if err := f.s.RecordReferralView(f.ctx, f.therapist, f.referral, "API: referral"); err != nil {
		t.Fatal(err)
	}
	if err := f.s.RecordDownload(f.ctx, f.supervisor, "report", "a year"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.UserByToken(f.ctx, tok); err != nil { // stamps "last used"
		t.Fatal(err)
	}
	if v, settled := f.s.Version(); v != v0 || !settled {
		t.Errorf("after audit rows only: version %d (settled %v), want %d", v, settled, v0)
	}
	views, err := f.s.RecordViews(f.ctx, f.patient.ID, 10)
	if err != nil || len(views) != 2 {
		t.Fatalf("views of the patient: %d, %v; want 2 (the referral's view names its patient)", len(views), err)
	}
	// A save (however the save path reaches the writer) and an ending each
	// move it: the API's kept referrals depend on it (ui/api_referral_cache.go).
	if _, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, NewContact{Date: testNow.Format(dateLayout), Kind: "assessment", Attendance: "attended"}); err != nil {
		t.Fatal(err)
	}
	v1, settled := f.s.Version()
	if v1 == v0 || !settled {
		t.Errorf("after a save: version %d (settled %v), want a new settled one", v1, settled)
	}
	if _, err := f.s.EndReferral(f.ctx, f.therapist, f.referral.ID, testNow.Format(dateLayout), "completed", "", EndRisk{}); err != nil {
		t.Fatal(err)
	}
	if v, settled := f.s.Version(); v == v1 || !settled {
		t.Errorf("after ending a referral: version %d (settled %v), want a new settled one", v, settled)
	}
}

// twoProcesses opens two stores on one file, as two processes would, with
// a therapist made through the first.
func twoProcesses(t *testing.T) (s, other *Store, f *fixture, u User) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "clinic.db")
	open := func() *Store {
		s, err := Open(path, clinic.Schema, (&clock{t: testNow}).now)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	s, other = open(), open()
	f = &fixture{s: s, ctx: context.Background()}
	return s, other, f, f.user(t, "tara@example.nhs.uk", "Tara Therapist", RoleTherapist, "North")
}

// Another process's commit is not a withTx of this store, but the next
// audit row this store writes notices it.
func TestVersionNoticesAnotherProcess(t *testing.T) {
	s, other, _, u := twoProcesses(t)
	view := func() {
		t.Helper()
		if err := s.RecordView(t.Context(), u, "patient", 1, "patient page"); err != nil {
			t.Fatal(err)
		}
	}
	view() // the writer's first look
	v0, _ := s.Version()
	view()
	if v, _ := s.Version(); v != v0 {
		t.Fatalf("a second view with no other writer moved the version: %d, want %d", v, v0)
	}
	if _, err := other.CreatePatient(t.Context(), u, NewPatient{Name: "Pat Other", DateOfBirth: "1990-05-17"}); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Version(); v != v0 {
		t.Fatalf("the other process's commit counted before any view: %d", v)
	}
	a0, _ := s.AccessVersion()
	view()
	if v, settled := s.Version(); v == v0 || !settled {
		t.Errorf("after the other process's commit and a view: version %d (settled %v), want a new settled one", v, settled)
	}
	if a, settled := s.AccessVersion(); a == a0 || !settled {
		t.Errorf("after the other process's commit and a view: access version %d (settled %v), want a new settled one", a, settled)
	}
}

// AccessVersion, under which the token check keeps its users (tokens.go),
// stays through a save of a session but moves with every write that may
// change access (a token revoked, a user disabled, cover granted), with any
// other write outside a save, and with another process's commit once
// noticed (issue 17).
func TestAccessVersionSkipsSavesOnly(t *testing.T) {
	f := newFixture(t)
	admin := f.user(t, "ada@example.nhs.uk", "Ada", RoleAdmin, "")
	tok, token, err := f.s.CreateToken(f.ctx, f.therapist.Email, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.RecordView(f.ctx, f.therapist, "patient", f.patient.ID, "patient page"); err != nil {
		t.Fatal(err) // the writer's first look at other processes' commits
	}
	a0, _ := f.s.AccessVersion()
	v0, _ := f.s.Version()
	if _, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, NewContact{Date: testNow.Format(dateLayout), Kind: "assessment", Attendance: "attended"}); err != nil {
		t.Fatal(err)
	}
	if v, _ := f.s.Version(); v == v0 {
		t.Fatal("a save left Version alone")
	}
	if a, settled := f.s.AccessVersion(); a != a0 || !settled {
		t.Errorf("after a save: access version %d (settled %v), want %d", a, settled, a0)
	}
	moves := []struct {
		name  string
		write func() error
	}{
		{"revoke a token", func() error { return f.s.RevokeToken(f.ctx, token.ID, 0) }},
		{"grant cover", func() error {
			_, err := f.s.GrantCover(f.ctx, f.supervisor, NewCover{TherapistID: f.therapist.ID, ColleagueID: f.other.ID,
				FromOn: testNow.Format(dateLayout), ToOn: testNow.Format(dateLayout), Reason: "annual leave"})
			return err
		}},
		{"disable a user", func() error { return f.s.SetUserDisabled(f.ctx, admin, f.other.ID, true) }},
		{"end a referral", func() error {
			_, err := f.s.EndReferral(f.ctx, f.therapist, f.referral.ID, testNow.Format(dateLayout), "completed", "", EndRisk{})
			return err
		}},
	}
	for _, m := range moves {
		before, _ := f.s.AccessVersion()
		if err := m.write(); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
		if a, settled := f.s.AccessVersion(); a == before || !settled {
			t.Errorf("after %s: access version %d (settled %v), want a new settled one", m.name, a, settled)
		}
	}
	if _, _, err := f.s.UserByToken(f.ctx, tok); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("revoked token: %v", err)
	}
}

// A save, which leaves AccessVersion alone, still notices another process's
// commit, as a view does: a load of saves alone does not keep a user's
// teams or cover past another process's change.
func TestSaveNoticesAnotherProcess(t *testing.T) {
	s, other, f, u := twoProcesses(t)
	p, err := s.CreatePatient(f.ctx, u, NewPatient{Name: "Pat Example", DateOfBirth: "1990-05-17"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.CreateReferral(f.ctx, u, NewReferral{PatientID: p.ID, ReceivedOn: "2026-01-05", ProblemDescriptor: "F41.1", Intensity: "low"})
	if err != nil {
		t.Fatal(err)
	}
	save := func() {
		t.Helper()
		if _, err := s.RecordContact(f.ctx, u, r.ID, NewContact{Date: testNow.Format(dateLayout), Kind: "treatment", Attendance: "attended"}); err != nil {
			t.Fatal(err)
		}
	}
	save() // the writer's first look
	a0, _ := s.AccessVersion()
	save()
	if a, _ := s.AccessVersion(); a != a0 {
		t.Fatalf("a save with no other writer moved the access version: %d, want %d", a, a0)
	}
	if _, err := other.CreatePatient(t.Context(), u, NewPatient{Name: "Pat Other", DateOfBirth: "1990-05-17"}); err != nil {
		t.Fatal(err)
	}
	save()
	if a, settled := s.AccessVersion(); a == a0 || !settled {
		t.Errorf("after the other process's commit and a save: access version %d (settled %v), want a new settled one", a, settled)
	}
}
