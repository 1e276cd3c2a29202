package measures_test

import (
	"fmt"
	"time"

	"clinic/internal/measures"
)

func date(s string) time.Time {
	t, _ := time.Parse("2006-01-02", s)
	return t
}

// A social phobia referral: PHQ-9 improves while the SPIN rises reliably.
func ExampleEvaluate() {
	r := measures.Referral{
		Received:   date("2026-01-02"),
		Descriptor: "F401",
		Intensity:  measures.HighIntensity,
		Contacts: []measures.Contact{
			{Date: date("2026-01-09"), Kind: measures.Assessment, Attendance: measures.Attended,
				Scores: map[measures.InstrumentID]float64{measures.PHQ9: 18, measures.SPIN: 30}},
			{Date: date("2026-01-23"), Kind: measures.Treatment, Attendance: measures.Attended,
				Scores: map[measures.InstrumentID]float64{measures.PHQ9: 12, measures.SPIN: 36}},
			{Date: date("2026-01-30"), Kind: measures.Treatment, Attendance: measures.Attended,
				Scores: map[measures.InstrumentID]float64{measures.PHQ9: 9, measures.SPIN: 40}},
		},
	}
	o := measures.Evaluate(r)
	for _, line := range o.Summary() {
		fmt.Println(line)
	}
	for _, f := range measures.Flags(o, r.Descriptor, r.Intensity, date("2026-02-02"), nil) {
		fmt.Printf("%s (%s): %s\n", f.Code, f.Severity, f.Reason)
	}
	// Output:
	// Open: 2 treatment sessions so far
	// At caseness at the start
	// Reliable deterioration so far
	// At caseness now
	// deterioration (high): SPIN rose from 30 to 40 since the first session: a reliable deterioration (≥ 10)
}

func ExampleScoreItems() {
	a := func(v int) *int { return &v }
	s, err := measures.ScoreItems(measures.GAD7, []*int{a(2), a(2), a(2), a(1), a(1), a(1), nil})
	fmt.Println(s.Total, s.Prorated, err)
	_, err = measures.ScoreItems(measures.PHQ9, []*int{a(0), a(0), a(0), a(5), a(0), a(0), a(0), a(0), a(0)})
	fmt.Println(err)
	// Output:
	// 11 true <nil>
	// PHQ-9 item 4 must be 0–3, got 5
}
