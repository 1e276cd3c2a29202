package ui

import (
	"crypto/rand"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/dataset"
	"clinic/internal/measures"
)

// Each section of the report (issue 13) has its CSV: the referral-level
// rows behind it, one referral a row, with a 0/1 column for each count the
// section's table shows (named as the table's rows are), so that each
// figure is the sum of its column; and the days or groups it was counted
// by. Like the outcomes CSV it names no patient, is audited row by row, and
// an administrator's is pseudonymised.

// sectionCSVs are the sections with a CSV, and their columns after the
// common ones.
var sectionCSVs = map[string][]string{
	"waits": {"first_assessment_on", "assessment_days", "assessed", "assessment_under_29", "assessment_29_56", "assessment_57_90", "assessment_over_90",
		"first_treatment_on", "wait_days", "waited", "waited_6_weeks", "waited_18_weeks",
		"second_treatment_on", "first_second_days", "second_treatment", "second_treatment_over_90",
		"open_at_end", "still_waiting", "days_waiting_at_end", "still_waiting_1", "still_waiting_2", "still_waiting_3", "still_waiting_4", "still_waiting_5", "still_waiting_6",
		"last_contact_on", "days_without_contact", "no_contact_61_90", "no_contact_over_90"},
	"endings":      append([]string{"ended_on", "end_code", "ended", "finished_share", "with_treatment"}, endCodeColumns()...),
	"stepped_care": {"ended_on", "finished", "intensity", "low_only", "both", "high_only", "step_up_days", "stepped_up", "stepped_up_within_90_days"},
	"data_quality": {"ended_on", "finished", "adsm_expected", "adsm_paired", "one_or_no_anxiety", "wsas_complete", "ended", "dataset_problems", "failing_validation"},
	"groups": {"ended_on", "finished", "not_at_caseness", "recovered", "reliably_recovered",
		dataset.DimEthnicGroup, dataset.DimAgeBand, dataset.DimGenderIdentity, dataset.DimSexualOrientation,
		dataset.DimDisability, dataset.DimEmployment, dataset.DimLongTermCondition, dataset.DimConsultationMedium},
}

// sectionCommonColumns begin every section's CSV.
var sectionCommonColumns = []string{"referral_id", "team", "therapist", "problem_descriptor", "received_on"}

// endCodeKey is the key of an EndCode's row and column.
func endCodeKey(code string) string {
	if code == "" {
		return "end_code_not_recorded"
	}
	return "end_code_" + code
}

func endCodeColumns() []string {
	var out []string
	for _, c := range dataset.EndCode.Codes {
		out = append(out, endCodeKey(c.Code))
	}
	return append(out, endCodeKey(""))
}

// flag is a 0/1 column.
func flag(x bool) string {
	if x {
		return "1"
	}
	return "0"
}

// sectionValues works out a row's columns of a section for the period.
func sectionValues(section string, r *caseload.ReportRow, from, to string) map[string]string {
	in := func(d string) bool { return caseload.In(d, from, to) }
	n := strconv.Itoa
	f, o := r.Facts, r.Outcome
	ended := in(r.EndedOn)
	finished := ended && o.FinishedCourse
	v := map[string]string{"ended_on": r.EndedOn}
	switch section {
	case "waits":
		waitsValues(v, r, from, to)
	case "endings":
		v["end_code"], v["ended"], v["finished_share"] = f.EndCode, flag(ended), flag(finished)
		v["with_treatment"] = flag(ended && o.TreatmentSessions > 0)
		for _, c := range endCodeColumns() {
			v[c] = "0"
		}
		if ended {
			key := endCodeKey(f.EndCode)
			if _, listed := v[key]; !listed {
				key = "end_code_unlisted"
			}
			v[key] = "1"
		}
	case "stepped_care":
		v["finished"], v["intensity"] = flag(finished), f.IntensityMix
		v["low_only"] = flag(finished && f.IntensityMix == caseload.MixLowOnly)
		v["both"] = flag(finished && f.IntensityMix == caseload.MixBoth)
		v["high_only"] = flag(finished && f.IntensityMix == caseload.MixHighOnly)
		v["step_up_days"], v["stepped_up"] = n(f.StepUpDays), flag(finished && f.StepUpDays >= 0)
		v["stepped_up_within_90_days"] = flag(finished && f.StepUpDays >= 0 && f.StepUpDays <= caseload.StepUpDays)
	case "data_quality":
		v["finished"] = flag(finished)
		v["adsm_expected"], v["adsm_paired"] = flag(finished && f.ADSMExpected), flag(finished && f.ADSMPaired)
		v["one_or_no_anxiety"], v["wsas_complete"] = flag(finished && f.AnxietyOneOrNone), flag(finished && f.WSASComplete)
		v["ended"], v["dataset_problems"], v["failing_validation"] = flag(ended), n(f.DatasetProblems), flag(ended && f.DatasetProblems > 0)
	case "groups":
		v["finished"] = flag(finished)
		v["not_at_caseness"] = flag(finished && o.NotAtCaseness)
		v["recovered"], v["reliably_recovered"] = flag(finished && o.Recovered), flag(finished && o.ReliableRecovery)
		for dim, g := range map[string]string{
			dataset.DimEthnicGroup: f.EthnicGroup, dataset.DimAgeBand: f.AgeBand, dataset.DimGenderIdentity: f.GenderIdentity,
			dataset.DimSexualOrientation: f.SexualOrientation, dataset.DimDisability: f.Disability, dataset.DimEmployment: f.EmploymentStatus,
			dataset.DimLongTermCondition: f.LongTermCondition, dataset.DimConsultationMedium: f.ConsultationMedium,
		} {
			v[dim] = g
		}
	}
	return v
}

// waitsValues are a row's columns of the waits CSV.
func waitsValues(v map[string]string, r *caseload.ReportRow, from, to string) {
	in := func(d string) bool { return caseload.In(d, from, to) }
	n := strconv.Itoa
	f, o := r.Facts, r.Outcome
	finished := in(r.EndedOn) && o.FinishedCourse
	assessed, d := in(f.FirstAssessmentOn), f.AssessmentDays
	waited := finished && o.WaitDays >= 0
	second := in(f.SecondTreatmentOn)
	open := r.ReceivedOn <= to && (r.EndedOn == "" || r.EndedOn > to)
	waiting := open && (r.FirstTreatmentOn == "" || r.FirstTreatmentOn > to)
	days := daysBetween(r.ReceivedOn, to)
	band := len(caseload.StillWaitingBands)
	for i, limit := range caseload.StillWaitingBands {
		if days <= limit {
			band = i
			break
		}
	}
	last := f.LastContactOn
	if last == "" {
		last = r.ReceivedOn
	}
	quiet := -1
	if open && last <= to {
		quiet = daysBetween(last, to)
	}
	v["first_assessment_on"], v["assessment_days"], v["assessed"] = f.FirstAssessmentOn, n(d), flag(assessed)
	v["assessment_under_29"] = flag(assessed && d <= caseload.AssessmentBand1Days)
	v["assessment_29_56"] = flag(assessed && d > caseload.AssessmentBand1Days && d <= caseload.AssessmentBand2Days)
	v["assessment_57_90"] = flag(assessed && d > caseload.AssessmentBand2Days && d <= caseload.AssessmentBand3Days)
	v["assessment_over_90"] = flag(assessed && d > caseload.AssessmentBand3Days)
	v["first_treatment_on"], v["wait_days"], v["waited"] = r.FirstTreatmentOn, n(o.WaitDays), flag(waited)
	v["waited_6_weeks"] = flag(waited && o.WaitDays <= measures.SixWeeksDays)
	v["waited_18_weeks"] = flag(waited && o.WaitDays <= measures.EighteenWeeksDays)
	v["second_treatment_on"], v["first_second_days"], v["second_treatment"] = f.SecondTreatmentOn, n(f.FirstSecondDays), flag(second)
	v["second_treatment_over_90"] = flag(second && f.FirstSecondDays > caseload.SecondTreatmentDays)
	v["open_at_end"], v["still_waiting"], v["days_waiting_at_end"] = flag(open), flag(waiting), ""
	if waiting {
		v["days_waiting_at_end"] = n(days)
	}
	for i := range len(caseload.StillWaitingBands) + 1 {
		v["still_waiting_"+n(i+1)] = flag(waiting && band == i)
	}
	v["last_contact_on"], v["days_without_contact"] = f.LastContactOn, ""
	if quiet >= 0 {
		v["days_without_contact"] = n(quiet)
	}
	v["no_contact_61_90"] = flag(quiet >= caseload.NoContactFromDays && quiet <= caseload.NoContactLongDays)
	v["no_contact_over_90"] = flag(quiet > caseload.NoContactLongDays)
}

// sectionRecord is a row of a section's CSV.
func sectionRecord(section string, r *caseload.ReportRow, from, to string) []string {
	v := sectionValues(section, r, from, to)
	rec := []string{strconv.FormatInt(r.ReferralID, 10), csvText(r.TeamName), csvText(r.TherapistName), r.Descriptor, r.ReceivedOn}
	for _, c := range sectionCSVs[section] {
		rec = append(rec, v[c])
	}
	return rec
}

func (s *Server) handleReportSectionsCSV(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	v := queryValues(c, append(reportParams, "section"))
	section := v["section"]
	if _, ok := sectionCSVs[section]; !ok {
		return apiErr(http.StatusBadRequest, "Choose a section: waits, endings, stepped_care, groups or data_quality", "section")
	}
	if v["period"] == "" {
		v["period"] = "custom"
	}
	q, flt, err := s.reportScope(ctx, u, v)
	if err != nil {
		return err
	}
	// Audited before anything is sent: a first pass keeps only the ids.
	// An administrator's rows are held, to be ordered by pseudonym; everyone
	// else's stream, one row in memory at a time.
	admin := u.Role == caseload.RoleAdmin
	var ids []int64
	if err := s.store.EachSectionRow(ctx, flt, func(r *caseload.ReportRow) error {
		ids = append(ids, r.ReferralID)
		return nil
	}); err != nil {
		return err
	}
	if err := s.store.RecordDownloads(ctx, u, ids, fmt.Sprintf("%s CSV %s to %s", section, q.From, q.To)); err != nil {
		return err
	}
	var key []byte
	if admin {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return fmt.Errorf("export pseudonyms: %w", err)
		}
	}
	h := c.Response().Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s-to-%s.csv"`, section, q.From, q.To))
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	if err := w.Write(slices.Concat(sectionCommonColumns, sectionCSVs[section])); err != nil {
		return nil // the client has gone away
	}
	if admin {
		// Ordered by pseudonym in SQLite, one row held at a time (see
		// writeAdminCSV): neither the pseudonyms nor the order follow ids.
		_ = s.store.EachSectionRowByPseudonym(ctx, flt, key, func(r *caseload.ReportRow, pseudonym string) error {
			if _, audited := slices.BinarySearch(ids, r.ReferralID); !audited {
				return nil
			}
			rec := sectionRecord(section, r, q.From, q.To)
			rec[0] = pseudonym
			return w.Write(rec)
		})
		w.Flush()
		return nil
	}
	_ = s.store.EachSectionRow(ctx, flt, func(r *caseload.ReportRow) error {
		if _, audited := slices.BinarySearch(ids, r.ReferralID); !audited {
			return nil // a referral that entered the period since the audit: not sent
		}
		return w.Write(sectionRecord(section, r, q.From, q.To))
	}) // once the status is sent, an error is the client gone away
	w.Flush()
	return nil
}
