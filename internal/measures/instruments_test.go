package measures

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestInstrumentsCatalogue(t *testing.T) {
	var ids []InstrumentID
	for _, in := range Instruments() {
		ids = append(ids, in.ID)
	}
	want := []InstrumentID{PHQ9, GAD7, MIAlone, SPIN, PDSS, OCI, IESR, HAI, WSAS, Phobia}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("Instruments() ids (-want +got):\n%s", diff)
	}

	ids = nil
	for _, in := range ADSMs() {
		ids = append(ids, in.ID)
		if in.Itemised || len(in.Items) != 0 || len(in.Answers) != 0 {
			t.Errorf("%s: an ADSM must carry no item wording and be total-only", in.ID)
		}
		if !in.IsADSM() {
			t.Errorf("%s: IsADSM() = false", in.ID)
		}
	}
	want = []InstrumentID{MIAlone, SPIN, PDSS, OCI, IESR, HAI}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("ADSMs() ids (-want +got):\n%s", diff)
	}
	for _, id := range []InstrumentID{PHQ9, GAD7, WSAS, Phobia} {
		in, _ := Lookup(id)
		if in.IsADSM() {
			t.Errorf("%s: IsADSM() = true", id)
		}
	}
}

// TestInstrumentFacts pins every value of the reference table
// (outcomes.md section 1), so that a change to a cut-off is deliberate.
func TestInstrumentFacts(t *testing.T) {
	type facts struct {
		Itemised              bool
		Items, ItemCount      int
		ItemMin, ItemMax      int
		Min, Max              float64
		Decimals, MaxProrated int
		HasCaseness, Strict   bool
		Caseness, RC          float64
		Answers               int
	}
	want := map[InstrumentID]facts{
		PHQ9:    {true, 9, 9, 0, 3, 0, 27, 0, 2, true, false, 10, 6, 4},
		GAD7:    {true, 7, 7, 0, 3, 0, 21, 0, 2, true, false, 8, 4, 4},
		MIAlone: {false, 0, 27, 1, 5, 1, 5, 2, 0, true, true, 2.3, 0.73, 0},
		SPIN:    {false, 0, 17, 0, 4, 0, 68, 0, 0, true, false, 19, 10, 0},
		PDSS:    {false, 0, 7, 0, 4, 0, 28, 0, 0, true, false, 8, 5, 0},
		OCI:     {false, 0, 42, 0, 4, 0, 168, 0, 0, true, false, 40, 32, 0},
		IESR:    {false, 0, 22, 0, 4, 0, 88, 0, 0, true, false, 33, 9, 0},
		HAI:     {false, 0, 14, 0, 3, 0, 42, 0, 0, true, false, 18, 4, 0},
		WSAS:    {true, 5, 5, 0, 8, 0, 40, 0, 0, false, false, 0, 0, 9},
		Phobia:  {true, 3, 3, 0, 8, 0, 24, 0, 0, false, false, 0, 0, 9},
	}
	for _, in := range Instruments() {
		got := facts{in.Itemised, len(in.Items), in.ItemCount, in.ItemMin, in.ItemMax, in.Min, in.Max,
			in.Decimals, in.MaxProrated, in.HasCaseness, in.StrictCaseness, in.Caseness, in.RC, len(in.Answers)}
		if diff := cmp.Diff(want[in.ID], got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", in.ID, diff)
		}
		if in.Name == "" || in.Title == "" || in.About == "" {
			t.Errorf("%s: Name, Title and About must be set", in.ID)
		}
		for i, it := range in.Items {
			if it.Number != i+1 || it.Text == "" {
				t.Errorf("%s item %d: %+v", in.ID, i+1, it)
			}
		}
	}
	phq, _ := Lookup(PHQ9)
	if diff := cmp.Diff([]string{"Not at all", "Several days", "More than half the days", "Nearly every day"}, phq.Answers); diff != "" {
		t.Errorf("PHQ-9 answers (-want +got):\n%s", diff)
	}
	if got := phq.Items[8].Text; got != "Thoughts that you would be better off dead or of hurting yourself in some way" {
		t.Errorf("PHQ-9 item 9 = %q", got)
	}
	wsas, _ := Lookup(WSAS)
	if wsas.Answers[0] != "Not at all" || wsas.Answers[8] != "Very severely" || wsas.Items[0].Text != "Work" {
		t.Errorf("WSAS labels: %q, items %v", wsas.Answers, wsas.Items)
	}
}

func TestLookupReturnsACopy(t *testing.T) {
	in, ok := Lookup(PHQ9)
	if !ok {
		t.Fatal("Lookup(phq9) not found")
	}
	in.Items[0].Text = "changed"
	in.Answers[0] = "changed"
	again, _ := Lookup(PHQ9)
	if again.Items[0].Text == "changed" || again.Answers[0] == "changed" {
		t.Error("changing a looked-up instrument changed the catalogue")
	}
	all := Instruments()
	all[1].Items[0].Text = "changed"
	if g, _ := Lookup(GAD7); g.Items[0].Text == "changed" {
		t.Error("changing Instruments() changed the catalogue")
	}
	if _, ok := Lookup("bdi"); ok {
		t.Error("Lookup(bdi) found an instrument")
	}
}

// TestIsCase hits every caseness cut-off at threshold − 1, threshold and
// threshold + 1 (the MI in hundredths, strictly above 2.3).
func TestIsCase(t *testing.T) {
	tests := []struct {
		id    InstrumentID
		total float64
		want  bool
	}{
		{PHQ9, 9, false}, {PHQ9, 10, true}, {PHQ9, 11, true},
		{GAD7, 7, false}, {GAD7, 8, true}, {GAD7, 9, true},
		{MIAlone, 2.29, false}, {MIAlone, 2.30, false}, {MIAlone, 2.31, true},
		{MIAlone, 62.1 / 27, false}, // 2.3 worked out in floating point
		{SPIN, 18, false}, {SPIN, 19, true}, {SPIN, 20, true},
		{PDSS, 7, false}, {PDSS, 8, true}, {PDSS, 9, true},
		{OCI, 39, false}, {OCI, 40, true}, {OCI, 41, true},
		{IESR, 32, false}, {IESR, 33, true}, {IESR, 34, true},
		{HAI, 17, false}, {HAI, 18, true}, {HAI, 19, true},
		{WSAS, 40, false}, {Phobia, 24, false},
		{PHQ9, math.NaN(), false},
	}
	for _, tt := range tests {
		in, _ := Lookup(tt.id)
		if got := in.IsCase(tt.total); got != tt.want {
			t.Errorf("%s IsCase(%v) = %v, want %v", tt.id, tt.total, got, tt.want)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		id    InstrumentID
		total float64
		want  string
	}{
		{PHQ9, 14, "14"},
		{MIAlone, 2.31, "2.31"},
		{MIAlone, 2.3, "2.30"},
		{OCI, 0, "0"},
	}
	for _, tt := range tests {
		in, _ := Lookup(tt.id)
		if got := in.Format(tt.total); got != tt.want {
			t.Errorf("%s Format(%v) = %q, want %q", tt.id, tt.total, got, tt.want)
		}
	}
}

func TestSeverity(t *testing.T) {
	tests := []struct {
		id    InstrumentID
		total float64
		want  string
	}{
		{PHQ9, 0, "minimal"}, {PHQ9, 4, "minimal"}, {PHQ9, 5, "mild"},
		{PHQ9, 9, "mild"}, {PHQ9, 10, "moderate"}, {PHQ9, 14, "moderate"},
		{PHQ9, 15, "moderately severe"}, {PHQ9, 19, "moderately severe"},
		{PHQ9, 20, "severe"}, {PHQ9, 27, "severe"},
		{PHQ9, -1, ""}, {PHQ9, 28, ""}, {PHQ9, math.NaN(), ""},
		{GAD7, 0, "minimal"}, {GAD7, 4, "minimal"}, {GAD7, 5, "mild"},
		{GAD7, 9, "mild"}, {GAD7, 10, "moderate"}, {GAD7, 14, "moderate"},
		{GAD7, 15, "severe"}, {GAD7, 21, "severe"},
		{GAD7, -1, ""}, {GAD7, 22, ""}, {GAD7, math.NaN(), ""},
		{SPIN, 30, ""}, {MIAlone, 3, ""}, {WSAS, 20, ""},
	}
	for _, tt := range tests {
		if got := Severity(tt.id, tt.total); got != tt.want {
			t.Errorf("Severity(%s, %v) = %q, want %q", tt.id, tt.total, got, tt.want)
		}
	}
}

func ip(v int) *int { return &v }

func TestRiskOf(t *testing.T) {
	tests := []struct {
		name  string
		item9 *int
		want  Risk
		str   string
	}{
		{"unanswered", nil, RiskNone, "none"},
		{"not at all", ip(0), RiskNone, "none"},
		{"several days", ip(1), RiskPresent, "present"},
		{"more than half the days", ip(2), RiskHigh, "high"},
		{"nearly every day", ip(3), RiskHigh, "high"},
		{"negative", ip(-1), RiskNone, "none"},
	}
	for _, tt := range tests {
		got := RiskOf(tt.item9)
		if got != tt.want || got.String() != tt.str {
			t.Errorf("%s: RiskOf = %v (%q), want %v (%q)", tt.name, got, got, tt.want, tt.str)
		}
	}
}
