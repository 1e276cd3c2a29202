package ui

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// The progress letter to the GP (issue 16): a print-ready page for a
// referral, read by whoever may read the referral, audited as a view of it
// like the referral page. Print it, or save it as PDF, from the browser.

type letterScore struct {
	Name     string
	First    string
	FirstOn  string
	Last     string
	LastOn   string
	Caseness string // "10 or more"
	CaseNow  bool
	Change   string // reliable change in words, "" when not judged
}

type letterPage struct {
	basePage
	Referral   caseload.Referral
	Patient    caseload.Patient
	Descriptor string
	Assessment string // the date of the first attended assessment, "" when none
	Sessions   int
	Scores     []letterScore
	Outcome    []string // the outcome in words (at discharge, or so far)
	Ended      bool
	RuleSet    string
	Today      string
}

func (s *Server) handleReferralLetter(c echo.Context) error {
	_, r, err := s.referralFor(c, nil)
	if err != nil {
		return err
	}
	d, err := s.store.ReferralDetail(c.Request().Context(), r.ID)
	if err != nil {
		return err
	}
	o := d.Outcome
	p := &letterPage{
		basePage:   s.base(c, "Progress letter to GP: "+d.Patient.Name),
		Referral:   d.Referral,
		Patient:    d.Patient,
		Descriptor: measures.DescriptorLabel(d.Referral.ProblemDescriptor),
		Sessions:   o.TreatmentSessions,
		Outcome:    o.Summary(),
		Ended:      !d.Referral.Open(),
		RuleSet:    o.RuleSet,
		Today:      longDate(s.store.Today()),
	}
	p.Print = s.printHeaderFor(d.Patient.Name, d.Patient.NHSNumber)
	for _, ct := range d.Contacts {
		if ct.Kind == measures.Assessment && ct.Attendance == measures.Attended {
			p.Assessment = ct.Date
			break
		}
	}
	for _, m := range []measures.MeasureOutcome{o.PHQ9, o.AnxietyM} {
		if ls, ok := newLetterScore(m); ok {
			p.Scores = append(p.Scores, ls)
		}
	}
	return s.render(c, http.StatusOK, "referral_letter.html", p)
}

// newLetterScore puts one measure's first and latest scores beside its
// caseness cut-off (measures' own, with its source there).
func newLetterScore(m measures.MeasureOutcome) (letterScore, bool) {
	in, ok := measures.Lookup(m.Instrument)
	if !ok || m.Count == 0 {
		return letterScore{}, false
	}
	ls := letterScore{
		Name: in.Name, First: in.Format(m.First), FirstOn: longDate(m.FirstOn.Format(dateLayout)),
		Last: in.Format(m.Last), LastOn: longDate(m.LastOn.Format(dateLayout)), CaseNow: m.CaseNow,
	}
	if in.HasCaseness {
		ls.Caseness = in.Format(in.Caseness) + " or more"
		if in.StrictCaseness {
			ls.Caseness = "more than " + in.Format(in.Caseness)
		}
	}
	if m.Paired {
		ls.Change = fmt.Sprintf("%+g since the first score", m.Delta)
		switch m.Change {
		case measures.ReliableImprovement:
			ls.Change += ": a reliable improvement"
		case measures.ReliableDeterioration:
			ls.Change += ": a reliable deterioration"
		}
	}
	return ls, true
}
