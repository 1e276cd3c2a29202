package measures

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Supervision thresholds (issue 4, "Flags"; outcomes.md sections 4–5). No
// national rule defines which cases must be brought to supervision: these are
// the product's choices, kept here in one place and versioned with RuleSet.
const (
	// no_improvement: at caseness with no reliable improvement after this
	// many attended treatment sessions. Typical dose: low intensity 6–8
	// sessions, high intensity 12–20 (outcomes.md section 5).
	NoImprovementSessionsLow  = 4
	NoImprovementSessionsHigh = 8

	// attendance: this many non-attended appointments in a row, or no
	// attended contact for this many days once treatment has started.
	MissedInARow      = 2
	AttendanceGapDays = 28

	// waiting: no first treatment this many days after referral puts the
	// 6-week standard at risk; past the standard's 42 days, high.
	WaitingAtRiskDays    = 35
	WaitingHighAfterDays = SixWeeksDays

	// long_treatment: more attended treatment sessions than these.
	LongTreatmentLow  = 8
	LongTreatmentHigh = 20

	// not_on_track: expected response from at least MinComparableCases
	// finished cases with a similar first score (within SimilarFirstPoints
	// on PHQ-9 and GAD-7, within SimilarFirstShare of the range on an ADSM);
	// a case above the NotOnTrackPercentile of their scores at the same
	// session is not on track (Delgadillo et al. 2018 used an expected
	// response curve the same way). With fewer comparable cases, the
	// default rule applies from session DefaultNotOnTrackFrom: the latest
	// score is no lower than the first, for a measure that started at
	// caseness (a clinic decision: issue 4 leaves the default's scope open,
	// and a flat non-clinical score needs no supervision). (Band carries the 75th percentile;
	// another percentile would need adding to Band.)
	MinComparableCases    = 30
	SimilarFirstPoints    = 2
	SimilarFirstShare     = 0.10
	NotOnTrackPercentile  = 75
	DefaultNotOnTrackFrom = 3
	// MaxCurveSessions caps the sessions the expected curves are kept for;
	// later sessions use the last one's band.
	MaxCurveSessions = 40
)

// Flag codes, in the order flags of equal severity are listed.
const (
	FlagRisk           = "risk"
	FlagDeterioration  = "deterioration"
	FlagNotOnTrack     = "not_on_track"
	FlagNoImprovement  = "no_improvement"
	FlagAttendance     = "attendance"
	FlagMissingMeasure = "missing_measure"
	FlagWaiting        = "waiting"
	FlagLongTreatment  = "long_treatment"
)

var flagOrder = []string{FlagRisk, FlagDeterioration, FlagNotOnTrack, FlagNoImprovement,
	FlagAttendance, FlagMissingMeasure, FlagWaiting, FlagLongTreatment}

// Flag severities.
const (
	SeverityHigh   = "high"
	SeverityMedium = "medium"
	SeverityLow    = "low"
)

// Flag is a reason to bring an open referral to supervision.
type Flag struct {
	Code     string
	Severity string // "high", "medium" or "low"
	Reason   string // in words, with the numbers
}

// SeverityRank orders severities: high 3, medium 2, low 1, anything else 0.
func SeverityRank(s string) int {
	switch s {
	case SeverityHigh:
		return 3
	case SeverityMedium:
		return 2
	case SeverityLow:
		return 1
	}
	return 0
}

// Flags lists the reasons to discuss an open referral in supervision as of
// a date, highest severity first; an ended referral has none. descriptor is
// the referral's problem descriptor (the outcome's own when empty);
// intensity picks the session limits (low intensity's when unknown, the
// more cautious). exp may be nil, and then not_on_track uses its default.
// One flag per code: when both PHQ-9 and the anxiety measure raise it, the
// reasons are joined.
func Flags(o Outcome, descriptor string, intensity Intensity, asOf time.Time, exp Expectation) []Flag {
	if !o.Open {
		return nil
	}
	if descriptor == "" {
		descriptor = o.Descriptor
	}
	high := intensity == HighIntensity
	var flags []Flag
	add := func(code, severity string, reasons []string) {
		if len(reasons) > 0 {
			flags = append(flags, Flag{code, severity, strings.Join(reasons, "; ")})
		}
	}
	// The measures outcomes are judged on.
	judged := []MeasureOutcome{o.PHQ9, o.AnxietyM}

	sev, reasons := riskReasons(o)
	add(FlagRisk, sev, reasons)
	add(FlagDeterioration, SeverityHigh, deteriorationReasons(judged))
	add(FlagNotOnTrack, SeverityMedium, notOnTrack(o, judged, exp))
	add(FlagNoImprovement, SeverityMedium, noImprovementReasons(o, judged, high))
	add(FlagAttendance, SeverityMedium, attendanceReasons(o, asOf))
	add(FlagMissingMeasure, SeverityLow, missingMeasure(o, descriptor))
	sev, reasons = waitingReasons(o, asOf)
	add(FlagWaiting, sev, reasons)
	add(FlagLongTreatment, SeverityLow, longTreatmentReasons(o, high))

	sort.SliceStable(flags, func(i, j int) bool {
		ri, rj := SeverityRank(flags[i].Severity), SeverityRank(flags[j].Severity)
		if ri != rj {
			return ri > rj
		}
		return codeRank(flags[i].Code) < codeRank(flags[j].Code)
	})
	return flags
}

// riskReasons: the latest PHQ-9 answering item 9 above 0 (outcomes.md
// section 4).
func riskReasons(o Outcome) (string, []string) {
	r := RiskOf(o.LatestItem9)
	if r == RiskNone {
		return "", nil
	}
	a := *o.LatestItem9
	label := ""
	if a < len(frequencyAnswers) {
		label = " (" + strings.ToLower(frequencyAnswers[a]) + ")"
	}
	sev, ask := SeverityMedium, "a risk review"
	if r == RiskHigh {
		sev, ask = SeverityHigh, "a high-priority risk review"
	}
	return sev, []string{fmt.Sprintf(
		"PHQ-9 item 9 (thoughts of being better off dead or of self-harm) was %d%s on %s: %s is needed",
		a, label, dateWords(o.LatestItem9On), ask)}
}

// deteriorationReasons: a reliable rise since the first score.
func deteriorationReasons(judged []MeasureOutcome) []string {
	var reasons []string
	for _, m := range judged {
		if m.Paired && m.Change == ReliableDeterioration {
			in, _ := lookup(m.Instrument)
			reasons = append(reasons, fmt.Sprintf(
				"%s rose from %s to %s since the first session: a reliable deterioration (≥ %s)",
				in.Name, in.Format(m.First), in.Format(m.Last), formatRaw(in.RC)))
		}
	}
	return reasons
}

// intensityStep names the step of care for the flags' words.
func intensityStep(high bool) string {
	if high {
		return "high"
	}
	return "low"
}

// noImprovementReasons: at caseness with no reliable improvement after the
// step's number of sessions. Unpaired, the measures that are paired are
// judged on their own, so a missing anxiety score alone does not call an
// improving case unimproved (missing_measure says it).
func noImprovementReasons(o Outcome, judged []MeasureOutcome, high bool) []string {
	limit, advice := NoImprovementSessionsLow, "review, consider stepping up"
	if high {
		limit, advice = NoImprovementSessionsHigh, "review the treatment plan"
	}
	improved := o.ReliableImprovement
	if !o.Paired {
		anyUp, anyDown := false, false
		for _, m := range judged {
			anyUp = anyUp || (m.Paired && m.Change == ReliableDeterioration)
			anyDown = anyDown || (m.Paired && m.Change == ReliableImprovement)
		}
		improved = anyDown && !anyUp
	}
	if !o.AtCaseness || improved || o.TreatmentSessions < limit {
		return nil
	}
	return []string{fmt.Sprintf(
		"At caseness at the start and no reliable improvement after %d treatment sessions (%s intensity, %d or more): %s",
		o.TreatmentSessions, intensityStep(high), limit, advice)}
}

// attendanceReasons: appointments missed in a row, or a long time since the
// last attended one.
func attendanceReasons(o Outcome, asOf time.Time) []string {
	var reasons []string
	if o.TrailingMissed >= MissedInARow {
		reasons = append(reasons, fmt.Sprintf("%d appointments missed in a row", o.TrailingMissed))
	}
	// Any phase counts (issue 4: "no attended contact for 28 days"): a
	// patient assessed and then not seen for four weeks while waiting needs
	// keeping in touch with as much as one who stopped coming. Where the
	// waiting flag stands (no first treatment 35 days after referral) it
	// already says so, and one situation is not flagged twice; a referral
	// never yet seen is the waiting flag's alone.
	waitingFlagged := o.FirstTreatment.IsZero() && !o.Received.IsZero() && daysBetween(o.Received, asOf) >= WaitingAtRiskDays
	if !o.LastAttended.IsZero() && !waitingFlagged {
		if d := daysBetween(o.LastAttended, asOf); d >= AttendanceGapDays {
			reasons = append(reasons, fmt.Sprintf("no attended appointment for %d days (last on %s; %d or more)",
				d, dateWords(o.LastAttended), AttendanceGapDays))
		}
	}
	if len(reasons) > 0 {
		reasons[0] = strings.ToUpper(reasons[0][:1]) + reasons[0][1:]
	}
	return reasons
}

// waitingReasons: referral to first treatment (outcomes.md section 3: the
// 6-week standard).
func waitingReasons(o Outcome, asOf time.Time) (string, []string) {
	if !o.FirstTreatment.IsZero() || o.Received.IsZero() {
		return "", nil
	}
	d := daysBetween(o.Received, asOf)
	switch {
	case d > WaitingHighAfterDays:
		return SeverityHigh, []string{fmt.Sprintf(
			"No first treatment %d days after referral: past the 6-week standard (%d days)", d, SixWeeksDays)}
	case d >= WaitingAtRiskDays:
		return SeverityMedium, []string{fmt.Sprintf(
			"No first treatment %d days after referral: the 6-week standard (%d days) is at risk", d, SixWeeksDays)}
	}
	return "", nil
}

// longTreatmentReasons: more sessions than the step typically offers.
func longTreatmentReasons(o Outcome, high bool) []string {
	limit := LongTreatmentLow
	if high {
		limit = LongTreatmentHigh
	}
	if o.TreatmentSessions <= limit {
		return nil
	}
	return []string{fmt.Sprintf(
		"%d attended treatment sessions, more than the %d typical of %s intensity",
		o.TreatmentSessions, limit, intensityStep(high))}
}

func codeRank(code string) int {
	for i, c := range flagOrder {
		if c == code {
			return i
		}
	}
	return len(flagOrder)
}

// notOnTrack compares each judged measure's latest score with the expected
// response at the current treatment session. Only paired measures are
// judged: a single score says nothing about the course so far.
func notOnTrack(o Outcome, judged []MeasureOutcome, exp Expectation) []string {
	var reasons []string
	s := o.TreatmentSessions
	if s < 1 {
		return nil
	}
	for _, m := range judged {
		if !m.Paired {
			continue
		}
		in, _ := lookup(m.Instrument)
		if exp != nil {
			if b, ok := exp.Expected(m.Instrument, m.First, s); ok {
				if roundTo(m.Last, in.Decimals) > b.P75 {
					reasons = append(reasons, fmt.Sprintf(
						"%s is %s at treatment session %d, above the %dth percentile (%s) of %d similar finished cases that started at %s",
						in.Name, in.Format(m.Last), s, NotOnTrackPercentile, in.Format(b.P75), b.N, in.Format(m.First)))
				}
				continue
			}
		}
		// The default judges only a measure that started at caseness: a score
		// that starts in the non-clinical range and stays there is not "off
		// track", and flagging it would bury the cases supervision is for.
		// (With enough history the percentile rule above compares like with
		// like, so it needs no such limit.)
		if s >= DefaultNotOnTrackFrom && m.CaseAtStart && m.Last >= m.First {
			reasons = append(reasons, fmt.Sprintf(
				"%s is %s at treatment session %d, no lower than the first score of %s (fewer than %d similar finished cases to compare with)",
				in.Name, in.Format(m.Last), s, in.Format(m.First), MinComparableCases))
		}
	}
	return reasons
}

// missingMeasure: the last attended contact lacks PHQ-9 or the descriptor's
// anxiety measure (the outcome would go unpaired), or an ADSM descriptor's
// measure has never been recorded.
func missingMeasure(o Outcome, descriptor string) []string {
	var reasons []string
	own := PairedADSM(descriptor)
	if !o.LastAttended.IsZero() {
		var lacking []string
		for _, id := range []InstrumentID{PHQ9, own} {
			if !hasMeasure(o.LastAttendedHas, id) {
				lacking = append(lacking, name(id))
			}
		}
		if len(lacking) > 0 {
			reasons = append(reasons, fmt.Sprintf("The last attended contact (%s) has no %s score: the outcome would go unpaired",
				dateWords(o.LastAttended), strings.Join(lacking, " or ")))
		}
	}
	if own != GAD7 && o.Measures[own].Count == 0 {
		code, _ := NormaliseDescriptor(descriptor)
		reasons = append(reasons, fmt.Sprintf("%s (%s) is judged on the %s, which has never been recorded",
			DescriptorLabel(descriptor), code, name(own)))
	}
	return reasons
}

func hasMeasure(ids []InstrumentID, id InstrumentID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// dateWords shows a calendar date as clinicians write it: "5 Jan 2026".
func dateWords(t time.Time) string {
	if t.IsZero() {
		return "an unknown date"
	}
	return t.UTC().Format("2 Jan 2006")
}
