package measures

// Risk alert priorities (issue 11; outcomes.md section 4, Simon et al. 2013):
// any PHQ-9 item 9 answer above 0 asks the clinician for a risk review that
// day; 2 ("more than half the days") or 3 ("nearly every day") is high
// priority.
const (
	PriorityHigh     = "high"
	PriorityStandard = "standard"
)

// RaisesAlert reports whether a PHQ-9 item 9 answer opens a risk alert: any
// answer above 0. An unanswered item raises none (it is not an answer).
func RaisesAlert(item9 *int) bool {
	return RiskOf(item9) != RiskNone
}

// AlertPriority is the priority of the risk alert an item 9 answer opens;
// "" when it opens none.
func AlertPriority(item9 *int) string {
	switch RiskOf(item9) {
	case RiskHigh:
		return PriorityHigh
	case RiskPresent:
		return PriorityStandard
	}
	return ""
}
