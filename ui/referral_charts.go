package ui

import (
	"fmt"
	"slices"

	"clinic/internal/caseload"
	"clinic/internal/measures"
	"clinic/ui/chart"
)

// What a referral's page charts: which measures, and their current scores
// by contact (drawn by package chart).

// chartMeasures lists the measures a referral's page charts: PHQ-9 and the
// anxiety measure always, then any other measure recorded. Phobia scales are
// screening items judged one by one, so their total is not charted.
func chartMeasures(d caseload.ReferralDetail) []measures.InstrumentID {
	anxiety := d.Outcome.Anxiety
	if anxiety == "" {
		anxiety = measures.PairedADSM(d.Referral.ProblemDescriptor)
	}
	ids := []measures.InstrumentID{measures.PHQ9}
	if anxiety != "" && anxiety != measures.PHQ9 {
		ids = append(ids, anxiety)
	}
	recorded := map[measures.InstrumentID]bool{}
	for _, c := range d.Contacts {
		for _, sc := range c.Scores {
			if sc.Current() {
				recorded[sc.Instrument] = true
			}
		}
	}
	for _, in := range measures.Instruments() {
		if recorded[in.ID] && in.ID != measures.Phobia && !slices.Contains(ids, in.ID) {
			ids = append(ids, in.ID)
		}
	}
	return ids
}

// buildCharts makes one chart per measure in use, each marking the
// referral's missed and cancelled appointments.
func buildCharts(d caseload.ReferralDetail) ([]chart.View, error) {
	missed := missedMarks(d.Contacts)
	var out []chart.View
	for _, id := range chartMeasures(d) {
		in, ok := measures.Lookup(id)
		if !ok {
			continue
		}
		var pts []chart.Point
		for i, c := range d.Contacts {
			for _, sc := range c.Scores {
				if sc.Instrument == id && sc.Current() {
					pts = append(pts, chart.Point{
						Number: i + 1,
						Date:   c.Date,
						Label:  fmt.Sprintf("%d · %s: %s", i+1, mediumDate(c.Date), in.Format(sc.Total)),
						Value:  in.Format(sc.Total),
						Total:  sc.Total,
						When:   longDate(c.Date),
					})
				}
			}
		}
		cv, err := chart.NewView(in, pts, missed)
		if err != nil {
			return nil, err
		}
		out = append(out, cv)
	}
	return out, nil
}

// missedMarks are the contacts at which the patient was not seen (did not
// attend, cancelled by either side, or too late to be seen), for the
// progress charts' date axis.
func missedMarks(contacts []caseload.Contact) []chart.Mark {
	var out []chart.Mark
	for _, c := range contacts {
		if !c.Attendance.IsAttended() {
			out = append(out, chart.Mark{Date: c.Date, What: attendanceLabel(c.Attendance), When: longDate(c.Date)})
		}
	}
	return out
}

// mediumDate shows a stored date as "3 Mar 2026".
func mediumDate(d string) string {
	t, err := parseDate(d)
	if err != nil {
		return d
	}
	return t.Format("2 Jan 2006")
}
