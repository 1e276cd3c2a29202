package measures

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestReliableChangeOf hits every reliable-change boundary: a change of
// RC − 1, RC and RC + 1 in each direction (the MI in hundredths).
func TestReliableChangeOf(t *testing.T) {
	type row struct {
		id          InstrumentID
		first, last float64
		want        Change
	}
	var tests []row
	for _, in := range Instruments() {
		if in.RC == 0 || in.Decimals > 0 {
			continue
		}
		f := math.Floor((in.Min + in.Max) / 2)
		tests = append(tests,
			row{in.ID, f, f - in.RC + 1, NoReliableChange},
			row{in.ID, f, f - in.RC, ReliableImprovement},
			row{in.ID, f, f - in.RC - 1, ReliableImprovement},
			row{in.ID, f, f + in.RC - 1, NoReliableChange},
			row{in.ID, f, f + in.RC, ReliableDeterioration},
			row{in.ID, f, f + in.RC + 1, ReliableDeterioration},
			row{in.ID, f, f, NoReliableChange},
		)
	}
	tests = append(tests,
		// PHQ-9 RC 6 and GAD-7 RC 4 spelled out (NHS Data Dictionary).
		row{PHQ9, 14, 21, ReliableDeterioration},
		row{PHQ9, 14, 8, ReliableImprovement},
		row{PHQ9, 14, 9, NoReliableChange},
		row{GAD7, 12, 8, ReliableImprovement},
		row{GAD7, 12, 9, NoReliableChange},
		// MI, RC 0.73.
		row{MIAlone, 3.00, 2.28, NoReliableChange},
		row{MIAlone, 3.00, 2.27, ReliableImprovement},
		row{MIAlone, 3.00, 2.26, ReliableImprovement},
		row{MIAlone, 3.00, 3.72, NoReliableChange},
		row{MIAlone, 3.00, 3.73, ReliableDeterioration},
		row{MIAlone, 3.00, 3.74, ReliableDeterioration},
		row{MIAlone, 2.30, 3.03, ReliableDeterioration}, // 0.7299999... in floating point
		row{MIAlone, 3.03, 2.30, ReliableImprovement},
		// No RC defined, unknown instrument, not a number.
		row{WSAS, 40, 0, NoReliableChange},
		row{Phobia, 0, 24, NoReliableChange},
		row{"bdi", 40, 0, NoReliableChange},
		row{PHQ9, math.NaN(), 0, NoReliableChange},
		row{PHQ9, 20, math.NaN(), NoReliableChange},
	)
	if len(tests) < 6*7 {
		t.Fatalf("only %d rows: the catalogue lost its RC values", len(tests))
	}
	for _, tt := range tests {
		if got := ReliableChangeOf(tt.id, tt.first, tt.last); got != tt.want {
			t.Errorf("ReliableChangeOf(%s, %v, %v) = %v, want %v", tt.id, tt.first, tt.last, got, tt.want)
		}
	}
}

// Referral building blocks for the worked examples.

var day0 = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

func day(n int) time.Time { return day0.AddDate(0, 0, n) }

type sc = map[InstrumentID]float64

func assess(d int, s sc) Contact {
	return Contact{Date: day(d), Kind: Assessment, Attendance: Attended, Scores: s}
}

func session(d int, s sc) Contact {
	return Contact{Date: day(d), Kind: Treatment, Attendance: Attended, Scores: s}
}

func missed(d int) Contact {
	return Contact{Date: day(d), Kind: Treatment, Attendance: DNA}
}

func pg(phq, gad float64) sc { return sc{PHQ9: phq, GAD7: gad} }

// verdict is the part of an Outcome the worked examples check.
type verdict struct {
	Open, Finished                       bool
	Sessions                             int
	Anxiety                              InstrumentID
	Paired, AtCaseness                   bool
	Recovered, Improved, Deteriorated    bool
	NoChange, ReliablyRecovered          bool
	PHQFirst, PHQLast, AnxFirst, AnxLast float64
}

func verdictOf(o Outcome) verdict {
	return verdict{
		Open: o.Open, Finished: o.FinishedCourse, Sessions: o.TreatmentSessions,
		Anxiety: o.Anxiety, Paired: o.Paired, AtCaseness: o.AtCaseness,
		Recovered: o.Recovered, Improved: o.ReliableImprovement, Deteriorated: o.ReliableDeterioration,
		NoChange: o.NoReliableChange, ReliablyRecovered: o.ReliableRecovery,
		PHQFirst: o.PHQ9.First, PHQLast: o.PHQ9.Last, AnxFirst: o.AnxietyM.First, AnxLast: o.AnxietyM.Last,
	}
}

func TestEvaluateWorkedExamples(t *testing.T) {
	ended := day(120)
	tests := []struct {
		name string
		r    Referral
		want verdict
	}{
		{
			name: "GAD reliably recovered",
			r: Referral{Received: day(-20), Descriptor: "F41.1", EndedOn: ended, Contacts: []Contact{
				assess(0, pg(15, 14)), session(7, pg(14, 13)), session(14, pg(10, 9)), session(21, pg(6, 5)),
			}},
			want: verdict{Finished: true, Sessions: 3, Anxiety: GAD7, Paired: true, AtCaseness: true,
				Recovered: true, Improved: true, ReliablyRecovered: true,
				PHQFirst: 15, PHQLast: 6, AnxFirst: 14, AnxLast: 5},
		},
		{
			name: "drop-out after two treatment sessions: last score carried forward",
			r: Referral{Received: day(-20), Descriptor: "F411", EndedOn: ended, EndReason: "dropped out", Contacts: []Contact{
				assess(0, pg(16, 15)), session(7, pg(14, 12)), session(14, pg(9, 7)), missed(21), missed(28),
			}},
			want: verdict{Finished: true, Sessions: 2, Anxiety: GAD7, Paired: true, AtCaseness: true,
				Recovered: true, Improved: true, ReliablyRecovered: true,
				PHQFirst: 16, PHQLast: 9, AnxFirst: 15, AnxLast: 7},
		},
		{
			name: "not at caseness at the start",
			r: Referral{Received: day(-20), Descriptor: "F41.1", EndedOn: ended, Contacts: []Contact{
				assess(0, pg(9, 7)), session(7, pg(5, 4)), session(14, pg(3, 3)),
			}},
			want: verdict{Finished: true, Sessions: 2, Anxiety: GAD7, Paired: true,
				Improved: true, PHQFirst: 9, PHQLast: 3, AnxFirst: 7, AnxLast: 3},
		},
		{
			name: "improving on PHQ-9 while reliably worse on the anxiety measure",
			r: Referral{Received: day(-20), Descriptor: "F40.1", EndedOn: ended, Contacts: []Contact{
				assess(0, sc{PHQ9: 18, SPIN: 30}), session(7, sc{PHQ9: 12, SPIN: 36}), session(14, sc{PHQ9: 9, SPIN: 40}),
			}},
			want: verdict{Finished: true, Sessions: 2, Anxiety: SPIN, Paired: true, AtCaseness: true,
				Deteriorated: true, PHQFirst: 18, PHQLast: 9, AnxFirst: 30, AnxLast: 40},
		},
		{
			name: "agoraphobia exactly at 2.3 on the MI is not a case",
			r: Referral{Received: day(-20), Descriptor: "F40.0", EndedOn: ended, Contacts: []Contact{
				assess(0, sc{PHQ9: 8, MIAlone: 2.30}), session(7, sc{PHQ9: 6, MIAlone: 1.80}), session(14, sc{PHQ9: 5, MIAlone: 1.50}),
			}},
			want: verdict{Finished: true, Sessions: 2, Anxiety: MIAlone, Paired: true,
				Improved: true, PHQFirst: 8, PHQLast: 5, AnxFirst: 2.30, AnxLast: 1.50},
		},
		{
			name: "agoraphobia at 2.31 on the MI is a case, and recovers",
			r: Referral{Received: day(-20), Descriptor: "F40.0", EndedOn: ended, Contacts: []Contact{
				assess(0, sc{PHQ9: 8, MIAlone: 2.31}), session(7, sc{PHQ9: 6, MIAlone: 1.80}), session(14, sc{PHQ9: 5, MIAlone: 1.50}),
			}},
			want: verdict{Finished: true, Sessions: 2, Anxiety: MIAlone, Paired: true, AtCaseness: true,
				Recovered: true, Improved: true, ReliablyRecovered: true,
				PHQFirst: 8, PHQLast: 5, AnxFirst: 2.31, AnxLast: 1.50},
		},
		{
			name: "agoraphobia ending at 2.30 on the MI is below caseness",
			r: Referral{Received: day(-20), Descriptor: "F40.0", EndedOn: ended, Contacts: []Contact{
				assess(0, sc{PHQ9: 12, MIAlone: 3.03}), session(7, sc{PHQ9: 9}), session(14, sc{PHQ9: 8, MIAlone: 2.30}),
			}},
			want: verdict{Finished: true, Sessions: 2, Anxiety: MIAlone, Paired: true, AtCaseness: true,
				Recovered: true, Improved: true, ReliablyRecovered: true,
				PHQFirst: 12, PHQLast: 8, AnxFirst: 3.03, AnxLast: 2.30},
		},
		{
			name: "depression judged on PHQ-9 with GAD-7",
			r: Referral{Received: day(-20), Descriptor: "F32.1", EndedOn: ended, Contacts: []Contact{
				assess(0, pg(20, 7)), session(7, pg(15, 7)), session(14, pg(8, 6)),
			}},
			want: verdict{Finished: true, Sessions: 2, Anxiety: GAD7, Paired: true, AtCaseness: true,
				Recovered: true, Improved: true, ReliablyRecovered: true,
				PHQFirst: 20, PHQLast: 8, AnxFirst: 7, AnxLast: 6},
		},
		{
			name: "depression with GAD-7 rising to caseness: not recovered",
			r: Referral{Received: day(-20), Descriptor: "F33", EndedOn: ended, Contacts: []Contact{
				assess(0, pg(20, 5)), session(7, pg(15, 7)), session(14, pg(8, 8)),
			}},
			want: verdict{Finished: true, Sessions: 2, Anxiety: GAD7, Paired: true, AtCaseness: true,
				Improved: true, PHQFirst: 20, PHQLast: 8, AnxFirst: 5, AnxLast: 8},
		},
		{
			name: "recovered without reliable improvement",
			r: Referral{Received: day(-20), Descriptor: "F41.1", EndedOn: ended, Contacts: []Contact{
				assess(0, pg(11, 9)), session(7, pg(10, 8)), session(14, pg(9, 7)),
			}},
			want: verdict{Finished: true, Sessions: 2, Anxiety: GAD7, Paired: true, AtCaseness: true,
				Recovered: true, NoChange: true, PHQFirst: 11, PHQLast: 9, AnxFirst: 9, AnxLast: 7},
		},
		{
			name: "no reliable change",
			r: Referral{Received: day(-20), Descriptor: "F41.1", EndedOn: ended, Contacts: []Contact{
				assess(0, pg(14, 12)), session(7, pg(12, 10)), session(14, pg(10, 9)),
			}},
			want: verdict{Finished: true, Sessions: 2, Anxiety: GAD7, Paired: true, AtCaseness: true,
				NoChange: true, PHQFirst: 14, PHQLast: 10, AnxFirst: 12, AnxLast: 9},
		},
		{
			name: "reliable deterioration on PHQ-9 alone, exactly RC",
			r: Referral{Received: day(-20), Descriptor: "F41.1", EndedOn: ended, Contacts: []Contact{
				assess(0, pg(10, 9)), session(7, pg(14, 9)), session(14, pg(16, 9)),
			}},
			want: verdict{Finished: true, Sessions: 2, Anxiety: GAD7, Paired: true, AtCaseness: true,
				Deteriorated: true, PHQFirst: 10, PHQLast: 16, AnxFirst: 9, AnxLast: 9},
		},
		{
			name: "OCD with OCI recorded once falls back to GAD-7",
			r: Referral{Received: day(-20), Descriptor: "F42", EndedOn: ended, Contacts: []Contact{
				assess(0, sc{PHQ9: 12, GAD7: 12, OCI: 60}), session(7, pg(9, 9)), session(14, pg(6, 6)),
			}},
			want: verdict{Finished: true, Sessions: 2, Anxiety: GAD7, Paired: true, AtCaseness: true,
				Recovered: true, Improved: true, ReliablyRecovered: true,
				PHQFirst: 12, PHQLast: 6, AnxFirst: 12, AnxLast: 6},
		},
		{
			name: "OCD judged on the OCI when it is paired",
			r: Referral{Received: day(-20), Descriptor: "F42.1", EndedOn: ended, Contacts: []Contact{
				assess(0, sc{PHQ9: 8, GAD7: 12, OCI: 60}), session(7, sc{PHQ9: 8, GAD7: 9, OCI: 50}), session(14, sc{PHQ9: 7, GAD7: 6, OCI: 41}),
			}},
			want: verdict{Finished: true, Sessions: 2, Anxiety: OCI, Paired: true, AtCaseness: true,
				NoChange: true, PHQFirst: 8, PHQLast: 7, AnxFirst: 60, AnxLast: 41},
		},
		{
			name: "OCD with neither OCI nor GAD-7 paired: unpaired, nothing judged",
			r: Referral{Received: day(-20), Descriptor: "F42", EndedOn: ended, Contacts: []Contact{
				assess(0, sc{PHQ9: 12, GAD7: 12, OCI: 60}), session(7, sc{PHQ9: 9}), session(14, sc{PHQ9: 5}),
			}},
			want: verdict{Finished: true, Sessions: 2, Anxiety: OCI, AtCaseness: true,
				PHQFirst: 12, PHQLast: 5, AnxFirst: 60, AnxLast: 60},
		},
		{
			name: "PHQ-9 unpaired: nothing judged, still a finished course",
			r: Referral{Received: day(-20), Descriptor: "F41.1", EndedOn: ended, Contacts: []Contact{
				assess(0, pg(20, 15)), session(7, sc{GAD7: 10}), session(14, sc{GAD7: 3}),
			}},
			want: verdict{Finished: true, Sessions: 2, Anxiety: GAD7, AtCaseness: true,
				PHQFirst: 20, PHQLast: 20, AnxFirst: 15, AnxLast: 3},
		},
		{
			name: "anxiety measure at caseness alone counts as at caseness",
			r: Referral{Received: day(-20), Descriptor: "F43.1", EndedOn: ended, Contacts: []Contact{
				assess(0, sc{PHQ9: 6, IESR: 33}), session(7, sc{PHQ9: 6, IESR: 30}), session(14, sc{PHQ9: 5, IESR: 24}),
			}},
			want: verdict{Finished: true, Sessions: 2, Anxiety: IESR, Paired: true, AtCaseness: true,
				Recovered: true, Improved: true, ReliablyRecovered: true,
				PHQFirst: 6, PHQLast: 5, AnxFirst: 33, AnxLast: 24},
		},
		{
			name: "ended after one treatment session: not a finished course",
			r: Referral{Received: day(-20), Descriptor: "F41.1", EndedOn: ended, Contacts: []Contact{
				assess(0, pg(15, 14)), session(7, pg(8, 6)),
			}},
			want: verdict{Sessions: 1, Anxiety: GAD7, Paired: true, AtCaseness: true,
				Recovered: true, Improved: true, ReliablyRecovered: true,
				PHQFirst: 15, PHQLast: 8, AnxFirst: 14, AnxLast: 6},
		},
		{
			name: "open referral judged so far",
			r: Referral{Received: day(-20), Descriptor: "F45.2", Contacts: []Contact{
				assess(0, sc{PHQ9: 12, HAI: 25}), session(7, sc{PHQ9: 11, HAI: 20}), session(14, sc{PHQ9: 9, HAI: 17}),
			}},
			want: verdict{Open: true, Sessions: 2, Anxiety: HAI, Paired: true, AtCaseness: true,
				Recovered: true, Improved: true, ReliablyRecovered: true,
				PHQFirst: 12, PHQLast: 9, AnxFirst: 25, AnxLast: 17},
		},
		{
			name: "follow-ups, reviews and missed contacts are not treatment sessions; a follow-up score is the last",
			r: Referral{Received: day(-20), Descriptor: "F41.0", EndedOn: ended, Contacts: []Contact{
				assess(0, sc{PHQ9: 12, PDSS: 14}),
				session(7, sc{PHQ9: 11, PDSS: 12}),
				{Date: day(10), Kind: Review, Attendance: Attended, Scores: sc{PHQ9: 11, PDSS: 11}},
				{Date: day(12), Kind: Treatment, Attendance: Cancelled, Scores: sc{PHQ9: 27, PDSS: 28}},
				session(14, sc{PHQ9: 10, PDSS: 10}),
				{Date: day(60), Kind: FollowUp, Attendance: Attended, Scores: sc{PHQ9: 5, PDSS: 7}},
			}},
			want: verdict{Finished: true, Sessions: 2, Anxiety: PDSS, Paired: true, AtCaseness: true,
				Recovered: true, Improved: true, ReliablyRecovered: true,
				PHQFirst: 12, PHQLast: 5, AnxFirst: 14, AnxLast: 7},
		},
		{
			name: "contacts in any order are taken by date; invalid scores ignored",
			r: Referral{Received: day(-20), Descriptor: "F41.1", EndedOn: ended, Contacts: []Contact{
				session(14, sc{PHQ9: 6, GAD7: 5, "bdi": 40}),
				session(7, sc{PHQ9: 28, GAD7: math.NaN()}),
				assess(0, sc{PHQ9: 15, GAD7: 14, SPIN: -1}),
			}},
			want: verdict{Finished: true, Sessions: 2, Anxiety: GAD7, Paired: true, AtCaseness: true,
				Recovered: true, Improved: true, ReliablyRecovered: true,
				PHQFirst: 15, PHQLast: 6, AnxFirst: 14, AnxLast: 5},
		},
		{
			name: "no contacts",
			r:    Referral{Received: day(-20), Descriptor: "F41.1"},
			want: verdict{Open: true, Anxiety: GAD7},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Evaluate(tt.r)
			if diff := cmp.Diff(tt.want, verdictOf(o)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if o.RuleSet != RuleSet {
				t.Errorf("RuleSet = %q", o.RuleSet)
			}
			checkInvariants(t, o)
		})
	}
}

func TestEvaluateMeasures(t *testing.T) {
	r := Referral{Received: day(-10), Descriptor: "f401", EndedOn: day(60), Contacts: []Contact{
		assess(0, sc{PHQ9: 14, SPIN: 30, WSAS: 20}),
		session(7, sc{PHQ9: 12}),
		session(14, sc{PHQ9: 9, SPIN: 20}),
	}}
	o := Evaluate(r)
	want := map[InstrumentID]MeasureOutcome{
		PHQ9: {Instrument: PHQ9, Count: 3, First: 14, Last: 9, FirstOn: day(0), LastOn: day(14),
			Paired: true, Delta: -5, Change: NoReliableChange, CaseAtStart: true,
			BySession: []float64{12, 9}, SessionFrom: 1},
		SPIN: {Instrument: SPIN, Count: 2, First: 30, Last: 20, FirstOn: day(0), LastOn: day(14),
			Paired: true, Delta: -10, Change: ReliableImprovement, CaseAtStart: true, CaseNow: true,
			BySession: []float64{30, 20}, SessionFrom: 1},
		WSAS: {Instrument: WSAS, Count: 1, First: 20, Last: 20, FirstOn: day(0), LastOn: day(0),
			BySession: []float64{20, 20}, SessionFrom: 1},
	}
	if diff := cmp.Diff(want, o.Measures); diff != "" {
		t.Errorf("Measures (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[SPIN], o.AnxietyM); diff != "" {
		t.Errorf("AnxietyM (-want +got):\n%s", diff)
	}
	if o.Descriptor != "F40.1" {
		t.Errorf("Descriptor = %q, want F40.1", o.Descriptor)
	}

	// A measure never recorded is still named.
	o = Evaluate(Referral{Descriptor: "F43.1"})
	if o.PHQ9.Instrument != PHQ9 || o.AnxietyM.Instrument != IESR || o.Descriptor != "F43.1" {
		t.Errorf("empty referral: PHQ9 %q, anxiety %q, descriptor %q", o.PHQ9.Instrument, o.AnxietyM.Instrument, o.Descriptor)
	}
	if o := Evaluate(Referral{Descriptor: "rubbish"}); o.Descriptor != "" || o.Anxiety != GAD7 {
		t.Errorf("unreadable descriptor: %q, anxiety %q", o.Descriptor, o.Anxiety)
	}
}

// TestEvaluateBySession checks the session-by-session scores the expected
// curves are built from: carried forward, starting from an assessment score,
// and skipping sessions before a measure's first score.
func TestEvaluateBySession(t *testing.T) {
	r := Referral{Received: day(-10), Descriptor: "F41.1", Contacts: []Contact{
		assess(0, sc{PHQ9: 20}),
		session(7, nil),
		session(14, sc{GAD7: 15}),
		{Date: day(17), Kind: Review, Attendance: Attended, Scores: sc{PHQ9: 16}},
		missed(21),
		session(28, sc{PHQ9: 14, GAD7: 12}),
		session(35, nil),
		{Date: day(90), Kind: FollowUp, Attendance: Attended, Scores: sc{PHQ9: 4}},
	}}
	o := Evaluate(r)
	type bs struct {
		From int
		S    []float64
	}
	got := map[InstrumentID]bs{}
	for id, m := range o.Measures {
		got[id] = bs{m.SessionFrom, m.BySession}
	}
	want := map[InstrumentID]bs{
		PHQ9: {1, []float64{20, 20, 14, 14}},
		GAD7: {2, []float64{15, 12, 12}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("BySession (-want +got):\n%s", diff)
	}
	if o.TreatmentSessions != 4 {
		t.Errorf("TreatmentSessions = %d, want 4", o.TreatmentSessions)
	}
}

func TestEvaluateWaitDays(t *testing.T) {
	tests := []struct {
		name string
		r    Referral
		want int
		on   time.Time
	}{
		{"no treatment yet", Referral{Received: day(0), Contacts: []Contact{assess(3, nil), missed(10)}}, -1, time.Time{}},
		{"first attended treatment", Referral{Received: day(0), Contacts: []Contact{assess(3, nil), missed(10), session(42, nil), session(49, nil)}}, 42, day(42)},
		{"same day", Referral{Received: day(0), Contacts: []Contact{session(0, nil)}}, 0, day(0)},
		{"across a clock change, by calendar date", Referral{Received: time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC),
			Contacts: []Contact{{Date: time.Date(2026, 4, 3, 23, 0, 0, 0, time.UTC), Kind: Treatment, Attendance: Attended}}}, 14,
			time.Date(2026, 4, 3, 23, 0, 0, 0, time.UTC)},
		{"treatment dated before the referral", Referral{Received: day(10), Contacts: []Contact{session(5, nil)}}, 0, day(5)},
		{"no received date", Referral{Contacts: []Contact{session(5, nil)}}, -1, day(5)},
	}
	for _, tt := range tests {
		o := Evaluate(tt.r)
		if o.WaitDays != tt.want || !o.FirstTreatment.Equal(tt.on) {
			t.Errorf("%s: WaitDays = %d, FirstTreatment %v; want %d, %v", tt.name, o.WaitDays, o.FirstTreatment, tt.want, tt.on)
		}
	}
}

func TestEvaluateFlagSupport(t *testing.T) {
	r := Referral{Received: day(-10), Descriptor: "F40.1", Contacts: []Contact{
		{Date: day(0), Kind: Assessment, Attendance: Attended, Scores: sc{PHQ9: 14, GAD7: 12}, Item9: ip(2)},
		{Date: day(7), Kind: Treatment, Attendance: Attended, Scores: sc{PHQ9: 12, GAD7: 10}, Item9: ip(1)},
		// A pro-rated PHQ-9 with item 9 unanswered does not clear the risk.
		{Date: day(14), Kind: Treatment, Attendance: Attended, Scores: sc{PHQ9: 12, WSAS: 20, GAD7: 9}},
		missed(21),
		{Date: day(28), Kind: Treatment, Attendance: Cancelled},
	}}
	o := Evaluate(r)
	type support struct {
		LastAttended, LastContact time.Time
		TrailingMissed            int
		LastAttendedHas           []InstrumentID
		LatestItem9               *int
		LatestItem9On             time.Time
		ADSMEverRecorded          bool
	}
	want := support{day(14), day(28), 2, []InstrumentID{PHQ9, GAD7, WSAS}, ip(1), day(7), false}
	got := support{o.LastAttended, o.LastContact, o.TrailingMissed, o.LastAttendedHas, o.LatestItem9, o.LatestItem9On, o.ADSMEverRecorded}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	r.Contacts = append(r.Contacts, Contact{Date: day(35), Kind: Treatment, Attendance: Attended,
		Scores: sc{PHQ9: 8, SPIN: 22}, Item9: ip(0)})
	o = Evaluate(r)
	want = support{day(35), day(35), 0, []InstrumentID{PHQ9, SPIN}, ip(0), day(35), true}
	got = support{o.LastAttended, o.LastContact, o.TrailingMissed, o.LastAttendedHas, o.LatestItem9, o.LatestItem9On, o.ADSMEverRecorded}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after a later PHQ-9 (-want +got):\n%s", diff)
	}
	// The outcome keeps its own copy of item 9.
	*r.Contacts[len(r.Contacts)-1].Item9 = 3
	if *o.LatestItem9 != 0 {
		t.Error("LatestItem9 shares memory with the referral")
	}
}

func TestEvaluateDoesNotReorderCallersContacts(t *testing.T) {
	cs := []Contact{session(14, pg(5, 5)), assess(0, pg(15, 15))}
	Evaluate(Referral{Contacts: cs})
	if !cs[0].Date.Equal(day(14)) {
		t.Error("Evaluate sorted the caller's slice")
	}
}

// TestEvaluateSameDay keeps the given order for two contacts on one day.
func TestEvaluateSameDay(t *testing.T) {
	o := Evaluate(Referral{Descriptor: "F41.1", Contacts: []Contact{
		assess(0, pg(15, 12)), session(0, pg(13, 11)), session(0, pg(11, 10)),
	}})
	if o.PHQ9.First != 15 || o.PHQ9.Last != 11 {
		t.Errorf("first, last = %v, %v; want 15, 11", o.PHQ9.First, o.PHQ9.Last)
	}
}
