package caseload

import (
	"context"
	"fmt"
	"time"
)

// EndedWithinDays is how far back a caseload's "ended" view reaches: the
// referrals a therapist may still be asked about (a late questionnaire, a
// discharge letter, a re-referral), matching how long a patient can still
// read an ended referral.
const EndedWithinDays = 90

// EndedCaseload returns a therapist's referrals that ended in the last
// EndedWithinDays days (England's today included), most recently ended
// first, read from their summaries.
func (s *Store) EndedCaseload(ctx context.Context, therapistID int64) ([]CaseloadRow, error) {
	today, _ := parseDate(s.today())
	since := today.Add(-EndedWithinDays * 24 * time.Hour).Format(dateLayout)
	rows, err := findReferrals(ctx, s.read, referralFilter{TherapistID: therapistID, EndedSince: since,
		withOutcome: true, order: "r.ended_on DESC, r.id DESC"})
	if err != nil {
		return nil, fmt.Errorf("ended caseload: %w", err)
	}
	out := make([]CaseloadRow, 0, len(rows))
	for _, row := range rows {
		o, err := row.outcomeOf()
		if err != nil {
			return nil, fmt.Errorf("ended caseload: %w", err)
		}
		out = append(out, CaseloadRow{Referral: row.Referral, Outcome: o})
	}
	return out, nil
}
