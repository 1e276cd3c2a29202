package measures

import (
	"fmt"
	"strings"
)

// Waiting-time standards (outcomes.md section 3; NHS England): 75% of
// finished courses start treatment within 6 weeks, 95% within 18 weeks.
const (
	SixWeeksDays      = 42
	EighteenWeeksDays = 126
)

// ServiceRates counts a service's outcomes over a set of referral outcomes,
// typically those that ended in a period. Only outcomes that finished a
// course of treatment count (outcomes.md section 3):
//
//   - recovery and reliable recovery rates are over finished minus those
//     not at caseness at the start, counted positively (both first scores
//     present and below caseness), so a finished course without first
//     scores stays in the denominator and is not recovered;
//   - reliable improvement, deterioration and paired-score completeness are
//     over finished;
//   - the waiting-time shares are over finished courses with a first
//     treatment date.
//
// A rate is nil when its denominator is 0.
func ServiceRates(outcomes []Outcome) Rates {
	r := Rates{RuleSet: RuleSet}
	for _, o := range outcomes {
		if !o.FinishedCourse {
			continue
		}
		r.Finished++
		if NotAtCasenessAtStart(o) {
			r.NotAtCaseness++
		}
		if o.Recovered {
			r.Recovered++
		}
		if o.ReliableImprovement {
			r.ReliablyImproved++
		}
		if o.ReliableRecovery {
			r.ReliablyRecovered++
		}
		if o.ReliableDeterioration {
			r.Deteriorated++
		}
		if o.Paired {
			r.Paired++
		}
		if o.WaitDays >= 0 {
			r.Waited++
			if o.WaitDays <= SixWeeksDays {
				r.Within6Weeks++
			}
			if o.WaitDays <= EighteenWeeksDays {
				r.Within18Weeks++
			}
		}
	}
	return WithRates(r)
}

// WithRates works out the rates of r from its counts, by the denominators
// ServiceRates states: for counts added up elsewhere (caseload sums them in
// SQL over per-referral rows, counting exactly as ServiceRates does, and
// tests that the two agree).
func WithRates(r Rates) Rates {
	r.RuleSet = RuleSet
	atCaseness := r.Finished - r.NotAtCaseness
	r.RecoveryRate = rate(r.Recovered, atCaseness)
	r.ReliableRecoveryRate = rate(r.ReliablyRecovered, atCaseness)
	r.ReliableImprovementRate = rate(r.ReliablyImproved, r.Finished)
	r.DeteriorationRate = rate(r.Deteriorated, r.Finished)
	r.PairedRate = rate(r.Paired, r.Finished)
	r.Within6Rate = rate(r.Within6Weeks, r.Waited)
	r.Within18Rate = rate(r.Within18Weeks, r.Waited)
	return r
}

func rate(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	x := float64(n) / float64(d)
	return &x
}

// Summary says the outcome so far in a clinician's words, one statement a
// line: where the person started, whether the scores are paired, the
// reliable change, and recovery. An open referral's judgements are "so far"
// or "now"; an ended one's are final.
func (o Outcome) Summary() []string {
	var out []string
	if o.Open {
		out = append(out, fmt.Sprintf("Open: %s so far", sessions(o.TreatmentSessions)))
	} else if o.FinishedCourse {
		out = append(out, fmt.Sprintf("Finished a course of treatment (%s)", sessions(o.TreatmentSessions)))
	} else {
		out = append(out, fmt.Sprintf("Ended before a course of treatment (%s)", sessions(o.TreatmentSessions)))
	}

	if o.PHQ9.Count == 0 && o.AnxietyM.Count == 0 {
		return append(out, "No PHQ-9 or anxiety scores recorded")
	}
	switch {
	case o.AtCaseness:
		out = append(out, "At caseness at the start")
	case o.NotAtCaseness:
		out = append(out, "Not at caseness at the start")
	default:
		// NHS England counts "not at caseness" only with both first
		// scores (outcomes.md section 3).
		out = append(out, "Caseness at the start unknown: a first PHQ-9 and anxiety score are both needed")
	}

	if !o.Paired {
		var unpaired []string
		for _, m := range []MeasureOutcome{o.PHQ9, o.AnxietyM} {
			if !m.Paired {
				unpaired = append(unpaired, name(m.Instrument))
			}
		}
		what := strings.Join(unpaired, " and ")
		if o.Open {
			verb := " needs"
			if len(unpaired) > 1 {
				verb = " need"
			}
			return append(out, "Not yet paired: "+what+verb+" two scores or more")
		}
		return append(out, "Unpaired: "+what+" had fewer than two scores, so the outcome cannot be judged")
	}

	soFar := ""
	if o.Open {
		soFar = " so far"
	}
	switch {
	case o.ReliableDeterioration:
		out = append(out, "Reliable deterioration"+soFar)
	case o.ReliableImprovement:
		out = append(out, "Reliable improvement"+soFar)
	default:
		out = append(out, "No reliable change"+soFar)
	}
	if !o.AtCaseness {
		return out
	}
	switch {
	case o.Open && o.Recovered:
		out = append(out, "Below caseness now")
	case o.Open:
		out = append(out, "At caseness now")
	case o.ReliableRecovery:
		out = append(out, "Recovered", "Reliable recovery")
	case o.Recovered:
		out = append(out, "Recovered")
	default:
		out = append(out, "Not recovered")
	}
	return out
}

func sessions(n int) string {
	if n == 1 {
		return "1 treatment session"
	}
	return fmt.Sprintf("%d treatment sessions", n)
}

// name is an instrument's short name, or its id when unknown.
func name(id InstrumentID) string {
	if in, ok := lookup(id); ok {
		return in.Name
	}
	return string(id)
}
