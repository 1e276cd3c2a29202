package ui

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// The outcome report's CSV: the referral-level rows behind every figure on
// the page. It names no patient (no name, NHS number or date of birth):
// referral ids, staff, dates and outcomes only.

// csvColumns are the CSV's columns. Each figure on the page is the sum of
// one column over the rows (rates: one column over another), so a reader
// can re-add every number; outcome columns count only referrals that ended
// in the period.
var csvColumns = []string{
	"referral_id", "team", "therapist", "problem_descriptor", "intensity",
	"received_on", "first_treatment_on", "ended_on", "end_reason",
	"treatment_sessions", "wait_days", "anxiety_measure",
	"phq9_first", "phq9_last", "anxiety_first", "anxiety_last",
	"received", "entered_treatment", "ended", "finished", "not_at_caseness", "at_caseness",
	"recovered", "reliably_improved", "reliably_recovered", "deteriorated", "paired",
	"waited", "waited_6_weeks", "waited_18_weeks", "rule_set",
}

// csvRecord is one referral's CSV row for a period.
func csvRecord(r caseload.ReportRow, from, to string) []string {
	c := caseload.CountRow(r, from, to)
	k := c.Rates
	score := func(m measures.MeasureOutcome) (string, string) {
		if m.Count == 0 {
			return "", ""
		}
		in, ok := measures.Lookup(m.Instrument)
		if !ok {
			return strconv.FormatFloat(m.First, 'f', -1, 64), strconv.FormatFloat(m.Last, 'f', -1, 64)
		}
		return in.Format(m.First), in.Format(m.Last)
	}
	pf, pl := score(r.Outcome.PHQ9)
	af, al := score(r.Outcome.AnxietyM)
	wait := ""
	if r.Outcome.WaitDays >= 0 {
		wait = strconv.Itoa(r.Outcome.WaitDays)
	}
	n := strconv.Itoa
	return []string{
		strconv.FormatInt(r.ReferralID, 10), csvText(r.TeamName), csvText(r.TherapistName), r.Descriptor, r.Facts.IntensityMix,
		r.ReceivedOn, r.FirstTreatmentOn, r.EndedOn, r.EndReason,
		n(r.Outcome.TreatmentSessions), wait, string(r.Outcome.Anxiety),
		pf, pl, af, al,
		n(c.Received), n(c.EnteredTreatment), n(c.Ended), n(k.Finished), n(k.NotAtCaseness), n(k.Finished - k.NotAtCaseness),
		n(k.Recovered), n(k.ReliablyImproved), n(k.ReliablyRecovered), n(k.Deteriorated), n(k.Paired),
		n(k.Waited), n(k.Within6Weeks), n(k.Within18Weeks), k.RuleSet,
	}
}

// csvText keeps a spreadsheet from reading a name as a formula.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (s *Server) handleReportCSV(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	v := queryValues(c, reportParams)
	if v["period"] == "" {
		v["period"] = "custom"
	}
	// A bad parameter or a refusal is an error page with its status
	// (apiError carries a message fit to show).
	q, flt, err := s.reportScope(ctx, u, v)
	if err != nil {
		return err
	}
	// A row per referral is patient-level data: audited before it is sent,
	// a row per referral (issue 15). The first pass keeps only the ids.
	var ids []int64
	if err := s.store.EachReportRow(ctx, flt, func(r *caseload.ReportRow) error {
		ids = append(ids, r.ReferralID)
		return nil
	}); err != nil {
		return err
	}
	if err := s.store.RecordDownloads(ctx, u, ids, fmt.Sprintf("outcomes CSV %s to %s", q.From, q.To)); err != nil {
		return err
	}
	if u.Role == caseload.RoleAdmin {
		return s.writeAdminCSV(c, q, flt, ids) // pseudonyms.go
	}
	// Everyone else's export streams: one row in memory at a time.
	var w *csv.Writer
	err = s.store.EachReportRow(ctx, flt, func(r *caseload.ReportRow) error {
		if _, audited := slices.BinarySearch(ids, r.ReferralID); !audited {
			return nil // a referral that entered the period since the audit: not sent
		}
		if w == nil {
			w = startCSV(c, q)
		}
		return w.Write(csvRecord(*r, q.From, q.To))
	})
	if w == nil && err == nil {
		w = startCSV(c, q)
	}
	if w == nil {
		return err // nothing sent yet: an error page
	}
	w.Flush()
	return nil // once the status is sent, an error is the client gone away
}

// startCSV sends the CSV's headers, status and column names.
func startCSV(c echo.Context, q reportQuery) *csv.Writer {
	h := c.Response().Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="outcomes-%s-to-%s.csv"`, q.From, q.To))
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write(csvColumns) // a client gone away fails the next write too
	return w
}
