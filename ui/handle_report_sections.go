package ui

import (
	"fmt"
	"net/url"
	"strconv"

	"clinic/internal/caseload"
	"clinic/internal/dataset"
	"clinic/internal/measures"
)

// The report's sections beyond the outcome rates (issue 13): waits,
// endings, stepped care, outcomes by group and data quality, each a table
// of caseload.ReportSections' figures with its CSV.

// sectionRow is one line of a section's table: a count, what it is out of
// and its rate, or a plain value (a median).
type sectionRow struct {
	Key   string
	Label string
	Count int
	Of    string
	Rate  *rateCell
	Value string // instead of a count, such as a median in days
}

// sectionTable is a section: its table and the CSV of its referrals.
type sectionTable struct {
	ID, Title, Caption string
	Intro              string
	Rows               []sectionRow
	CSVHref            string
}

// groupRow is one group of a dimension.
type groupRow struct {
	Key, Label                    string
	Finished, Recovered, Reliably int
	Recovery, ReliableRecovery    rateCell
}

// dimensionTable is one dimension's groups, with the gaps in words.
type dimensionTable struct {
	Key, Label string
	Rows       []groupRow
	Gaps       []string
}

// sectionsView is what the page shows of the sections.
type sectionsView struct {
	Tables         []sectionTable // waits, endings, stepped care, data quality
	Dimensions     []dimensionTable
	GroupsCSV      string
	Validation     string // records failing the data set's validation, in words
	ValidationHref string // the data set page of the period's month, for an admin
}

func countRow(key, label string, k, n int, of string) sectionRow {
	c := newRateCell(k, n)
	return sectionRow{Key: key, Label: label, Count: k, Of: fmt.Sprintf("of %s %s", thousands(n), of), Rate: &c}
}

func days(m *float64) string {
	if m == nil {
		return "–"
	}
	return strconv.FormatFloat(*m, 'f', -1, 64) + " days"
}

// newSectionsView lays out a period's sections; csv makes a section's CSV
// link.
func newSectionsView(s caseload.Sections, r measures.Rates, csv func(section string) string) sectionsView {
	w, e, sc, dq := s.Waits, s.Endings, s.SteppedCare, s.DataQuality
	waits := sectionTable{ID: "waits", Title: "Waits", Caption: "Waiting times", CSVHref: csv("waits"),
		Intro: "Waits to first assessment count referrals first assessed in the period (an appointment to assess, or, for a referral taken straight into treatment, its first treatment); waits to treatment count finished courses that ended in the period; waits at the period's end count referrals open on its last day (for a past period, a referral seen after its end is not counted among those without contact: its row keeps only its latest contact).",
		Rows: []sectionRow{
			countRow("assessment_under_29", "First assessment within 28 days of referral", w.AssessmentUnder29, w.Assessed, "first assessed"),
			countRow("assessment_29_56", "First assessment after 29 to 56 days", w.Assessment29To56, w.Assessed, "first assessed"),
			countRow("assessment_57_90", "First assessment after 57 to 90 days", w.Assessment57To90, w.Assessed, "first assessed"),
			countRow("assessment_over_90", "First assessment after more than 90 days", w.AssessmentOver90, w.Assessed, "first assessed"),
			{Key: "median_days_to_assessment", Label: "Median wait to first assessment", Value: days(w.MedianDaysToAssessment)},
			countRow("waited_6_weeks", "First treatment within 6 weeks", r.Within6Weeks, r.Waited, "finished with a first treatment"),
			countRow("waited_18_weeks", "First treatment within 18 weeks", r.Within18Weeks, r.Waited, "finished with a first treatment"),
			{Key: "median_days_to_treatment", Label: "Median wait to first treatment", Value: days(w.MedianDaysToTreatment)},
			countRow("second_treatment_over_90", "Second treatment appointment more than 90 days after the first", w.SecondTreatmentOver90, w.SecondTreatments, "with a second treatment in the period"),
		}}
	bands := []string{"up to 2 weeks", "over 2 and up to 4 weeks", "over 4 and up to 6 weeks", "over 6 and up to 12 weeks", "over 12 and up to 18 weeks", "over 18 weeks"}
	for i, n := range w.StillWaitingByBand {
		waits.Rows = append(waits.Rows, countRow("still_waiting_"+strconv.Itoa(i+1), "Still waiting for a first treatment at the period's end, "+bands[i], n, w.StillWaiting, "still waiting"))
	}
	waits.Rows = append(waits.Rows,
		countRow("no_contact_61_90", "Open with no attended contact for 61 to 90 days at the period's end", w.NoContact61To90, w.OpenAtEnd, "open at the period's end"),
		countRow("no_contact_over_90", "Open with no attended contact for more than 90 days at the period's end", w.NoContactOver90, w.OpenAtEnd, "open at the period's end"))

	endings := sectionTable{ID: "endings", Title: "Endings", Caption: "Referrals that ended in the period, by ending (EndCode)", CSVHref: csv("endings"),
		Intro: "Every referral that ended in the period, finished or not, by the ending recorded for the national data set.",
		Rows: []sectionRow{
			countRow("finished_share", "Finished a course of treatment", e.Finished, e.Ended, "ended"),
			countRow("with_treatment", "Had at least one attended treatment appointment", e.WithTreatment, e.Ended, "ended"),
		}}
	for _, c := range e.ByCode {
		if c.Count == 0 {
			continue
		}
		label := c.Label
		if c.Code != "" {
			label = c.Code + " " + label
		}
		if c.Group != "" {
			label += " (" + c.Group + ")"
		}
		endings.Rows = append(endings.Rows, countRow(endCodeKey(c.Code), label, c.Count, e.Ended, "ended"))
	}

	stepped := sectionTable{ID: "stepped_care", Title: "Stepped care", Caption: "Finished courses by the intensity of their treatment", CSVHref: csv("stepped_care"),
		Intro: "Each treatment appointment counts at the intensity it was given at, not the referral's intensity today. A step up is from the last low-intensity treatment to the first high-intensity one after it.",
		Rows: []sectionRow{
			countRow("low_only", "Low intensity only", sc.LowOnly, sc.Finished, "finished"),
			countRow("both", "Both low and high intensity", sc.Both, sc.Finished, "finished"),
			countRow("high_only", "High intensity only", sc.HighOnly, sc.Finished, "finished"),
			countRow("stepped_up_within_90_days", "Stepped up within 90 days", sc.SteppedUpWithin90, sc.SteppedUp, "stepped up"),
		}}

	quality := sectionTable{ID: "data_quality", Title: "Data quality", Caption: "What NHS England checks of finished courses", CSVHref: csv("data_quality"),
		Intro: "Over finished courses that ended in the period; the records failing the data set's validation over every referral that ended in it, finished or not, by the national data set export's own checks of the referral's records as they are today (its patient's, its own, its contacts' and its scores'). \"One or no anxiety score\" and records failing validation are shortfalls: lower is better.",
		Rows: []sectionRow{
			countRow("adsm_paired", "Appropriately paired anxiety measure (ADSM) for the problem descriptor", dq.ADSMPaired, dq.ADSMExpected, "whose descriptor has its own measure"),
			countRow("one_or_no_anxiety", "One or no anxiety score (GAD-7 or ADSM)", dq.OneOrNoAnxiety, dq.Finished, "finished"),
			countRow("wsas_complete", "WSAS completed (at least 4 of 5 domains)", dq.WSASComplete, dq.Finished, "finished"),
			countRow("failing_validation", "Records failing the data set's validation", dq.FailingValidation, dq.Ended, "ended"),
			{Key: "dataset_problems", Label: "Validation problems in those records", Value: problemsWords(dq.DatasetProblems)},
		}}

	v := sectionsView{Tables: []sectionTable{waits, endings, stepped, quality}, GroupsCSV: csv("groups")}
	for _, d := range s.Groups {
		v.Dimensions = append(v.Dimensions, newDimensionTable(d))
	}
	return v
}

func newDimensionTable(d caseload.DimensionFigures) dimensionTable {
	t := dimensionTable{Key: d.Key, Label: d.Label}
	for _, g := range d.Groups {
		atCaseness := g.Rates.Finished - g.Rates.NotAtCaseness
		t.Rows = append(t.Rows, groupRow{Key: g.Key, Label: g.Label, Finished: g.Rates.Finished,
			Recovered: g.Rates.Recovered, Reliably: g.Rates.ReliablyRecovered,
			Recovery: newRateCell(g.Rates.Recovered, atCaseness), ReliableRecovery: newRateCell(g.Rates.ReliablyRecovered, atCaseness)})
	}
	t.Gaps = []string{
		gapWords(d.Key, "Recovery", t.Rows, func(r groupRow) rateCell { return r.Recovery }),
		gapWords(d.Key, "Reliable recovery", t.Rows, func(r groupRow) rateCell { return r.ReliableRecovery }),
	}
	return t
}

// groupPhrase names a group's patients in a sentence.
func groupPhrase(dimension, label string) string {
	switch dimension {
	case dataset.DimEthnicGroup:
		return label + " patients"
	case dataset.DimAgeBand:
		return "patients aged " + label
	}
	return "patients in the group \u201c" + label + "\u201d"
}

// gapWords names the gap between the best and the worst group of a
// dimension in a rate, among groups with at least measures.SmallNumbers
// cases (the rate's denominator), and says whether their intervals overlap.
func gapWords(dimension, what string, rows []groupRow, rate func(groupRow) rateCell) string {
	var best, worst *groupRow
	n := 0
	for i := range rows {
		c := rate(rows[i])
		if c.N < measures.SmallNumbers || rows[i].Key == dataset.NotStated {
			continue
		}
		n++
		if best == nil || *c.Value > *rate(*best).Value {
			best = &rows[i]
		}
		if worst == nil || *c.Value < *rate(*worst).Value {
			worst = &rows[i]
		}
	}
	if n < 2 {
		return fmt.Sprintf("%s: too few cases to compare groups (a group needs %d or more).", what, measures.SmallNumbers)
	}
	b, w := rate(*best), rate(*worst)
	if *b.Value == *w.Value {
		return fmt.Sprintf("%s was the same (%s) in every group with %d or more cases.", what, b.Rate, measures.SmallNumbers)
	}
	chance := "their 95% intervals do not overlap"
	if w.High >= b.Low {
		chance = "their 95% intervals overlap, so the gap may be chance"
	}
	return fmt.Sprintf("%s was %s points lower for %s (%s) than for %s (%s); %s.", what, points(*b.Value, *w.Value),
		groupPhrase(dimension, worst.Label), w.Rate, groupPhrase(dimension, best.Label), b.Rate, chance)
}

// sectionCSVHref is the CSV of one section, for the report's period and
// scope.
func sectionCSVHref(q reportQuery, flt caseload.ReportFilter) func(string) string {
	base := csvHref(q, flt)
	return func(section string) string {
		u, _ := url.Parse(base)
		v := u.Query()
		v.Set("section", section)
		return "/reports/sections.csv?" + v.Encode()
	}
}

func problemsWords(n int) string {
	if n == 1 {
		return "1 problem"
	}
	return thousands(n) + " problems"
}

// validationWords says where to see the records failing the data set's
// validation themselves, each with what to fix (the data quality table
// counts them, from the kept report rows): for an administrator's
// whole-service report on one calendar month, the data set page of that
// month, which lists that month's submission's.
func validationWords(u caseload.User, q reportQuery, flt caseload.ReportFilter) (string, string) {
	month := q.From[:7]
	from, to, ok := monthPeriod(month)
	if u.Role != caseload.RoleAdmin || !flt.WholeService || flt.TherapistID != 0 || flt.Descriptor != "" || !ok || from != q.From || to != q.To {
		return "The records failing the data set's validation themselves, each with what to fix, are checked month by month, for the whole service, on the data set page (administrators).", ""
	}
	return "This month's submission lists each record failing the data set's validation, with what to fix, on the data set page.", "/admin/dataset?month=" + month
}
