package caseload

import (
	"errors"
	"testing"
	"time"
)

func TestSignInThrottle(t *testing.T) {
	f := newFixture(t)
	throttled := func(email, addr string) bool {
		t.Helper()
		b, err := f.s.SignInThrottled(f.ctx, email, addr)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	fail := func(email, addr string, n int) {
		t.Helper()
		for range n {
			if err := f.s.RecordSignInFailure(f.ctx, email, addr); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Per account: the fifth failure pauses the e-mail from any address,
	// whether or not an account has it.
	for _, email := range []string{f.therapist.Email, "nobody@example.nhs.uk"} {
		fail(email, "192.0.2.1", MaxFailuresPerAccount-1)
		if throttled(email, "192.0.2.99") {
			t.Fatalf("%s paused after %d failures", email, MaxFailuresPerAccount-1)
		}
		fail(email, "192.0.2.2", 1)
		if !throttled(email, "192.0.2.99") || !throttled(" "+email+" ", "192.0.2.99") {
			t.Errorf("%s not paused after %d failures", email, MaxFailuresPerAccount)
		}
	}
	if throttled(f.other.Email, "192.0.2.99") {
		t.Errorf("another account is paused")
	}
	// The pause lasts until the failures leave the window.
	f.clock.t = f.clock.t.Add(SignInWindow + time.Second)
	if throttled(f.therapist.Email, "192.0.2.99") {
		t.Errorf("still paused after the window")
	}
	// Per address: many e-mails from one address.
	for i := range MaxFailuresPerAddress {
		fail(string(rune('a'+i))+"@example.org", "198.51.100.1", 1)
	}
	if !throttled(f.other.Email, "198.51.100.1") {
		t.Errorf("address not paused after %d failures", MaxFailuresPerAddress)
	}
	if throttled(f.other.Email, "198.51.100.2") {
		t.Errorf("another address is paused")
	}
	p, err := f.s.SearchAudit(f.ctx, AuditQuery{Action: AuditSignInFailed, PerPage: 500})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Entries) != 2*MaxFailuresPerAccount+MaxFailuresPerAddress {
		t.Errorf("%d sign_in_failed rows", len(p.Entries))
	}
	if p.Entries[len(p.Entries)-1].EntityID != f.therapist.ID {
		t.Errorf("first failure not against the account: %+v", p.Entries[len(p.Entries)-1])
	}
}

func TestSessions(t *testing.T) {
	f := newFixture(t)
	tok, err := f.s.StartSession(WithAudit(f.ctx, 0, "192.0.2.5"), f.therapist)
	if err != nil {
		t.Fatal(err)
	}
	other, err := f.s.StartSession(f.ctx, f.therapist)
	if err != nil || other == tok {
		t.Fatalf("second session %q, %v: want a new id", other, err)
	}
	u, sess, err := f.s.SessionUser(f.ctx, tok)
	if err != nil || u.ID != f.therapist.ID || !sess.LastSeen.Equal(testNow) || !sess.CreatedAt.Equal(testNow) || u.TeamID == 0 {
		t.Fatalf("session user %+v, session %+v, err %v", u, sess, err)
	}
	f.clock.t = testNow.Add(10 * time.Minute)
	if err := f.s.TouchSession(f.ctx, tok, f.clock.t); err != nil {
		t.Fatal(err)
	}
	if _, sess, _ := f.s.SessionUser(f.ctx, tok); !sess.LastSeen.Equal(f.clock.t) || !sess.CreatedAt.Equal(testNow) {
		t.Errorf("session %+v after touch, want seen at %v", sess, f.clock.t)
	}
	if _, _, err := f.s.SessionUser(f.ctx, "made-up"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown session: %v", err)
	}
	// Ending one session leaves the other.
	if err := f.s.EndSession(f.ctx, tok, "signed out"); err != nil {
		t.Fatal(err)
	}
	if err := f.s.EndSession(f.ctx, tok, "signed out"); err != nil {
		t.Errorf("ending twice: %v", err)
	}
	if _, _, err := f.s.SessionUser(f.ctx, tok); !errors.Is(err, ErrNotFound) {
		t.Errorf("ended session still works: %v", err)
	}
	if _, _, err := f.s.SessionUser(f.ctx, other); err != nil {
		t.Errorf("other session ended too: %v", err)
	}
	// Disabling the account ends every session; enabling does not revive them.
	admin := f.user(t, "ada@example.nhs.uk", "Ada", RoleAdmin, "")
	if err := f.s.SetUserDisabled(f.ctx, admin, f.therapist.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetUserDisabled(f.ctx, admin, f.therapist.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.SessionUser(f.ctx, other); !errors.Is(err, ErrNotFound) {
		t.Errorf("session survived disabling: %v", err)
	}
	p, _ := f.s.SearchAudit(f.ctx, AuditQuery{UserID: f.therapist.ID, Action: AuditSignIn})
	if len(p.Entries) != 2 || p.Entries[1].Address != "192.0.2.5" {
		t.Errorf("sign_in rows: %+v", p.Entries)
	}
	p, _ = f.s.SearchAudit(f.ctx, AuditQuery{UserID: f.therapist.ID, Action: AuditSignOut})
	if len(p.Entries) != 1 || p.Entries[0].Detail != "signed out" {
		t.Errorf("sign_out rows: %+v", p.Entries)
	}
}

func TestDisableUser(t *testing.T) {
	f := newFixture(t)
	admin := f.user(t, "ada@example.nhs.uk", "Ada", RoleAdmin, "")
	tok, _, err := f.s.CreateToken(f.ctx, f.therapist.Email, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetUserDisabled(f.ctx, admin, f.therapist.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Authenticate(f.ctx, f.therapist.Email, testPassword); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("disabled user signs in: %v", err)
	}
	if _, _, err := f.s.UserByToken(f.ctx, tok); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("disabled user's token works: %v", err)
	}
	if err := f.s.SetUserDisabled(f.ctx, admin, f.therapist.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Authenticate(f.ctx, f.therapist.Email, testPassword); err != nil {
		t.Errorf("enabled user cannot sign in: %v", err)
	}
	if err := f.s.SetUserDisabled(f.ctx, admin, 9999, true); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown user: %v", err)
	}
	p, _ := f.s.SearchAudit(f.ctx, AuditQuery{UserID: admin.ID})
	if len(p.Entries) != 2 || p.Entries[0].Action != AuditEnableUser || p.Entries[1].Action != AuditDisableUser || p.Entries[1].EntityID != f.therapist.ID {
		t.Errorf("audit rows: %+v", p.Entries)
	}
}

func TestBreakGlass(t *testing.T) {
	f := newFixture(t)
	admin := f.user(t, "ada@example.nhs.uk", "Ada", RoleAdmin, "")
	if _, err := f.s.ActiveGrant(f.ctx, admin.ID, f.patient.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("grant before breaking glass: %v", err)
	}
	for _, bad := range []struct {
		referral int64
		reason   string
	}{{f.referral.ID, ""}, {f.referral.ID, "because"}, {0, "a good long reason"}, {9999, "a good long reason"}} {
		if _, err := f.s.BreakGlass(f.ctx, admin, bad.referral, bad.reason); !isValidation(err) {
			t.Errorf("%+v: err %v, want a validation error", bad, err)
		}
	}
	g, err := f.s.BreakGlass(f.ctx, admin, f.referral.ID, "Serious incident review SI-2026-04")
	if err != nil {
		t.Fatal(err)
	}
	if g.PatientID != f.patient.ID || !g.ExpiresAt.Equal(testNow.Add(BreakGlassFor)) {
		t.Errorf("grant %+v", g)
	}
	got, err := f.s.ActiveGrant(f.ctx, admin.ID, f.patient.ID)
	if err != nil || got.ID != g.ID || got.Reason != g.Reason {
		t.Errorf("active grant %+v, %v", got, err)
	}
	if _, err := f.s.ActiveGrant(f.ctx, f.therapist.ID, f.patient.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("grant is someone else's too: %v", err)
	}
	f.clock.t = testNow.Add(BreakGlassFor)
	if _, err := f.s.ActiveGrant(f.ctx, admin.ID, f.patient.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("grant outlived its hour: %v", err)
	}
	p, _ := f.s.SearchAudit(f.ctx, AuditQuery{Action: AuditBreakGlass})
	if len(p.Entries) != 1 || p.Entries[0].PatientID != f.patient.ID || p.Entries[0].Detail != g.Reason {
		t.Errorf("break_glass rows: %+v", p.Entries)
	}
}

// Throttle and session rows are pruned as new ones are written, at the
// boundaries KeepFailures and KeepEndedSessions; the audit log keeps all.
func TestWorkingRowsPruned(t *testing.T) {
	f := newFixture(t)
	count := func(table string) int {
		t.Helper()
		var n int
		if err := f.s.db.QueryRowContext(f.ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Two failures a second apart, then one KeepFailures after the first:
	// only the first is old enough to go.
	start := testNow
	f.clock.t = start
	for _, at := range []time.Time{start, start.Add(time.Second)} {
		f.clock.t = at
		if err := f.s.RecordSignInFailure(f.ctx, "someone@example.org", "192.0.2.9"); err != nil {
			t.Fatal(err)
		}
	}
	f.clock.t = start.Add(KeepFailures + time.Millisecond)
	if err := f.s.RecordSignInFailure(f.ctx, "someone@example.org", "192.0.2.9"); err != nil {
		t.Fatal(err)
	}
	if got := count("sign_in_failures"); got != 2 {
		t.Errorf("sign-in failures after pruning: %d, want 2 (the one past %v gone)", got, KeepFailures)
	}

	// A session ended at the start and one used since: a sign-in
	// KeepEndedSessions later removes the ended one only.
	f.clock.t = start
	ended, err := f.s.StartSession(f.ctx, f.therapist)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.EndSession(f.ctx, ended, "signed out"); err != nil {
		t.Fatal(err)
	}
	live, err := f.s.StartSession(f.ctx, f.therapist)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.t = start.Add(KeepEndedSessions - time.Hour)
	if err := f.s.TouchSession(f.ctx, live, f.clock.t); err != nil {
		t.Fatal(err)
	}
	f.clock.t = start.Add(KeepEndedSessions + time.Millisecond)
	if _, err := f.s.StartSession(f.ctx, f.therapist); err != nil {
		t.Fatal(err)
	}
	if got := count("sessions"); got != 2 {
		t.Errorf("sessions after pruning: %d, want 2 (the recently used one and the new one)", got)
	}
	var audited int
	if err := f.s.db.QueryRowContext(f.ctx, `SELECT COUNT(*) FROM audit_log WHERE action IN (?, ?)`, AuditSignIn, AuditSignInFailed).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if audited != 6 {
		t.Errorf("audit rows for sign-ins and failures: %d, want all 6 kept", audited)
	}
}

// Issue 15, 3: the attempt is counted before the password is checked, so a
// burst cannot all pass the check; a withdrawn attempt does not count.
func TestReserveSignIn(t *testing.T) {
	f := newFixture(t)
	email, addr := f.therapist.Email, "192.0.2.7"
	var ids []int64
	for range MaxFailuresPerAccount {
		id, err := f.s.ReserveSignIn(f.ctx, email, addr)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, err := f.s.ReserveSignIn(f.ctx, email, addr); !errors.Is(err, ErrThrottled) {
		t.Fatalf("sixth reservation: %v, want ErrThrottled", err)
	}
	if err := f.s.ReleaseSignIn(f.ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ReserveSignIn(f.ctx, email, addr); err != nil {
		t.Errorf("after one attempt was withdrawn: %v", err)
	}
}
