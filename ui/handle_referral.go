package ui

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/measures"
	"clinic/ui/chart"
)

// idParam reads a numeric path parameter; anything else is "not found".
func idParam(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, caseload.ErrNotFound
	}
	return id, nil
}

// scoreView is a score as the contacts table shows it.
type scoreView struct {
	caseload.Score
	Name        string
	Value       string
	Severity    string
	Risk        measures.Risk
	CorrectedBy string
	RecordedBy  string
	PhobiaCases []string
	CanCorrect  bool
}

type contactView struct {
	caseload.Contact
	Number int
	Scores []scoreView
}

type referralPage struct {
	basePage
	Referral   caseload.Referral
	Patient    caseload.Patient
	Descriptor string
	Summary    []string
	Charts     []chart.View
	Contacts   []contactView
	Risk       measures.Risk
	RiskDate   string
	RiskSource string // where the answer behind the banner was given (handle_risk.go)
	Alerts     []riskAlertView
	CanReopen  bool
	Recorded   bool
	Done       string // confirmation of a correction or a review (notice.go)
	CanChange  bool
	// CanSeeDemographics links to the patient's data set demographics.
	CanSeeDemographics bool
	CanBring           bool
	RuleSet            string

	PatientSide *patientSideView // the patient's access and answers waiting (handle_questionnaire.go)
	Supervision supervisionView  // flags, reviews and the expected band (handle_review.go)

	// Accountability (issue 6): the break-glass grant an admin reads this
	// under, and who has viewed the record.
	Grant   *caseload.Grant
	Viewers *[]viewer // nil when not for this user

	// Movements of care (issue 14): who held it, at which intensity.
	Moves   []caseload.Move
	CanMove bool
}

func (s *Server) handleReferralShow(c echo.Context) error {
	u, r, err := s.referralFor(c, nil)
	if err != nil {
		return err
	}
	// One read of the record: the referral, its contacts, outcome, flags,
	// reviews, the names its scores need and the patient's side.
	snap, err := s.store.ReferralSnapshot(c.Request().Context(), r.ID)
	if err != nil {
		return err
	}
	d := snap.ReferralDetail
	p := referralPage{
		basePage:   s.base(c, d.Patient.Name),
		Referral:   d.Referral,
		Patient:    d.Patient,
		Descriptor: measures.DescriptorLabel(d.Referral.ProblemDescriptor),
		Summary:    d.Outcome.Summary(),
		Risk:       measures.RiskOf(d.Outcome.LatestItem9),
		Recorded:   c.QueryParam("recorded") != "",
		Done:       doneNotice(c.QueryParam("done")),
		CanChange:  canChangeReferral(u, d.Referral),

		CanSeeDemographics: canEditDemographics(u, d.Referral),
		CanBring:           canBringToSupervision(u, d.Referral),
		RuleSet:            d.Outcome.RuleSet,
		Moves:              snap.Moves,
		CanMove:            canMoveReferral(u, d.Referral),
	}
	p.Print = s.printHeaderFor(d.Patient.Name, d.Patient.NHSNumber)
	if p.Grant, p.Viewers, err = s.accountability(c, u, d.Patient.ID); err != nil {
		return err
	}
	p.Scripts = []string{"/static/vendor/echarts/echarts.min.js", "/static/charts.js"}
	if p.Charts, err = buildCharts(d); err != nil {
		return err
	}
	if err := addSupervision(u, snap, &p); err != nil {
		return err
	}
	canCorrect := canCorrectScores(u, d.Referral)
	for i, ct := range d.Contacts {
		cv := contactView{Contact: ct, Number: i + 1}
		for _, sc := range sortedScores(ct.Scores) {
			sv := newScoreView(sc, snap.Names)
			sv.CanCorrect = canCorrect && sc.Current()
			cv.Scores = append(cv.Scores, sv)
		}
		p.Contacts = append(p.Contacts, cv)
	}
	addRiskAlerts(u, snap.ReferralDetail, &p)
	p.PatientSide = s.patientSide(d.Referral, snap.Invitations, snap.Questionnaires)
	return s.render(c, http.StatusOK, "referral_show.html", &p)
}

func newScoreView(sc caseload.Score, names map[int64]string) scoreView {
	sv := scoreView{Score: sc, Name: instrumentName(sc.Instrument), RecordedBy: names[sc.RecordedBy], CorrectedBy: names[sc.SupersededBy]}
	if in, ok := measures.Lookup(sc.Instrument); ok {
		sv.Value = in.Format(sc.Total)
	}
	sv.Severity = measures.Severity(sc.Instrument, sc.Total)
	if sc.Instrument == measures.PHQ9 && len(sc.Items) == 9 {
		sv.Risk = measures.RiskOf(sc.Items[8])
	}
	if sc.Instrument == measures.Phobia {
		sv.PhobiaCases = measures.PhobiaCases(sc.Items)
	}
	return sv
}

type referralEndPage struct {
	basePage
	Referral caseload.Referral
	Form     *form
	Reasons  []option
	EndCodes []option     // the data set's EndCode (dataset_form.go)
	Risk     *endRiskView // open risk alerts and unconfirmed answers to acknowledge (handle_risk.go)
}

// option is one choice of a select or radio group.
type option struct {
	Value, Label string
}

func endReasonOptions() []option {
	var out []option
	for _, r := range caseload.EndReasons {
		out = append(out, option{r, endReasonLabel(r)})
	}
	return out
}

func (s *Server) handleReferralEndForm(c echo.Context) error {
	u, r, err := s.referralFor(c, canChangeReferral)
	if err != nil {
		return err
	}
	f := newForm("date", "reason", "end_code", "risk_acknowledged", "risk_note")
	setDate(f, "date", s.store.Today())
	p := referralEndPage{basePage: s.base(c, "End referral"), Referral: r, Form: f, Reasons: endReasonOptions(), EndCodes: endCodeOptions()}
	if p.Risk, err = s.endRiskFor(c, u, r.ID); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "referral_end.html", &p)
}

func (s *Server) handleReferralEnd(c echo.Context) error {
	u, r, err := s.referralFor(c, canChangeReferral)
	if err != nil {
		return err
	}
	f := newForm("date", "reason", "end_code", "risk_acknowledged", "risk_note")
	risk := endRisk(c, f)
	values, _ := c.FormParams()
	f.Values["date"] = readDate(values, f, "date", "The date the referral ended")
	f.Values["reason"] = c.FormValue("reason")
	f.Values["end_code"] = strings.TrimSpace(c.FormValue("end_code"))
	if msg := caseload.CheckEndCode(f.Values["end_code"]); msg != "" {
		f.Errs["end_code"] = msg
	}
	if f.Values["reason"] == "" {
		f.Errs["reason"] = "Select why the referral is ending"
	}
	if f.Values["date"] == "" && f.Errs["date"] == "" {
		f.Errs["date"] = "Enter the date the referral ended"
	}
	if len(f.Errs) == 0 {
		_, err = s.store.EndReferral(c.Request().Context(), u, r.ID, f.Values["date"], f.Values["reason"], f.Values["end_code"], risk)
		var ve *caseload.ValidationError
		switch {
		case err == nil:
			return c.Redirect(http.StatusSeeOther, referralPath(r.ID))
		case errors.Is(err, caseload.ErrRiskUnacknowledged):
			f.Errs["risk_acknowledged"] = "Tick to confirm you have acted on the risk alerts and answers above"
		case errors.As(err, &ve):
			copyFieldErrors(f, ve, nil)
		default:
			return err
		}
	}
	p := referralEndPage{basePage: s.base(c, "End referral"), Referral: r, Form: f, Reasons: endReasonOptions(), EndCodes: endCodeOptions()}
	if p.Risk, err = s.endRiskFor(c, u, r.ID); err != nil {
		return err
	}
	return s.renderFormErrors(c, "referral_end.html", &p, f)
}

func (s *Server) handleReferralBring(c echo.Context) error {
	u, r, err := s.referralFor(c, canBringToSupervision)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(c.FormValue("reason"))
	if c.FormValue("action") == "clear" {
		reason = ""
	} else if reason == "" {
		reason = "Asked to discuss in supervision"
	}
	if err := s.store.SetBringToSupervision(c.Request().Context(), u, r.ID, reason); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, referralPath(r.ID))
}

func referralPath(id int64) string { return "/referrals/" + strconv.FormatInt(id, 10) }

// copyFieldErrors puts a store's field errors on a form, renaming fields
// where the form names them differently.
func copyFieldErrors(f *form, ve *caseload.ValidationError, rename func(string) string) {
	for k, m := range ve.Fields {
		if rename != nil {
			k = rename(k)
		}
		if _, dup := f.Errs[k]; !dup {
			f.Errs[k] = upperFirst(inClinicianWords(m))
		}
	}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// instrumentRank is each instrument's place in the catalogue's order, worked
// out once: sortedScores runs for every contact an answer shows.
var instrumentRank = sync.OnceValue(func() map[measures.InstrumentID]int {
	rank := map[measures.InstrumentID]int{}
	for i, in := range measures.Instruments() {
		rank[in.ID] = i
	}
	return rank
})

// sortedScores lists a contact's scores in the instruments' order (PHQ-9,
// GAD-7, then the others), each current score before the ones it replaced.
func sortedScores(scores []caseload.Score) []caseload.Score {
	rank := instrumentRank()
	out := append([]caseload.Score(nil), scores...)
	slices.SortStableFunc(out, func(a, b caseload.Score) int {
		if a.Instrument != b.Instrument {
			return cmp.Compare(rank[a.Instrument], rank[b.Instrument])
		}
		if a.Current() != b.Current() {
			if a.Current() {
				return -1
			}
			return 1
		}
		return b.RecordedAt.Compare(a.RecordedAt)
	})
	return out
}
