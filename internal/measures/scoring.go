package measures

import (
	"fmt"
	"math"
	"strconv"
)

// ScoreItems validates the answers to an itemised instrument (PHQ-9, GAD-7,
// WSAS, phobia scales) and computes its total. items holds one entry per
// item in order, nil for an unanswered item. The error, when not nil, is a
// *ValidationError listing every problem found.
//
//   - PHQ-9, GAD-7: one or two unanswered items are replaced by the mean of
//     the answered items (outcomes.md section 1). The sources do not say how
//     a pro-rated total is rounded: it is rounded half up to a whole number
//     (on PHQ-9, seven answered items summing to 10 give 10×9/7 = 12.86,
//     kept as 13). More than two unanswered: no score.
//   - WSAS: item 1 (work) may be unanswered when the person is not working;
//     the total is then the sum of the other four. Items 2–5 are required.
//   - Phobia scales: all three items are required; Total is their sum, kept
//     for completeness, but each item is judged on its own (PhobiaCases).
func ScoreItems(id InstrumentID, items []*int) (Score, error) {
	in, ok := lookup(id)
	if !ok {
		return Score{}, unknownInstrument(id)
	}
	if !in.Itemised {
		return Score{}, invalid(string(id)+".items",
			fmt.Sprintf("%s is recorded as a total, not item by item", in.Name))
	}
	if len(items) != in.ItemCount {
		return Score{}, invalid(string(id)+".items",
			fmt.Sprintf("%s needs %d answers, got %d", in.Name, in.ItemCount, len(items)))
	}

	var errs []FieldError
	sum, answered, missing := 0, 0, 0
	for i, a := range items {
		n := i + 1
		field := string(id) + ".items." + strconv.Itoa(n)
		if a == nil {
			missing++
			if in.MaxProrated == 0 && !(id == WSAS && n == 1) {
				errs = append(errs, FieldError{field,
					fmt.Sprintf("%s item %d needs an answer", in.Name, n)})
			}
			continue
		}
		if *a < in.ItemMin || *a > in.ItemMax {
			errs = append(errs, FieldError{field,
				fmt.Sprintf("%s item %d must be %d–%d, got %d", in.Name, n, in.ItemMin, in.ItemMax, *a)})
			continue
		}
		sum += *a
		answered++
	}
	if in.MaxProrated > 0 && missing > in.MaxProrated {
		errs = append(errs, FieldError{string(id) + ".items",
			fmt.Sprintf("%s has %d unanswered items; at most %d can be pro-rated", in.Name, missing, in.MaxProrated)})
	}
	if len(errs) > 0 {
		return Score{}, &ValidationError{Errors: errs}
	}

	s := Score{Instrument: id, Items: copyItems(items), Missing: missing}
	switch {
	case in.MaxProrated > 0 && missing > 0:
		// sum × n / answered, rounded half up, in integers so that no
		// float error can move a total across a cut-off:
		// floor(x + 1/2) = floor((2·sum·n + answered) / (2·answered)).
		s.Total = float64((2*sum*in.ItemCount + answered) / (2 * answered))
		s.Prorated = true
	default:
		s.Total = float64(sum)
	}
	return s, nil
}

func copyItems(items []*int) []*int {
	out := make([]*int, len(items))
	for i, a := range items {
		if a != nil {
			v := *a
			out[i] = &v
		}
	}
	return out
}

// PhobiaCases names the IAPT phobia scales at case level: an item of 4
// ("definitely avoid it") or more counts as a case for that phobia
// (outcomes.md section 1; IAPT Phobia Scales, screening only). Items that are
// nil or out of range are ignored.
func PhobiaCases(items []*int) []string {
	names := []string{"Social phobia", "Agoraphobia or panic", "Specific phobia"}
	var out []string
	for i, a := range items {
		if i >= len(names) {
			break
		}
		if a != nil && *a >= PhobiaCaseness && *a <= 8 {
			out = append(out, names[i])
		}
	}
	return out
}

// PhobiaCaseness is the item score at which a phobia scale counts as a case
// (outcomes.md section 1: "an item ≥ 4").
const PhobiaCaseness = 4

// ScoreTotal validates a total recorded for a total-only instrument (the
// ADSMs, whose item wording is copyrighted and never shipped). Totals must be
// whole numbers within the instrument's range; the Mobility Inventory is the
// item mean 1.00–5.00 with at most two decimals. A value with more decimals
// is rejected, not rounded: rounding 2.304 to 2.30 would turn a case (> 2.3)
// into a non-case, so the clinician must give the mean as shown on the form.
// The MI's own rule (invalid with more than five situations skipped) is
// applied by whoever works out the mean, since only the mean reaches here.
func ScoreTotal(id InstrumentID, total float64) (Score, error) {
	in, ok := lookup(id)
	if !ok {
		return Score{}, unknownInstrument(id)
	}
	field := string(id) + ".total"
	if in.Itemised {
		return Score{}, invalid(field,
			fmt.Sprintf("%s is recorded item by item, not as a total", in.Name))
	}
	// The MI is recorded as the mean of its items, the others as a total.
	what := in.Name + " total"
	if in.Decimals > 0 {
		what = in.Name + " item mean"
	}
	if math.IsNaN(total) || math.IsInf(total, 0) {
		return Score{}, invalid(field, fmt.Sprintf("%s must be a number", what))
	}
	// Tolerance for float noise in a value typed with the allowed decimals.
	const eps = 1e-9
	kept := math.Round(total*math.Pow10(in.Decimals)) / math.Pow10(in.Decimals)
	if math.Abs(kept-total) > eps {
		if in.Decimals == 0 {
			return Score{}, invalid(field,
				fmt.Sprintf("%s must be a whole number, got %s", what, formatRaw(total)))
		}
		return Score{}, invalid(field,
			fmt.Sprintf("%s must have at most %d decimals, got %s", what, in.Decimals, formatRaw(total)))
	}
	if kept < in.Min || kept > in.Max {
		return Score{}, invalid(field,
			fmt.Sprintf("%s must be %s–%s, got %s", what, in.Format(in.Min), in.Format(in.Max), formatRaw(total)))
	}
	return Score{Instrument: id, Total: kept}, nil
}

func formatRaw(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func invalid(field, msg string) *ValidationError {
	return &ValidationError{Errors: []FieldError{{Field: field, Message: msg}}}
}

func unknownInstrument(id InstrumentID) *ValidationError {
	return invalid("instrument", fmt.Sprintf("unknown questionnaire %q", string(id)))
}

// validTotal reports whether a stored total can be trusted by the outcome
// rules: a finite number in the instrument's range.
func validTotal(in *Instrument, total float64) bool {
	return !math.IsNaN(total) && total >= in.Min && total <= in.Max
}
