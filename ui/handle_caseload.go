package ui

import (
	"cmp"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// measureCell is one measure's latest score on a caseload row.
type measureCell struct {
	Has      bool
	Name     string
	Last     float64
	Value    string // formatted as the instrument shows it
	Severity string
	Change   measures.Change
	Delta    string // "−6" since the first score
}

func (m measureCell) Improved() bool     { return m.Change == measures.ReliableImprovement }
func (m measureCell) Deteriorated() bool { return m.Change == measures.ReliableDeterioration }

func newMeasureCell(o measures.Outcome, id measures.InstrumentID) measureCell {
	in, ok := measures.Lookup(id)
	mo, has := o.Measures[id]
	if !ok || !has || mo.Count == 0 {
		return measureCell{Name: instrumentName(id)}
	}
	c := measureCell{
		Has:      true,
		Name:     in.Name,
		Last:     mo.Last,
		Value:    in.Format(mo.Last),
		Severity: measures.Severity(id, mo.Last),
		Change:   mo.Change,
	}
	if mo.Paired {
		c.Delta = signed(in, mo.Delta)
	}
	return c
}

// signed shows a change with its sign: "+4", "−6", "0".
func signed(in measures.Instrument, d float64) string {
	switch {
	case d > 0:
		return "+" + in.Format(d)
	case d < 0:
		return "−" + in.Format(-d)
	}
	return "0"
}

type caseloadRow struct {
	ReferralID  int64
	Patient     string
	Descriptor  string
	Sessions    int
	PHQ9        measureCell
	GAD7        measureCell
	ADSM        measureCell // the paired ADSM, when it is not GAD-7
	HasADSM     bool
	Risk        measures.Risk
	LastContact string
	// AnswersWaiting: the patient sent questionnaires before their session.
	AnswersWaiting bool
}

type sortColumn struct {
	Key   string
	Label string
	Href  string
	Aria  string // aria-sort value: ascending, descending or none
}

type caseloadPage struct {
	basePage
	Rows    []caseloadRow
	Columns []sortColumn
	Sort    string
	Desc    bool
	CanAdd  bool
	Alerts  []riskAlertView // open risk alerts, shown above everything (handle_risk.go)
}

var caseloadColumns = []struct{ key, label string }{
	{"patient", "Patient"},
	{"descriptor", "Problem"},
	// Treatment sessions, as the outcome rules count them: an attended
	// assessment is not one (issue 16: "Sessions attended 0" read as wrong).
	{"sessions", "Treatment sessions"},
	{"phq9", "PHQ-9"},
	{"gad7", "GAD-7"},
	{"adsm", "Anxiety measure"},
	{"last_contact", "Last contact"},
}

func (s *Server) handleCaseloadShow(c echo.Context) error {
	u, _ := currentUser(c)
	// The start page is each role's own: supervisors hold no caseload and
	// start at their weekly review, admins at the users they look after.
	switch {
	case u.Role == caseload.RoleSupervisor && canSeeWeeklyReview(u):
		return c.Redirect(http.StatusSeeOther, "/review")
	case canAdminister(u):
		return c.Redirect(http.StatusSeeOther, "/admin/users")
	case addsReferrals(u) && c.QueryParam("view") == "ended":
		return s.handleCaseloadEnded(c, u)
	}
	p := caseloadPage{basePage: s.base(c, "My caseload"), CanAdd: addsReferrals(u)}
	p.Nav = "caseload"
	if addsReferrals(u) {
		rows, err := s.store.Caseload(c.Request().Context(), u.ID)
		if err != nil {
			return err
		}
		p.Rows = make([]caseloadRow, 0, len(rows))
		ids := make([]int64, 0, len(rows))
		for _, r := range rows {
			p.Rows = append(p.Rows, newCaseloadRow(r))
			ids = append(ids, r.Referral.ID)
		}
		if p.Alerts, err = s.openAlertsFor(c, u); err != nil {
			return err
		}
		if err := s.recordListView(c, u, "caseload", withAlertReferrals(ids, p.Alerts)); err != nil {
			return err
		}
	}
	p.Sort, p.Desc = c.QueryParam("sort"), c.QueryParam("dir") == "desc"
	if !slices.ContainsFunc(caseloadColumns, func(col struct{ key, label string }) bool { return col.key == p.Sort }) {
		p.Sort = "patient"
	}
	sortCaseload(p.Rows, p.Sort, p.Desc)
	for _, col := range caseloadColumns {
		sc := sortColumn{Key: col.key, Label: col.label, Aria: "none", Href: "/?sort=" + col.key}
		if col.key == p.Sort {
			if p.Desc {
				sc.Aria = "descending"
			} else {
				sc.Aria = "ascending"
				sc.Href += "&dir=desc"
			}
		}
		p.Columns = append(p.Columns, sc)
	}
	return s.render(c, http.StatusOK, "caseload.html", &p)
}

func newCaseloadRow(r caseload.CaseloadRow) caseloadRow {
	o := r.Outcome
	row := caseloadRow{
		ReferralID: r.Referral.ID,
		Patient:    r.Referral.PatientName,
		Descriptor: measures.DescriptorLabel(r.Referral.ProblemDescriptor),
		Sessions:   o.TreatmentSessions,
		PHQ9:       newMeasureCell(o, measures.PHQ9),
		GAD7:       newMeasureCell(o, measures.GAD7),
		Risk:       measures.RiskOf(o.LatestItem9),

		AnswersWaiting: r.AnswersWaiting > 0,
	}
	if adsm := measures.PairedADSM(r.Referral.ProblemDescriptor); adsm != "" && adsm != measures.GAD7 {
		row.HasADSM = true
		row.ADSM = newMeasureCell(o, adsm)
	}
	if !o.LastContact.IsZero() {
		row.LastContact = o.LastContact.Format(dateLayout)
	}
	return row
}

// sortCaseload orders rows by a column; rows without a score sort last
// either way, and ties fall back to the patient's name.
func sortCaseload(rows []caseloadRow, key string, desc bool) {
	score := func(m measureCell) (float64, bool) { return m.Last, m.Has }
	slices.SortStableFunc(rows, func(a, b caseloadRow) int {
		var n int
		switch key {
		case "patient":
			n = strings.Compare(strings.ToLower(a.Patient), strings.ToLower(b.Patient))
		case "descriptor":
			n = strings.Compare(a.Descriptor, b.Descriptor)
		case "sessions":
			n = cmp.Compare(a.Sessions, b.Sessions)
		case "phq9", "gad7", "adsm":
			pick := map[string]func(caseloadRow) measureCell{
				"phq9": func(r caseloadRow) measureCell { return r.PHQ9 },
				"gad7": func(r caseloadRow) measureCell { return r.GAD7 },
				"adsm": func(r caseloadRow) measureCell { return r.ADSM },
			}[key]
			av, aok := score(pick(a))
			bv, bok := score(pick(b))
			if aok != bok {
				if aok {
					return -1
				}
				return 1
			}
			n = cmp.Compare(av, bv)
		case "last_contact":
			if (a.LastContact == "") != (b.LastContact == "") {
				if a.LastContact != "" {
					return -1
				}
				return 1
			}
			n = strings.Compare(a.LastContact, b.LastContact)
		}
		if desc {
			n = -n
		}
		if n == 0 {
			n = cmp.Or(strings.Compare(strings.ToLower(a.Patient), strings.ToLower(b.Patient)), cmp.Compare(a.ReferralID, b.ReferralID))
		}
		return n
	})
}
