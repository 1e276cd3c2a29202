package caseload

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

const patientPassword = "blue kettle morning"

func (f *fixture) invite(t *testing.T) string {
	t.Helper()
	_, code, err := f.s.CreateInvitation(f.ctx, f.therapist, f.referral.ID)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func (f *fixture) accept(code, dob, email, address string) (User, error) {
	return f.s.AcceptInvitation(f.ctx, AcceptInvitation{Code: code, DateOfBirth: dob, Email: email, Password: patientPassword, Address: address})
}

func TestInvitationCodeFormat(t *testing.T) {
	shape := regexp.MustCompile(`^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$`)
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		c, err := newInvitationCode()
		if err != nil {
			t.Fatal(err)
		}
		if !shape.MatchString(c) {
			t.Fatalf("code %q is not three groups of four from the unambiguous alphabet", c)
		}
		if seen[c] {
			t.Fatalf("code %q made twice", c)
		}
		seen[c] = true
	}
	for in, want := range map[string]string{
		"abcd-efgh-jkmn":   "ABCDEFGHJKMN",
		" ABCD EFGH JKMN ": "ABCDEFGHJKMN",
		"abcdefghjkmn":     "ABCDEFGHJKMN",
		"ABCD-EFGH-JKM":    "", // too short
		"ABCD-EFGH-JKMNP":  "",
		"ABCD-EFGH-JKM0":   "", // 0 is never in a code
		"ABCD-EFGH-JKMI":   "",
		"ABCD-EFGH-JKM;":   "",
		"":                 "",
	} {
		if got := NormaliseInvitationCode(in); got != want {
			t.Errorf("NormaliseInvitationCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInvitationStoredHashedAndSingleUse(t *testing.T) {
	f := newFixture(t)
	code := f.invite(t)

	var stored []byte
	if err := f.s.db.QueryRow(`SELECT code_hash FROM invitations`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(strings.ReplaceAll(code, "-", "")))
	if string(stored) != string(sum[:]) {
		t.Errorf("stored code_hash is not the SHA-256 of the code")
	}
	var n int
	if err := f.s.db.QueryRow(`SELECT COUNT(*) FROM invitations WHERE instr(CAST(code_hash AS TEXT), ?) > 0 OR instr(CAST(code_hash AS TEXT), ?) > 0`,
		code, strings.ReplaceAll(code, "-", "")).Scan(&n); err != nil || n != 0 {
		t.Errorf("the code itself is in the database (%d rows, %v)", n, err)
	}

	u, err := f.accept(strings.ToLower(code), f.patient.DateOfBirth, "Pat@Example.com", "10.0.0.1")
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	if u.Role != RolePatient || u.PatientID != f.patient.ID || u.Email != "pat@example.com" || u.Name != f.patient.Name {
		t.Errorf("patient user = %+v", u)
	}
	if got, err := f.s.Authenticate(f.ctx, "pat@example.com", patientPassword); err != nil || got.ID != u.ID {
		t.Errorf("sign in with the chosen password: %v %+v", err, got)
	}
	access, err := f.s.PatientAccess(f.ctx, u.ID)
	if err != nil || len(access) != 1 || access[0].Referral.ID != f.referral.ID {
		t.Fatalf("access = %+v, %v", access, err)
	}

	// Used once: the same code again fails, even with everything right.
	if _, err := f.accept(code, f.patient.DateOfBirth, "pat2@example.com", "10.0.0.2"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("second use: %v, want ErrBadCredentials", err)
	}
	invs, err := f.s.Invitations(f.ctx, f.referral.ID)
	if err != nil || len(invs) != 1 || invs[0].Status(f.clock.t) != InvitationUsed || invs[0].UserEmail != "pat@example.com" {
		t.Errorf("invitations = %+v, %v", invs, err)
	}
}

func TestInvitationExpires(t *testing.T) {
	f := newFixture(t)
	code := f.invite(t)
	f.clock.t = f.clock.t.Add(InvitationLifetime)
	if _, err := f.accept(code, f.patient.DateOfBirth, "pat@example.com", "10.0.0.1"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("at expiry: %v, want ErrBadCredentials", err)
	}
	code = f.invite(t)
	f.clock.t = f.clock.t.Add(InvitationLifetime - time.Second)
	if _, err := f.accept(code, f.patient.DateOfBirth, "pat@example.com", "10.0.0.1"); err != nil {
		t.Errorf("a second before expiry: %v", err)
	}
}

func TestNewInvitationReplacesUnused(t *testing.T) {
	f := newFixture(t)
	first := f.invite(t)
	second := f.invite(t)
	if _, err := f.accept(first, f.patient.DateOfBirth, "pat@example.com", "10.0.0.1"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("the replaced code: %v, want ErrBadCredentials", err)
	}
	if _, err := f.accept(second, f.patient.DateOfBirth, "pat@example.com", "10.0.0.1"); err != nil {
		t.Errorf("the latest code: %v", err)
	}
}

func TestAcceptInvitationValidation(t *testing.T) {
	f := newFixture(t)
	code := f.invite(t)
	_, err := f.s.AcceptInvitation(f.ctx, AcceptInvitation{Code: "", DateOfBirth: "1990-02-30", Email: "nope", Password: "short", Address: "a"})
	wantFields(t, err, "code", "date_of_birth", "email", "password")
	_, err = f.s.AcceptInvitation(f.ctx, AcceptInvitation{Code: code, DateOfBirth: f.patient.DateOfBirth, Email: "pat@example.com", Password: "password123", Address: "a"})
	wantFields(t, err, "password")
	// Bad input costs no try: the code still works.
	if _, err := f.accept(code, f.patient.DateOfBirth, "tara@example.nhs.uk", "a"); err == nil {
		t.Fatal("a staff member's e-mail was taken by a patient")
	} else {
		wantFields(t, err, "email")
	}
	if _, err := f.accept(code, f.patient.DateOfBirth, "pat@example.com", "a"); err != nil {
		t.Errorf("after fixing the e-mail: %v", err)
	}
}

func TestInvitationRateLimits(t *testing.T) {
	t.Run("per address", func(t *testing.T) {
		f := newFixture(t)
		code := f.invite(t)
		for i := 0; i < InvitationFailuresPerAddress; i++ {
			if _, err := f.accept(fmt.Sprintf("AAAA-BBBB-CCC%d", i+2), f.patient.DateOfBirth, "pat@example.com", "10.0.0.9"); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("guess %d: %v", i, err)
			}
		}
		// Now even the right code is refused from that address...
		if _, err := f.accept(code, f.patient.DateOfBirth, "pat@example.com", "10.0.0.9"); !errors.Is(err, ErrTooManyAttempts) {
			t.Errorf("right code after %d failures: %v, want ErrTooManyAttempts", InvitationFailuresPerAddress, err)
		}
		// ...but not from another, and the window passes.
		f.clock.t = f.clock.t.Add(InvitationWindow)
		if _, err := f.accept(code, f.patient.DateOfBirth, "pat@example.com", "10.0.0.9"); err != nil {
			t.Errorf("after the window: %v", err)
		}
		var n int
		if err := f.s.db.QueryRow(`SELECT COUNT(*) FROM invitation_failures`).Scan(&n); err != nil || n != InvitationFailuresPerAddress {
			t.Errorf("failures recorded = %d (%v), want %d", n, err, InvitationFailuresPerAddress)
		}
	})
	t.Run("no service-wide lock", func(t *testing.T) {
		// Issue 15, 11: a hundred failures spread over twenty addresses
		// used to lock every patient out; a patient from elsewhere with
		// their real code still gets in.
		f := newFixture(t)
		code := f.invite(t)
		for i := 0; i < 100; i++ {
			f.accept("not a code", f.patient.DateOfBirth, "pat@example.com", fmt.Sprintf("10.1.0.%d", i%20))
		}
		if _, err := f.accept(code, f.patient.DateOfBirth, "pat@example.com", "192.168.0.1"); err != nil {
			t.Errorf("a patient's own code from a fresh address during a spread-out attack: %v", err)
		}
	})
	t.Run("wrong dates of birth spend the code", func(t *testing.T) {
		f := newFixture(t)
		code := f.invite(t)
		for i := 0; i < InvitationWrongBirthDates; i++ {
			// A new address each time: the code's own count stops it.
			if _, err := f.accept(code, "1991-01-01", "pat@example.com", fmt.Sprintf("10.2.0.%d", i)); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("wrong date %d: %v", i, err)
			}
		}
		if _, err := f.accept(code, f.patient.DateOfBirth, "pat@example.com", "10.3.0.1"); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("right date after %d wrong ones: %v, want ErrBadCredentials", InvitationWrongBirthDates, err)
		}
		invs, _ := f.s.Invitations(f.ctx, f.referral.ID)
		if len(invs) != 1 || invs[0].Attempts != InvitationWrongBirthDates || invs[0].Status(f.clock.t) != InvitationRevoked {
			t.Errorf("invitation = %+v", invs)
		}
	})
}

func TestRevokeAndReinvite(t *testing.T) {
	f := newFixture(t)
	u, err := f.accept(f.invite(t), f.patient.DateOfBirth, "pat@example.com", "a")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.RevokePatientAccess(f.ctx, f.therapist, f.referral.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Authenticate(f.ctx, "pat@example.com", patientPassword); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("sign in after revoking: %v", err)
	}
	if access, err := f.s.PatientAccess(f.ctx, u.ID); err != nil || len(access) != 0 {
		t.Errorf("access after revoking = %+v, %v", access, err)
	}
	// Invited again: the same user comes back, with the new details.
	again, err := f.s.AcceptInvitation(f.ctx, AcceptInvitation{Code: f.invite(t), DateOfBirth: f.patient.DateOfBirth, Email: "pat.new@example.com", Password: "another long phrase", Address: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != u.ID {
		t.Errorf("re-invited patient got user %d, want %d", again.ID, u.ID)
	}
	if _, err := f.s.Authenticate(f.ctx, "pat.new@example.com", "another long phrase"); err != nil {
		t.Errorf("sign in after re-invitation: %v", err)
	}
	if access, err := f.s.PatientAccess(f.ctx, u.ID); err != nil || len(access) != 1 {
		t.Errorf("access after re-invitation = %+v, %v", access, err)
	}
	if err := f.s.RevokePatientAccess(f.ctx, f.therapist, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoke on no referral: %v", err)
	}
}

func TestInvitationOnlyForOpenReferral(t *testing.T) {
	f := newFixture(t)
	code := f.invite(t)
	if _, err := f.s.EndReferral(f.ctx, f.therapist, f.referral.ID, "2026-03-01", "completed", "", EndRisk{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.CreateInvitation(f.ctx, f.therapist, f.referral.ID); err == nil {
		t.Error("invitation made for an ended referral")
	} else {
		wantFields(t, err, "referral")
	}
	if _, err := f.accept(code, f.patient.DateOfBirth, "pat@example.com", "a"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("a code made before the referral ended: %v, want ErrBadCredentials", err)
	}
}
