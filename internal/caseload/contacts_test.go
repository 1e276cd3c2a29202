package caseload

import (
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"clinic/internal/measures"
)

func TestRecordContactValidation(t *testing.T) {
	f := newFixture(t)
	phq := answers(1, 1, 1, 1, 1, 1, 1, 1, 1)
	gad := answers(1, 1, 1, 1, 1, 1, 1)
	scores := func(m map[measures.InstrumentID]ScoreInput) func(*NewContact) {
		return func(c *NewContact) { c.Scores = m }
	}
	tests := []struct {
		name   string
		change func(*NewContact)
		fields []string
	}{
		{"no date", func(c *NewContact) { c.Date = "" }, []string{"date"}},
		{"not a date", func(c *NewContact) { c.Date = "yesterday" }, []string{"date"}},
		{"impossible date", func(c *NewContact) { c.Date = "2026-02-30" }, []string{"date"}},
		{"tomorrow", func(c *NewContact) { c.Date = "2026-03-11" }, []string{"date"}},
		{"before the referral", func(c *NewContact) { c.Date = "2026-01-04" }, []string{"date"}},
		{"no kind", func(c *NewContact) { c.Kind = "" }, []string{"kind"}},
		{"unknown kind", func(c *NewContact) { c.Kind = "group" }, []string{"kind"}},
		{"no attendance", func(c *NewContact) { c.Attendance = "" }, []string{"attendance"}},
		{"unknown attendance", func(c *NewContact) { c.Attendance = "late" }, []string{"attendance"}},
		{"scores at a missed appointment", func(c *NewContact) { c.Attendance = "dna" }, []string{"scores"}},
		{"scores at a cancelled appointment", func(c *NewContact) { c.Attendance = "cancelled" }, []string{"scores"}},
		{"unknown source", func(c *NewContact) { c.Source = "robot" }, []string{"source"}},
		{"long submission id", func(c *NewContact) { c.SubmissionID = strings.Repeat("s", 101) }, []string{"submission_id"}},
		{"unknown instrument", scores(map[measures.InstrumentID]ScoreInput{"bdi": {Total: total(10)}}), []string{"scores.bdi"}},
		{"answer out of range", scores(map[measures.InstrumentID]ScoreInput{measures.PHQ9: {Items: answers(1, 1, 1, 4, 1, 1, 1, 1, 1)}}), []string{"scores.phq9.items.4"}},
		{"two answers out of range", scores(map[measures.InstrumentID]ScoreInput{measures.GAD7: {Items: answers(9, 1, 1, 1, 1, 1, 7)}}), []string{"scores.gad7.items.1", "scores.gad7.items.7"}},
		{"too few answers", scores(map[measures.InstrumentID]ScoreInput{measures.PHQ9: {Items: answers(1, 1, 1)}}), []string{"scores.phq9.items"}},
		{"too many unanswered", scores(map[measures.InstrumentID]ScoreInput{measures.PHQ9: {Items: answers(1, 1, 1, -1, -1, -1, 1, 1, 1)}}), []string{"scores.phq9.items"}},
		{"itemised as a total", scores(map[measures.InstrumentID]ScoreInput{measures.PHQ9: {Total: total(12)}}), []string{"scores.phq9.total"}},
		{"itemised with neither", scores(map[measures.InstrumentID]ScoreInput{measures.GAD7: {}}), []string{"scores.gad7.items"}},
		{"total-only with items", scores(map[measures.InstrumentID]ScoreInput{measures.SPIN: {Items: answers(1, 2)}}), []string{"scores.spin.items"}},
		{"total-only with neither", scores(map[measures.InstrumentID]ScoreInput{measures.SPIN: {}}), []string{"scores.spin.total"}},
		{"total out of range", scores(map[measures.InstrumentID]ScoreInput{measures.SPIN: {Total: total(69)}}), []string{"scores.spin.total"}},
		{"total not whole", scores(map[measures.InstrumentID]ScoreInput{measures.PDSS: {Total: total(7.5)}}), []string{"scores.pdss.total"}},
		{"MI with three decimals", scores(map[measures.InstrumentID]ScoreInput{measures.MIAlone: {Total: total(2.304)}}), []string{"scores.mi_alone.total"}},
		{"everything", func(c *NewContact) {
			*c = NewContact{Scores: map[measures.InstrumentID]ScoreInput{measures.PHQ9: {Items: phq}}}
		}, []string{"date", "kind", "attendance"}},
		{"problems in several scores", scores(map[measures.InstrumentID]ScoreInput{
			measures.PHQ9: {Items: answers(1, 1, 1, 1, 1, 1, 1, 1, 5)},
			measures.GAD7: {Items: gad},
			measures.OCI:  {Total: total(-1)},
		}), []string{"scores.phq9.items.9", "scores.oci.total"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := session("2026-02-03", phq, gad)
			tt.change(&in)
			_, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, in)
			wantFields(t, err, tt.fields...)
		})
	}
	d, err := f.s.ReferralDetail(f.ctx, f.referral.ID)
	if err != nil || len(d.Contacts) != 0 {
		t.Errorf("after invalid contacts: %d contacts (%v), want none", len(d.Contacts), err)
	}
	if _, err := f.s.RecordContact(f.ctx, f.therapist, 999, session("2026-02-03", phq, gad)); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown referral: got %v, want ErrNotFound", err)
	}
}

func TestRecordContactBoundaries(t *testing.T) {
	f := newFixture(t)
	// The referral's received date and today are both allowed; a missed
	// appointment with no scores too.
	for _, c := range []NewContact{
		session("2026-01-05", answers(1, 1, 1, 1, 1, 1, 1, 1, 1), answers(1, 1, 1, 1, 1, 1, 1)),
		session("2026-03-10", answers(1, 1, 1, 1, 1, 1, 1, 1, 1), answers(1, 1, 1, 1, 1, 1, 1)),
		{Date: "2026-02-01", Kind: "follow_up", Attendance: "dna"},
		{Date: "2026-02-02", Kind: "review", Attendance: "attended"},
	} {
		if _, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, c); err != nil {
			t.Errorf("%s %s: %v", c.Date, c.Attendance, err)
		}
	}
	// Late in the evening in summer, "today" is England's date, a day ahead of UTC.
	f.clock.t = time.Date(2026, 7, 1, 23, 30, 0, 0, time.UTC)
	if _, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, NewContact{Date: "2026-07-02", Kind: "treatment", Attendance: "cancelled"}); err != nil {
		t.Errorf("contact on England's today: %v", err)
	}
	_, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, NewContact{Date: "2026-07-03", Kind: "treatment", Attendance: "cancelled"})
	wantFields(t, err, "date")
}

func TestRecordContactStoresRawAnswersAndComputedTotals(t *testing.T) {
	f := newFixture(t)
	c, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, NewContact{
		Date: "2026-02-03", Kind: "treatment", Attendance: "attended", Source: SourcePatient,
		Scores: map[measures.InstrumentID]ScoreInput{
			measures.PHQ9:    {Items: answers(3, 2, -1, 1, 0, 2, 3, 1, 2)},
			measures.GAD7:    {Items: answers(1, 1, 1, 1, 1, 1, 1)},
			measures.MIAlone: {Total: total(2.31)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	type stored struct {
		Instrument string
		Items      sql.NullString
		Total      float64
		Prorated   bool
		Source     string
	}
	rows, err := f.s.db.Query(`SELECT instrument, items_json, total, prorated, source FROM scores WHERE contact_id = ? ORDER BY instrument`, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []stored
	for rows.Next() {
		var s stored
		if err := rows.Scan(&s.Instrument, &s.Items, &s.Total, &s.Prorated, &s.Source); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []stored{
		{"gad7", sql.NullString{String: "[1,1,1,1,1,1,1]", Valid: true}, 7, false, "patient"},
		{"mi_alone", sql.NullString{}, 2.31, false, "patient"},
		// 14 from 8 answers, pro-rated to 14 × 9/8 = 15.75, rounded half up.
		{"phq9", sql.NullString{String: "[3,2,null,1,0,2,3,1,2]", Valid: true}, 16, true, "patient"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored scores (-want +got):\n%s", diff)
	}
}

func TestRecordContactIdempotent(t *testing.T) {
	f := newFixture(t)
	in := session("2026-02-03", answers(1, 1, 1, 1, 1, 1, 1, 1, 1), answers(1, 1, 1, 1, 1, 1, 1))
	in.SubmissionID = "form-123"
	first, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	// A double click: the same submission again, even with other answers,
	// records nothing and returns the first contact, saying so.
	again := session("2026-02-04", answers(3, 3, 3, 3, 3, 3, 3, 3, 3), answers(3, 3, 3, 3, 3, 3, 3))
	again.SubmissionID = " form-123 "
	second, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, again)
	if !errors.Is(err, ErrAlreadyRecorded) {
		t.Fatalf("second submission: err %v, want ErrAlreadyRecorded", err)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("second submission returned another contact (-first +second):\n%s", diff)
	}
	// The same id on another referral, and another id, are new contacts.
	other, err := f.s.CreateReferral(f.ctx, f.therapist, NewReferral{PatientID: f.patient.ID, ReceivedOn: "2026-01-01", ProblemDescriptor: "F32", Intensity: "low"})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := f.s.RecordContact(f.ctx, f.therapist, other.ID, in); err != nil || c.ID == first.ID {
		t.Errorf("same submission id on another referral: %v, %v", c.ID, err)
	}
	in.SubmissionID = "form-124"
	if c, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, in); err != nil || c.ID == first.ID {
		t.Errorf("new submission id: %v, %v", c.ID, err)
	}
	// Without a submission id, each call records.
	in.SubmissionID = ""
	a, _ := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, in)
	b, _ := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, in)
	if a.ID == 0 || a.ID == b.ID {
		t.Errorf("contacts without submission id: %d, %d; want two", a.ID, b.ID)
	}
	d, err := f.s.ReferralDetail(f.ctx, f.referral.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Contacts) != 4 {
		t.Errorf("referral has %d contacts, want 4", len(d.Contacts))
	}
}

func TestClosedReferralTakesNoContacts(t *testing.T) {
	f := newFixture(t)
	in := session("2026-02-03", answers(1, 1, 1, 1, 1, 1, 1, 1, 1), answers(1, 1, 1, 1, 1, 1, 1))
	in.SubmissionID = "before-end"
	first, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.EndReferral(f.ctx, f.therapist, f.referral.ID, "2026-02-10", "completed", "", EndRisk{Acknowledged: true, Note: "Risk reviewed"}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		date   string
		fields []string
	}{
		{"before the end", "2026-02-05", []string{"referral"}},
		{"on the end", "2026-02-10", []string{"referral"}},
		{"after the end", "2026-02-11", []string{"referral", "date"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, NewContact{Date: tt.date, Kind: "follow_up", Attendance: "dna"})
			wantFields(t, err, tt.fields...)
		})
	}
	// A resent form from before the end still answers with its contact.
	if again, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, in); !errors.Is(err, ErrAlreadyRecorded) || again.ID != first.ID {
		t.Errorf("resubmission after the end: %v, %v", again.ID, err)
	}
}

func TestCorrectScoreKeepsHistory(t *testing.T) {
	f := newFixture(t)
	c0, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, session("2026-01-20", answers(2, 2, 2, 2, 2, 2, 2, 2, 0), answers(2, 2, 2, 2, 2, 2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	c1, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, session("2026-02-03", answers(2, 2, 2, 2, 2, 2, 2, 2, 0), answers(2, 2, 2, 2, 2, 2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	var phq Score
	for _, sc := range c1.Scores {
		if sc.Instrument == measures.PHQ9 {
			phq = sc
		}
	}
	before, _ := f.s.ReferralDetail(f.ctx, f.referral.ID)
	if before.Outcome.PHQ9.Last != 16 {
		t.Fatalf("PHQ-9 last before correction = %v", before.Outcome.PHQ9.Last)
	}

	tests := []struct {
		name   string
		in     ScoreInput
		reason string
		fields []string
	}{
		{"no reason", ScoreInput{Items: answers(0, 0, 0, 0, 0, 0, 0, 0, 0)}, "  ", []string{"reason"}},
		{"long reason", ScoreInput{Items: answers(0, 0, 0, 0, 0, 0, 0, 0, 0)}, strings.Repeat("r", 1001), []string{"reason"}},
		{"bad answer", ScoreInput{Items: answers(0, 0, 0, 0, 0, 0, 0, 0, 4)}, "typo", []string{"scores.phq9.items.9"}},
		{"as a total", ScoreInput{Total: total(3)}, "typo", []string{"scores.phq9.total"}},
		{"nothing", ScoreInput{}, "", []string{"reason", "scores.phq9.items"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.s.CorrectScore(f.ctx, f.therapist, phq.ID, tt.in, tt.reason)
			wantFields(t, err, tt.fields...)
		})
	}

	f.clock.t = testNow.Add(time.Hour)
	corrected, err := f.s.CorrectScore(f.ctx, f.other, phq.ID, ScoreInput{Items: answers(1, 1, 1, 1, 1, 1, 1, 1, 1)}, " Entered the wrong week's answers ")
	if err != nil {
		t.Fatal(err)
	}
	want := Score{
		ID: corrected.ID, ContactID: c1.ID, Instrument: measures.PHQ9, Items: answers(1, 1, 1, 1, 1, 1, 1, 1, 1),
		Total: 9, Source: SourceTherapist, RecordedBy: f.other.ID, RecordedAt: f.clock.t, Replaces: phq.ID,
	}
	if diff := cmp.Diff(want, corrected); diff != "" {
		t.Errorf("corrected score (-want +got):\n%s", diff)
	}
	d, err := f.s.ReferralDetail(f.ctx, f.referral.ID)
	if err != nil {
		t.Fatal(err)
	}
	old := phq
	old.SupersededAt, old.SupersededBy, old.CorrectionReason = f.clock.t, f.other.ID, "Entered the wrong week's answers"
	var gotPHQ []Score
	for _, sc := range d.Contacts[1].Scores {
		if sc.Instrument == measures.PHQ9 {
			gotPHQ = append(gotPHQ, sc)
		}
	}
	// The one in force first, then the one it replaced, unchanged but marked.
	if diff := cmp.Diff([]Score{want, old}, gotPHQ); diff != "" {
		t.Errorf("PHQ-9 history (-want +got):\n%s", diff)
	}
	if !gotPHQ[0].Current() || gotPHQ[1].Current() {
		t.Error("Current() does not tell the score in force")
	}
	// The outcome uses the correction.
	if o := d.Outcome; o.PHQ9.Last != 9 || o.PHQ9.First != 16 || o.PHQ9.Change != measures.ReliableImprovement {
		t.Errorf("outcome after correction: %+v", o.PHQ9)
	}
	if diff := cmp.Diff(c0, d.Contacts[0], cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("another contact changed (-want +got):\n%s", diff)
	}

	// A superseded score cannot be corrected again; the new one can.
	if _, err := f.s.CorrectScore(f.ctx, f.therapist, phq.ID, ScoreInput{Items: answers(0, 0, 0, 0, 0, 0, 0, 0, 0)}, "again"); !errors.Is(err, ErrConflict) {
		t.Errorf("correcting a superseded score: got %v, want ErrConflict", err)
	}
	if _, err := f.s.CorrectScore(f.ctx, f.therapist, corrected.ID, ScoreInput{Items: answers(0, 0, 0, 0, 0, 0, 0, 0, 0)}, "again"); err != nil {
		t.Errorf("correcting the correction: %v", err)
	}
	if _, err := f.s.CorrectScore(f.ctx, f.therapist, 999, ScoreInput{Items: answers(0, 0, 0, 0, 0, 0, 0, 0, 0)}, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("correcting an unknown score: got %v, want ErrNotFound", err)
	}
	// A total-only measure is corrected with a total.
	c2, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, NewContact{Date: "2026-02-10", Kind: "treatment", Attendance: "attended",
		Scores: map[measures.InstrumentID]ScoreInput{measures.SPIN: {Total: total(40)}}})
	if err != nil {
		t.Fatal(err)
	}
	spin, err := f.s.CorrectScore(f.ctx, f.therapist, c2.Scores[0].ID, ScoreInput{Total: total(30)}, "misread")
	if err != nil || spin.Total != 30 || spin.Items != nil {
		t.Errorf("SPIN correction: %+v, %v", spin, err)
	}
	// The database itself refuses to change or delete a score in place.
	if _, err := f.s.db.Exec(`UPDATE scores SET total = 0 WHERE id = ?`, phq.ID); err == nil {
		t.Error("a score's total was changed in place")
	}
	if _, err := f.s.db.Exec(`DELETE FROM scores WHERE id = ?`, phq.ID); err == nil {
		t.Error("a score was deleted")
	}
}
