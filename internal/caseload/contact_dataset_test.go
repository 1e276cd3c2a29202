package caseload

import (
	"testing"

	"clinic/internal/measures"
)

// TestContactDatasetFields records each purpose and attendance outcome and
// reads back the full value, the coarse columns the summary uses, and the
// data set fields; boundary values of the duration included.
func TestContactDatasetFields(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name                  string
		in                    NewContact
		kind, attendance      string // as read back
		coarseKind, coarseAtt string // as kept in the first-release columns
		therapy               string
	}{
		{"assessment and treatment, late but seen",
			NewContact{Kind: "assessment_treatment", Attendance: "attended_late", Medium: "video", DurationMinutes: 1},
			"assessment_treatment", "attended_late", "treatment", "attended", "1026111000000108"},
		{"review and treatment, explicit therapy",
			NewContact{Kind: "review_treatment", Attendance: "attended", TherapyType: "702545008", DurationMinutes: 600},
			"review_treatment", "attended", "treatment", "attended", "702545008"},
		{"treatment, too late to be seen",
			NewContact{Kind: "treatment", Attendance: "late_not_seen"},
			"treatment", "late_not_seen", "treatment", "dna", ""},
		{"review without treatment",
			NewContact{Kind: "review", Attendance: "attended", EmploymentStatus: "03"},
			"review", "attended", "review", "attended", ""},
		{"cancelled by the provider",
			NewContact{Kind: "treatment", Attendance: "cancelled_by_provider"},
			"treatment", "cancelled_by_provider", "treatment", "cancelled", ""},
		{"first release's cancelled means by the patient",
			NewContact{Kind: "follow_up", Attendance: "cancelled"},
			"follow_up", "cancelled_by_patient", "follow_up", "cancelled", ""},
		{"telephone assessment with employment",
			NewContact{Kind: "assessment", Attendance: "attended", Medium: "telephone", EmploymentStatus: "zz"},
			"assessment", "attended", "assessment", "attended", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Date = "2026-02-03"
			c, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, in)
			if err != nil {
				t.Fatal(err)
			}
			if string(c.Kind) != tt.kind || string(c.Attendance) != tt.attendance {
				t.Errorf("read back %s/%s, want %s/%s", c.Kind, c.Attendance, tt.kind, tt.attendance)
			}
			var kind, att string
			if err := f.s.db.QueryRow(`SELECT kind, attendance FROM contacts WHERE id = ?`, c.ID).Scan(&kind, &att); err != nil {
				t.Fatal(err)
			}
			if kind != tt.coarseKind || att != tt.coarseAtt {
				t.Errorf("kept as %s/%s, want %s/%s", kind, att, tt.coarseKind, tt.coarseAtt)
			}
			if c.TherapyType != tt.therapy || c.Medium != in.Medium || c.DurationMinutes != in.DurationMinutes {
				t.Errorf("data set fields %+v", c)
			}
			if in.EmploymentStatus != "" && c.EmploymentStatus != "03" && c.EmploymentStatus != "ZZ" {
				t.Errorf("employment %q", c.EmploymentStatus)
			}
		})
	}
	// Two attended treatment appointments of the combined purposes make
	// a treatment course in the summary; the late-not-seen one does not.
	d, err := f.s.ReferralDetail(f.ctx, f.referral.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Outcome.TreatmentSessions != 2 {
		t.Errorf("treatment sessions %d, want 2 (assessment and treatment, review and treatment)", d.Outcome.TreatmentSessions)
	}
}

func TestContactDatasetValidation(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		change func(*NewContact)
		fields []string
	}{
		{"duration -1", func(c *NewContact) { c.DurationMinutes = -1 }, []string{"duration_minutes"}},
		{"duration 601", func(c *NewContact) { c.DurationMinutes = 601 }, []string{"duration_minutes"}},
		{"medium as a code", func(c *NewContact) { c.Medium = "01" }, []string{"medium"}},
		{"unknown medium", func(c *NewContact) { c.Medium = "carrier_pigeon" }, []string{"medium"}},
		{"therapy not in the list", func(c *NewContact) { c.TherapyType = "83482000" }, []string{"therapy_type"}},
		{"employment 09", func(c *NewContact) { c.EmploymentStatus = "09" }, []string{"employment_status"}},
		{"scores when too late to be seen", func(c *NewContact) { c.Attendance = "late_not_seen" }, []string{"scores"}},
		{"scores when cancelled by the provider", func(c *NewContact) { c.Attendance = "cancelled_by_provider" }, []string{"scores"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := session("2026-02-03", answers(1, 1, 1, 1, 1, 1, 1, 1, 1), answers(1, 1, 1, 1, 1, 1, 1))
			tt.change(&in)
			_, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, in)
			wantFields(t, err, tt.fields...)
		})
	}
	// Scores at a late-but-seen contact are kept.
	in := session("2026-02-03", answers(1, 1, 1, 1, 1, 1, 1, 1, 1), answers(1, 1, 1, 1, 1, 1, 1))
	in.Attendance = string(measures.AttendedLate)
	if _, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, in); err != nil {
		t.Errorf("scores when late but seen: %v", err)
	}
}
