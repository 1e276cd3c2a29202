package caseload

import (
	"slices"
	"strings"
	"testing"
	"time"

	"clinic/internal/measures"
)

// deteriorate records two sessions on the fixture's referral: PHQ-9 from 10
// to 19 (a reliable deterioration, RC 6) with item 9 answered 2 (high risk).
func (f *fixture) deteriorate(t *testing.T, referralID int64) {
	t.Helper()
	gad := answers(1, 1, 1, 1, 1, 1, 1)
	for _, c := range []NewContact{
		session("2026-02-02", answers(2, 1, 1, 1, 1, 1, 1, 1, 1), gad),
		session("2026-02-09", answers(3, 2, 2, 2, 2, 2, 2, 2, 2), gad),
	} {
		if _, err := f.s.RecordContact(f.ctx, f.therapist, referralID, c); err != nil {
			t.Fatal(err)
		}
	}
}

func codes(flags []measures.Flag) []string {
	var out []string
	for _, fl := range flags {
		out = append(out, fl.Code)
	}
	return out
}

func findCase(cases []ReviewCase, referralID int64) (ReviewCase, bool) {
	for _, c := range cases {
		if c.Referral.ID == referralID {
			return c, true
		}
	}
	return ReviewCase{}, false
}

func TestWeeklyReviewListsFlaggedCaseWithReasons(t *testing.T) {
	f := newFixture(t)
	f.deteriorate(t, f.referral.ID)

	cases, err := f.s.WeeklyReview(f.ctx, ReviewScope{Teams: f.supervisor.Teams})
	if err != nil {
		t.Fatal(err)
	}
	c, ok := findCase(cases, f.referral.ID)
	if !ok {
		t.Fatalf("flagged case not on the review: %+v", cases)
	}
	if !c.NeedsDiscussion() || c.Severity() != measures.SeverityHigh {
		t.Errorf("needs discussion %v, severity %q; want true, high", c.NeedsDiscussion(), c.Severity())
	}
	got := codes(c.Flags)
	for _, want := range []string{measures.FlagRisk, measures.FlagDeterioration} {
		if !slices.Contains(got, want) {
			t.Errorf("flags %v lack %s", got, want)
		}
	}
	for _, fl := range c.Flags {
		switch fl.Code {
		case measures.FlagRisk:
			if fl.Severity != measures.SeverityHigh || !strings.Contains(fl.Reason, "item 9") || !strings.Contains(fl.Reason, "was 2") {
				t.Errorf("risk flag %+v", fl)
			}
		case measures.FlagDeterioration:
			if !strings.Contains(fl.Reason, "PHQ-9 rose from 10 to 19") || !strings.Contains(fl.Reason, "≥ 6") {
				t.Errorf("deterioration reason %q", fl.Reason)
			}
		}
	}
	if c.Referral.PatientName != "Pat Example" || c.Referral.TherapistName != "Tara Therapist" {
		t.Errorf("referral %+v", c.Referral)
	}

	// The same flags through ReferralFlags, for the API and the referral page.
	flags, err := f.s.ReferralFlags(f.ctx, f.referral.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(codes(flags), got) {
		t.Errorf("ReferralFlags %v, weekly review %v", codes(flags), got)
	}
	if _, err := f.s.ReferralFlags(f.ctx, 9999); err == nil {
		t.Error("flags of a missing referral: no error")
	}
}

func TestWeeklyReviewScope(t *testing.T) {
	f := newFixture(t)
	f.deteriorate(t, f.referral.ID)
	// A flagged case in South, on the other therapist's caseload.
	p, err := f.s.CreatePatient(f.ctx, f.other, NewPatient{Name: "South Patient", DateOfBirth: "1970-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	south, err := f.s.CreateReferral(f.ctx, f.other, NewReferral{PatientID: p.ID, ReceivedOn: "2026-01-01", ProblemDescriptor: "F32", Intensity: "low"})
	if err != nil {
		t.Fatal(err)
	}
	// No treatment 68 days after referral: waiting, high.
	if flags, err := f.s.ReferralFlags(f.ctx, south.ID); err != nil || !slices.Contains(codes(flags), measures.FlagWaiting) {
		t.Fatalf("south referral flags %v, %v", flags, err)
	}

	cases, err := f.s.WeeklyReview(f.ctx, ReviewScope{Teams: f.supervisor.Teams})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := findCase(cases, south.ID); ok {
		t.Error("a supervisor of North sees a South case")
	}
	if _, ok := findCase(cases, f.referral.ID); !ok {
		t.Error("a supervisor of North misses a North case")
	}
	// No teams, no cases.
	if cases, err := f.s.WeeklyReview(f.ctx, ReviewScope{}); err != nil || len(cases) != 0 {
		t.Errorf("review with no teams: %d cases, %v", len(cases), err)
	}
	// One therapist of the team.
	if cases, err := f.s.WeeklyReview(f.ctx, ReviewScope{Teams: f.supervisor.Teams, TherapistID: f.other.ID}); err != nil || len(cases) != 0 {
		t.Errorf("filtered to a therapist with no North cases: %d cases, %v", len(cases), err)
	}
}

func TestReviewedFlagGoesQuietUntilNewData(t *testing.T) {
	f := newFixture(t)
	f.deteriorate(t, f.referral.ID)

	rv, err := f.s.RecordReview(f.ctx, f.supervisor, f.referral.ID, NewReview{Date: "2026-03-10", Decision: "risk_plan_agreed", Note: "Risk plan agreed with Tara."})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(rv.FlagCodes, measures.FlagRisk) || rv.ID == 0 {
		t.Errorf("review %+v: want the flags in force", rv)
	}
	cases, err := f.s.WeeklyReview(f.ctx, ReviewScope{Teams: f.supervisor.Teams})
	if err != nil {
		t.Fatal(err)
	}
	c, ok := findCase(cases, f.referral.ID)
	if !ok {
		t.Fatal("a reviewed case with quiet flags should still be listed as quiet")
	}
	if c.NeedsDiscussion() || len(c.Flags) != 0 || len(c.Quiet) == 0 {
		t.Errorf("after review: flags %v quiet %v; want all quiet", codes(c.Flags), codes(c.Quiet))
	}
	if c.LastReview == nil || c.LastReview.Decision != "risk_plan_agreed" || c.LastReview.SupervisorName != "Sam Supervisor" {
		t.Errorf("last review %+v", c.LastReview)
	}

	// New data: another session changes the summary, and the flags are back.
	if _, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID,
		session("2026-03-09", answers(3, 2, 2, 2, 2, 2, 2, 2, 2), answers(1, 1, 1, 1, 1, 1, 1))); err != nil {
		t.Fatal(err)
	}
	cases, err = f.s.WeeklyReview(f.ctx, ReviewScope{Teams: f.supervisor.Teams})
	if err != nil {
		t.Fatal(err)
	}
	c, _ = findCase(cases, f.referral.ID)
	if !c.NeedsDiscussion() || !slices.Contains(codes(c.Flags), measures.FlagRisk) {
		t.Errorf("after new data: flags %v quiet %v; want risk shown again", codes(c.Flags), codes(c.Quiet))
	}

	// Every review is kept and shown with the referral.
	d, err := f.s.ReferralDetail(f.ctx, f.referral.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Reviews) != 1 || d.Reviews[0].Note != "Risk plan agreed with Tara." {
		t.Errorf("reviews on the referral: %+v", d.Reviews)
	}
}

func TestQuietFlagShowsAgainWhenMoreSevere(t *testing.T) {
	flags := []measures.Flag{{Code: measures.FlagWaiting, Severity: measures.SeverityHigh}, {Code: measures.FlagLongTreatment, Severity: measures.SeverityLow}}
	seen := &reviewSeen{hash: "h", severities: map[string]string{measures.FlagWaiting: measures.SeverityMedium, measures.FlagLongTreatment: measures.SeverityLow}}
	tests := []struct {
		name         string
		seen         *reviewSeen
		hash         string
		shown, quiet []string
	}{
		{"never reviewed", nil, "h", []string{"waiting", "long_treatment"}, nil},
		{"same data, waiting now high", seen, "h", []string{"waiting"}, []string{"long_treatment"}},
		{"new data", seen, "other", []string{"waiting", "long_treatment"}, nil},
		{"review from before hashes were kept", &reviewSeen{severities: seen.severities}, "", []string{"waiting", "long_treatment"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shown, quiet := splitQuiet(flags, tt.seen, tt.hash)
			if !slices.Equal(codes(shown), tt.shown) || !slices.Equal(codes(quiet), tt.quiet) {
				t.Errorf("shown %v quiet %v; want %v %v", codes(shown), codes(quiet), tt.shown, tt.quiet)
			}
		})
	}
}

func TestBringToSupervisionListsCaseUntilReviewed(t *testing.T) {
	f := newFixture(t)
	// Received 2026-01-05 and treatment started: no flag of its own.
	gad := answers(1, 1, 1, 1, 1, 1, 1)
	if _, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, session("2026-03-02", answers(1, 1, 1, 1, 1, 1, 1, 1, 0), gad)); err != nil {
		t.Fatal(err)
	}
	if flags, err := f.s.ReferralFlags(f.ctx, f.referral.ID); err != nil || len(flags) != 0 {
		t.Fatalf("flags %v, %v; want none", flags, err)
	}
	if err := f.s.SetBringToSupervision(f.ctx, f.therapist, f.referral.ID, "Unsure about stepping up"); err != nil {
		t.Fatal(err)
	}
	cases, err := f.s.WeeklyReview(f.ctx, ReviewScope{Teams: f.supervisor.Teams})
	if err != nil {
		t.Fatal(err)
	}
	c, ok := findCase(cases, f.referral.ID)
	if !ok || !c.NeedsDiscussion() || c.Referral.BringToSupervision != "Unsure about stepping up" || c.Severity() != measures.SeverityMedium {
		t.Fatalf("brought case: %v %+v", ok, c)
	}
	if _, err := f.s.RecordReview(f.ctx, f.supervisor, f.referral.ID, NewReview{Date: "2026-03-10", Decision: "step_up"}); err != nil {
		t.Fatal(err)
	}
	cases, err = f.s.WeeklyReview(f.ctx, ReviewScope{Teams: f.supervisor.Teams})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := findCase(cases, f.referral.ID); ok {
		t.Error("the request was answered by the review, yet the case is still listed")
	}
}

func TestRecordReviewValidation(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		in     NewReview
		fields []string
	}{
		{"empty", NewReview{}, []string{"date", "decision"}},
		{"not a date", NewReview{Date: "2026-02-30", Decision: "continue"}, []string{"date"}},
		{"future", NewReview{Date: "2026-03-11", Decision: "continue"}, []string{"date"}},
		{"before the referral", NewReview{Date: "2026-01-04", Decision: "continue"}, []string{"date"}},
		{"unknown decision", NewReview{Date: "2026-03-10", Decision: "ignore"}, []string{"decision"}},
		{"note too long", NewReview{Date: "2026-03-10", Decision: "continue", Note: strings.Repeat("x", maxReviewNote+1)}, []string{"note"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.s.RecordReview(f.ctx, f.supervisor, f.referral.ID, tt.in)
			wantFields(t, err, tt.fields...)
		})
	}
	for _, d := range ReviewDecisions {
		if _, err := f.s.RecordReview(f.ctx, f.supervisor, f.referral.ID, NewReview{Date: "2026-01-05", Decision: d}); err != nil {
			t.Errorf("decision %s: %v", d, err)
		}
	}
	if _, err := f.s.RecordReview(f.ctx, f.supervisor, 9999, NewReview{Date: "2026-03-10", Decision: "continue"}); err == nil {
		t.Error("review of a missing referral: no error")
	}
}

// TestExpectationCacheFollowsFinishedCourses checks that the cached curves
// are rebuilt when a course finishes, and only then.
func TestExpectationCacheFollowsFinishedCourses(t *testing.T) {
	f := newFixture(t)
	if _, err := f.s.Expectation(f.ctx); err != nil {
		t.Fatal(err)
	}
	gen := f.s.expect.gen
	f.deteriorate(t, f.referral.ID) // open: no finished course changes
	if _, err := f.s.Expectation(f.ctx); err != nil {
		t.Fatal(err)
	}
	if f.s.expect.gen != gen {
		t.Errorf("curves rebuilt (%d -> %d) though no course finished", gen, f.s.expect.gen)
	}
	if _, err := f.s.EndReferral(f.ctx, f.therapist, f.referral.ID, "2026-03-10", "completed", "", EndRisk{Acknowledged: true, Note: "Risk reviewed"}); err != nil {
		t.Fatal(err)
	}
	// The stale curves are served while a background rebuild runs.
	if _, err := f.s.Expectation(f.ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 500; i++ {
		f.s.expect.mu.Lock()
		done := f.s.expect.gen != gen && !f.s.expect.building
		f.s.expect.mu.Unlock()
		if done {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	exp, err := f.s.Expectation(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if f.s.expect.gen == gen {
		t.Error("curves not rebuilt after a course finished")
	}
	// One finished course: a band with N 1, not enough to judge by.
	if b, ok := exp.Expected(measures.PHQ9, 10, 2); ok || b.N != 1 {
		t.Errorf("band %+v ok %v; want N 1 and not enough", b, ok)
	}
}
