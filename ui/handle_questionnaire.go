package ui

import (
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// The therapist's side of questionnaires patients send before a session:
// the referral page says what is waiting and whether the patient has
// access, and "record a session" starts from the patient's answers so that
// the therapist confirms them with the patient rather than typing them in.

// pendingView is a patient's questionnaire waiting for the therapist.
type pendingView struct {
	ID     int64
	SentAt string
	Totals string
	Item9  string // the answer to PHQ-9 question 9, in words, when above 0
	Risk   measures.Risk
}

// patientSideView is the referral page's "patient" section.
type patientSideView struct {
	Access    string // who can sign in, in words
	Pending   []pendingView
	Undecided bool // more than one waiting: the patient has not chosen
}

func (s *Server) patientSide(r caseload.Referral, invs []caseload.Invitation, qs []caseload.Questionnaire) *patientSideView {
	v := &patientSideView{Access: "The patient has no access to clinic."}
	now := s.clock()
	for _, inv := range invs {
		switch inv.Status(now) {
		case caseload.InvitationUsed:
			v.Access = "The patient can sign in to see their progress and send questionnaires before a session (since " + inv.UsedAt.In(london).Format("2 January 2006") + ")."
			if !r.Open() {
				v.Access = "The patient can read their progress until " + longDate(patientReadUntil(r)) + "."
			}
		case caseload.InvitationWaiting:
			v.Access = "An invitation code made on " + inv.CreatedAt.In(london).Format("2 January 2006") + " is waiting to be used (until " + inv.ExpiresAt.In(london).Format("2 January 2006 15:04") + ")."
		default:
			continue
		}
		break
	}
	for _, q := range qs {
		if q.Status != caseload.QuestionnairePending {
			continue
		}
		pv := pendingView{ID: q.ID, SentAt: q.SubmittedAt.In(london).Format("2 January 2006 at 15:04"), Risk: measures.RiskOf(q.Item9())}
		var parts []string
		for _, t := range portalTotals(q) {
			parts = append(parts, t.Name+" "+t.Value)
		}
		pv.Totals = strings.Join(parts, ", ")
		if pv.Risk != measures.RiskNone {
			pv.Item9 = strconv.Itoa(*q.Item9())
		}
		v.Pending = append(v.Pending, pv)
	}
	v.Undecided = len(v.Pending) > 1
	return v
}

// prefillFromQuestionnaire fills a new session form with the answers of the
// patient's latest pending questionnaire (or the one named by
// ?questionnaire=ID; ?questionnaire=none starts empty), and marks the form
// as confirming it.
func (s *Server) prefillFromQuestionnaire(c echo.Context, r caseload.Referral, f *form) error {
	choice := c.QueryParam("questionnaire")
	if choice == "none" {
		return nil
	}
	qs, err := s.store.Questionnaires(c.Request().Context(), r.ID)
	if err != nil {
		return err
	}
	for _, q := range qs {
		if q.Status != caseload.QuestionnairePending || (choice != "" && choice != strconv.FormatInt(q.ID, 10)) {
			continue
		}
		for id, items := range q.Answers {
			for n, a := range items {
				if a != nil {
					f.Values[itemField(id, n+1)] = strconv.Itoa(*a)
				}
			}
		}
		f.Values["from_questionnaire"] = strconv.FormatInt(q.ID, 10)
		f.Values["from_questionnaire_on"] = q.SubmittedAt.In(london).Format("2 January 2006 at 15:04")
		return nil
	}
	return nil
}
