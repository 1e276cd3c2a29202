package measures

import "testing"

func TestAlertPriority(t *testing.T) {
	p := func(n int) *int { return &n }
	tests := []struct {
		name  string
		item9 *int
		opens bool
		want  string
	}{
		{"unanswered", nil, false, ""},
		{"not at all (0)", p(0), false, ""},
		{"several days (1)", p(1), true, PriorityStandard},
		{"more than half the days (2)", p(2), true, PriorityHigh},
		{"nearly every day (3)", p(3), true, PriorityHigh},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RaisesAlert(tt.item9); got != tt.opens {
				t.Errorf("RaisesAlert = %v, want %v", got, tt.opens)
			}
			if got := AlertPriority(tt.item9); got != tt.want {
				t.Errorf("AlertPriority = %q, want %q", got, tt.want)
			}
		})
	}
}
