package caseload

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseDateOfBirth(t *testing.T) {
	const today = "2026-03-10"
	for _, tc := range []struct {
		in, want string
	}{
		{"1990-05-17", "1990-05-17"},
		{"17/05/1990", "1990-05-17"},
		{"17/5/1990", "1990-05-17"},
		{"17.05.1990", "1990-05-17"},
		{"17-5-1990", "1990-05-17"},
		{"17051990", "1990-05-17"},
		{"17 May 1990", "1990-05-17"},
		{"17 may 90", "1990-05-17"},
		{"17 Sept 1990", "1990-09-17"},
		{"1/3/26", "2026-03-01"},  // this year, already past
		{"11/3/26", "1926-03-11"}, // tomorrow would be in the future
		{"31/02/1990", ""},
		{"17 Maybe 1990", ""},
		{"17/13/1990", ""},
		{"1990", ""},
		{"12/05/199", ""},
		{"01/01/1899", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := parseDateOfBirth(tc.in, today)
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("parseDateOfBirth(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
			}
		})
	}
}

func TestParsePatientQuery(t *testing.T) {
	const today = "2026-03-10"
	for _, tc := range []struct {
		in      string
		want    PatientQuery
		invalid bool
	}{
		{in: "943 476 5919", want: PatientQuery{NHSNumber: "9434765919"}},
		{in: "9434765919", want: PatientQuery{NHSNumber: "9434765919"}},
		{in: "17/05/1990", want: PatientQuery{DateOfBirth: "1990-05-17"}},
		{in: "17 May 1990", want: PatientQuery{DateOfBirth: "1990-05-17"}},
		{in: "Pat Example", want: PatientQuery{Words: []string{"pat", "example"}}},
		{in: "Example, Pat 17/5/1990", want: PatientQuery{Words: []string{"example", "pat"}, DateOfBirth: "1990-05-17"}},
		{in: "pat 17 may 1990", want: PatientQuery{Words: []string{"pat"}, DateOfBirth: "1990-05-17"}},
		{in: "", invalid: true},
		{in: "p", invalid: true},
		{in: "pat 12345", invalid: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParsePatientQuery(tc.in, today)
			if tc.invalid {
				if !isValidation(err) {
					t.Fatalf("ParsePatientQuery(%q): %v, want a validation error", tc.in, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Text = tc.in
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParsePatientQuery(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

// TestSearchPatients: a search finds the patients in scope by name, NHS
// number or date of birth, ended referrals included, and nobody else's; each
// search is audited.
func TestSearchPatients(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.s.EndReferral(ctx, f.therapist, f.referral.ID, "2026-02-01", "completed", "", EndRisk{}); err != nil {
		t.Fatal(err)
	}
	south, err := f.s.CreatePatient(ctx, f.other, NewPatient{Name: "Pat Southern", DateOfBirth: "1990-05-17"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.CreateReferral(ctx, f.other, NewReferral{PatientID: south.ID, ReceivedOn: "2026-01-05", ProblemDescriptor: "F32", Intensity: "low"}); err != nil {
		t.Fatal(err)
	}
	own := Scope{TherapistIDs: []int64{f.therapist.ID}}
	team := Scope{TherapistIDs: []int64{f.supervisor.ID}, Teams: f.supervisor.Teams}
	for _, tc := range []struct {
		name  string
		scope Scope
		q     string
		want  []string
	}{
		{"own by NHS number with spaces", own, "943 476 5919", []string{"Pat Example"}},
		{"own by NHS number", own, "9434765919", []string{"Pat Example"}},
		{"own by date of birth", own, "17/5/1990", []string{"Pat Example"}},
		{"own by part of the name", own, "exam", []string{"Pat Example"}},
		{"own by name in another case", own, "PAT", []string{"Pat Example"}},
		{"own by name and date of birth", own, "pat 17 May 1990", []string{"Pat Example"}},
		{"a wrong date of birth", own, "pat 18/5/1990", nil},
		{"the other team's patient is not in scope", own, "southern", nil},
		{"the supervisor's team", team, "pat", []string{"Pat Example"}},
		{"the other therapist", Scope{TherapistIDs: []int64{f.other.ID}}, "17/05/1990", []string{"Pat Southern"}},
		{"an empty scope", Scope{}, "pat", nil},
		{"a LIKE wildcard is literal", own, "p%t", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := f.s.SearchPatients(ctx, f.therapist, tc.scope, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range res.Matches {
				got = append(got, m.Patient.Name)
				if len(m.Referrals) == 0 {
					t.Errorf("%s listed without a referral", m.Patient.Name)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("SearchPatients(%q) (-want +got):\n%s", tc.q, diff)
			}
		})
	}
	res, err := f.s.SearchPatients(ctx, f.therapist, own, "943 476 5919")
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Matches[0].Referrals; len(r) != 1 || r[0].Open() || r[0].ID != f.referral.ID {
		t.Errorf("the ended referral: %+v", r)
	}
	page, err := f.s.SearchAudit(ctx, AuditQuery{Action: AuditSearchPatients})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 13 {
		t.Fatalf("%d search rows in the audit log, want 13", len(page.Entries))
	}
	if e := page.Entries[0]; e.UserID != f.therapist.ID || !strings.Contains(e.Detail, `"943 476 5919": 1 found`) {
		t.Errorf("latest search audit row: %+v", e)
	}
	if _, err := f.s.SearchPatients(ctx, f.therapist, own, " "); !isValidation(err) {
		t.Errorf("an empty search: %v, want a validation error", err)
	}
}
