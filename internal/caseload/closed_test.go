package caseload

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEndedCaseload: a therapist's ended view lists the referrals that
// ended in the last 90 days, newest ending first, and none that are open,
// ended earlier, or someone else's.
func TestEndedCaseload(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	refer := func(u User, name string) Referral {
		p, err := f.s.CreatePatient(ctx, u, NewPatient{Name: name, DateOfBirth: "1990-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		r, err := f.s.CreateReferral(ctx, u, NewReferral{PatientID: p.ID, ReceivedOn: "2025-10-01", ProblemDescriptor: "F32", Intensity: "low"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	end := func(u User, r Referral, date string) {
		if _, err := f.s.EndReferral(ctx, u, r.ID, date, "completed", "", EndRisk{}); err != nil {
			t.Fatal(err)
		}
	}
	// Today is 2026-03-10: 90 days back is 2025-12-10.
	edge, older, recent, others := refer(f.therapist, "Edge"), refer(f.therapist, "Older"), refer(f.therapist, "Recent"), refer(f.other, "Other")
	end(f.therapist, edge, "2025-12-10")
	end(f.therapist, older, "2025-12-09")
	end(f.therapist, recent, "2026-03-01")
	end(f.other, others, "2026-03-01")
	rows, err := f.s.EndedCaseload(ctx, f.therapist.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Referral.PatientName+" "+r.Referral.EndedOn)
	}
	if diff := cmp.Diff([]string{"Recent 2026-03-01", "Edge 2025-12-10"}, got); diff != "" {
		t.Errorf("ended caseload (-want +got):\n%s", diff)
	}
}
