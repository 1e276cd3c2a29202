package ui

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/dataset"
	"clinic/internal/measures"
)

// radioOption is one answer of a question.
type radioOption struct {
	ID      string
	Value   string
	Label   string
	Checked bool
}

// itemGroup is one question: a fieldset of radio buttons.
type itemGroup struct {
	Name    string
	ID      string
	Number  int
	Text    string
	Err     string
	Options []radioOption
	Risk    bool // PHQ-9 item 9
}

// questionnaireView is one itemised questionnaire on the form.
type questionnaireView struct {
	Instrument measures.Instrument
	Key        string // "scores.phq9"
	ID         string
	Items      []itemGroup
	Quick      bool
	QuickName  string
	QuickID    string
	QuickValue string
	QuickErr   string
	// QuickElsewhere: the quick-entry field is drawn in the form's quick
	// entry block (contact_new.html), not inside the questionnaire.
	QuickElsewhere bool
	Err            string
	Total          string // the server's total when the form comes back
	Optional       bool   // shown folded (WSAS, phobia scales)
	Risk           measures.Risk
}

type adsmOption struct {
	Value    string
	Label    string
	Min, Max string
	Step     string
	Selected bool
}

type contactNewPage struct {
	basePage
	Referral       caseload.Referral
	Form           *form
	Kinds          []option
	Attendances    []option
	Questionnaires []questionnaireView
	ADSMs          []adsmOption
	ADSMHint       string
	Risk           measures.Risk
	Checked        bool // "check totals" without saving
	// The data set's choices (dataset_form.go).
	Media, TherapyTypes, EmploymentStatuses []option
	// FocusScores puts the focus in the first quick-entry field when the
	// form opens: date, kind and attendance come filled in.
	FocusScores bool
}

// kindOptions are the six purposes of the data set, in its order.
var kindOptions = func() []option {
	var out []option
	for _, k := range measures.ContactKinds {
		out = append(out, option{string(k), kindLabels[k]})
	}
	return out
}()

// attendanceOptions are the six attendance outcomes of the data set.
var attendanceOptions = func() []option {
	var out []option
	for _, a := range measures.Attendances {
		out = append(out, option{string(a), attendanceLabels[a]})
	}
	return out
}()

func (s *Server) contactNewPage(c echo.Context, r caseload.Referral, f *form) *contactNewPage {
	p := &contactNewPage{
		basePage:    s.base(c, "Record a session"),
		Referral:    r,
		Form:        f,
		Kinds:       kindOptions,
		Attendances: attendanceOptions,

		Media:              mediumOptions(),
		TherapyTypes:       therapyOptions(r.Intensity),
		EmploymentStatuses: codeOptions(dataset.EmployStatus),
	}
	p.Scripts = []string{"/static/session_form.js"}
	for _, id := range itemisedOnForm {
		in, ok := measures.Lookup(id)
		if !ok {
			continue
		}
		q := newQuestionnaireView(in, f)
		q.QuickElsewhere = q.Quick
		p.Questionnaires = append(p.Questionnaires, q)
	}
	if a, err := strconv.Atoi(f.Value(itemField(measures.PHQ9, 9))); err == nil {
		p.Risk = measures.RiskOf(&a)
	}
	for _, in := range measures.ADSMs() {
		step := "1"
		if in.Decimals > 0 {
			step = "0." + strings.Repeat("0", in.Decimals-1) + "1"
		}
		o := adsmOption{Value: string(in.ID), Label: in.Name + " – " + in.Title, Min: in.Format(in.Min), Max: in.Format(in.Max), Step: step, Selected: f.Value("adsm") == string(in.ID)}
		if o.Selected {
			p.ADSMHint = fmt.Sprintf("%s total, from %s to %s", in.Name, o.Min, o.Max)
		}
		p.ADSMs = append(p.ADSMs, o)
	}
	if p.ADSMHint == "" {
		p.ADSMHint = "Choose the measure below; its range is shown here"
	}
	return p
}

func newQuestionnaireView(in measures.Instrument, f *form) questionnaireView {
	key := "scores." + string(in.ID)
	q := questionnaireView{
		Instrument: in,
		Key:        key,
		ID:         fieldID(key + ".items"),
		Quick:      hasQuickEntry(in.ID),
		QuickName:  quickField(in.ID),
		QuickID:    fieldID(quickField(in.ID)),
		QuickValue: f.Value(quickField(in.ID)),
		QuickErr:   f.Err(quickField(in.ID)),
		Err:        firstNonEmpty(f.Err(key+".items"), f.Err(key)),
		Optional:   in.ID == measures.WSAS || in.ID == measures.Phobia,
	}
	items := make([]*int, in.ItemCount)
	answered := false
	for _, it := range in.Items {
		name := itemField(in.ID, it.Number)
		g := itemGroup{Name: name, ID: fieldID(name), Number: it.Number, Text: it.Text, Err: f.Err(name), Risk: in.ID == measures.PHQ9 && it.Number == 9}
		for a := in.ItemMin; a <= in.ItemMax; a++ {
			v := strconv.Itoa(a)
			label := v
			if i := a - in.ItemMin; i < len(in.Answers) && in.Answers[i] != "" {
				label = fmt.Sprintf("%s (%d)", in.Answers[i], a)
			}
			id := g.ID
			if a != in.ItemMin {
				id = fmt.Sprintf("%s-%d", g.ID, a)
			}
			g.Options = append(g.Options, radioOption{ID: id, Value: v, Label: label, Checked: f.Value(name) == v})
		}
		if a, err := strconv.Atoi(f.Value(name)); err == nil && it.Number <= len(items) {
			items[it.Number-1] = &a
			answered = true
			if g.Risk {
				q.Risk = measures.RiskOf(&a)
			}
		}
		q.Items = append(q.Items, g)
	}
	if answered {
		if sc, err := measures.ScoreItems(in.ID, items); err == nil {
			q.Total = in.Format(sc.Total)
			if sev := measures.Severity(in.ID, sc.Total); sev != "" {
				q.Total += " (" + sev + ")"
			}
			if sc.Prorated {
				q.Total += fmt.Sprintf(", with %d unanswered pro-rated", sc.Missing)
			}
		}
	}
	return q
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func (s *Server) handleContactNew(c echo.Context) error {
	_, r, err := s.referralFor(c, canChangeReferral)
	if err != nil {
		return err
	}
	f := newForm(contactFieldOrder()...)
	setDate(f, "date", s.store.Today())
	if f.Values["kind"], err = s.defaultContactKind(c, r.ID); err != nil {
		return err
	}
	f.Values["attendance"] = string(measures.Attended)
	f.Values["submission_id"] = newSubmissionID()
	if adsm := measures.PairedADSM(r.ProblemDescriptor); adsm != measures.GAD7 {
		f.Values["adsm"] = string(adsm)
	}
	last, err := s.store.LastContact(c.Request().Context(), r.ID)
	if err != nil {
		return err
	}
	prefillContactDataset(f, last)
	if err := s.prefillFromQuestionnaire(c, r, f); err != nil {
		return err
	}
	p := s.contactNewPage(c, r, f)
	p.FocusScores = true
	return s.render(c, http.StatusOK, "contact_new.html", p)
}

func (s *Server) handleContactCreate(c echo.Context) error {
	u, r, err := s.referralFor(c, canChangeReferral)
	if err != nil {
		return err
	}
	values, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	f, nc := parseContactForm(values)
	if f.Values["submission_id"] == "" {
		f.Values["submission_id"] = newSubmissionID()
	}
	if c.FormValue("action") == "check" && len(f.Errs) == 0 {
		// Without JavaScript the server works the totals out: show them,
		// save nothing.
		p := s.contactNewPage(c, r, f)
		p.Checked = true
		return s.render(c, http.StatusOK, "contact_new.html", p)
	}
	if len(f.Errs) == 0 {
		ct, err := s.store.RecordContact(c.Request().Context(), u, r.ID, nc)
		var ve *caseload.ValidationError
		switch {
		case err == nil, errors.Is(err, caseload.ErrAlreadyRecorded):
			// A double click records once; both answers lead to the
			// session as recorded.
			return c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s?recorded=%d", referralPath(r.ID), ct.ID))
		case errors.As(err, &ve):
			copyFieldErrors(f, ve, contactFieldName(f.Value("adsm")))
			explainScoresOnMissedContact(f, nc)
		default:
			return err
		}
	} else {
		// The form has problems of its own: ask the store for the rest,
		// recording nothing, so that every problem is shown at once.
		nc.CheckOnly = true
		_, err := s.store.RecordContact(c.Request().Context(), u, r.ID, nc)
		var ve *caseload.ValidationError
		switch {
		case errors.As(err, &ve):
			copyFieldErrors(f, ve, contactFieldName(f.Value("adsm")))
			explainScoresOnMissedContact(f, nc)
		case err != nil && !errors.Is(err, caseload.ErrCheckedOnly) && !errors.Is(err, caseload.ErrAlreadyRecorded):
			return err
		}
		checkScoresWithForm(f, nc)
	}
	return s.renderFormErrors(c, "contact_new.html", s.contactNewPage(c, r, f), f)
}

// explainScoresOnMissedContact names the questionnaires entered for a
// contact the patient did not attend, which the store refuses.
func explainScoresOnMissedContact(f *form, nc caseload.NewContact) {
	if measures.Attendance(nc.Attendance).IsAttended() || len(nc.Scores) == 0 {
		return
	}
	var names []string
	for _, id := range append(itemisedOnForm, measuresOf(nc)...) {
		if _, ok := nc.Scores[id]; ok && !slices.Contains(names, instrumentName(id)) {
			names = append(names, instrumentName(id))
		}
	}
	msg := fmt.Sprintf("The patient did not attend, so no scores can be recorded: remove the %s answers, or change attendance to attended", strings.Join(names, ", "))
	delete(f.Errs, "scores")
	f.Errs["attendance"] = msg
}

func measuresOf(nc caseload.NewContact) []measures.InstrumentID {
	return slices.Collect(maps.Keys(nc.Scores))
}
