package ui

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// Clinical safety pages (issue 11): risk alerts on the duty list, the
// caseload, the weekly review and the referral; acknowledging them; ending
// and reopening a referral safely; the service's urgent number.

// dutyRecentDays: the duty list keeps alerts acknowledged in the last week
// below the open ones, so that the team sees what was done.
const dutyRecentDays = 7

// riskAlertView is an alert as pages show it: who answered, where, the
// answer in words, and whether the user may acknowledge it.
type riskAlertView struct {
	caseload.RiskAlert
	Where   string // "the session of 27 November 2026", "the patient's own answers sent 28 November 2026 at 10:15"
	Who     string
	Answer  string // "2 (more than half the days)"
	High    bool
	CanAck  bool
	AckedAt string
}

func newRiskAlertView(u caseload.User, a caseload.RiskAlert) riskAlertView {
	v := riskAlertView{RiskAlert: a, High: a.Priority == measures.PriorityHigh, CanAck: a.Open() && canAcknowledgeRiskAlert(u, a)}
	switch a.Source {
	case caseload.RiskFromPatient:
		v.Where = "the patient's own answers sent " + longDate(a.AnsweredOn)
		if !a.AnsweredAt.IsZero() {
			v.Where += " at " + a.AnsweredAt.In(london).Format("15:04")
		}
		v.Who = "The patient, online"
	default:
		v.Where = "the session of " + longDate(a.AnsweredOn)
		v.Who = "The patient, at the session"
		if a.AnsweredByName != "" {
			v.Who += " (recorded by " + a.AnsweredByName + ")"
		}
	}
	v.Answer = fmt.Sprint(a.Item9)
	if in, ok := measures.Lookup(measures.PHQ9); ok && a.Item9 < len(in.Answers) {
		v.Answer += " (" + strings.ToLower(in.Answers[a.Item9]) + ")"
	}
	if !a.Open() {
		v.AckedAt = a.AcknowledgedAt.In(london).Format("2 January 2006 at 15:04")
	}
	return v
}

func newRiskAlertViews(u caseload.User, alerts []caseload.RiskAlert) []riskAlertView {
	out := make([]riskAlertView, 0, len(alerts))
	for _, a := range alerts {
		out = append(out, newRiskAlertView(u, a))
	}
	return out
}

// openAlertsFor lists the open alerts on a user's caseload (and, for a
// supervisor, their teams'), for the top of the caseload and the weekly
// review; none for anyone without a duty list.
func (s *Server) openAlertsFor(c echo.Context, u caseload.User) ([]riskAlertView, error) {
	f, ok := dutyScope(u)
	if !ok {
		return nil, nil
	}
	f.OpenOnly = true
	alerts, err := s.store.RiskAlerts(c.Request().Context(), f)
	if err != nil {
		return nil, err
	}
	return newRiskAlertViews(u, alerts), nil
}

// withAlertReferrals adds the referrals of alerts to a list of referral ids
// shown on a page (its audit row names them all).
func withAlertReferrals(ids []int64, alerts []riskAlertView) []int64 {
	seen := map[int64]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	for _, a := range alerts {
		if !seen[a.ReferralID] {
			seen[a.ReferralID] = true
			ids = append(ids, a.ReferralID)
		}
	}
	return ids
}

type dutyListPage struct {
	basePage
	Open   []riskAlertView
	Recent []riskAlertView
	Days   int
}

func (s *Server) handleDutyList(c echo.Context) error {
	u, _ := currentUser(c)
	f, ok := dutyScope(u)
	if !ok || !canSeeDutyList(u) {
		return echo.ErrForbidden
	}
	f.AcknowledgedSince = s.clock().AddDate(0, 0, -dutyRecentDays)
	alerts, err := s.store.RiskAlerts(c.Request().Context(), f)
	if err != nil {
		return err
	}
	p := dutyListPage{basePage: s.base(c, "Duty list: risk alerts"), Days: dutyRecentDays}
	p.Nav = "duty"
	var ids []int64
	for _, v := range newRiskAlertViews(u, alerts) {
		if v.Open() {
			p.Open = append(p.Open, v)
		} else {
			p.Recent = append(p.Recent, v)
		}
		ids = withAlertReferrals(ids, []riskAlertView{v})
	}
	if err := s.recordListView(c, u, "duty_list", ids); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "duty_list.html", &p)
}

// alertFor loads the alert named in the path when the user may see it.
func (s *Server) alertFor(c echo.Context) (caseload.User, caseload.RiskAlert, error) {
	u, _ := currentUser(c)
	id, err := idParam(c, "id")
	if err != nil {
		return u, caseload.RiskAlert{}, err
	}
	a, err := s.store.RiskAlert(c.Request().Context(), id)
	if err != nil {
		return u, a, err
	}
	if !canSeeRiskAlert(u, a) {
		return u, a, refuse(u)
	}
	noteFormView(c, u, a.ReferralID) // the form back with its errors shows the patient
	return u, a, nil
}

type riskAckPage struct {
	basePage
	Alert riskAlertView
	Form  *form
	Next  string
}

// ackNext is where an acknowledgement returns to: the duty list, the
// caseload or the weekly review when the form came from one, else the
// referral.
func ackNext(v string, referralID int64) string {
	switch v {
	case "/duty", "/", "/review":
		return v
	}
	return referralPath(referralID) + "#risk-alerts"
}

func (s *Server) handleRiskAlertAckForm(c echo.Context) error {
	u, a, err := s.alertFor(c)
	if err != nil {
		return err
	}
	if !canAcknowledgeRiskAlert(u, a) {
		return echo.ErrForbidden
	}
	if !a.Open() {
		return c.Redirect(http.StatusSeeOther, ackNext(c.QueryParam("next"), a.ReferralID))
	}
	if err := s.store.RecordView(c.Request().Context(), u, "referral", a.ReferralID, fmt.Sprintf("risk alert %d", a.ID)); err != nil {
		return err
	}
	p := riskAckPage{basePage: s.base(c, "Acknowledge a risk alert"), Alert: newRiskAlertView(u, a), Form: newForm("note"), Next: ackNext(c.QueryParam("next"), a.ReferralID)}
	return s.render(c, http.StatusOK, "risk_alert_ack.html", &p)
}

func (s *Server) handleRiskAlertAck(c echo.Context) error {
	u, a, err := s.alertFor(c)
	if err != nil {
		return err
	}
	if !canAcknowledgeRiskAlert(u, a) {
		return echo.ErrForbidden
	}
	next := ackNext(c.FormValue("next"), a.ReferralID)
	f := newForm("note")
	f.Values["note"] = c.FormValue("note")
	_, err = s.store.AcknowledgeRiskAlert(c.Request().Context(), u, a.ID, f.Values["note"])
	var ve *caseload.ValidationError
	switch {
	case err == nil, errors.Is(err, caseload.ErrConflict): // already acknowledged (by a colleague): done
		return c.Redirect(http.StatusSeeOther, next)
	case !errors.As(err, &ve):
		return err
	}
	copyFieldErrors(f, ve, nil)
	p := riskAckPage{basePage: s.base(c, "Acknowledge a risk alert"), Alert: newRiskAlertView(u, a), Form: f, Next: next}
	return s.renderFormErrors(c, "risk_alert_ack.html", &p, f)
}

// endRiskView is what the end page asks to acknowledge.
type endRiskView struct {
	Alerts      []riskAlertView
	Unconfirmed []string // "sent 28 November 2026 at 10:15: PHQ-9 14, GAD-7 9; question 9 answered 2"
}

func newEndRiskView(u caseload.User, r caseload.EndingRisks) *endRiskView {
	if !r.Any() {
		return nil
	}
	v := &endRiskView{Alerts: newRiskAlertViews(u, r.Alerts)}
	for _, q := range r.Unconfirmed {
		var parts []string
		for _, sc := range q.Scores() {
			parts = append(parts, instrumentName(sc.Instrument)+" "+fmt.Sprint(sc.Total))
		}
		line := "Sent " + q.SubmittedAt.In(london).Format("2 January 2006 at 15:04") + ": " + strings.Join(parts, ", ")
		if a := q.Item9(); a != nil {
			line += fmt.Sprintf("; PHQ-9 question 9 answered %d", *a)
		}
		v.Unconfirmed = append(v.Unconfirmed, line)
	}
	return v
}

// endRisk reads the end form's acknowledgement.
func endRisk(c echo.Context, f *form) caseload.EndRisk {
	f.Values["risk_acknowledged"] = c.FormValue("risk_acknowledged")
	f.Values["risk_note"] = c.FormValue("risk_note")
	return caseload.EndRisk{Acknowledged: f.Values["risk_acknowledged"] == "yes", Note: f.Values["risk_note"]}
}

type referralReopenPage struct {
	basePage
	Referral caseload.Referral
	Deadline string
	Form     *form
}

func (s *Server) handleReferralReopenForm(c echo.Context) error {
	_, r, err := s.referralFor(c, canReopenReferral)
	if err != nil {
		return err
	}
	if r.Open() {
		return c.Redirect(http.StatusSeeOther, referralPath(r.ID))
	}
	p := referralReopenPage{basePage: s.base(c, "Reopen referral"), Referral: r, Deadline: caseload.ReopenDeadline(r), Form: newForm("reason")}
	return s.render(c, http.StatusOK, "referral_reopen.html", &p)
}

func (s *Server) handleReferralReopen(c echo.Context) error {
	u, r, err := s.referralFor(c, canReopenReferral)
	if err != nil {
		return err
	}
	f := newForm("referral", "reason")
	f.Values["reason"] = c.FormValue("reason")
	_, err = s.store.ReopenReferral(c.Request().Context(), u, r.ID, f.Values["reason"])
	var ve *caseload.ValidationError
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, referralPath(r.ID))
	case !errors.As(err, &ve):
		return err
	}
	copyFieldErrors(f, ve, nil)
	p := referralReopenPage{basePage: s.base(c, "Reopen referral"), Referral: r, Deadline: caseload.ReopenDeadline(r), Form: f}
	return s.renderFormErrors(c, "referral_reopen.html", &p, f)
}

type urgentContactPage struct {
	basePage
	Form  *form
	Saved bool
}

func (s *Server) handleAdminUrgentContactForm(c echo.Context) error {
	u, _ := currentUser(c)
	if !canSetUrgentContact(u) {
		return echo.ErrForbidden
	}
	uc, err := s.store.UrgentContact(c.Request().Context())
	if err != nil {
		return err
	}
	f := newForm("label", "number")
	f.Values["label"], f.Values["number"] = uc.Label, uc.Number
	p := urgentContactPage{basePage: s.base(c, "Urgent number for patients"), Form: f, Saved: c.QueryParam("saved") != ""}
	p.Nav = "admin"
	return s.render(c, http.StatusOK, "admin_urgent_contact.html", &p)
}

func (s *Server) handleAdminUrgentContact(c echo.Context) error {
	u, _ := currentUser(c)
	if !canSetUrgentContact(u) {
		return echo.ErrForbidden
	}
	f := newForm("label", "number")
	f.Values["label"], f.Values["number"] = c.FormValue("label"), c.FormValue("number")
	_, err := s.store.SetUrgentContact(c.Request().Context(), u, caseload.UrgentContact{Label: f.Values["label"], Number: f.Values["number"]})
	var ve *caseload.ValidationError
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/admin/urgent-contact?saved=1")
	case !errors.As(err, &ve):
		return err
	}
	copyFieldErrors(f, ve, nil)
	p := urgentContactPage{basePage: s.base(c, "Urgent number for patients"), Form: f}
	p.Nav = "admin"
	return s.renderFormErrors(c, "admin_urgent_contact.html", &p, f)
}

// telHref is a tel: link for a number as dialled ("0300 123 4567").
// html/template refuses tel: URLs from data, so the number is checked here:
// only digits and a leading + pass (the store accepts no other), anything
// else links nowhere.
func telHref(number string) template.URL {
	n := strings.ReplaceAll(number, " ", "")
	for i, c := range n {
		if (c < '0' || c > '9') && (c != '+' || i != 0) {
			return "#"
		}
	}
	if n == "" {
		return "#"
	}
	return template.URL("tel:" + n) // #nosec G203 -- digits and a leading + only, checked above
}

// endRiskFor is what ending the referral would need acknowledging, nil for
// nothing.
func (s *Server) endRiskFor(c echo.Context, u caseload.User, referralID int64) (*endRiskView, error) {
	risks, err := s.store.EndingRisks(c.Request().Context(), referralID)
	if err != nil {
		return nil, err
	}
	return newEndRiskView(u, risks), nil
}

// addRiskAlerts fills the referral page's alerts and makes its risk banner
// tell the truth: the date and source of the answer that raised it (the
// latest alert with that answer on that day), not of the latest session.
func addRiskAlerts(u caseload.User, d caseload.ReferralDetail, p *referralPage) {
	p.Alerts = newRiskAlertViews(u, d.RiskAlerts)
	p.CanReopen = !d.Referral.Open() && canReopenReferral(u, d.Referral)
	if d.Outcome.LatestItem9 == nil || p.Risk == measures.RiskNone {
		return
	}
	p.RiskDate = d.Outcome.LatestItem9On.Format(dateLayout)
	var best *riskAlertView
	for i := range p.Alerts {
		a := &p.Alerts[i]
		if a.Item9 == *d.Outcome.LatestItem9 && a.AnsweredOn == p.RiskDate && (best == nil || a.OpenedAt.After(best.OpenedAt)) {
			best = a
		}
	}
	if best != nil {
		p.RiskSource = best.Where
		return
	}
	// No alert matches (an answer older than alerts): name the session of
	// that date when one recorded it, else the patient's answers.
	p.RiskSource = "the patient's own answers of " + longDate(p.RiskDate)
	for _, ct := range d.Contacts {
		for _, sc := range ct.Scores {
			if ct.Date == p.RiskDate && sc.Instrument == measures.PHQ9 && sc.Current() && len(sc.Items) == 9 &&
				sc.Items[8] != nil && *sc.Items[8] == *d.Outcome.LatestItem9 {
				p.RiskSource = "the session of " + longDate(p.RiskDate)
			}
		}
	}
}

// defaultContactKind is the new contact form's kind: "assessment" for a
// referral's first contact, "treatment" after (issue 11: a first contact
// saved with a "treatment" default would count as treatment, moving
// "entered treatment" and the 6-week wait).
func (s *Server) defaultContactKind(c echo.Context, referralID int64) (string, error) {
	has, err := s.store.HasContacts(c.Request().Context(), referralID)
	if err != nil {
		return "", err
	}
	if !has {
		return string(measures.Assessment), nil
	}
	return string(measures.Treatment), nil
}

// addUrgentContact puts the service's urgent number on a patient's pages.
// A failure to read it is logged and the page shows the national numbers,
// which never depend on it.
func (s *Server) addUrgentContact(c echo.Context, u caseload.User, b *basePage) {
	if u.Role != caseload.RolePatient {
		return
	}
	uc, err := s.store.UrgentContact(c.Request().Context())
	if err != nil {
		s.log.Error("urgent contact", "err", err)
		return
	}
	b.Urgent = uc
}
