package caseload

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"clinic/internal/measures"
)

func TestCreateReferralValidation(t *testing.T) {
	f := newFixture(t)
	young, err := f.s.CreatePatient(f.ctx, f.therapist, NewPatient{Name: "Young", DateOfBirth: "2026-02-01"})
	if err != nil {
		t.Fatal(err)
	}
	admin := f.user(t, "ada@example.nhs.uk", "Ada", RoleAdmin, "")
	ok := NewReferral{PatientID: f.patient.ID, TherapistID: f.therapist.ID, ReceivedOn: "2026-03-01", ProblemDescriptor: "F32", Intensity: "high"}
	tests := []struct {
		name   string
		actor  User
		change func(*NewReferral)
		fields []string
	}{
		{"no patient", f.therapist, func(r *NewReferral) { r.PatientID = 0 }, []string{"patient_id"}},
		{"unknown patient", f.therapist, func(r *NewReferral) { r.PatientID = 999 }, []string{"patient_id"}},
		{"no date", f.therapist, func(r *NewReferral) { r.ReceivedOn = "" }, []string{"received_on"}},
		{"bad date", f.therapist, func(r *NewReferral) { r.ReceivedOn = "2026-02-29" }, []string{"received_on"}},
		{"date tomorrow", f.therapist, func(r *NewReferral) { r.ReceivedOn = "2026-03-11" }, []string{"received_on"}},
		{"date before birth", f.therapist, func(r *NewReferral) { r.PatientID, r.ReceivedOn = young.ID, "2026-01-31" }, []string{"received_on"}},
		{"no descriptor", f.therapist, func(r *NewReferral) { r.ProblemDescriptor = "" }, []string{"problem_descriptor"}},
		{"unknown descriptor", f.therapist, func(r *NewReferral) { r.ProblemDescriptor = "depression" }, []string{"problem_descriptor"}},
		{"not a mental health code", f.therapist, func(r *NewReferral) { r.ProblemDescriptor = "J45" }, []string{"problem_descriptor"}},
		{"no intensity", f.therapist, func(r *NewReferral) { r.Intensity = "" }, []string{"intensity"}},
		{"bad intensity", f.therapist, func(r *NewReferral) { r.Intensity = "medium" }, []string{"intensity"}},
		{"no therapist from an admin", admin, func(r *NewReferral) { r.TherapistID = 0 }, []string{"therapist_id"}},
		{"unknown therapist", f.therapist, func(r *NewReferral) { r.TherapistID = 999 }, []string{"therapist_id"}},
		{"supervisor as therapist", f.therapist, func(r *NewReferral) { r.TherapistID = f.supervisor.ID }, []string{"therapist_id"}},
		{"everything", admin, func(r *NewReferral) { *r = NewReferral{} }, []string{"patient_id", "therapist_id", "received_on", "problem_descriptor", "intensity"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			tt.change(&in)
			_, err := f.s.CreateReferral(f.ctx, tt.actor, in)
			wantFields(t, err, tt.fields...)
		})
	}
	if _, err := f.s.db.Exec(`UPDATE users SET disabled = 1 WHERE id = ?`, f.other.ID); err != nil {
		t.Fatal(err)
	}
	in := ok
	in.TherapistID = f.other.ID
	_, err = f.s.CreateReferral(f.ctx, f.therapist, in)
	wantFields(t, err, "therapist_id")
}

func TestCreateReferral(t *testing.T) {
	f := newFixture(t)
	// A therapist's own referral needs no therapist id; the descriptor is
	// normalised; the team is the therapist's.
	r, err := f.s.CreateReferral(f.ctx, f.therapist, NewReferral{PatientID: f.patient.ID, ReceivedOn: "2026-03-10", ProblemDescriptor: "f400", Intensity: "high"})
	if err != nil {
		t.Fatal(err)
	}
	want := Referral{
		ID:                r.ID,
		PatientID:         f.patient.ID,
		PatientName:       "Pat Example",
		TherapistID:       f.therapist.ID,
		TherapistName:     "Tara Therapist",
		TeamID:            f.therapist.TeamID,
		ReceivedOn:        "2026-03-10",
		ProblemDescriptor: "F40.0",
		Intensity:         measures.HighIntensity,
		CreatedAt:         testNow,
	}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	got, err := f.s.Referral(f.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	// A supervisor places a referral on another team's therapist.
	r2, err := f.s.CreateReferral(f.ctx, f.supervisor, NewReferral{PatientID: f.patient.ID, TherapistID: f.other.ID, ReceivedOn: "2026-03-01", ProblemDescriptor: "other", Intensity: "low"})
	if err != nil {
		t.Fatal(err)
	}
	if r2.TeamID != f.other.TeamID || r2.TherapistID != f.other.ID || r2.ProblemDescriptor != "other" {
		t.Errorf("referral for another therapist: %+v", r2)
	}
	// Its summary exists from the start.
	d, err := f.s.ReferralDetail(f.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Outcome.Open || d.Outcome.RuleSet != measures.RuleSet || d.Outcome.Anxiety != measures.MIAlone || d.Outcome.WaitDays != -1 {
		t.Errorf("new referral's outcome: %+v", d.Outcome)
	}
	if _, err := f.s.Referral(f.ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("Referral(999): got %v, want ErrNotFound", err)
	}
	if _, err := f.s.ReferralDetail(f.ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("ReferralDetail(999): got %v, want ErrNotFound", err)
	}
}

func TestReferralDetail(t *testing.T) {
	f := newFixture(t)
	r := f.referral.ID
	c1, err := f.s.RecordContact(f.ctx, f.therapist, r, NewContact{
		Date: "2026-01-20", Kind: "assessment", Attendance: "attended",
		Scores: map[measures.InstrumentID]ScoreInput{
			measures.PHQ9: {Items: answers(2, 2, 2, 2, 2, 2, 2, 1, 1)},
			measures.GAD7: {Items: answers(2, 2, 2, 2, 2, 2, -1)},
			measures.WSAS: {Items: answers(4, 4, 4, 4, 4)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	dna, err := f.s.RecordContact(f.ctx, f.therapist, r, NewContact{Date: "2026-01-27", Kind: "treatment", Attendance: "dna"})
	if err != nil {
		t.Fatal(err)
	}
	// Recorded later but dated earlier: contacts come by date.
	early, err := f.s.RecordContact(f.ctx, f.therapist, r, NewContact{Date: "2026-01-10", Kind: "review", Attendance: "cancelled"})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := f.s.RecordContact(f.ctx, f.therapist, r, session("2026-02-03", answers(1, 1, 1, 1, 1, 1, 1, 0, 0), answers(1, 1, 1, 1, 1, 0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.db.Exec(`
		INSERT INTO reviews (referral_id, supervisor_id, date, decision, note, flag_codes_json, created_at)
		VALUES (?, ?, '2026-02-04', 'continue', 'Good progress', '["risk"]', ?)`, r, f.supervisor.ID, stamp(testNow)); err != nil {
		t.Fatal(err)
	}
	d, err := f.s.ReferralDetail(f.ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f.referral, d.Referral); diff != "" {
		t.Errorf("referral (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(f.patient, d.Patient); diff != "" {
		t.Errorf("patient (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Contact{early, c1, dna, c2}, d.Contacts, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("contacts (-want +got):\n%s", diff)
	}
	var instruments []measures.InstrumentID
	for _, sc := range d.Contacts[1].Scores {
		instruments = append(instruments, sc.Instrument)
	}
	if diff := cmp.Diff([]measures.InstrumentID{"gad7", "phq9", "wsas"}, instruments); diff != "" {
		t.Errorf("scores of the assessment (-want +got):\n%s", diff)
	}
	gad := d.Contacts[1].Scores[0]
	if gad.Total != 14 || !gad.Prorated || gad.Items[6] != nil || gad.Source != SourceTherapist || gad.RecordedBy != f.therapist.ID {
		t.Errorf("pro-rated GAD-7: %+v", gad)
	}
	o := d.Outcome
	if o.PHQ9.First != 16 || o.PHQ9.Last != 7 || !o.PHQ9.Paired || o.TreatmentSessions != 1 || o.LastContact.Format(dateLayout) != "2026-02-03" {
		t.Errorf("outcome: %+v", o)
	}
	want := []Review{{ReferralID: r, SupervisorID: f.supervisor.ID, SupervisorName: "Sam Supervisor", Date: "2026-02-04", Decision: "continue", Note: "Good progress", FlagCodes: []string{"risk"}, CreatedAt: testNow}}
	if diff := cmp.Diff(want, d.Reviews, cmpopts.IgnoreFields(Review{}, "ID")); diff != "" {
		t.Errorf("reviews (-want +got):\n%s", diff)
	}
	// The API's lighter read: the same referral, patient and contacts.
	rec, err := f.s.ReferralRecord(f.ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ReferralDetail{Referral: d.Referral, Patient: d.Patient, Contacts: d.Contacts}, rec, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("referral record (-detail +record):\n%s", diff)
	}
	if _, err := f.s.ReferralRecord(f.ctx, r+1000); !errors.Is(err, ErrNotFound) {
		t.Errorf("record of no referral: %v, want ErrNotFound", err)
	}
}

func TestCaseload(t *testing.T) {
	f := newFixture(t)
	second, err := f.s.CreateReferral(f.ctx, f.therapist, NewReferral{PatientID: f.patient.ID, ReceivedOn: "2025-12-01", ProblemDescriptor: "F32", Intensity: "high"})
	if err != nil {
		t.Fatal(err)
	}
	ended, err := f.s.CreateReferral(f.ctx, f.therapist, NewReferral{PatientID: f.patient.ID, ReceivedOn: "2025-11-01", ProblemDescriptor: "F32", Intensity: "low"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.EndReferral(f.ctx, f.therapist, ended.ID, "2025-12-01", "declined", "", EndRisk{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.CreateReferral(f.ctx, f.other, NewReferral{PatientID: f.patient.ID, ReceivedOn: "2025-11-01", ProblemDescriptor: "F32", Intensity: "low"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, session("2026-02-03", answers(3, 3, 3, 3, 3, 3, 1, 1, 1), answers(3, 3, 3, 3, 1, 1, 1))); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetBringToSupervision(f.ctx, f.therapist, second.ID, "  Not improving  "); err != nil {
		t.Fatal(err)
	}
	rows, err := f.s.Caseload(f.ctx, f.therapist.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, row := range rows {
		ids = append(ids, row.Referral.ID)
	}
	// Open referrals only, oldest first, this therapist's only.
	if diff := cmp.Diff([]int64{second.ID, f.referral.ID}, ids); diff != "" {
		t.Fatalf("caseload (-want +got):\n%s", diff)
	}
	if rows[0].Referral.BringToSupervision != "Not improving" || rows[0].Referral.PatientName != "Pat Example" {
		t.Errorf("first row: %+v", rows[0].Referral)
	}
	if o := rows[1].Outcome; o.PHQ9.Last != 21 || o.TreatmentSessions != 1 || !o.Open {
		t.Errorf("second row's outcome: %+v", o)
	}
	// The caseload is the summaries': it agrees with the referral page.
	d, err := f.s.ReferralDetail(f.ctx, f.referral.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d.Outcome, rows[1].Outcome); diff != "" {
		t.Errorf("caseload outcome differs from the referral page's (-page +caseload):\n%s", diff)
	}
	if err := f.s.SetBringToSupervision(f.ctx, f.therapist, second.ID, ""); err != nil {
		t.Fatal(err)
	}
	if r, _ := f.s.Referral(f.ctx, second.ID); r.BringToSupervision != "" {
		t.Errorf("bring to supervision not cleared: %q", r.BringToSupervision)
	}
	err = f.s.SetBringToSupervision(f.ctx, f.therapist, second.ID, strings.Repeat("x", 1001))
	wantFields(t, err, "reason")
	if err := f.s.SetBringToSupervision(f.ctx, f.therapist, 999, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("bring unknown referral: got %v, want ErrNotFound", err)
	}
	empty, err := f.s.Caseload(f.ctx, f.supervisor.ID)
	if err != nil || len(empty) != 0 {
		t.Errorf("supervisor's own caseload: %v, %v; want none", empty, err)
	}
}

func TestEndReferral(t *testing.T) {
	f := newFixture(t)
	r := f.referral.ID
	for _, c := range []NewContact{
		session("2026-01-20", answers(2, 2, 2, 2, 2, 2, 2, 2, 0), answers(2, 2, 2, 2, 2, 2, 2)),
		session("2026-01-27", answers(1, 1, 1, 1, 1, 1, 1, 0, 0), answers(1, 1, 1, 1, 1, 1, 0)),
		session("2026-02-03", answers(0, 1, 0, 1, 0, 1, 0, 0, 0), answers(1, 0, 1, 0, 1, 0, 0)),
	} {
		if _, err := f.s.RecordContact(f.ctx, f.therapist, r, c); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, date, reason string
		fields             []string
	}{
		{"no date", "", "completed", []string{"date"}},
		{"bad date", "2026-13-01", "completed", []string{"date"}},
		{"future", "2026-03-11", "completed", []string{"date"}},
		{"before received", "2026-01-04", "completed", []string{"date"}},
		{"before last contact", "2026-02-02", "completed", []string{"date"}},
		{"no reason", "2026-02-10", "", []string{"reason"}},
		{"unknown reason", "2026-02-10", "bored", []string{"reason"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.s.EndReferral(f.ctx, f.therapist, r, tt.date, tt.reason, "", EndRisk{})
			wantFields(t, err, tt.fields...)
		})
	}
	got, err := f.s.EndReferral(f.ctx, f.therapist, r, "2026-02-03", "completed", "", EndRisk{})
	if err != nil {
		t.Fatal(err)
	}
	if got.EndedOn != "2026-02-03" || got.EndReason != "completed" || got.Open() {
		t.Errorf("ended referral: %+v", got)
	}
	d, err := f.s.ReferralDetail(f.ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, d.Referral); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	o := d.Outcome
	if o.Open || !o.FinishedCourse || !o.Recovered || !o.ReliableImprovement || o.EndedOn.Format(dateLayout) != "2026-02-03" {
		t.Errorf("outcome after ending: %+v", o)
	}
	_, err = f.s.EndReferral(f.ctx, f.therapist, r, "2026-02-04", "completed", "", EndRisk{})
	wantFields(t, err, "referral")
	if _, err := f.s.EndReferral(f.ctx, f.therapist, 999, "2026-02-04", "completed", "", EndRisk{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("end unknown referral: got %v, want ErrNotFound", err)
	}
	if rows, _ := f.s.Caseload(f.ctx, f.therapist.ID); len(rows) != 0 {
		t.Errorf("ended referral still on the caseload: %+v", rows)
	}
	var open, finished int
	var endedOn string
	if err := f.s.db.QueryRow(`SELECT is_open, finished, ended_on FROM referral_summary WHERE referral_id = ?`, r).Scan(&open, &finished, &endedOn); err != nil {
		t.Fatal(err)
	}
	if open != 0 || finished != 1 || endedOn != "2026-02-03" {
		t.Errorf("summary columns: open %d finished %d ended %s", open, finished, endedOn)
	}
}

func TestReferralSnapshot(t *testing.T) {
	f := newFixture(t)
	r := f.referral.ID
	c, err := f.s.RecordContact(f.ctx, f.therapist, r, session("2026-01-20", answers(3, 3, 3, 3, 3, 3, 3, 3, 2), answers(3, 3, 3, 3, 3, 3, 3)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.CorrectScore(f.ctx, f.supervisor, c.Scores[1].ID, ScoreInput{Items: answers(3, 3, 3, 3, 3, 3, 3, 3, 1)}, "typed wrong"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.RecordReview(f.ctx, f.supervisor, r, NewReview{Date: "2026-02-04", Decision: "continue"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.CreateInvitation(f.ctx, f.therapist, r); err != nil {
		t.Fatal(err)
	}
	snap, err := f.s.ReferralSnapshot(f.ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	// The snapshot reads what the separate reads give, in one transaction.
	d, err := f.s.ReferralDetail(f.ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d, snap.ReferralDetail, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("detail (-ReferralDetail +snapshot):\n%s", diff)
	}
	flags, err := f.s.ReferralFlags(f.ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(flags) == 0 {
		t.Fatal("no flags for an item 9 answer above 0: the comparison below would prove nothing")
	}
	if diff := cmp.Diff(flags, snap.Flags); diff != "" {
		t.Errorf("flags (-ReferralFlags +snapshot):\n%s", diff)
	}
	invs, err := f.s.Invitations(f.ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(invs) != 1 {
		t.Fatalf("%d invitations, want 1", len(invs))
	}
	if diff := cmp.Diff(invs, snap.Invitations); diff != "" {
		t.Errorf("invitations (-Invitations +snapshot):\n%s", diff)
	}
	if snap.Expectation == nil {
		t.Error("no expectation")
	}
	// Only the names the scores need: who recorded and who corrected, not
	// every user.
	want := map[int64]string{f.therapist.ID: "Tara Therapist", f.supervisor.ID: "Sam Supervisor"}
	if diff := cmp.Diff(want, snap.Names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if _, err := f.s.ReferralSnapshot(f.ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown referral: got %v, want ErrNotFound", err)
	}
}
