package measures

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func fp(x float64) *float64 { return &x }

func TestServiceRates(t *testing.T) {
	fin := func(o Outcome) Outcome { o.FinishedCourse = true; return o }
	outcomes := []Outcome{
		// Reliably recovered, waited 42 days.
		fin(Outcome{AtCaseness: true, Paired: true, Recovered: true, ReliableImprovement: true, ReliableRecovery: true, WaitDays: 42}),
		// Recovered without reliable improvement, waited 43 days.
		fin(Outcome{AtCaseness: true, Paired: true, Recovered: true, NoReliableChange: true, WaitDays: 43}),
		// Deteriorated, waited 126 days.
		fin(Outcome{AtCaseness: true, Paired: true, ReliableDeterioration: true, WaitDays: 126}),
		// Not at caseness (both first scores below it), improved, waited 127 days.
		fin(Outcome{Paired: true, ReliableImprovement: true, WaitDays: 127,
			PHQ9: MeasureOutcome{Count: 2}, AnxietyM: MeasureOutcome{Count: 2}}),
		// Unpaired, at caseness, no wait known.
		fin(Outcome{AtCaseness: true, WaitDays: -1}),
		// Not finished: not counted at all.
		{AtCaseness: true, Paired: true, Recovered: true, ReliableImprovement: true, ReliableRecovery: true, WaitDays: 1},
		{Open: true, AtCaseness: true, WaitDays: 1},
	}
	want := Rates{
		RuleSet:                 RuleSet,
		Finished:                5,
		NotAtCaseness:           1,
		Recovered:               2,
		ReliablyImproved:        2,
		ReliablyRecovered:       1,
		Deteriorated:            1,
		Paired:                  4,
		RecoveryRate:            fp(2.0 / 4),
		ReliableRecoveryRate:    fp(1.0 / 4),
		ReliableImprovementRate: fp(2.0 / 5),
		DeteriorationRate:       fp(1.0 / 5),
		PairedRate:              fp(4.0 / 5),
		Waited:                  4,
		Within6Weeks:            1,
		Within18Weeks:           3,
		Within6Rate:             fp(1.0 / 4),
		Within18Rate:            fp(3.0 / 4),
	}
	if diff := cmp.Diff(want, ServiceRates(outcomes)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestServiceRatesEmptyDenominators(t *testing.T) {
	want := Rates{RuleSet: RuleSet}
	if diff := cmp.Diff(want, ServiceRates(nil)); diff != "" {
		t.Errorf("no outcomes (-want +got):\n%s", diff)
	}
	// All finished, none at caseness, none with a wait: the recovery and
	// waiting rates have no denominator, the others do.
	got := ServiceRates([]Outcome{{FinishedCourse: true, WaitDays: -1,
		PHQ9: MeasureOutcome{Count: 1}, AnxietyM: MeasureOutcome{Count: 1}}})
	want = Rates{RuleSet: RuleSet, Finished: 1, NotAtCaseness: 1,
		ReliableImprovementRate: fp(0), DeteriorationRate: fp(0), PairedRate: fp(0)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("none at caseness (-want +got):\n%s", diff)
	}
}

// TestServiceRatesFromReferrals runs worked referrals through Evaluate: a
// case not at caseness at the start is outside the recovery denominator.
func TestServiceRatesFromReferrals(t *testing.T) {
	refs := []Referral{
		{Received: day(-30), Descriptor: "F41.1", EndedOn: day(90), Contacts: []Contact{
			assess(0, pg(15, 14)), session(7, pg(10, 9)), session(14, pg(6, 5))}},
		{Received: day(-30), Descriptor: "F41.1", EndedOn: day(90), Contacts: []Contact{
			assess(0, pg(9, 7)), session(7, pg(5, 4)), session(14, pg(3, 3))}},
		{Received: day(-30), Descriptor: "F41.1", EndedOn: day(90), Contacts: []Contact{
			assess(0, pg(15, 14)), session(7, pg(14, 13)), session(20, pg(15, 14))}},
	}
	var outs []Outcome
	for _, r := range refs {
		outs = append(outs, Evaluate(r))
	}
	got := ServiceRates(outs)
	if got.Finished != 3 || got.NotAtCaseness != 1 || got.Recovered != 1 || *got.RecoveryRate != 0.5 {
		t.Errorf("finished %d, not at caseness %d, recovered %d, rate %v; want 3, 1, 1, 0.5",
			got.Finished, got.NotAtCaseness, got.Recovered, *got.RecoveryRate)
	}
	if got.Waited != 3 || got.Within6Weeks != 3 || *got.Within6Rate != 1 {
		t.Errorf("waited %d, within 6 weeks %d", got.Waited, got.Within6Weeks)
	}
}

func TestSummary(t *testing.T) {
	ended := day(120)
	tests := []struct {
		name string
		r    Referral
		want []string
	}{
		{"reliable recovery",
			Referral{Descriptor: "F41.1", EndedOn: ended, Contacts: []Contact{
				assess(0, pg(15, 14)), session(7, pg(10, 9)), session(14, pg(6, 5))}},
			[]string{"Finished a course of treatment (2 treatment sessions)", "At caseness at the start",
				"Reliable improvement", "Recovered", "Reliable recovery"}},
		{"recovered, no reliable change",
			Referral{Descriptor: "F41.1", EndedOn: ended, Contacts: []Contact{
				assess(0, pg(11, 9)), session(7, pg(10, 8)), session(14, pg(9, 7))}},
			[]string{"Finished a course of treatment (2 treatment sessions)", "At caseness at the start",
				"No reliable change", "Recovered"}},
		{"deteriorated, not recovered",
			Referral{Descriptor: "F41.1", EndedOn: ended, Contacts: []Contact{
				assess(0, pg(15, 14)), session(7, pg(21, 14)), session(14, pg(22, 14))}},
			[]string{"Finished a course of treatment (2 treatment sessions)", "At caseness at the start",
				"Reliable deterioration", "Not recovered"}},
		{"not at caseness: no recovery line",
			Referral{Descriptor: "F41.1", EndedOn: ended, Contacts: []Contact{
				assess(0, pg(9, 7)), session(7, pg(5, 4)), session(14, pg(3, 3))}},
			[]string{"Finished a course of treatment (2 treatment sessions)", "Not at caseness at the start",
				"Reliable improvement"}},
		{"PHQ-9 only, below caseness: caseness unknown",
			Referral{Descriptor: "F41.1", EndedOn: ended, Contacts: []Contact{
				session(7, sc{PHQ9: 8}), session(14, sc{PHQ9: 4})}},
			[]string{"Finished a course of treatment (2 treatment sessions)",
				"Caseness at the start unknown: a first PHQ-9 and anxiety score are both needed",
				"Unpaired: GAD-7 had fewer than two scores, so the outcome cannot be judged"}},
		{"ended early, unpaired",
			Referral{Descriptor: "F40.1", EndedOn: ended, Contacts: []Contact{
				assess(0, sc{PHQ9: 12, SPIN: 30}), session(7, sc{PHQ9: 10})}},
			[]string{"Ended before a course of treatment (1 treatment session)", "At caseness at the start",
				"Unpaired: SPIN had fewer than two scores, so the outcome cannot be judged"}},
		{"open, improving, below caseness now",
			Referral{Descriptor: "F41.1", Contacts: []Contact{
				assess(0, pg(15, 14)), session(7, pg(8, 6))}},
			[]string{"Open: 1 treatment session so far", "At caseness at the start",
				"Reliable improvement so far", "Below caseness now"}},
		{"open, deteriorating",
			Referral{Descriptor: "F41.1", Contacts: []Contact{
				assess(0, pg(15, 14)), session(7, pg(15, 18)), session(14, pg(16, 19))}},
			[]string{"Open: 2 treatment sessions so far", "At caseness at the start",
				"Reliable deterioration so far", "At caseness now"}},
		{"open, no change",
			Referral{Descriptor: "F41.1", Contacts: []Contact{
				assess(0, pg(15, 14)), session(7, pg(14, 13))}},
			[]string{"Open: 1 treatment session so far", "At caseness at the start",
				"No reliable change so far", "At caseness now"}},
		{"open, not yet paired",
			Referral{Descriptor: "F41.1", Contacts: []Contact{assess(0, pg(15, 14))}},
			[]string{"Open: 0 treatment sessions so far", "At caseness at the start",
				"Not yet paired: PHQ-9 and GAD-7 need two scores or more"}},
		{"open, the ADSM not yet paired",
			Referral{Descriptor: "F43.1", Contacts: []Contact{
				assess(0, sc{PHQ9: 15, IESR: 40}), session(7, sc{PHQ9: 12})}},
			[]string{"Open: 1 treatment session so far", "At caseness at the start",
				"Not yet paired: IES-R needs two scores or more"}},
		{"open, no scores",
			Referral{Descriptor: "F41.1", Contacts: []Contact{missed(3)}},
			[]string{"Open: 0 treatment sessions so far", "No PHQ-9 or anxiety scores recorded"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Evaluate(tt.r).Summary()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	if got := name("bdi"); got != "bdi" {
		t.Errorf(`name("bdi") = %q`, got)
	}
}

// TestNotAtCasenessAtStart checks NHS England's positive count at each
// boundary: both first scores present and below caseness, one score or
// none, and a first score at caseness - 1, caseness and caseness + 1.
func TestNotAtCasenessAtStart(t *testing.T) {
	tests := []struct {
		name     string
		contacts []Contact
		want     bool
	}{
		{"no scores at all", []Contact{session(7, sc{}), session(14, sc{})}, false},
		{"only PHQ-9, below caseness", []Contact{session(7, sc{PHQ9: 5}), session(14, sc{PHQ9: 4})}, false},
		{"only GAD-7, below caseness", []Contact{session(7, sc{GAD7: 5}), session(14, sc{GAD7: 4})}, false},
		{"both below: PHQ-9 9, GAD-7 7", []Contact{session(7, pg(9, 7)), session(14, pg(3, 3))}, true},
		{"PHQ-9 at caseness 10", []Contact{session(7, pg(10, 7)), session(14, pg(3, 3))}, false},
		{"PHQ-9 above caseness 11", []Contact{session(7, pg(11, 7)), session(14, pg(3, 3))}, false},
		{"GAD-7 at caseness 8", []Contact{session(7, pg(9, 8)), session(14, pg(3, 3))}, false},
		{"GAD-7 above caseness 9", []Contact{session(7, pg(9, 9)), session(14, pg(3, 3))}, false},
		{"first scores on different contacts", []Contact{session(7, sc{PHQ9: 9}), session(14, sc{GAD7: 7})}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Evaluate(Referral{Received: day(0), Descriptor: "F41.1", EndedOn: day(30), Contacts: tt.contacts})
			if !o.FinishedCourse {
				t.Fatalf("not a finished course: %+v", o)
			}
			if o.NotAtCaseness != tt.want || NotAtCasenessAtStart(o) != tt.want {
				t.Errorf("NotAtCaseness = %v, NotAtCasenessAtStart = %v, want %v", o.NotAtCaseness, NotAtCasenessAtStart(o), tt.want)
			}
			if o.NotAtCaseness && o.AtCaseness {
				t.Error("both at and not at caseness")
			}
		})
	}
}

// TestUnscoredCourseStaysInRecoveryDenominator: a finished course without
// first scores counts against recovery, not out of it (outcomes.md
// section 3, England 2024-25: 634,248 + 35,234 < 670,419 finished).
func TestUnscoredCourseStaysInRecoveryDenominator(t *testing.T) {
	ref := func(contacts ...Contact) Outcome {
		return Evaluate(Referral{Received: day(0), Descriptor: "F41.1", EndedOn: day(60), Contacts: contacts})
	}
	outs := []Outcome{
		ref(session(7, pg(15, 14)), session(14, pg(6, 5))), // recovered
		ref(session(7, sc{}), session(14, sc{})),           // no scores
		ref(session(7, sc{PHQ9: 15}), session(14, sc{PHQ9: 5})),
		ref(session(7, pg(9, 7)), session(14, pg(3, 3))), // not at caseness
	}
	r := ServiceRates(outs)
	if r.Finished != 4 || r.NotAtCaseness != 1 || r.Recovered != 1 {
		t.Fatalf("counts %+v", r)
	}
	if r.RecoveryRate == nil || *r.RecoveryRate != 1.0/3 {
		t.Errorf("recovery rate %v, want 1/3 (the unscored courses stay in the denominator)", r.RecoveryRate)
	}
}

// TestTreatmentAppointments: a course is finished by two attended
// treatment appointments of any of the three treatment purposes, attended
// on time or late but seen; the other purposes and outcomes do not count.
func TestTreatmentAppointments(t *testing.T) {
	c := func(d int, k ContactKind, a Attendance) Contact {
		return Contact{Date: day(d), Kind: k, Attendance: a}
	}
	tests := []struct {
		kind     ContactKind
		att      Attendance
		sessions int
	}{
		{Treatment, Attended, 2},
		{AssessmentTreatment, Attended, 2},
		{ReviewTreatment, Attended, 2},
		{Treatment, AttendedLate, 2},
		{Assessment, Attended, 0},
		{Review, Attended, 0},
		{FollowUp, Attended, 0},
		{Treatment, LateNotSeen, 0},
		{Treatment, DNA, 0},
		{Treatment, CancelledByPatient, 0},
		{Treatment, CancelledByProvider, 0},
		{Treatment, Cancelled, 0},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+"/"+string(tt.att), func(t *testing.T) {
			o := Evaluate(Referral{Received: day(0), EndedOn: day(30),
				Contacts: []Contact{c(7, tt.kind, tt.att), c(14, tt.kind, tt.att)}})
			if o.TreatmentSessions != tt.sessions || o.FinishedCourse != (tt.sessions >= 2) {
				t.Errorf("sessions %d finished %v, want %d", o.TreatmentSessions, o.FinishedCourse, tt.sessions)
			}
		})
	}
	for _, k := range ContactKinds {
		want := k == Treatment || k == AssessmentTreatment || k == ReviewTreatment
		if k.IsTreatment() != want {
			t.Errorf("%s.IsTreatment() = %v", k, !want)
		}
	}
	for _, a := range append(Attendances, Cancelled) {
		want := a == Attended || a == AttendedLate
		if a.IsAttended() != want {
			t.Errorf("%s.IsAttended() = %v", a, !want)
		}
	}
}
