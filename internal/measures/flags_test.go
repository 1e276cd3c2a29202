package measures

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// weekly builds an open referral received 10 days before an assessment on
// day 0, then one attended treatment session a week with the given scores.
func weekly(desc string, first sc, sessions ...sc) Referral {
	r := Referral{Received: day(-10), Descriptor: desc, Contacts: []Contact{assess(0, first)}}
	for i, s := range sessions {
		r.Contacts = append(r.Contacts, session(7*(i+1), s))
	}
	return r
}

// after is the day after a weekly referral's last contact.
func after(r Referral) time.Time {
	return r.Contacts[len(r.Contacts)-1].Date.AddDate(0, 0, 1)
}

// repeat gives n copies of a set of scores.
func repeat(n int, s sc) []sc {
	out := make([]sc, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func flagsOf(r Referral, intensity Intensity, asOf time.Time, exp Expectation) []Flag {
	return Flags(Evaluate(r), r.Descriptor, intensity, asOf, exp)
}

func TestSeverityRank(t *testing.T) {
	got := []int{SeverityRank("high"), SeverityRank("medium"), SeverityRank("low"), SeverityRank(""), SeverityRank("urgent")}
	if diff := cmp.Diff([]int{3, 2, 1, 0, 0}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// A case improving as expected raises nothing; an ended one never does.
func TestFlagsQuietCase(t *testing.T) {
	r := weekly("F41.1", pg(15, 14), pg(12, 11), pg(9, 8))
	if got := flagsOf(r, LowIntensity, after(r), nil); len(got) != 0 {
		t.Errorf("flags on an improving case: %v", got)
	}
	r = weekly("F41.1", pg(15, 14), pg(22, 20), pg(23, 21))
	r.Contacts[1].Item9 = ip(3)
	r.EndedOn = day(20)
	if got := flagsOf(r, LowIntensity, day(200), nil); got != nil {
		t.Errorf("flags on an ended referral: %v", got)
	}
}

func TestFlagRisk(t *testing.T) {
	withItem9 := func(answers ...*int) Referral {
		r := weekly("F41.1", pg(15, 14), pg(12, 11), pg(9, 8))
		for i, a := range answers {
			r.Contacts[i].Item9 = a
		}
		return r
	}
	tests := []struct {
		name string
		r    Referral
		want []Flag
	}{
		{"item 9 at 0", withItem9(ip(0), ip(0), ip(0)), nil},
		{"never answered", withItem9(), nil},
		{"item 9 at 1", withItem9(ip(0), ip(0), ip(1)), []Flag{{"risk", "medium",
			"PHQ-9 item 9 (thoughts of being better off dead or of self-harm) was 1 (several days) on 19 Jan 2026: a risk review is needed"}}},
		{"item 9 at 2", withItem9(ip(0), ip(0), ip(2)), []Flag{{"risk", "high",
			"PHQ-9 item 9 (thoughts of being better off dead or of self-harm) was 2 (more than half the days) on 19 Jan 2026: a high-priority risk review is needed"}}},
		{"item 9 at 3", withItem9(ip(0), ip(0), ip(3)), []Flag{{"risk", "high",
			"PHQ-9 item 9 (thoughts of being better off dead or of self-harm) was 3 (nearly every day) on 19 Jan 2026: a high-priority risk review is needed"}}},
		{"stays until a later PHQ-9 answers 0", withItem9(ip(3), nil, nil), []Flag{{"risk", "high",
			"PHQ-9 item 9 (thoughts of being better off dead or of self-harm) was 3 (nearly every day) on 5 Jan 2026: a high-priority risk review is needed"}}},
		{"cleared by a later 0", withItem9(ip(3), ip(0), nil), nil},
		{"out-of-range answer still high", withItem9(ip(5)), []Flag{{"risk", "high",
			"PHQ-9 item 9 (thoughts of being better off dead or of self-harm) was 5 on 5 Jan 2026: a high-priority risk review is needed"}}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, flagsOf(tt.r, LowIntensity, after(tt.r), nil)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestFlagDeterioration(t *testing.T) {
	tests := []struct {
		name string
		r    Referral
		want []Flag
	}{
		{"PHQ-9 up 5: below RC", weekly("F41.1", pg(14, 10), pg(19, 10)), nil},
		{"PHQ-9 up 6: RC", weekly("F41.1", pg(14, 10), pg(20, 10)), []Flag{{"deterioration", "high",
			"PHQ-9 rose from 14 to 20 since the first session: a reliable deterioration (≥ 6)"}}},
		{"PHQ-9 up 7", weekly("F41.1", pg(14, 10), pg(21, 10)), []Flag{{"deterioration", "high",
			"PHQ-9 rose from 14 to 21 since the first session: a reliable deterioration (≥ 6)"}}},
		{"GAD-7 up 3: below RC", weekly("F41.1", pg(14, 10), pg(14, 13)), nil},
		{"GAD-7 up 4: RC", weekly("F41.1", pg(14, 10), pg(14, 14)), []Flag{{"deterioration", "high",
			"GAD-7 rose from 10 to 14 since the first session: a reliable deterioration (≥ 4)"}}},
		{"MI up 0.72: below RC", weekly("F40.0", sc{PHQ9: 14, MIAlone: 2.30}, sc{PHQ9: 14, MIAlone: 3.02}), nil},
		{"MI up 0.73: RC", weekly("F40.0", sc{PHQ9: 14, MIAlone: 2.30}, sc{PHQ9: 14, MIAlone: 3.03}), []Flag{{"deterioration", "high",
			"MI (alone) rose from 2.30 to 3.03 since the first session: a reliable deterioration (≥ 0.73)"}}},
		{"both", weekly("F40.1", sc{PHQ9: 10, SPIN: 20}, sc{PHQ9: 16, SPIN: 30}), []Flag{{"deterioration", "high",
			"PHQ-9 rose from 10 to 16 since the first session: a reliable deterioration (≥ 6); " +
				"SPIN rose from 20 to 30 since the first session: a reliable deterioration (≥ 10)"}}},
		{"GAD-7 up on a SPIN case is not the paired measure", weekly("F40.1",
			sc{PHQ9: 10, SPIN: 20, GAD7: 5}, sc{PHQ9: 10, SPIN: 20, GAD7: 15}), nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, flagsOf(tt.r, LowIntensity, after(tt.r), nil)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestFlagNotOnTrackDefault(t *testing.T) {
	tests := []struct {
		name string
		r    Referral
		want []Flag
	}{
		{"session 2, no lower: too early", weekly("F41.1", pg(14, 10), pg(14, 10), pg(14, 9)), nil},
		{"session 3, no lower", weekly("F41.1", pg(14, 10), pg(14, 10), pg(13, 9), pg(14, 9)), []Flag{{"not_on_track", "medium",
			"PHQ-9 is 14 at treatment session 3, no lower than the first score of 14 (fewer than 30 similar finished cases to compare with)"}}},
		{"session 3, higher", weekly("F41.1", pg(14, 10), pg(14, 10), pg(13, 9), pg(15, 9)), []Flag{{"not_on_track", "medium",
			"PHQ-9 is 15 at treatment session 3, no lower than the first score of 14 (fewer than 30 similar finished cases to compare with)"}}},
		{"session 3, one lower", weekly("F41.1", pg(14, 10), pg(14, 10), pg(13, 9), pg(13, 9)), nil},
		{"both measures", weekly("F41.1", pg(14, 10), pg(14, 10), pg(13, 9), pg(14, 11)), []Flag{{"not_on_track", "medium",
			"PHQ-9 is 14 at treatment session 3, no lower than the first score of 14 (fewer than 30 similar finished cases to compare with); " +
				"GAD-7 is 11 at treatment session 3, no lower than the first score of 10 (fewer than 30 similar finished cases to compare with)"}}},
		// The default judges only measures that started at caseness (PHQ-9
		// 10, GAD-7 8): one point below, flat scores are not "off track".
		{"started below caseness, flat", weekly("F41.1", pg(9, 7), pg(9, 7), pg(9, 7), pg(9, 7)), nil},
		{"PHQ-9 started at caseness, GAD-7 below", weekly("F41.1", pg(10, 7), pg(10, 7), pg(10, 7), pg(10, 7)), []Flag{{"not_on_track", "medium",
			"PHQ-9 is 10 at treatment session 3, no lower than the first score of 10 (fewer than 30 similar finished cases to compare with)"}}},
		{"unpaired measure not judged", weekly("F41.1", pg(14, 10), sc{GAD7: 9}, sc{GAD7: 8}, sc{GAD7: 7}), []Flag{{"missing_measure", "low",
			"The last attended contact (26 Jan 2026) has no PHQ-9 score: the outcome would go unpaired"}}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, flagsOf(tt.r, LowIntensity, after(tt.r), nil)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// fixedExpectation answers every query with one band, or only queries about
// one measure when only is set.
type fixedExpectation struct {
	band Band
	ok   bool
	only InstrumentID
	got  []InstrumentID
}

func (f *fixedExpectation) Expected(id InstrumentID, first float64, session int) (Band, bool) {
	f.got = append(f.got, id)
	if f.only != "" && id != f.only {
		return Band{}, false
	}
	return f.band, f.ok
}

func TestFlagNotOnTrackExpected(t *testing.T) {
	// 40 finished courses starting at PHQ-9 14 (GAD-7 not recorded): at
	// session 2 their scores are 4..13, ten each of 4, 7, 10, 13: the
	// 75th percentile is 10.
	var finished []Outcome
	for i := range 40 {
		v := float64(4 + 3*(i%4))
		finished = append(finished, finishedCase(PHQ9, 14, 1, 13, v))
	}
	curves := BuildExpectation(finished)
	if b, ok := curves.Expected(PHQ9, 14, 2); !ok || b.P75 != 10 {
		t.Fatalf("band %+v, ok %v", b, ok)
	}
	tests := []struct {
		name string
		r    Referral
		exp  Expectation
		want []Flag
	}{
		{"at the 75th percentile", weekly("F41.1", pg(14, 10), pg(12, 9), pg(10, 8)), curves, nil},
		{"above it", weekly("F41.1", pg(14, 10), pg(12, 9), pg(11, 8)), curves, []Flag{{"not_on_track", "medium",
			"PHQ-9 is 11 at treatment session 2, above the 75th percentile (10) of 40 similar finished cases that started at 14"}}},
		{"first score 3 points away: no comparable cases, too early for the default",
			weekly("F41.1", pg(17, 10), pg(17, 9), pg(16, 8)), curves, nil},
		{"no comparable cases at session 3: default rule",
			weekly("F41.1", pg(17, 10), pg(17, 9), pg(16, 8), pg(17, 8)), curves, []Flag{{"not_on_track", "medium",
				"PHQ-9 is 17 at treatment session 3, no lower than the first score of 17 (fewer than 30 similar finished cases to compare with)"}}},
		{"expected band overrides the default: on track though no lower",
			weekly("F41.1", pg(14, 10), pg(14, 9), pg(14, 8), pg(14, 8)),
			&fixedExpectation{band: Band{P25: 12, P50: 14, P75: 16, N: 30}, ok: true}, nil},
		{"MI above its band", weekly("F40.0", sc{PHQ9: 8, MIAlone: 3.1}, sc{PHQ9: 7, MIAlone: 3.0}),
			&fixedExpectation{band: Band{P25: 2.5, P50: 2.7, P75: 2.95, N: 31}, ok: true, only: MIAlone}, []Flag{{"not_on_track", "medium",
				"MI (alone) is 3.00 at treatment session 1, above the 75th percentile (2.95) of 31 similar finished cases that started at 3.10"}}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, flagsOf(tt.r, LowIntensity, after(tt.r), tt.exp)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	// The expectation is asked about PHQ-9 and the paired measure only.
	f := &fixedExpectation{}
	flagsOf(weekly("F40.1", sc{PHQ9: 14, SPIN: 30, GAD7: 9}, sc{PHQ9: 13, SPIN: 29, GAD7: 9}), LowIntensity, day(8), f)
	if diff := cmp.Diff([]InstrumentID{PHQ9, SPIN}, f.got); diff != "" {
		t.Errorf("measures asked about (-want +got):\n%s", diff)
	}
}

func TestFlagNoImprovement(t *testing.T) {
	flat := pg(13, 11)
	tests := []struct {
		name      string
		r         Referral
		intensity Intensity
		want      []Flag
	}{
		{"low, 3 sessions", weekly("F41.1", pg(15, 12), flat, pg(12, 11), flat), LowIntensity, nil},
		{"low, 4 sessions", weekly("F41.1", pg(15, 12), flat, pg(12, 11), flat, flat), LowIntensity, []Flag{{"no_improvement", "medium",
			"At caseness at the start and no reliable improvement after 4 treatment sessions (low intensity, 4 or more): review, consider stepping up"}}},
		{"unknown intensity uses low", weekly("F41.1", pg(15, 12), flat, pg(12, 11), flat, flat), "", []Flag{{"no_improvement", "medium",
			"At caseness at the start and no reliable improvement after 4 treatment sessions (low intensity, 4 or more): review, consider stepping up"}}},
		{"high, 7 sessions", weekly("F41.1", pg(15, 12), append([]sc{flat, pg(12, 11)}, repeat(5, flat)...)...), HighIntensity, nil},
		{"high, 8 sessions", weekly("F41.1", pg(15, 12), append([]sc{flat, pg(12, 11)}, repeat(6, flat)...)...), HighIntensity, []Flag{{"no_improvement", "medium",
			"At caseness at the start and no reliable improvement after 8 treatment sessions (high intensity, 8 or more): review the treatment plan"}}},
		{"not at caseness", weekly("F41.1", pg(9, 7), pg(8, 6), pg(7, 7), pg(8, 6), pg(8, 6)), LowIntensity, nil},
		{"reliably improved", weekly("F41.1", pg(15, 12), flat, pg(12, 11), flat, pg(9, 11)), LowIntensity, nil},
		{"unpaired but PHQ-9 reliably improved", weekly("F41.1", pg(15, 12), sc{PHQ9: 13}, sc{PHQ9: 12}, sc{PHQ9: 11}, sc{PHQ9: 9}),
			LowIntensity, []Flag{{"missing_measure", "low",
				"The last attended contact (2 Feb 2026) has no GAD-7 score: the outcome would go unpaired"}}},
		{"unpaired, PHQ-9 not improved", weekly("F41.1", pg(15, 12), sc{PHQ9: 13}, sc{PHQ9: 12}, sc{PHQ9: 11}, sc{PHQ9: 10}),
			LowIntensity, []Flag{
				{"no_improvement", "medium", "At caseness at the start and no reliable improvement after 4 treatment sessions (low intensity, 4 or more): review, consider stepping up"},
				{"missing_measure", "low", "The last attended contact (2 Feb 2026) has no GAD-7 score: the outcome would go unpaired"}}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, flagsOf(tt.r, tt.intensity, after(tt.r), nil)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestFlagAttendance(t *testing.T) {
	base := weekly("F41.1", pg(15, 14), pg(12, 11), pg(9, 8)) // last attended day 14
	withMissed := func(n int) Referral {
		r := base
		r.Contacts = append([]Contact(nil), base.Contacts...)
		for i := range n {
			r.Contacts = append(r.Contacts, missed(15+i))
		}
		return r
	}
	tests := []struct {
		name string
		r    Referral
		asOf time.Time
		want []Flag
	}{
		{"one missed", withMissed(1), day(20), nil},
		{"two missed in a row", withMissed(2), day(20), []Flag{{"attendance", "medium", "2 appointments missed in a row"}}},
		{"a cancellation counts as not attended", func() Referral {
			r := withMissed(1)
			return Referral{Received: r.Received, Descriptor: r.Descriptor, Contacts: append(r.Contacts,
				Contact{Date: day(19), Kind: Treatment, Attendance: Cancelled})}
		}(), day(20), []Flag{{"attendance", "medium", "2 appointments missed in a row"}}},
		{"27 days since the last attended", base, day(14 + 27), nil},
		{"28 days since the last attended", base, day(14 + 28), []Flag{{"attendance", "medium",
			"No attended appointment for 28 days (last on 19 Jan 2026; 28 or more)"}}},
		{"both", withMissed(3), day(14 + 30), []Flag{{"attendance", "medium",
			"3 appointments missed in a row; no attended appointment for 30 days (last on 19 Jan 2026; 28 or more)"}}},
		{"assessed, then 27 days without contact while waiting",
			Referral{Received: day(-2), Descriptor: "F41.1", Contacts: []Contact{assess(0, pg(15, 14))}}, day(27), nil},
		{"assessed, then 28 days without contact while waiting",
			Referral{Received: day(-2), Descriptor: "F41.1", Contacts: []Contact{assess(0, pg(15, 14))}}, day(28), []Flag{{"attendance", "medium",
				"No attended appointment for 28 days (last on 5 Jan 2026; 28 or more)"}}},
		{"never seen: the waiting flag's, not this one's",
			Referral{Received: day(0), Descriptor: "F41.1"}, day(30), nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, flagsOf(tt.r, LowIntensity, tt.asOf, nil)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestFlagMissingMeasure(t *testing.T) {
	tests := []struct {
		name string
		r    Referral
		want []Flag
	}{
		{"both recorded", weekly("F40.1", sc{PHQ9: 14, SPIN: 30}, sc{PHQ9: 12, SPIN: 28}), nil},
		{"last contact lacks the ADSM", weekly("F40.1", sc{PHQ9: 14, SPIN: 30}, sc{PHQ9: 12, GAD7: 9}), []Flag{{"missing_measure", "low",
			"The last attended contact (12 Jan 2026) has no SPIN score: the outcome would go unpaired"}}},
		{"last contact lacks both", weekly("F40.1", sc{PHQ9: 14, SPIN: 30}, sc{WSAS: 20}), []Flag{{"missing_measure", "low",
			"The last attended contact (12 Jan 2026) has no PHQ-9 or SPIN score: the outcome would go unpaired"}}},
		{"ADSM never recorded", weekly("F42", pg(14, 10), pg(12, 9)), []Flag{{"missing_measure", "low",
			"The last attended contact (12 Jan 2026) has no OCI score: the outcome would go unpaired; " +
				"Obsessive-compulsive disorder (F42) is judged on the OCI, which has never been recorded"}}},
		{"GAD-7 descriptor: no ADSM expected", weekly("F32", pg(14, 10), pg(12, 9)), nil},
		{"no attended contact yet", Referral{Received: day(0), Descriptor: "F41.1"}, nil},
	}
	for _, tt := range tests {
		asOf := day(20)
		if diff := cmp.Diff(tt.want, flagsOf(tt.r, LowIntensity, asOf, nil)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	// The descriptor given to Flags wins; an empty one uses the outcome's.
	o := Evaluate(weekly("F41.1", pg(14, 10), pg(12, 9)))
	if got := Flags(o, "", LowIntensity, day(10), nil); len(got) != 0 {
		t.Errorf("outcome's own descriptor: %v", got)
	}
	if got := Flags(o, "F43.1", LowIntensity, day(10), nil); len(got) != 1 || got[0].Code != FlagMissingMeasure {
		t.Errorf("descriptor changed to PTSD: %v", got)
	}
}

func TestFlagWaiting(t *testing.T) {
	r := Referral{Received: day(0), Descriptor: "F41.1", Contacts: []Contact{assess(3, pg(15, 14))}}
	tests := []struct {
		name string
		r    Referral
		asOf time.Time
		want []Flag
	}{
		// Assessed on day 3 and not seen since: the 28-day gap raises the
		// attendance flag until the waiting flag takes over at 35 days.
		{"34 days", r, day(34), []Flag{{"attendance", "medium",
			"No attended appointment for 31 days (last on 8 Jan 2026; 28 or more)"}}},
		{"35 days", r, day(35), []Flag{{"waiting", "medium",
			"No first treatment 35 days after referral: the 6-week standard (42 days) is at risk"}}},
		{"42 days", r, day(42), []Flag{{"waiting", "medium",
			"No first treatment 42 days after referral: the 6-week standard (42 days) is at risk"}}},
		{"43 days", r, day(43), []Flag{{"waiting", "high",
			"No first treatment 43 days after referral: past the 6-week standard (42 days)"}}},
		{"treatment started", Referral{Received: day(0), Descriptor: "F41.1", Contacts: []Contact{
			assess(3, pg(15, 14)), session(40, pg(14, 12))}}, day(43), nil},
		{"a missed first treatment does not count", Referral{Received: day(0), Descriptor: "F41.1", Contacts: []Contact{
			assess(3, pg(15, 14)), missed(30)}}, day(35), []Flag{{"waiting", "medium",
			"No first treatment 35 days after referral: the 6-week standard (42 days) is at risk"}}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, flagsOf(tt.r, LowIntensity, tt.asOf, nil)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestFlagLongTreatment(t *testing.T) {
	improving := func(n int) Referral {
		return weekly("F41.1", pg(15, 14), append([]sc{pg(8, 6)}, repeat(n-1, pg(6, 5))...)...)
	}
	tests := []struct {
		name      string
		r         Referral
		intensity Intensity
		want      []Flag
	}{
		{"low, 8", improving(8), LowIntensity, nil},
		{"low, 9", improving(9), LowIntensity, []Flag{{"long_treatment", "low",
			"9 attended treatment sessions, more than the 8 typical of low intensity"}}},
		{"high, 20", improving(20), HighIntensity, nil},
		{"high, 21", improving(21), HighIntensity, []Flag{{"long_treatment", "low",
			"21 attended treatment sessions, more than the 20 typical of high intensity"}}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, flagsOf(tt.r, tt.intensity, after(tt.r), nil)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestFlagsOrder lists high severity first, then by code.
func TestFlagsOrder(t *testing.T) {
	r := weekly("F40.1", sc{PHQ9: 14, SPIN: 30}, sc{PHQ9: 16}, sc{PHQ9: 18}, sc{PHQ9: 19}, sc{PHQ9: 20})
	r.Contacts[4].Item9 = ip(1)
	r.Contacts = append(r.Contacts, missed(29), missed(30))
	got := flagsOf(r, LowIntensity, day(60), nil)
	var codes []string
	for _, f := range got {
		codes = append(codes, f.Severity+" "+f.Code)
	}
	want := []string{"high deterioration", "medium risk", "medium not_on_track", "medium no_improvement",
		"medium attendance", "low missing_measure"}
	if diff := cmp.Diff(want, codes); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestFlagHelpers(t *testing.T) {
	if got := dateWords(time.Time{}); got != "an unknown date" {
		t.Errorf("dateWords(zero) = %q", got)
	}
	if got := dateWords(time.Date(2026, 2, 3, 23, 0, 0, 0, time.UTC)); got != "3 Feb 2026" {
		t.Errorf("dateWords = %q", got)
	}
	if got := codeRank("unknown"); got != len(flagOrder) {
		t.Errorf("codeRank(unknown) = %d", got)
	}
	// A histogram holding fewer values than n gives its top level.
	if got := rankLevel([]int32{1, 0, 0}, 4, 75); got != 2 {
		t.Errorf("rankLevel = %d, want 2", got)
	}
}
