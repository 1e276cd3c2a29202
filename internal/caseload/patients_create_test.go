package caseload

import (
	"errors"
	"testing"
)

// A referral rejected with its patient must leave no patient behind, so that
// sending the corrected form again does not make a second copy.
func TestCreatePatientWithReferralIsAllOrNothing(t *testing.T) {
	f := newFixture(t)
	ctx, s, th := f.ctx, f.s, f.therapist
	count := func() int {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM patients`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	tests := []struct {
		name   string
		p      NewPatient
		r      NewReferral
		fields []string
	}{
		{"referral before birth", NewPatient{Name: "Ada Early", DateOfBirth: "2000-05-01"}, NewReferral{ReceivedOn: "1999-01-01", ProblemDescriptor: "F41.1", Intensity: "low"}, []string{"received_on"}},
		{"bad descriptor and bad NHS number together", NewPatient{Name: "Ben Both", DateOfBirth: "1980-01-01", NHSNumber: "1234567890"}, NewReferral{ReceivedOn: "2026-01-01", ProblemDescriptor: "nonsense", Intensity: "low"}, []string{"nhs_number", "problem_descriptor"}},
		{"no intensity", NewPatient{Name: "Cat Choice", DateOfBirth: "1980-01-01"}, NewReferral{ReceivedOn: "2026-01-01", ProblemDescriptor: "F32", Intensity: ""}, []string{"intensity"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := count()
			_, _, err := s.CreatePatientWithReferral(ctx, th, tt.p, tt.r)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			for _, f := range tt.fields {
				if ve.Fields[f] == "" {
					t.Errorf("no message on %s: %v", f, ve.Fields)
				}
			}
			if got := count(); got != before {
				t.Errorf("patients went from %d to %d after a rejected referral", before, got)
			}
		})
	}

	p, r, err := s.CreatePatientWithReferral(ctx, th, NewPatient{Name: "Dee Done", DateOfBirth: "1990-02-03"}, NewReferral{ReceivedOn: "2026-01-01", ProblemDescriptor: "F411", Intensity: "high"})
	if err != nil {
		t.Fatal(err)
	}
	if r.PatientID != p.ID || r.TherapistID != th.ID || r.ProblemDescriptor != "F41.1" || r.TeamID == 0 {
		t.Errorf("referral %+v for patient %d", r, p.ID)
	}
	d, err := s.ReferralDetail(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Patient.Name != "Dee Done" || d.Outcome.RuleSet == "" {
		t.Errorf("detail patient %q, summary rule set %q", d.Patient.Name, d.Outcome.RuleSet)
	}
}
