package measures

// NationalFigures are England's NHS Talking Therapies outcomes for a year,
// for reports to show beside a service's own. Rates are fractions 0–1; a
// figure the source does not give is nil.
type NationalFigures struct {
	Year                    string
	Received                int // referrals received (0 when not given)
	Finished                int // finished a course of treatment
	RecoveryRate            *float64
	ReliableImprovementRate *float64
	ReliableRecoveryRate    *float64
	DeteriorationRate       *float64
	Within6Rate             *float64
	Within18Rate            *float64
}

// RecoveryTarget is the long-standing national recovery target (50%).
const RecoveryTarget = 0.50

func pct(x float64) *float64 { v := x / 100; return &v }

// National2425 is England's 2024-25 picture (NHS England, NHS Talking
// Therapies annual report 2024-25; outcomes.md section 3).
var National2425 = NationalFigures{
	Year:                    "2024-25",
	Received:                1_813_432,
	Finished:                670_419,
	RecoveryRate:            pct(50.5),
	ReliableImprovementRate: pct(67.5),
	ReliableRecoveryRate:    pct(47.5),
	DeteriorationRate:       pct(5.8),
	Within6Rate:             pct(91.6),
	Within18Rate:            pct(98.7),
}

// nationalByDescriptor2425 is the same year by problem descriptor (finished
// courses; recovery, reliable improvement, reliable recovery), keyed by the
// canonical codes a referral records. Depression covers F32 and F33.
var nationalByDescriptor2425 = map[string]NationalFigures{
	"F32":   {Year: "2024-25", Finished: 288_049, RecoveryRate: pct(49.6), ReliableImprovementRate: pct(66.8), ReliableRecoveryRate: pct(46.2)},
	"F33":   {Year: "2024-25", Finished: 288_049, RecoveryRate: pct(49.6), ReliableImprovementRate: pct(66.8), ReliableRecoveryRate: pct(46.2)},
	"F41.1": {Year: "2024-25", Finished: 176_280, RecoveryRate: pct(57.6), ReliableImprovementRate: pct(71.7), ReliableRecoveryRate: pct(54.7)},
	"F43.1": {Year: "2024-25", Finished: 46_021, RecoveryRate: pct(41.7), ReliableImprovementRate: pct(66.7), ReliableRecoveryRate: pct(40.9)},
	"F42":   {Year: "2024-25", Finished: 18_249, RecoveryRate: pct(44.6), ReliableImprovementRate: pct(59.2), ReliableRecoveryRate: pct(38.7)},
	"F40.1": {Year: "2024-25", Finished: 16_692, RecoveryRate: pct(35.6), ReliableImprovementRate: pct(68.5), ReliableRecoveryRate: pct(34.6)},
	"F41.0": {Year: "2024-25", Finished: 15_155, RecoveryRate: pct(50.7), ReliableImprovementRate: pct(67.6), ReliableRecoveryRate: pct(47.8)},
	"F40.0": {Year: "2024-25", Finished: 4_635, RecoveryRate: pct(35.2), ReliableImprovementRate: pct(58.4), ReliableRecoveryRate: pct(33.1)},
	"F45.2": {Year: "2024-25", Finished: 9_773, RecoveryRate: pct(41.6), ReliableImprovementRate: pct(76.4), ReliableRecoveryRate: pct(40.8)},
}

// NationalFor returns the national figures to compare a report with: those
// of the problem descriptor when the report is limited to one that the
// source breaks down (ok true), else England's overall figures.
func NationalFor(descriptor string) (NationalFigures, bool) {
	// A code beneath a listed one ("F32.1") takes its parent's figures.
	if code, ok := NormaliseDescriptor(descriptor); ok {
		if d, ok := descriptorFor(code); ok {
			if f, ok := nationalByDescriptor2425[d.Code]; ok {
				return f, true
			}
		}
	}
	return National2425, false
}
