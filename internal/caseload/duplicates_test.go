package caseload

import (
	"context"
	"errors"
	"testing"
)

// TestOnePersonOneRecord: a second patient with an NHS number already on
// record is refused (with or without spaces, with or without a referral);
// the same name and date of birth without an NHS number is refused until
// the user says it is someone else; nothing is saved when refused.
func TestOnePersonOneRecord(t *testing.T) {
	f := newFixture(t) // Pat Example, 1990-05-17, 943 476 5919
	ctx := context.Background()
	count := func() int {
		var n int
		if err := f.s.read.QueryRow(`SELECT COUNT(*) FROM patients`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	ref := NewReferral{ReceivedOn: "2026-03-01", ProblemDescriptor: "F32", Intensity: "low"}
	for _, tc := range []struct {
		name  string
		in    NewPatient
		byNHS bool
	}{
		{"the NHS number with spaces", NewPatient{Name: "Someone Else", DateOfBirth: "1970-01-01", NHSNumber: "943 476 5919"}, true},
		{"the NHS number, even when told it is someone else", NewPatient{Name: "Pat Example", DateOfBirth: "1990-05-17", NHSNumber: "9434765919", NotDuplicate: true}, true},
		{"the same name in another case and spacing, and date of birth", NewPatient{Name: " pat  EXAMPLE", DateOfBirth: "1990-05-17"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, create := range []func() error{
				func() error { _, err := f.s.CreatePatient(ctx, f.therapist, tc.in); return err },
				func() error { _, _, err := f.s.CreatePatientWithReferral(ctx, f.therapist, tc.in, ref); return err },
			} {
				var pe *PatientExistsError
				if err := create(); !errors.As(err, &pe) || pe.Existing.ID != f.patient.ID || pe.ByNHSNumber != tc.byNHS {
					t.Errorf("got %v (%+v), want the existing patient %d (by NHS number %v)", err, pe, f.patient.ID, tc.byNHS)
				}
			}
		})
	}
	if n := count(); n != before {
		t.Fatalf("%d patients saved by refused attempts", n-before)
	}
	if _, err := f.s.CreatePatient(ctx, f.therapist, NewPatient{Name: "Pat Example", DateOfBirth: "1990-05-17", NotDuplicate: true}); err != nil {
		t.Errorf("a different person with the same name and date of birth, confirmed: %v", err)
	}
	if _, err := f.s.CreatePatient(ctx, f.therapist, NewPatient{Name: "Pat Example", DateOfBirth: "1990-05-18"}); err != nil {
		t.Errorf("another date of birth: %v", err)
	}
}

// TestReReferralKeepsPortalAccount: a person referred again gets a new
// referral on their record, and accepting its invitation with the e-mail
// they already use keeps their one account, with both referrals.
func TestReReferralKeepsPortalAccount(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first, err := f.accept(f.invite(t), "1990-05-17", "pat@example.org", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.EndReferral(ctx, f.therapist, f.referral.ID, "2026-02-01", "completed", "", EndRisk{}); err != nil {
		t.Fatal(err)
	}
	again, err := f.s.CreateReferral(ctx, f.therapist, NewReferral{PatientID: f.patient.ID, ReceivedOn: "2026-03-02", ProblemDescriptor: "F32", Intensity: "low"})
	if err != nil {
		t.Fatal(err)
	}
	_, code, err := f.s.CreateInvitation(ctx, f.therapist, again.ID)
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.accept(code, "1990-05-17", "pat@example.org", "192.0.2.1")
	if err != nil {
		t.Fatalf("the same e-mail on a new referral: %v", err)
	}
	if second.ID != first.ID {
		t.Errorf("a second account %d, want the first %d", second.ID, first.ID)
	}
	access, err := f.s.PatientAccess(ctx, second.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(access) != 2 || access[0].Referral.ID != again.ID || access[1].Referral.ID != f.referral.ID {
		t.Errorf("access: %+v, want both referrals, newest first", access)
	}
}
