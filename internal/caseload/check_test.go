package caseload

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"clinic/internal/measures"
)

// The checks below run without a database: a contact, an ending and a
// review are checked as pure functions of their input, the referral's span
// and today's date.

func TestCheckReferralDate(t *testing.T) {
	span := referralSpan{received: "2026-01-05", lastContact: "2026-02-10", ended: "2026-03-01"}
	tests := []struct {
		name string
		date string
		span referralSpan
		w    dateWords
		want string // the message on "date", "" for none
	}{
		{"missing", "", span, contactDate, "Enter the date of the appointment"},
		{"missing ending", "", span, endDate, "Enter the date the referral ended"},
		{"missing review", "", span, reviewDate, "Enter the date of the review"},
		{"not a date", "3 March", span, contactDate, "Enter a real date as YYYY-MM-DD"},
		{"impossible", "2026-02-30", span, reviewDate, "Enter a real date as YYYY-MM-DD"},
		{"tomorrow", "2026-03-11", referralSpan{received: "2026-01-05"}, contactDate, "The appointment date must be today or in the past"},
		{"today", "2026-03-10", referralSpan{received: "2026-01-05"}, contactDate, ""},
		{"day before received", "2026-01-04", span, endDate, "The end date cannot be before the referral was received (2026-01-05)"},
		{"day received", "2026-01-05", referralSpan{received: "2026-01-05"}, reviewDate, ""},
		{"day before last contact", "2026-02-09", referralSpan{received: "2026-01-05", lastContact: "2026-02-10"}, endDate,
			"The end date cannot be before the last contact (2026-02-10)"},
		{"day of last contact", "2026-02-10", referralSpan{received: "2026-01-05", lastContact: "2026-02-10"}, endDate, ""},
		{"day after ended", "2026-03-02", referralSpan{received: "2026-01-05", ended: "2026-03-01"}, contactDate,
			"The appointment cannot be after the referral ended (2026-03-01)"},
		{"day ended", "2026-03-01", referralSpan{received: "2026-01-05", ended: "2026-03-01"}, contactDate, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := validation{}
			checkReferralDate(v, tt.date, "2026-03-10", tt.span, tt.w)
			if got := v["date"]; got != tt.want {
				t.Errorf("message %q, want %q", got, tt.want)
			}
			if len(v) > 1 || (len(v) == 1 && v["date"] == "") {
				t.Errorf("messages on other fields: %v", v)
			}
		})
	}
}

func TestCheckContact(t *testing.T) {
	open := referralSpan{received: "2026-01-05"}
	valid := func() NewContact {
		return NewContact{Date: "2026-02-03", Kind: "treatment", Attendance: "attended", Source: SourceTherapist,
			Scores: map[measures.InstrumentID]ScoreInput{
				measures.PHQ9: {Items: answers(3, 2, -1, 1, 0, 2, 3, 1, 2)},
				measures.GAD7: {Items: answers(1, 1, 1, 1, 1, 1, 1)},
				measures.SPIN: {Total: total(30)},
			}}
	}
	tests := []struct {
		name   string
		change func(*NewContact)
		span   referralSpan
		fields []string
	}{
		{"valid", func(*NewContact) {}, open, nil},
		{"missed, no scores", func(c *NewContact) { c.Attendance, c.Scores = "dna", nil }, open, nil},
		{"ended referral", func(*NewContact) {}, referralSpan{received: "2026-01-05", ended: "2026-03-01"}, []string{"referral"}},
		{"after the end", func(c *NewContact) { c.Date = "2026-03-02" }, referralSpan{received: "2026-01-05", ended: "2026-03-01"},
			[]string{"referral", "date"}},
		{"before the referral", func(c *NewContact) { c.Date = "2026-01-04" }, open, []string{"date"}},
		{"in the future", func(c *NewContact) { c.Date = "2026-03-11" }, open, []string{"date"}},
		{"unknown kind", func(c *NewContact) { c.Kind = "group" }, open, []string{"kind"}},
		{"unknown attendance", func(c *NewContact) { c.Attendance = "late" }, open, []string{"attendance"}},
		{"scores when cancelled", func(c *NewContact) { c.Attendance = "cancelled" }, open, []string{"scores"}},
		{"unknown source", func(c *NewContact) { c.Source = "robot" }, open, []string{"source"}},
		{"answer out of range", func(c *NewContact) {
			c.Scores[measures.PHQ9] = ScoreInput{Items: answers(1, 1, 1, 4, 1, 1, 1, 1, 1)}
		}, open, []string{"scores.phq9.items.4"}},
		{"total for an itemised measure", func(c *NewContact) { c.Scores[measures.GAD7] = ScoreInput{Total: total(7)} }, open,
			[]string{"scores.gad7.total"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := valid()
			tt.change(&in)
			scores, err := checkContact(in, tt.span, "2026-03-10")
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("valid contact: %v", err)
				}
				return
			}
			wantFields(t, err, tt.fields...)
			if scores != nil {
				t.Errorf("scores returned with errors: %v", scores)
			}
		})
	}
}

func TestCheckContactScoresByInstrument(t *testing.T) {
	in := NewContact{Date: "2026-02-03", Kind: "treatment", Attendance: "attended", Source: SourceTherapist,
		Scores: map[measures.InstrumentID]ScoreInput{
			measures.SPIN: {Total: total(30)},
			measures.PHQ9: {Items: answers(3, 2, -1, 1, 0, 2, 3, 1, 2)},
			measures.GAD7: {Items: answers(1, 1, 1, 1, 1, 1, 1)},
		}}
	scores, err := checkContact(in, referralSpan{received: "2026-01-05"}, "2026-03-10")
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		Instrument measures.InstrumentID
		Total      float64
		Prorated   bool
	}
	var gots []got
	for _, sc := range scores {
		gots = append(gots, got{sc.Instrument, sc.Total, sc.Prorated})
	}
	want := []got{
		{measures.GAD7, 7, false},
		// 14 from 8 answers, pro-rated to 14 × 9/8 = 15.75, rounded half up.
		{measures.PHQ9, 16, true},
		{measures.SPIN, 30, false},
	}
	if diff := cmp.Diff(want, gots); diff != "" {
		t.Errorf("scores (-want +got):\n%s", diff)
	}
}

func TestCheckEndingAndReview(t *testing.T) {
	r := Referral{ID: 1, ReceivedOn: "2026-01-05"}
	if err := checkEnding(r, "2026-02-10", "2026-02-10", "completed", "", "2026-03-10"); err != nil {
		t.Errorf("ending on the last contact's day: %v", err)
	}
	wantFields(t, checkEnding(r, "2026-02-10", "2026-02-09", "completed", "", "2026-03-10"), "date")
	wantFields(t, checkEnding(r, "", "2026-02-09", "bored", "", "2026-03-10"), "reason")
	wantFields(t, checkEnding(r, "", "2026-02-09", "bored", "97", "2026-03-10"), "reason", "end_code")
	if err := checkEnding(r, "", "2026-02-09", "completed", "46", "2026-03-10"); err != nil {
		t.Errorf("ending with an EndCode: %v", err)
	}
	ended := r
	ended.EndedOn = "2026-02-01"
	wantFields(t, checkEnding(ended, "", "2026-02-09", "completed", "", "2026-03-10"), "referral")

	rv := Review{Date: "2026-01-05", Decision: "continue"}
	if err := checkReview(rv, r.ReceivedOn, "2026-03-10"); err != nil {
		t.Errorf("review on the day received: %v", err)
	}
	rv.Date, rv.Decision = "2026-01-04", "shrug"
	wantFields(t, checkReview(rv, r.ReceivedOn, "2026-03-10"), "date", "decision")
}
