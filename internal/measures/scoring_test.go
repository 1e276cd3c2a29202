package measures

import (
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// answers builds an item list from ints, -1 meaning unanswered.
func answers(vs ...int) []*int {
	out := make([]*int, len(vs))
	for i, v := range vs {
		if v >= 0 {
			out[i] = ip(v)
		}
	}
	return out
}

func TestScoreItems(t *testing.T) {
	tests := []struct {
		name  string
		id    InstrumentID
		items []*int
		want  Score
	}{
		{"PHQ-9 all answered", PHQ9, answers(1, 2, 3, 0, 1, 2, 3, 0, 2),
			Score{Total: 14}},
		{"PHQ-9 all zero", PHQ9, answers(0, 0, 0, 0, 0, 0, 0, 0, 0), Score{Total: 0}},
		{"PHQ-9 all three", PHQ9, answers(3, 3, 3, 3, 3, 3, 3, 3, 3), Score{Total: 27}},
		// 8 answered sum 8: 8×9/8 = 9 exactly.
		{"PHQ-9 one missing, exact", PHQ9, answers(1, 1, 1, 1, -1, 1, 1, 1, 1),
			Score{Total: 9, Prorated: true, Missing: 1}},
		// 7 answered sum 10: 10×9/7 = 12.857 → 13.
		{"PHQ-9 two missing, rounds up", PHQ9, answers(2, 2, 2, 1, 1, 1, 1, -1, -1),
			Score{Total: 13, Prorated: true, Missing: 2}},
		// 7 answered sum 7: 7×9/7 = 9.
		{"PHQ-9 two missing, whole", PHQ9, answers(1, 1, 1, 1, 1, 1, 1, -1, -1),
			Score{Total: 9, Prorated: true, Missing: 2}},
		// 8 answered sum 1: 9/8 = 1.125 → 1 (rounds down below a half).
		{"PHQ-9 one missing, rounds down", PHQ9, answers(1, 0, 0, 0, 0, 0, 0, 0, -1),
			Score{Total: 1, Prorated: true, Missing: 1}},
		// 6 answered sum 3: 3×7/6 = 3.5 → 4 (half rounds up).
		{"GAD-7 half rounds up", GAD7, answers(1, 1, 1, 0, 0, 0, -1), Score{Total: 4, Prorated: true, Missing: 1}},
		{"GAD-7 all answered", GAD7, answers(3, 3, 3, 3, 3, 3, 3), Score{Total: 21}},
		// 5 answered sum 5: 5×7/5 = 7.
		{"GAD-7 two missing", GAD7, answers(1, 1, 1, 1, 1, -1, -1), Score{Total: 7, Prorated: true, Missing: 2}},
		// 6 answered sum 9: 9×7/6 = 10.5 → 11.
		{"GAD-7 10.5 rounds to 11", GAD7, answers(2, 2, 2, 1, 1, 1, -1), Score{Total: 11, Prorated: true, Missing: 1}},
		{"WSAS all answered", WSAS, answers(8, 8, 8, 8, 8), Score{Total: 40}},
		{"WSAS work not applicable", WSAS, answers(-1, 2, 3, 4, 5), Score{Total: 14, Missing: 1}},
		{"phobia scales", Phobia, answers(4, 0, 8), Score{Total: 12}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ScoreItems(tt.id, tt.items)
			if err != nil {
				t.Fatalf("ScoreItems: %v", err)
			}
			tt.want.Instrument = tt.id
			tt.want.Items = tt.items
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestScoreItemsKeepsACopy(t *testing.T) {
	items := answers(1, 1, 1, 1, 1, 1, 1)
	s, err := ScoreItems(GAD7, items)
	if err != nil {
		t.Fatal(err)
	}
	*items[0] = 3
	if *s.Items[0] != 1 {
		t.Error("Score.Items shares memory with the caller's answers")
	}
}

func TestScoreItemsInvalid(t *testing.T) {
	tests := []struct {
		name  string
		id    InstrumentID
		items []*int
		want  []FieldError
	}{
		{"unknown instrument", "bdi", answers(1), []FieldError{
			{"instrument", `unknown questionnaire "bdi"`}}},
		{"total-only instrument", SPIN, answers(1, 2), []FieldError{
			{"spin.items", "SPIN is recorded as a total, not item by item"}}},
		{"too few PHQ-9 answers", PHQ9, answers(1, 1, 1, 1, 1, 1, 1, 1), []FieldError{
			{"phq9.items", "PHQ-9 needs 9 answers, got 8"}}},
		{"too many GAD-7 answers", GAD7, answers(1, 1, 1, 1, 1, 1, 1, 1), []FieldError{
			{"gad7.items", "GAD-7 needs 7 answers, got 8"}}},
		{"no answers", PHQ9, nil, []FieldError{
			{"phq9.items", "PHQ-9 needs 9 answers, got 0"}}},
		{"PHQ-9 item above range", PHQ9, answers(0, 0, 0, 5, 0, 0, 0, 0, 0), []FieldError{
			{"phq9.items.4", "PHQ-9 item 4 must be 0–3, got 5"}}},
		{"PHQ-9 item 4 (one above max)", PHQ9, answers(0, 0, 0, 4, 0, 0, 0, 0, 0), []FieldError{
			{"phq9.items.4", "PHQ-9 item 4 must be 0–3, got 4"}}},
		{"GAD-7 negative item", GAD7, []*int{ip(-1), ip(0), ip(0), ip(0), ip(0), ip(0), ip(0)}, []FieldError{
			{"gad7.items.1", "GAD-7 item 1 must be 0–3, got -1"}}},
		{"GAD-7 three missing", GAD7, answers(1, -1, 1, -1, 1, -1, 1), []FieldError{
			{"gad7.items", "GAD-7 has 3 unanswered items; at most 2 can be pro-rated"}}},
		{"PHQ-9 all missing", PHQ9, answers(-1, -1, -1, -1, -1, -1, -1, -1, -1), []FieldError{
			{"phq9.items", "PHQ-9 has 9 unanswered items; at most 2 can be pro-rated"}}},
		{"every problem listed", PHQ9, answers(9, -1, -1, -1, 0, 0, 0, 0, 7), []FieldError{
			{"phq9.items.1", "PHQ-9 item 1 must be 0–3, got 9"},
			{"phq9.items.9", "PHQ-9 item 9 must be 0–3, got 7"},
			{"phq9.items", "PHQ-9 has 3 unanswered items; at most 2 can be pro-rated"}}},
		{"WSAS item above range", WSAS, answers(9, 0, 0, 0, 0), []FieldError{
			{"wsas.items.1", "WSAS item 1 must be 0–8, got 9"}}},
		{"WSAS home management missing", WSAS, answers(1, -1, 0, 0, 0), []FieldError{
			{"wsas.items.2", "WSAS item 2 needs an answer"}}},
		{"WSAS wrong count", WSAS, answers(1, 1, 1, 1), []FieldError{
			{"wsas.items", "WSAS needs 5 answers, got 4"}}},
		{"phobia item missing", Phobia, answers(1, -1, 0), []FieldError{
			{"phobia.items.2", "Phobia scales item 2 needs an answer"}}},
		{"phobia item above range", Phobia, answers(1, 0, 9), []FieldError{
			{"phobia.items.3", "Phobia scales item 3 must be 0–8, got 9"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ScoreItems(tt.id, tt.items)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("ScoreItems error = %v, want a *ValidationError", err)
			}
			if diff := cmp.Diff(tt.want, ve.Errors); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestScoreTotal(t *testing.T) {
	tests := []struct {
		id    InstrumentID
		total float64
		want  float64
	}{
		{MIAlone, 1, 1}, {MIAlone, 5, 5}, {MIAlone, 2.31, 2.31}, {MIAlone, 2.3, 2.3},
		{MIAlone, 2.3100000000001, 2.31}, // float noise from a typed 2.31
		{SPIN, 0, 0}, {SPIN, 68, 68}, {SPIN, 19, 19},
		{PDSS, 0, 0}, {PDSS, 28, 28},
		{OCI, 0, 0}, {OCI, 168, 168},
		{IESR, 0, 0}, {IESR, 88, 88},
		{HAI, 0, 0}, {HAI, 42, 42},
	}
	for _, tt := range tests {
		got, err := ScoreTotal(tt.id, tt.total)
		if err != nil {
			t.Errorf("ScoreTotal(%s, %v): %v", tt.id, tt.total, err)
			continue
		}
		if diff := cmp.Diff(Score{Instrument: tt.id, Total: tt.want}, got); diff != "" {
			t.Errorf("ScoreTotal(%s, %v) (-want +got):\n%s", tt.id, tt.total, diff)
		}
	}
}

func TestScoreTotalInvalid(t *testing.T) {
	tests := []struct {
		id    InstrumentID
		total float64
		want  FieldError
	}{
		{"bdi", 3, FieldError{"instrument", `unknown questionnaire "bdi"`}},
		{PHQ9, 14, FieldError{"phq9.total", "PHQ-9 is recorded item by item, not as a total"}},
		{WSAS, 14, FieldError{"wsas.total", "WSAS is recorded item by item, not as a total"}},
		{SPIN, math.NaN(), FieldError{"spin.total", "SPIN total must be a number"}},
		{SPIN, math.Inf(1), FieldError{"spin.total", "SPIN total must be a number"}},
		{HAI, math.Inf(-1), FieldError{"hai.total", "HAI total must be a number"}},
		{SPIN, -1, FieldError{"spin.total", "SPIN total must be 0–68, got -1"}},
		{SPIN, 69, FieldError{"spin.total", "SPIN total must be 0–68, got 69"}},
		{SPIN, 20.5, FieldError{"spin.total", "SPIN total must be a whole number, got 20.5"}},
		{PDSS, 29, FieldError{"pdss.total", "PDSS total must be 0–28, got 29"}},
		{OCI, 169, FieldError{"oci.total", "OCI total must be 0–168, got 169"}},
		{IESR, 89, FieldError{"iesr.total", "IES-R total must be 0–88, got 89"}},
		{HAI, 43, FieldError{"hai.total", "HAI total must be 0–42, got 43"}},
		{MIAlone, 0.99, FieldError{"mi_alone.total", "MI (alone) item mean must be 1.00–5.00, got 0.99"}},
		{MIAlone, 5.01, FieldError{"mi_alone.total", "MI (alone) item mean must be 1.00–5.00, got 5.01"}},
		{MIAlone, 0, FieldError{"mi_alone.total", "MI (alone) item mean must be 1.00–5.00, got 0"}},
		{MIAlone, 2.304, FieldError{"mi_alone.total", "MI (alone) item mean must have at most 2 decimals, got 2.304"}},
		{MIAlone, 62.0 / 27, FieldError{"mi_alone.total", "MI (alone) item mean must have at most 2 decimals, got 2.2962962962962963"}},
	}
	for _, tt := range tests {
		_, err := ScoreTotal(tt.id, tt.total)
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("ScoreTotal(%s, %v) error = %v, want a *ValidationError", tt.id, tt.total, err)
			continue
		}
		if diff := cmp.Diff([]FieldError{tt.want}, ve.Errors); diff != "" {
			t.Errorf("ScoreTotal(%s, %v) (-want +got):\n%s", tt.id, tt.total, diff)
		}
	}
}

func TestValidationErrorMessage(t *testing.T) {
	tests := []struct {
		err  *ValidationError
		want string
	}{
		{&ValidationError{}, "invalid questionnaire"},
		{&ValidationError{Errors: []FieldError{{"a", "one"}}}, "one"},
		{&ValidationError{Errors: []FieldError{{"a", "one"}, {"b", "two"}}}, "one (and more)"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestPhobiaCases(t *testing.T) {
	tests := []struct {
		name  string
		items []*int
		want  []string
	}{
		{"none at 3", answers(3, 3, 3), nil},
		{"all at 4", answers(4, 4, 4), []string{"Social phobia", "Agoraphobia or panic", "Specific phobia"}},
		{"specific at 5", answers(0, 3, 5), []string{"Specific phobia"}},
		{"social at 8, unanswered ignored", answers(8, -1, -1), []string{"Social phobia"}},
		{"out of range ignored", answers(9, 0, 0), nil},
		{"extra items ignored", answers(0, 4, 0, 8), []string{"Agoraphobia or panic"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, PhobiaCases(tt.items)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}
