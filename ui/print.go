package ui

// Printing (issue 16). The referral page, the patient's progress page and
// the progress letter to the GP print from the browser (PDF through its
// print dialog): app.css's @media print hides navigation, buttons, forms and
// link addresses, keeps each chart on one sheet, and numbers the sheets
// "Page x of y" in the @page margin; printHeader heads every sheet with whose
// record it is and when it was printed, so that a loose sheet is never
// anonymous.

// printHeader is what heads every printed sheet.
type printHeader struct {
	Patient   string
	NHSNumber string // spaced 3-3-4, "" when not recorded
	On        string // the day printed, "27 November 2026"
}

func (s *Server) printHeaderFor(patient, nhs string) *printHeader {
	return &printHeader{Patient: patient, NHSNumber: nhsNumber(nhs), On: longDate(s.store.Today())}
}
