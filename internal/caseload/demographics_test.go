package caseload

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestDemographicsValidation(t *testing.T) {
	tests := []struct {
		name   string
		d      Demographics
		fields []string
	}{
		{"nothing", Demographics{}, nil},
		{"every code valid", Demographics{EthnicCategory: "a", GenderIdentity: "3", StatedGender: "9", SexualOrientation: "U",
			PreferredLanguage: "en", ExArmedForces: "N", Disability: []string{"01", "nn"}, Postcode: "ls14ap",
			GPPracticeCode: "b86001", LongTermConditions: []string{"73211009"}}, nil},
		{"ethnic I", Demographics{EthnicCategory: "I"}, []string{"ethnic_category"}},
		{"ethnic 98", Demographics{EthnicCategory: "98"}, []string{"ethnic_category"}},
		{"gender identity 5", Demographics{GenderIdentity: "5"}, []string{"gender_identity"}},
		{"stated gender 3", Demographics{StatedGender: "3"}, []string{"stated_gender"}},
		{"sexual orientation 5", Demographics{SexualOrientation: "5"}, []string{"sexual_orientation"}},
		{"ex-forces maybe", Demographics{ExArmedForces: "maybe"}, []string{"ex_armed_forces"}},
		{"disability 11", Demographics{Disability: []string{"01", "11"}}, []string{"disability"}},
		{"postcode too short", Demographics{Postcode: "LS1"}, []string{"postcode"}},
		{"postcode not a postcode", Demographics{Postcode: "12345"}, []string{"postcode"}},
		{"GP code of four digits", Demographics{GPPracticeCode: "B8600"}, []string{"gp_practice_code"}},
		{"GP code of six digits", Demographics{GPPracticeCode: "B860011"}, []string{"gp_practice_code"}},
		{"language with a space", Demographics{PreferredLanguage: "en gb"}, []string{"preferred_language"}},
		{"long-term condition not SNOMED", Demographics{LongTermConditions: []string{"E11"}}, []string{"long_term_conditions"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := validation{}
			checkDemographics(tt.d.normalised(), v)
			var got []string
			for k := range v {
				got = append(got, k)
			}
			if diff := cmp.Diff(tt.fields, got, cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDemographicsHistory(t *testing.T) {
	f := newFixture(t)
	p, err := f.s.CreatePatient(f.ctx, f.therapist, NewPatient{Name: "Dee Mographic", DateOfBirth: "1980-02-03",
		Demographics: Demographics{EthnicCategory: "M", Postcode: "ls1 4ap", Disability: []string{"02", "02"}}})
	if err != nil {
		t.Fatal(err)
	}
	h, err := f.s.DemographicsHistory(f.ctx, p.ID)
	if err != nil || len(h) != 1 {
		t.Fatalf("history %v %v, want one version", h, err)
	}
	if h[0].EthnicCategory != "M" || h[0].Postcode != "LS1 4AP" || !cmp.Equal(h[0].Disability, []string{"02"}) || h[0].RecordedBy != f.therapist.ID {
		t.Errorf("first version %+v", h[0])
	}
	// The same values again add nothing; a change adds a version.
	if _, err := f.s.SetDemographics(f.ctx, f.therapist, p.ID, Demographics{EthnicCategory: "M", Postcode: "LS14AP", Disability: []string{"02"}}); err != nil {
		t.Fatal(err)
	}
	f.clock.t = f.clock.t.Add(3600e9)
	if _, err := f.s.SetDemographics(f.ctx, f.supervisor, p.ID, Demographics{EthnicCategory: "N", Postcode: "LS1 4AP"}); err != nil {
		t.Fatal(err)
	}
	h, err = f.s.DemographicsHistory(f.ctx, p.ID)
	if err != nil || len(h) != 2 {
		t.Fatalf("history %d versions (%v), want 2", len(h), err)
	}
	if h[0].EthnicCategory != "N" || h[1].EthnicCategory != "M" || h[0].RecordedBy != f.supervisor.ID || len(h[0].Disability) != 0 {
		t.Errorf("history %+v", h)
	}
	// Bad input keeps nothing; an unknown patient is not found.
	if _, err := f.s.SetDemographics(f.ctx, f.therapist, p.ID, Demographics{EthnicCategory: "Q"}); err == nil {
		t.Error("a bad code was kept")
	}
	if _, err := f.s.SetDemographics(f.ctx, f.therapist, 999, Demographics{EthnicCategory: "A"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown patient: %v", err)
	}
	if _, err := f.s.db.Exec(`UPDATE patient_demographics SET ethnic_category = 'A'`); err == nil {
		t.Error("a version was changed in place")
	}
	// A new patient with a bad code is not created at all.
	_, err = f.s.CreatePatient(f.ctx, f.therapist, NewPatient{Name: "Bad Code", DateOfBirth: "1980-02-03",
		Demographics: Demographics{GenderIdentity: "7"}})
	wantFields(t, err, "gender_identity")
}

func TestReferralDatasetAndEndCode(t *testing.T) {
	f := newFixture(t)
	r, err := f.s.CreateReferral(f.ctx, f.therapist, NewReferral{PatientID: f.patient.ID, ReceivedOn: "2026-01-06",
		ProblemDescriptor: "K58.1", Intensity: "high", SourceOfReferral: "b1", LTCPathway: true})
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.s.ReferralDataset(f.ctx, r.ID)
	if err != nil || d.SourceOfReferral != "B1" || !d.LTCPathway || d.EndCode != "" {
		t.Errorf("data set %+v %v", d, err)
	}
	_, err = f.s.CreateReferral(f.ctx, f.therapist, NewReferral{PatientID: f.patient.ID, ReceivedOn: "2026-01-06",
		ProblemDescriptor: "83482000", Intensity: "low", SourceOfReferral: "Z9"})
	wantFields(t, err, "source_of_referral")
	// An end code needs an ended referral and a code from the list.
	wantFields(t, f.s.SetEndCode(f.ctx, f.therapist, r.ID, "46"), "end_code")
	if _, err := f.s.EndReferral(f.ctx, f.therapist, r.ID, "2026-02-01", "completed", "", EndRisk{}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"15", "97", "9", "460"} {
		wantFields(t, f.s.SetEndCode(f.ctx, f.therapist, r.ID, bad), "end_code")
	}
	if err := f.s.SetEndCode(f.ctx, f.therapist, r.ID, "46"); err != nil {
		t.Fatal(err)
	}
	if d, _ := f.s.ReferralDataset(f.ctx, r.ID); d.EndCode != "46" || d.SourceOfReferral != "B1" {
		t.Errorf("after ending %+v", d)
	}
	if err := f.s.SetEndCode(f.ctx, f.therapist, 999, "46"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown referral: %v", err)
	}
}

// The EndCode given with the ending is kept in the ending's transaction: a
// bad one ends nothing, a good one is there at once, and reopening the
// referral clears it with the ending it belonged to.
func TestEndReferralKeepsItsEndCode(t *testing.T) {
	f := newFixture(t)
	_, err := f.s.EndReferral(f.ctx, f.therapist, f.referral.ID, "2026-03-01", "completed", "97", EndRisk{})
	wantFields(t, err, "end_code")
	if r, _ := f.s.Referral(f.ctx, f.referral.ID); !r.Open() {
		t.Errorf("a refused EndCode ended the referral on %s", r.EndedOn)
	}
	if _, err := f.s.EndReferral(f.ctx, f.therapist, f.referral.ID, "2026-03-01", "dropped_out", " 12 ", EndRisk{}); err != nil {
		t.Fatal(err)
	}
	if d, err := f.s.ReferralDataset(f.ctx, f.referral.ID); err != nil || d.EndCode != "12" {
		t.Errorf("after ending: %+v %v", d, err)
	}
	if _, err := f.s.ReopenReferral(f.ctx, f.therapist, f.referral.ID, "Ended by mistake"); err != nil {
		t.Fatal(err)
	}
	if d, err := f.s.ReferralDataset(f.ctx, f.referral.ID); err != nil || d.EndCode != "" {
		t.Errorf("after reopening: %+v %v", d, err)
	}
}

func TestSetQualification(t *testing.T) {
	f := newFixture(t)
	admin := f.user(t, "ada@example.nhs.uk", "Ada Admin", RoleAdmin, "")
	if err := f.s.SetQualification(f.ctx, f.supervisor, f.therapist.ID, "10"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a supervisor set a qualification: %v", err)
	}
	for _, bad := range []string{"9", "18", "PWP"} {
		wantFields(t, f.s.SetQualification(f.ctx, admin, f.therapist.ID, bad), "qualification")
	}
	if err := f.s.SetQualification(f.ctx, admin, f.therapist.ID, "10"); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetQualification(f.ctx, admin, f.other.ID, "17"); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetQualification(f.ctx, admin, f.other.ID, ""); err != nil {
		t.Fatal(err)
	}
	q, err := f.s.Qualifications(f.ctx)
	if err != nil || !cmp.Equal(q, map[int64]string{f.therapist.ID: "10"}) {
		t.Errorf("qualifications %v %v", q, err)
	}
}
