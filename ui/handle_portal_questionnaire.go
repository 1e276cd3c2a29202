package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// "Before my session": the patient answers PHQ-9, GAD-7 and (optionally)
// WSAS. The answers wait for the therapist as a pending questionnaire. An
// item 9 answer above 0 shows, at once, where to get help now.

// notWorking is the WSAS work question's extra answer: not working, so the
// question does not apply (measures leaves item 1 unanswered then).
const notWorking = "na"

// portalQuestion is one question: a fieldset of radio buttons.
type portalQuestion struct {
	Name    string
	ID      string
	Number  int
	Text    string
	Err     string
	Options []radioOption
}

// portalQuestionnaireForm is one questionnaire on the patient's form.
type portalQuestionnaireForm struct {
	ID        string
	Name      string
	Title     string
	About     string
	Stem      string
	Optional  bool
	Err       string
	Questions []portalQuestion
}

type portalQuestionnairePage struct {
	basePage
	ReferralID     int64
	PendingOn      string // answers already waiting, sent on this day
	Form           *form
	Questionnaires []portalQuestionnaireForm
	// ADSM is the anxiety questionnaire paired with the patient's problem
	// when it is not the GAD-7 (issue 16): its questions are copyright and
	// not in the app, so the page says it is done with the therapist.
	ADSM *measures.Instrument
}

func patientItemField(id measures.InstrumentID, n int) string {
	return fmt.Sprintf("answers.%s.items.%d", id, n)
}

func patientFieldOrder() []string {
	order := []string{"referral"}
	for _, id := range caseload.PatientQuestionnaires {
		in, _ := measures.Lookup(id)
		order = append(order, "answers."+string(id))
		for n := 1; n <= in.ItemCount; n++ {
			order = append(order, patientItemField(id, n))
		}
	}
	return order
}

func (s *Server) portalQuestionnairePage(c echo.Context, referralID int64, f *form) *portalQuestionnairePage {
	p := &portalQuestionnairePage{basePage: s.base(c, "Before my session"), ReferralID: referralID, Form: f, Questionnaires: portalQuestionnaireForms(f)}
	p.Nav = "questionnaire"
	return p
}

// portalQuestionnaireForms lays out the patient's questionnaires with the
// answers and errors of f.
func portalQuestionnaireForms(f *form) []portalQuestionnaireForm {
	var out []portalQuestionnaireForm
	for _, id := range caseload.PatientQuestionnaires {
		in, ok := measures.Lookup(id)
		if !ok {
			continue
		}
		key := "answers." + string(id)
		qf := portalQuestionnaireForm{ID: fieldID(key), Name: in.Name, Title: in.Title, About: in.About, Stem: in.Stem, Optional: id == measures.WSAS, Err: f.Err(key)}
		for _, it := range in.Items {
			name := patientItemField(id, it.Number)
			q := portalQuestion{Name: name, ID: fieldID(name), Number: it.Number, Text: it.Text, Err: f.Err(name)}
			for a := in.ItemMin; a <= in.ItemMax; a++ {
				v := strconv.Itoa(a)
				label := v
				if i := a - in.ItemMin; i < len(in.Answers) && in.Answers[i] != "" {
					label = in.Answers[i]
					if id == measures.WSAS {
						label = v + " – " + label
					}
				}
				optID := q.ID
				if a != in.ItemMin {
					optID = q.ID + "-" + v
				}
				q.Options = append(q.Options, radioOption{ID: optID, Value: v, Label: label, Checked: f.Value(name) == v})
			}
			if id == measures.WSAS && it.Number == 1 {
				q.Options = append(q.Options, radioOption{ID: q.ID + "-" + notWorking, Value: notWorking, Label: "Does not apply: I am not working", Checked: f.Value(name) == notWorking})
			}
			qf.Questions = append(qf.Questions, q)
		}
		out = append(out, qf)
	}
	return out
}

// parsePatientAnswers reads the form into answers, keeping every value. A
// questionnaire the patient did not begin is left out (the store says
// which are required).
func parsePatientAnswers(values url.Values) (*form, map[measures.InstrumentID][]*int) {
	f := newForm(patientFieldOrder()...)
	answers := map[measures.InstrumentID][]*int{}
	for _, id := range caseload.PatientQuestionnaires {
		in, _ := measures.Lookup(id)
		items := make([]*int, in.ItemCount)
		begun := false
		for n := 1; n <= in.ItemCount; n++ {
			name := patientItemField(id, n)
			v := strings.TrimSpace(values.Get(name))
			f.Values[name] = v
			switch {
			case v == "":
			case id == measures.WSAS && n == 1 && v == notWorking:
			default:
				a, err := strconv.Atoi(v)
				if err != nil || a < in.ItemMin || a > in.ItemMax {
					f.Errs[name] = fmt.Sprintf("Select one of the answers to question %d", n)
					continue
				}
				items[n-1] = &a
				begun = true
			}
		}
		if begun || id != measures.WSAS {
			answers[id] = items
		}
	}
	return f, answers
}

func (s *Server) handlePortalQuestionnaireForm(c echo.Context) error {
	_, a, err := patientReferral(c)
	if err != nil {
		return err
	}
	if !patientCanSubmit(a) {
		return c.Redirect(http.StatusSeeOther, portalPath(a.Referral.ID))
	}
	p := s.portalQuestionnairePage(c, a.Referral.ID, newForm(patientFieldOrder()...))
	p.ADSM = pairedADSMOf(a.Referral)
	if p.PendingOn, err = s.pendingOn(c, a.Referral.ID); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "portal_questionnaire.html", p)
}

// pendingOn is the day the patient's latest pending answers were sent, or "".
func (s *Server) pendingOn(c echo.Context, referralID int64) (string, error) {
	qs, err := s.store.Questionnaires(c.Request().Context(), referralID)
	if err != nil {
		return "", err
	}
	for _, q := range qs {
		if q.Status == caseload.QuestionnairePending {
			return q.SubmittedAt.In(london).Format(dateLayout), nil
		}
	}
	return "", nil
}

func (s *Server) handlePortalQuestionnaireSubmit(c echo.Context) error {
	u, a, err := patientReferral(c)
	if err != nil {
		return err
	}
	if !patientCanSubmit(a) {
		return c.Redirect(http.StatusSeeOther, portalPath(a.Referral.ID))
	}
	values, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	f, answers := parsePatientAnswers(values)
	if len(f.Errs) == 0 {
		q, err := s.store.SubmitQuestionnaire(c.Request().Context(), u, a.Referral.ID, answers)
		var ve *caseload.ValidationError
		switch {
		case err == nil:
			return c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/questionnaires/%d", portalPath(a.Referral.ID), q.ID))
		case errors.As(err, &ve):
			copyFieldErrors(f, ve, nil)
			plainQuestionErrors(f)
		default:
			return err
		}
	}
	p := s.portalQuestionnairePage(c, a.Referral.ID, f)
	p.ADSM = pairedADSMOf(a.Referral)
	if p.PendingOn, err = s.pendingOn(c, a.Referral.ID); err != nil {
		return err
	}
	return s.renderFormErrors(c, "portal_questionnaire.html", p, f)
}

// plainQuestionErrors words a missing answer as a patient needs it, with
// the questionnaire named so that the error summary is clear.
func plainQuestionErrors(f *form) {
	for name := range f.Errs {
		var id string
		var n int
		if _, err := fmt.Sscanf(strings.ReplaceAll(name, ".", " "), "answers %s items %d", &id, &n); err != nil {
			continue
		}
		if f.Values[name] == "" {
			f.Errs[name] = fmt.Sprintf("%s question %d: select an answer", instrumentName(measures.InstrumentID(id)), n)
		}
	}
}

// portalTotal is one questionnaire's total as the patient sees it.
type portalTotal struct {
	Name  string
	Value string
	Max   string
}

// portalChoice is one of two or more answers waiting: which to keep.
type portalChoice struct {
	ID     int64
	SentAt string
	Totals string
	This   bool // the one on this page
}

type portalSubmittedPage struct {
	basePage
	ReferralID      int64
	QuestionnaireID int64
	SentAt          string
	Status          string
	Crisis          bool
	Totals          []portalTotal
	Choices         []portalChoice // more than one waiting: the patient chooses
	ChoiceErr       string
}

func (s *Server) portalSubmittedPage(c echo.Context, a caseload.PatientAccess) (*portalSubmittedPage, error) {
	qid, err := strconv.ParseInt(c.Param("qid"), 10, 64)
	if err != nil {
		return nil, caseload.ErrNotFound
	}
	qs, err := s.store.Questionnaires(c.Request().Context(), a.Referral.ID)
	if err != nil {
		return nil, err
	}
	var q *caseload.Questionnaire
	for i := range qs {
		if qs[i].ID == qid {
			q = &qs[i]
		}
	}
	if q == nil {
		return nil, caseload.ErrNotFound
	}
	p := &portalSubmittedPage{
		basePage:        s.base(c, "Your answers"),
		ReferralID:      a.Referral.ID,
		QuestionnaireID: q.ID,
		SentAt:          q.SubmittedAt.In(london).Format("2 January 2006 at 15:04"),
		Status:          q.Status,
		Crisis:          measures.RiskOf(q.Item9()) != measures.RiskNone,
		Totals:          portalTotals(*q),
	}
	p.Nav = "questionnaire"
	if q.Status == caseload.QuestionnairePending {
		for _, o := range qs {
			if o.Status != caseload.QuestionnairePending {
				continue
			}
			var parts []string
			for _, t := range portalTotals(o) {
				parts = append(parts, t.Name+" "+t.Value)
			}
			p.Choices = append(p.Choices, portalChoice{ID: o.ID, SentAt: o.SubmittedAt.In(london).Format("2 January 2006 at 15:04"), Totals: strings.Join(parts, ", "), This: o.ID == q.ID})
		}
		if len(p.Choices) < 2 {
			p.Choices = nil
		}
	}
	return p, nil
}

func portalTotals(q caseload.Questionnaire) []portalTotal {
	var out []portalTotal
	for _, sc := range q.Scores() {
		in, _ := measures.Lookup(sc.Instrument)
		out = append(out, portalTotal{Name: in.Name, Value: in.Format(sc.Total), Max: in.Format(in.Max)})
	}
	return out
}

func (s *Server) handlePortalQuestionnaireShow(c echo.Context) error {
	_, a, err := patientReferral(c)
	if err != nil {
		return err
	}
	p, err := s.portalSubmittedPage(c, a)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "portal_submitted.html", p)
}

func (s *Server) handlePortalQuestionnaireKeep(c echo.Context) error {
	u, a, err := patientReferral(c)
	if err != nil {
		return err
	}
	p, err := s.portalSubmittedPage(c, a)
	if err != nil {
		return err
	}
	keep, err := strconv.ParseInt(c.FormValue("keep"), 10, 64)
	if err != nil {
		p.ChoiceErr = "Select which answers your therapist should use"
		p.Errors = []fieldErr{{ID: "keep", Message: p.ChoiceErr}}
		return s.render(c, http.StatusUnprocessableEntity, "portal_submitted.html", p)
	}
	err = s.store.KeepQuestionnaire(c.Request().Context(), u, a.Referral.ID, keep)
	if errors.Is(err, caseload.ErrNotFound) {
		// Settled meanwhile (the therapist recorded the session, or another
		// tab chose): this page says where the answers stand now.
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/questionnaires/%d", portalPath(a.Referral.ID), p.QuestionnaireID))
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/questionnaires/%d", portalPath(a.Referral.ID), keep))
}

// pairedADSMOf is the referral's paired anxiety measure when it is not the
// GAD-7 the patient answers here, or nil.
func pairedADSMOf(r caseload.Referral) *measures.Instrument {
	id := measures.PairedADSM(r.ProblemDescriptor)
	if id == "" || id == measures.GAD7 {
		return nil
	}
	in, ok := measures.Lookup(id)
	if !ok {
		return nil
	}
	return &in
}
