package measures

import "testing"

func TestNationalFor(t *testing.T) {
	tests := []struct {
		descriptor   string
		byDescriptor bool
		recovery     float64
		finished     int
	}{
		{"", false, 0.505, 670_419},
		{"F32", true, 0.496, 288_049},
		{"f33", true, 0.496, 288_049}, // depression covers F33 too
		{"F41.1", true, 0.576, 176_280},
		{"F411", true, 0.576, 176_280},
		{"F40.0", true, 0.352, 4_635},
		{"F32.1", true, 0.496, 288_049},  // beneath a listed code: its figures
		{"F40.01", true, 0.352, 4_635},   // likewise
		{"F40.2", false, 0.505, 670_419}, // specific phobia: not broken down
		{"F45.2", true, 0.416, 9_773},
		{"F41.2", false, 0.505, 670_419}, // not broken down by the source
		{"other", false, 0.505, 670_419},
		{"nonsense", false, 0.505, 670_419},
	}
	for _, tt := range tests {
		got, ok := NationalFor(tt.descriptor)
		if ok != tt.byDescriptor || got.Finished != tt.finished || got.RecoveryRate == nil || !sameRate(*got.RecoveryRate, tt.recovery) {
			t.Errorf("NationalFor(%q) = %+v, %v; want recovery %v of %d, by descriptor %v", tt.descriptor, got, ok, tt.recovery, tt.finished, tt.byDescriptor)
		}
	}
	n := National2425
	for name, r := range map[string]*float64{"reliable improvement": n.ReliableImprovementRate, "reliable recovery": n.ReliableRecoveryRate,
		"deterioration": n.DeteriorationRate, "6 weeks": n.Within6Rate, "18 weeks": n.Within18Rate} {
		if r == nil || *r <= 0 || *r >= 1 {
			t.Errorf("national %s rate %v, want a fraction", name, r)
		}
	}
}

func sameRate(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
