package measures

import (
	"testing"
	"time"
)

func TestWithReportedItem9(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	answer := func(a int) *int { return &a }
	tests := []struct {
		name     string
		latest   *int
		latestOn time.Time
		reported []ReportedItem9
		want     *int
		wantOn   time.Time
	}{
		{"nothing reported", answer(1), day(2), nil, answer(1), day(2)},
		{"no PHQ-9 recorded, reported 0", nil, time.Time{}, []ReportedItem9{{0, day(5)}}, nil, time.Time{}},
		{"no PHQ-9 recorded, reported 1", nil, time.Time{}, []ReportedItem9{{1, day(5)}}, answer(1), day(5)},
		{"recorded 0, reported 2 later", answer(0), day(2), []ReportedItem9{{2, day(5)}}, answer(2), day(5)},
		{"recorded 0, reported 1 the same day", answer(0), day(5), []ReportedItem9{{1, day(5)}}, answer(1), day(5)},
		{"recorded 0, reported 3 before the session", answer(0), day(5), []ReportedItem9{{3, day(4)}}, answer(0), day(5)},
		{"recorded 2, reported 0 later: never lowered", answer(2), day(2), []ReportedItem9{{0, day(5)}}, answer(2), day(2)},
		{"recorded 1, reported 1 later: same risk, kept", answer(1), day(2), []ReportedItem9{{1, day(5)}}, answer(1), day(2)},
		{"recorded 1, reported 2 later: raised", answer(1), day(2), []ReportedItem9{{2, day(5)}}, answer(2), day(5)},
		{"the highest of several", answer(0), day(2), []ReportedItem9{{1, day(3)}, {3, day(4)}, {0, day(6)}}, answer(3), day(4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Outcome{LatestItem9: tt.latest, LatestItem9On: tt.latestOn}
			got := WithReportedItem9(o, tt.reported)
			if (got.LatestItem9 == nil) != (tt.want == nil) || (got.LatestItem9 != nil && *got.LatestItem9 != *tt.want) {
				t.Errorf("LatestItem9 = %v, want %v", deref(got.LatestItem9), deref(tt.want))
			}
			if !got.LatestItem9On.Equal(tt.wantOn) {
				t.Errorf("LatestItem9On = %v, want %v", got.LatestItem9On, tt.wantOn)
			}
			if tt.latest != nil && *o.LatestItem9 != *tt.latest {
				t.Error("the outcome passed in was changed")
			}
		})
	}
	// The flag follows: a reported 2 on an open referral is a high-severity risk flag.
	o := WithReportedItem9(Outcome{Open: true}, []ReportedItem9{{2, day(5)}})
	flags := Flags(o, "F32", LowIntensity, day(6), nil)
	if len(flags) == 0 || flags[0].Code != FlagRisk || flags[0].Severity != SeverityHigh {
		t.Errorf("flags = %+v, want a high risk flag first", flags)
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}
