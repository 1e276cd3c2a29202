package measures

import "time"

// ReportedItem9 is a PHQ-9 item 9 answer a patient gave on their own, in a
// questionnaire completed before a session, that no contact has recorded
// yet. On is the calendar date it was given (UTC midnight).
type ReportedItem9 struct {
	Answer int
	On     time.Time
}

// WithReportedItem9 folds item 9 answers that patients reported before a
// session into an outcome's risk, so that the risk flag is raised the day a
// patient tells the app of thoughts of being better off dead or of self-harm
// (outcomes.md section 4: any answer above 0 asks for a risk review that
// day), not at the next session.
//
// A reported answer only ever raises the risk: it replaces the latest
// recorded item 9 when it is given on the same day or later and is a higher
// risk. A lower answer waits for the therapist to confirm it at a session,
// so that answers no clinician has seen never clear a risk prompt. Answers
// older than the latest recorded PHQ-9 are left out: the session has
// superseded them.
func WithReportedItem9(o Outcome, reported []ReportedItem9) Outcome {
	for _, r := range reported {
		if o.LatestItem9 != nil && r.On.Before(o.LatestItem9On) {
			continue
		}
		a := r.Answer
		if RiskOf(&a) > RiskOf(o.LatestItem9) {
			o.LatestItem9, o.LatestItem9On = &a, r.On
		}
	}
	return o
}
