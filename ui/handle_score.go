package ui

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

type scoreCorrectPage struct {
	basePage
	Referral      caseload.Referral
	Contact       caseload.Contact
	Score         scoreView
	Instrument    measures.Instrument
	Questionnaire *questionnaireView
	Form          *form
}

// scoreFor finds a score and its referral, checking access through the
// referral. The store has no lookup of a score by id alone, so the page
// carries its referral ("?referral=" on the link, a hidden field on the
// form) and the score must belong to it.
func (s *Server) scoreFor(c echo.Context, referralID string) (caseload.User, caseload.ReferralDetail, caseload.Contact, caseload.Score, error) {
	u, _ := currentUser(c)
	var d caseload.ReferralDetail
	scoreID, err := idParam(c, "id")
	if err != nil {
		return u, d, caseload.Contact{}, caseload.Score{}, err
	}
	rid, err := strconv.ParseInt(referralID, 10, 64)
	if err != nil || rid <= 0 {
		return u, d, caseload.Contact{}, caseload.Score{}, caseload.ErrNotFound
	}
	ctx := c.Request().Context()
	r, err := s.store.Referral(ctx, rid)
	if err != nil {
		return u, d, caseload.Contact{}, caseload.Score{}, err
	}
	if !canCorrectScores(u, r) {
		return u, d, caseload.Contact{}, caseload.Score{}, refuse(u)
	}
	if isRead(c) {
		if err := s.recordView(c, u, r, caseload.Grant{}); err != nil {
			return u, d, caseload.Contact{}, caseload.Score{}, err
		}
	}
	noteFormView(c, u, r.ID)
	if d, err = s.store.ReferralDetail(ctx, rid); err != nil {
		return u, d, caseload.Contact{}, caseload.Score{}, err
	}
	for _, ct := range d.Contacts {
		for _, sc := range ct.Scores {
			if sc.ID == scoreID {
				if !sc.Current() {
					return u, d, ct, sc, apiErr(http.StatusConflict, "This score has already been corrected: correct the current one.", "")
				}
				return u, d, ct, sc, nil
			}
		}
	}
	return u, d, caseload.Contact{}, caseload.Score{}, caseload.ErrNotFound
}

func (s *Server) scoreCorrectPage(c echo.Context, d caseload.ReferralDetail, ct caseload.Contact, sc caseload.Score, f *form) (*scoreCorrectPage, error) {
	in, ok := measures.Lookup(sc.Instrument)
	if !ok {
		return nil, fmt.Errorf("score %d: unknown instrument %q", sc.ID, sc.Instrument)
	}
	p := &scoreCorrectPage{
		basePage:   s.base(c, "Correct "+in.Name+" score"),
		Referral:   d.Referral,
		Contact:    ct,
		Score:      newScoreView(sc, d.Names),
		Instrument: in,
		Form:       f,
	}
	if in.Itemised {
		q := newQuestionnaireView(in, f)
		q.Quick = false
		p.Questionnaire = &q
	}
	return p, nil
}

func correctFieldOrder(in measures.Instrument) []string {
	order := []string{"scores." + string(in.ID), "scores." + string(in.ID) + ".items"}
	for n := 1; n <= in.ItemCount; n++ {
		order = append(order, itemField(in.ID, n))
	}
	return append(order, "total", "reason")
}

func (s *Server) handleScoreCorrectForm(c echo.Context) error {
	_, d, ct, sc, err := s.scoreFor(c, c.QueryParam("referral"))
	if err != nil {
		return err
	}
	in, _ := measures.Lookup(sc.Instrument)
	f := newForm(correctFieldOrder(in)...)
	for i, a := range sc.Items {
		if a != nil {
			f.Values[itemField(sc.Instrument, i+1)] = strconv.Itoa(*a)
		}
	}
	if !in.Itemised {
		f.Values["total"] = in.Format(sc.Total)
	}
	p, err := s.scoreCorrectPage(c, d, ct, sc, f)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "score_correct.html", p)
}

func (s *Server) handleScoreCorrect(c echo.Context) error {
	u, d, ct, sc, err := s.scoreFor(c, c.FormValue("referral_id"))
	if err != nil {
		return err
	}
	in, _ := measures.Lookup(sc.Instrument)
	f := newForm(correctFieldOrder(in)...)
	var input caseload.ScoreInput
	if in.Itemised {
		input.Items = make([]*int, in.ItemCount)
		for n := 1; n <= in.ItemCount; n++ {
			name := itemField(in.ID, n)
			v := strings.TrimSpace(c.FormValue(name))
			f.Values[name] = v
			if v == "" {
				continue
			}
			a, err := strconv.Atoi(v)
			if err != nil {
				f.Errs[name] = fmt.Sprintf("Answer question %d with a whole number from %d to %d", n, in.ItemMin, in.ItemMax)
				continue
			}
			input.Items[n-1] = &a
		}
	} else {
		v := strings.TrimSpace(c.FormValue("total"))
		f.Values["total"] = v
		t, err := strconv.ParseFloat(v, 64)
		if err != nil {
			f.Errs["total"] = fmt.Sprintf("Enter the %s total as a number from %s to %s", in.Name, in.Format(in.Min), in.Format(in.Max))
		}
		input.Total = &t
	}
	reason := strings.TrimSpace(c.FormValue("reason"))
	f.Values["reason"] = reason
	if reason == "" {
		f.Errs["reason"] = "Say why the score is being corrected"
	}
	if len(f.Errs) == 0 {
		_, err := s.store.CorrectScore(c.Request().Context(), u, sc.ID, input, reason)
		var ve *caseload.ValidationError
		switch {
		case err == nil:
			return c.Redirect(http.StatusSeeOther, referralPath(d.Referral.ID)+"?done=corrected#contact-"+strconv.FormatInt(ct.ID, 10))
		case errors.As(err, &ve):
			copyFieldErrors(f, ve, correctFieldName(in))
		default:
			return err
		}
	}
	p, err := s.scoreCorrectPage(c, d, ct, sc, f)
	if err != nil {
		return err
	}
	return s.renderFormErrors(c, "score_correct.html", p, f)
}

// correctFieldName maps the store's field names ("items.4",
// "scores.phq9.items.4", "total") onto the correction form's.
func correctFieldName(in measures.Instrument) func(string) string {
	return func(k string) string {
		k = strings.TrimPrefix(k, "scores."+string(in.ID)+".")
		switch {
		case strings.HasPrefix(k, "items."):
			return "scores." + string(in.ID) + "." + k
		case k == "items":
			return "scores." + string(in.ID) + ".items"
		case k == "total":
			return "total"
		}
		return k
	}
}
