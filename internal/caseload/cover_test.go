package caseload

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGrantCover: cover is checked (dates, therapists, a reason), kept,
// audited, in force from its first day to its last, and ends by itself.
func TestGrantCover(t *testing.T) {
	f := newFixture(t) // today 2026-03-10
	ctx := context.Background()
	colin := f.user(t, "colin@example.nhs.uk", "Colin Colleague", RoleTherapist, "North")
	for _, tc := range []struct {
		name   string
		in     NewCover
		fields []string
	}{
		{"no dates or reason", NewCover{TherapistID: colin.ID, ColleagueID: f.therapist.ID}, []string{"from_on", "reason"}},
		{"ends before it starts", NewCover{TherapistID: colin.ID, ColleagueID: f.therapist.ID, FromOn: "2026-03-12", ToOn: "2026-03-11", Reason: "Leave"}, []string{"to_on"}},
		{"ended already", NewCover{TherapistID: colin.ID, ColleagueID: f.therapist.ID, FromOn: "2026-03-01", ToOn: "2026-03-09", Reason: "Leave"}, []string{"to_on"}},
		{"themself", NewCover{TherapistID: colin.ID, ColleagueID: colin.ID, FromOn: "2026-03-11", ToOn: "2026-03-12", Reason: "Leave"}, []string{"colleague_id"}},
		{"a supervisor covering", NewCover{TherapistID: f.supervisor.ID, ColleagueID: f.therapist.ID, FromOn: "2026-03-11", ToOn: "2026-03-12", Reason: "Leave"}, []string{"therapist_id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.s.GrantCover(ctx, f.supervisor, tc.in)
			wantFields(t, err, tc.fields...)
		})
	}
	if _, err := f.s.GrantCover(ctx, f.supervisor, NewCover{TherapistID: colin.ID, ColleagueID: f.therapist.ID, FromOn: "2026-03-11", ToOn: "2026-03-13", Reason: "Annual leave"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		day  string
		want []int64
	}{
		{"2026-03-10", nil}, {"2026-03-11", []int64{f.therapist.ID}}, {"2026-03-13", []int64{f.therapist.ID}}, {"2026-03-14", nil},
	} {
		d, _ := parseDate(tc.day)
		f.clock.t = d.Add(12 * 3600e9)
		got, err := f.s.Covering(ctx, colin.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Colin covering on %s (-want +got):\n%s", tc.day, diff)
		}
	}
	f.clock.t = testNow
	covers, err := f.s.Covers(ctx, f.therapist.ID, nil)
	if err != nil || len(covers) != 1 || covers[0].TherapistName != "Colin Colleague" || covers[0].GrantedByName != "Sam Supervisor" {
		t.Errorf("Tara's covers: %+v %v", covers, err)
	}
	page, err := f.s.SearchAudit(ctx, AuditQuery{Action: AuditGrantCover})
	if err != nil || len(page.Entries) != 1 || page.Entries[0].UserID != f.supervisor.ID {
		t.Errorf("audit: %+v %v", page.Entries, err)
	}
}
