package caseload

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"clinic"
	"clinic/internal/measures"
)

func TestSmoke(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	s, err := Open(filepath.Join(t.TempDir(), "c.db"), clinic.Schema, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, err := s.CreateUser(ctx, NewUser{Email: "a@b.nhs.uk", Name: "A", Role: RoleTherapist, Team: "North", Password: "correct horse"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "a@b.nhs.uk", "correct horse"); err != nil {
		t.Fatal(err)
	}
	p, err := s.CreatePatient(ctx, u, NewPatient{Name: "P", DateOfBirth: "1990-01-01", NHSNumber: "943 476 5919"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.CreateReferral(ctx, u, NewReferral{PatientID: p.ID, ReceivedOn: "2026-01-01", ProblemDescriptor: "F411", Intensity: "low"})
	if err != nil {
		t.Fatal(err)
	}
	i := func(n int) *int { return &n }
	tot := 30.0
	c, err := s.RecordContact(ctx, u, r.ID, NewContact{Date: "2026-01-10", Kind: "assessment", Attendance: "attended", Scores: map[measures.InstrumentID]ScoreInput{
		"phq9": {Items: []*int{i(2), i(2), i(2), i(2), i(2), i(2), i(2), i(2), i(1)}},
		"gad7": {Items: []*int{i(2), i(2), i(2), i(2), nil, i(2), i(2)}},
		"spin": {Total: &tot},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", c)
	d, err := s.ReferralDetail(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", d.Outcome)
	cl, err := s.Caseload(ctx, u.ID)
	if err != nil || len(cl) != 1 {
		t.Fatal(err, cl)
	}
	n, err := s.RebuildSummaries(ctx)
	if err != nil || n != 1 {
		t.Fatal(err, n)
	}
}
