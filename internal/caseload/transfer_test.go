package caseload

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"clinic/internal/measures"
)

// TestWaitingAllocateStepUp: a supervisor receives a referral onto the
// team's waiting list, allocates it to a PWP at low intensity, the PWP
// records a session, and the supervisor steps it up to a CBT therapist:
// the history keeps who held it at which intensity, each contact keeps its
// own intensity, and every move is audited.
func TestWaitingAllocateStepUp(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cbt := f.user(t, "cara@example.nhs.uk", "Cara CBT", RoleTherapist, "North")
	team := f.therapist.TeamID
	w, err := f.s.CreateReferral(ctx, f.supervisor, NewReferral{PatientID: f.patient.ID, TeamID: team, ReceivedOn: "2026-03-01", ProblemDescriptor: "F32", Intensity: "low"})
	if err != nil {
		t.Fatal(err)
	}
	list, err := f.s.WaitingList(ctx, []int64{team})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Referral.ID != w.ID || !list[0].Referral.Waiting {
		t.Fatalf("waiting list: %+v", list)
	}
	if cl, _ := f.s.Caseload(ctx, f.therapist.ID); len(cl) != 1 {
		t.Errorf("the waiting referral is on Tara's caseload before allocation: %d rows", len(cl))
	}
	if _, err := f.s.MoveReferral(ctx, f.supervisor, w.ID, NewMove{TherapistID: f.therapist.ID, Intensity: "low"}); err != nil {
		t.Fatalf("allocate: %v", err)
	}
	if list, _ := f.s.WaitingList(ctx, []int64{team}); len(list) != 0 {
		t.Errorf("still waiting after allocation: %+v", list)
	}
	if _, err := f.s.RecordContact(ctx, f.therapist, w.ID, session("2026-03-03", answers(2, 2, 2, 2, 2, 2, 2, 2, 0), answers(2, 2, 2, 2, 2, 2, 2))); err != nil {
		t.Fatal(err)
	}
	wantFields(t, moveErr(f.s.MoveReferral(ctx, f.supervisor, w.ID, NewMove{TherapistID: cbt.ID, Intensity: "high"})), "reason")
	wantFields(t, moveErr(f.s.MoveReferral(ctx, f.supervisor, w.ID, NewMove{TherapistID: f.therapist.ID, Intensity: "low", Reason: "x"})), "therapist_id")
	wantFields(t, moveErr(f.s.MoveReferral(ctx, f.supervisor, w.ID, NewMove{TherapistID: f.supervisor.ID, Intensity: "high", Reason: "x"})), "therapist_id")
	if _, err := f.s.MoveReferral(ctx, f.supervisor, w.ID, NewMove{TherapistID: cbt.ID, Intensity: "high", Reason: "No reliable improvement after 4 sessions"}); err != nil {
		t.Fatalf("step up: %v", err)
	}
	if _, err := f.s.RecordContact(ctx, cbt, w.ID, session("2026-03-09", answers(2, 2, 2, 2, 2, 2, 2, 2, 0), answers(2, 2, 2, 2, 2, 2, 2))); err != nil {
		t.Fatal(err)
	}
	snap, err := f.s.ReferralSnapshot(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Referral.TherapistID != cbt.ID || snap.Referral.Intensity != measures.HighIntensity || snap.Referral.Waiting {
		t.Errorf("after the step up: %+v", snap.Referral)
	}
	var got []string
	for _, m := range snap.Moves {
		got = append(got, m.Kind+" "+m.FromTherapistName+" "+string(m.FromIntensity)+" > "+m.ToTherapistName+" "+string(m.ToIntensity)+" by "+m.MovedByName)
	}
	want := []string{"allocate  low > Tara Therapist low by Sam Supervisor", "step_up Tara Therapist low > Cara CBT high by Sam Supervisor"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("moves (-want +got):\n%s", diff)
	}
	var intensities []measures.Intensity
	for _, c := range snap.Contacts {
		intensities = append(intensities, c.Intensity)
	}
	if diff := cmp.Diff([]measures.Intensity{"low", "high"}, intensities); diff != "" {
		t.Errorf("contacts' intensities (-want +got):\n%s", diff)
	}
	if cl, _ := f.s.Caseload(ctx, cbt.ID); len(cl) != 1 || cl[0].Referral.ID != w.ID {
		t.Errorf("Cara's caseload: %+v", cl)
	}
	page, err := f.s.SearchAudit(ctx, AuditQuery{Action: AuditMoveReferral})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 2 || page.Entries[0].Detail != "step_up: Tara Therapist (low) to Cara CBT (high): No reliable improvement after 4 sessions" || page.Entries[0].PatientID != f.patient.ID {
		t.Errorf("audit: %+v", page.Entries)
	}
	if _, err := f.s.EndReferral(ctx, cbt, w.ID, "2026-03-09", "completed", "", EndRisk{}); err != nil {
		t.Fatal(err)
	}
	wantFields(t, moveErr(f.s.MoveReferral(ctx, f.supervisor, w.ID, NewMove{TherapistID: f.therapist.ID, Intensity: "low", Reason: "Step down"})), "referral")
}

func moveErr(_ Move, err error) error { return err }
