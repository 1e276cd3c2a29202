package ui

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/measures"
	"clinic/ui/chart"
)

// A patient's pages are built from an explicit allow-list: each page struct
// below holds only what a patient may see of their own referral (dates,
// attendance, their own totals, what each questionnaire measures, their
// therapist's name). Nothing is copied from a whole caseload record, so
// clinician notes, flags, supervision, corrections and risk prompts cannot
// reach a patient's page by accident.

// portalReferral is one of the patient's referrals, for the list.
type portalReferral struct {
	ID        int64
	Received  string // YYYY-MM-DD
	Ended     string // YYYY-MM-DD, empty while open
	Therapist string
}

type portalHomePage struct {
	basePage
	Referrals []portalReferral
}

// portalAppointment is one appointment: when, what kind, and whether it
// happened.
type portalAppointment struct {
	Date       string
	Kind       string
	Attendance string
	Attended   bool
}

// portalChart is one questionnaire's scores over the sessions.
type portalChart struct {
	ID        string
	Measure   measures.InstrumentID
	Name      string
	Title     string
	Explain   string // the line, in plain words
	Caption   string
	Missed    string // the missed and cancelled appointments it marks, in words
	Points    []portalPoint
	Option    template.JS
	HasLine   bool
	LineValue string
}

type portalPoint struct {
	Session int
	Date    string
	Value   string
	Total   float64
}

// portalMeasure says what a questionnaire measures.
type portalMeasure struct {
	Name  string
	Title string
	About string
}

type portalProgressPage struct {
	basePage
	ReferralID   int64
	Therapist    string
	Received     string
	Ended        string // empty while open
	ReadUntil    string // for an ended referral, the last day the patient can read it
	CanSubmit    bool
	PendingOn    string // when answers are waiting for the therapist, the day they were sent
	Charts       []portalChart
	Appointments []portalAppointment
	Measures     []portalMeasure
}

func portalReferralOf(a caseload.PatientAccess) portalReferral {
	return portalReferral{ID: a.Referral.ID, Received: a.Referral.ReceivedOn, Ended: a.Referral.EndedOn, Therapist: a.Referral.TherapistName}
}

// handlePortalHome takes a patient with one referral straight to it and
// lists them otherwise.
func (s *Server) handlePortalHome(c echo.Context) error {
	readable, _ := c.Get(patientAccessKey).([]caseload.PatientAccess)
	if len(readable) == 1 {
		return c.Redirect(http.StatusSeeOther, portalPath(readable[0].Referral.ID))
	}
	p := portalHomePage{basePage: s.base(c, "Your treatment")}
	p.Nav = "progress"
	for _, a := range readable {
		p.Referrals = append(p.Referrals, portalReferralOf(a))
	}
	return s.render(c, http.StatusOK, "portal_home.html", &p)
}

func (s *Server) handlePortalProgress(c echo.Context) error {
	_, a, err := patientReferral(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	d, err := s.store.ReferralDetail(ctx, a.Referral.ID)
	if err != nil {
		return err
	}
	qs, err := s.store.Questionnaires(ctx, a.Referral.ID)
	if err != nil {
		return err
	}
	p := portalProgressPage{
		basePage:   s.base(c, "My progress"),
		ReferralID: d.Referral.ID,
		Therapist:  d.Referral.TherapistName,
		Received:   d.Referral.ReceivedOn,
		Ended:      d.Referral.EndedOn,
		ReadUntil:  patientReadUntil(d.Referral),
		CanSubmit:  patientCanSubmit(a),
	}
	p.Nav = "progress"
	p.Scripts = []string{"/static/vendor/echarts/echarts.min.js", "/static/charts.js"}
	p.Print = s.printHeaderFor(d.Patient.Name, d.Patient.NHSNumber)
	for _, q := range qs {
		if q.Status == caseload.QuestionnairePending {
			p.PendingOn = q.SubmittedAt.In(london).Format(dateLayout)
			break
		}
	}
	for _, ct := range d.Contacts {
		p.Appointments = append(p.Appointments, portalAppointment{
			Date: ct.Date, Kind: kindLabel(ct.Kind), Attendance: attendanceLabel(ct.Attendance), Attended: ct.Attendance.IsAttended(),
		})
	}
	if p.Charts, err = portalCharts(d.Contacts); err != nil {
		return err
	}
	shown := map[measures.InstrumentID]bool{}
	for _, ch := range p.Charts {
		shown[ch.Measure] = true
	}
	for _, in := range measures.Instruments() {
		if shown[in.ID] || slices.Contains(caseload.PatientQuestionnaires, in.ID) {
			p.Measures = append(p.Measures, portalMeasure{Name: in.Name, Title: in.Title, About: in.About})
		}
	}
	return s.render(c, http.StatusOK, "portal_progress.html", &p)
}

// portalCharts makes one chart per questionnaire the patient has scores
// for, from their current totals only (a corrected score shows as
// corrected; why it was corrected is the clinic's note, not shown).
func portalCharts(contacts []caseload.Contact) ([]portalChart, error) {
	missed := missedMarks(contacts)
	var out []portalChart
	for _, in := range measures.Instruments() {
		if in.ID == measures.Phobia {
			continue // screening items judged one by one: no total to chart
		}
		var pts []portalPoint
		session := 0
		for _, ct := range contacts {
			if !ct.Attendance.IsAttended() {
				continue
			}
			session++
			for _, sc := range ct.Scores {
				if sc.Instrument == in.ID && sc.Current() {
					pts = append(pts, portalPoint{Session: session, Date: ct.Date, Value: in.Format(sc.Total), Total: sc.Total})
				}
			}
		}
		if len(pts) == 0 {
			continue
		}
		ch := portalChart{ID: "chart-" + string(in.ID), Measure: in.ID, Name: in.Name, Title: in.Title, Points: pts, HasLine: in.HasCaseness}
		if in.HasCaseness {
			ch.LineValue = in.Format(in.Caseness)
			ch.Explain = portalLineWords(in)
		}
		first, last := pts[0], pts[len(pts)-1]
		if len(pts) == 1 {
			ch.Caption = fmt.Sprintf("Your %s score was %s on %s.", in.Name, first.Value, longDate(first.Date))
		} else {
			ch.Caption = fmt.Sprintf("Your %s score went from %s on %s to %s on %s. Lower scores mean fewer difficulties. Scores are placed by date.", in.Name, first.Value, longDate(first.Date), last.Value, longDate(last.Date))
		}
		if len(missed) > 0 {
			ch.Missed = chart.MissedWords(missed)
		}
		opt, err := portalChartOption(in, pts, missed)
		if err != nil {
			return nil, err
		}
		ch.Option = opt
		out = append(out, ch)
	}
	return out, nil
}

// portalLineWords explains the chart's line to a patient, from the side
// they read it: a score exactly on the line (PHQ-9 10, GAD-7 8) is in the
// range where symptoms are likely to need help; the Mobility Inventory's
// cut-off is strict (outcomes.md), so a score on its line is not.
func portalLineWords(in measures.Instrument) string {
	v := in.Format(in.Caseness)
	if in.StrictCaseness {
		return fmt.Sprintf("Above the dotted line (above %s): in the range where symptoms are likely to need help. On or below it, in the shaded area: the range most people without these difficulties score in.", v)
	}
	return fmt.Sprintf("At or above the dotted line (%s or more): in the range where symptoms are likely to need help. Below it, in the shaded area: the range most people without these difficulties score in.", v)
}

// portalChartOption is the ECharts option of a patient's chart: their
// totals placed by date, the whole range of the questionnaire on the y axis,
// missed and cancelled appointments marked on the date axis, and the
// clinical cut-off as a dotted line labelled in plain words.
func portalChartOption(in measures.Instrument, pts []portalPoint, missed []chart.Mark) (template.JS, error) {
	cp := make([]chart.Point, len(pts))
	for i, p := range pts {
		cp[i] = chart.Point{Number: p.Session, Date: p.Date, Total: p.Total, Value: p.Value, When: longDate(p.Date),
			Label: fmt.Sprintf("Session %d · %s: %s", p.Session, mediumDate(p.Date), p.Value)}
	}
	return chart.Progress(in, cp, missed, chart.PatientStyle(in))
}
