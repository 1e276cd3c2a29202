package caseload_test

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"clinic/internal/caseload"
	"clinic/internal/dataset"
	"clinic/internal/demo"
	"clinic/internal/measures"
)

// Every figure of the sections added up in SQL from the kept report rows
// (ReportSections) equals a count from scratch: each referral's contacts,
// scores, demographics and EndCode read afresh and counted here by plain
// loops, with the outcome judgements of ReportRows (which
// TestAggregatesEqualSummarise checks in turn), for every scope a report
// can have, on the demo and on a synthetic service.
func TestSectionsEqualRecount(t *testing.T) {
	demoStore, _ := openTest(t)
	if _, err := demo.Load(t.Context(), demoStore); err != nil {
		t.Fatal(err)
	}
	synth, _ := openTest(t)
	if err := synth.LoadSynthetic(t.Context(), caseload.SyntheticConfig{Teams: 3, TherapistsPerTeam: 3, Referrals: 1200, ContactsPerReferral: 6, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*caseload.Store{"demo": demoStore, "synthetic": synth} {
		t.Run(name, func(t *testing.T) {
			refs := recountReferrals(t, s.DBForTest())
			problems := exportedProblems(t, s)
			for id, r := range refs {
				r.problems = problems[id]
			}
			seen := caseload.Sections{}
			for _, f := range aggregateFilters(t, s) {
				got, err := s.ReportSections(t.Context(), f)
				if err != nil {
					t.Fatal(err)
				}
				rows, err := s.ReportRows(t.Context(), f)
				if err != nil {
					t.Fatal(err)
				}
				want := recountSections(refs, rows, f)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%+v: sections (-recount +sql):\n%s", f, diff)
				}
				checkGroupsAddUp(t, got)
				seen.Waits.Assessed += got.Waits.Assessed
				seen.Waits.SecondTreatments += got.Waits.SecondTreatments
				seen.Waits.StillWaiting += got.Waits.StillWaiting
				seen.Endings.Ended += got.Endings.Ended
				seen.SteppedCare.Both += got.SteppedCare.Both
				seen.SteppedCare.SteppedUp += got.SteppedCare.SteppedUp
				seen.DataQuality.ADSMExpected += got.DataQuality.ADSMExpected
				seen.DataQuality.FailingValidation += got.DataQuality.FailingValidation
			}
			if name == "synthetic" && (seen.SteppedCare.Both == 0 || seen.SteppedCare.SteppedUp == 0) {
				t.Errorf("the synthetic service stepped nobody up: %+v", seen.SteppedCare)
			}
			if name == "demo" && seen.Waits.StillWaiting == 0 {
				t.Error("nobody in the demo was still waiting at a period's end: the comparison counted none")
			}
			if seen.DataQuality.FailingValidation == 0 {
				t.Error("no ended referral had a record failing the data set's validation: the comparison counted none")
			}
			if seen.Waits.Assessed == 0 || seen.Waits.SecondTreatments == 0 || seen.Endings.Ended == 0 {
				t.Errorf("the comparison counted nothing of some figure: %+v", seen)
			}
		})
	}
}

// checkGroupsAddUp: each dimension's groups add up to the period's
// finished courses, and their recovered counts to the service's.
func checkGroupsAddUp(t *testing.T, s caseload.Sections) {
	t.Helper()
	for _, d := range s.Groups {
		var finished, recovered, reliably int
		for _, g := range d.Groups {
			finished += g.Rates.Finished
			recovered += g.Rates.Recovered
			reliably += g.Rates.ReliablyRecovered
		}
		if finished != s.SteppedCare.Finished {
			t.Errorf("%s: groups add up to %d finished, want %d", d.Key, finished, s.SteppedCare.Finished)
		}
		if d.Key != s.Groups[0].Key {
			var r0, rr0 int
			for _, g := range s.Groups[0].Groups {
				r0 += g.Rates.Recovered
				rr0 += g.Rates.ReliablyRecovered
			}
			if recovered != r0 || reliably != rr0 {
				t.Errorf("%s: groups add up to %d recovered, %d reliably; %s to %d, %d", d.Key, recovered, reliably, s.Groups[0].Key, r0, rr0)
			}
		}
	}
}

// recountReferral is what the recount reads of a referral, afresh.
type recountReferral struct {
	id, team, therapist         int64
	received, ended, descriptor string
	dob, endCode                string
	ethnic, gender, orientation string
	disability, ltc             string
	contacts                    []recountContact
	scores                      map[string]map[int64]bool // instrument -> attended contacts scored
	wsasItems                   []int                     // answered items of each attended WSAS
	problems                    int                       // in the data set export's validation.csv
}

type recountContact struct {
	id                                         int64
	date, kind, purpose, attendance, intensity string
	medium, employment                         string
}

func recountReferrals(t *testing.T, db *sql.DB) map[int64]*recountReferral {
	t.Helper()
	out := map[int64]*recountReferral{}
	rows, err := db.Query(`
		SELECT r.id, r.team_id, r.therapist_id, r.received_on, COALESCE(r.ended_on, ''), r.problem_descriptor, p.date_of_birth,
			COALESCE((SELECT end_code FROM referral_dataset WHERE referral_id = r.id), '')
		FROM referrals r JOIN patients p ON p.id = r.patient_id`)
	if err != nil {
		t.Fatal(err)
	}
	patient := map[int64]int64{}
	for rows.Next() {
		r := &recountReferral{scores: map[string]map[int64]bool{}}
		if err := rows.Scan(&r.id, &r.team, &r.therapist, &r.received, &r.ended, &r.descriptor, &r.dob, &r.endCode); err != nil {
			t.Fatal(err)
		}
		out[r.id] = r
	}
	rows.Close()
	// The latest demographics of each patient: the row with the highest id.
	for _, q := range testQueryAll(t, db, `SELECT r.id, r.patient_id FROM referrals r`) {
		patient[q[0].(int64)] = q[1].(int64)
	}
	latest := map[int64][]any{}
	for _, q := range testQueryAll(t, db, `SELECT patient_id, id, ethnic_category, gender_identity, sexual_orientation, disability, long_term_conditions FROM patient_demographics`) {
		if prev, ok := latest[q[0].(int64)]; !ok || q[1].(int64) > prev[1].(int64) {
			latest[q[0].(int64)] = q
		}
	}
	for id, r := range out {
		if d, ok := latest[patient[id]]; ok {
			r.ethnic, r.gender, r.orientation, r.disability, r.ltc = d[2].(string), d[3].(string), d[4].(string), d[5].(string), d[6].(string)
		}
	}
	for _, q := range testQueryAll(t, db, `SELECT referral_id, id, date, kind, COALESCE(purpose, ''), attendance, intensity, COALESCE(medium, ''), COALESCE(employment_status, '') FROM contacts`) {
		r := out[q[0].(int64)]
		r.contacts = append(r.contacts, recountContact{id: q[1].(int64), date: q[2].(string), kind: q[3].(string), purpose: q[4].(string),
			attendance: q[5].(string), intensity: q[6].(string), medium: q[7].(string), employment: q[8].(string)})
	}
	for _, r := range out {
		slices.SortFunc(r.contacts, func(a, b recountContact) int {
			if a.date != b.date {
				return strings.Compare(a.date, b.date)
			}
			return int(a.id - b.id)
		})
	}
	for _, q := range testQueryAll(t, db, `
		SELECT c.referral_id, c.id, s.instrument, COALESCE(s.items_json, '[]')
		FROM scores s JOIN contacts c ON c.id = s.contact_id
		WHERE s.superseded_at IS NULL AND c.attendance = 'attended'`) {
		r := out[q[0].(int64)]
		in := q[2].(string)
		if r.scores[in] == nil {
			r.scores[in] = map[int64]bool{}
		}
		r.scores[in][q[1].(int64)] = true
		if in == "wsas" {
			r.wsasItems = append(r.wsasItems, strings.Count(q[3].(string), ",")+1-strings.Count(q[3].(string), "null"))
		}
	}
	return out
}

// testQueryAll reads every row of a query as Go values.
func testQueryAll(t *testing.T, db *sql.DB, query string) [][]any {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]any
	for rows.Next() {
		row := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range row {
			if b, ok := v.([]byte); ok {
				row[i] = string(b)
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func days(from, to string) int {
	a, _ := time.Parse("2006-01-02", from)
	b, _ := time.Parse("2006-01-02", to)
	return int(b.Sub(a).Hours() / 24)
}

func in(date, from, to string) bool { return date != "" && date >= from && date <= to }

// recounted is one referral's facts, counted here.
type recounted struct {
	firstAssessment, firstTreatment, secondTreatment, lastAttended string
	low, high                                                      bool
	stepUp                                                         int
	medium, employment                                             string
}

func recountOne(r *recountReferral) recounted {
	x := recounted{stepUp: -1}
	var treatments []recountContact
	media := map[string]int{}
	var order []string
	for _, c := range r.contacts {
		if x.employment == "" {
			x.employment = c.employment
		}
		if c.attendance != "attended" {
			continue
		}
		x.lastAttended = c.date
		if (c.kind == "assessment" || c.purpose == "assessment_treatment") && x.firstAssessment == "" {
			x.firstAssessment = c.date
		}
		if c.kind == "treatment" {
			treatments = append(treatments, c)
			if c.medium != "" {
				if media[c.medium] == 0 {
					order = append(order, c.medium)
				}
				media[c.medium]++
			}
		}
	}
	lastLow := ""
	for i, c := range treatments {
		if i == 0 {
			x.firstTreatment = c.date
		}
		if i == 1 {
			x.secondTreatment = c.date
		}
		if c.intensity == "low" {
			x.low, lastLow = true, c.date
		}
		if c.intensity == "high" {
			x.high = true
			if lastLow != "" && x.stepUp < 0 {
				x.stepUp = days(lastLow, c.date)
			}
		}
	}
	if x.firstAssessment == "" {
		x.firstAssessment = x.firstTreatment
	}
	most := 0
	for _, m := range order {
		if media[m] > most {
			x.medium, most = m, media[m]
		}
	}
	return x
}

func recountSections(refs map[int64]*recountReferral, rows []caseload.ReportRow, f caseload.ReportFilter) caseload.Sections {
	var out caseload.Sections
	scope := func(r *recountReferral) bool {
		if !f.WholeService && !slices.Contains(f.Teams, r.team) {
			return false
		}
		if f.TherapistID != 0 && r.therapist != f.TherapistID {
			return false
		}
		d := f.Descriptor
		return d == "" || r.descriptor == d || strings.HasPrefix(r.descriptor, d) && len(r.descriptor) > len(d) &&
			(strings.Contains(d, ".") || r.descriptor[len(d)] == '.')
	}
	outcome := map[int64]measures.Outcome{}
	for _, row := range rows {
		outcome[row.ReferralID] = row.Outcome
	}
	toAssessment, toTreatment := map[int]int{}, map[int]int{}
	w := &out.Waits
	w.StillWaitingByBand = make([]int, len(caseload.StillWaitingBands)+1)
	endCodes := map[string]int{}
	groups := map[[2]string]measures.Rates{}
	for _, r := range refs {
		if !scope(r) {
			continue
		}
		x := recountOne(r)
		if in(x.firstAssessment, f.From, f.To) {
			d := days(r.received, x.firstAssessment)
			toAssessment[d]++
			w.Assessed++
			switch {
			case d < 29:
				w.AssessmentUnder29++
			case d <= 56:
				w.Assessment29To56++
			case d <= 90:
				w.Assessment57To90++
			default:
				w.AssessmentOver90++
			}
		}
		if in(x.secondTreatment, f.From, f.To) {
			w.SecondTreatments++
			if days(x.firstTreatment, x.secondTreatment) > 90 {
				w.SecondTreatmentOver90++
			}
		}
		if r.received <= f.To && (r.ended == "" || r.ended > f.To) {
			w.OpenAtEnd++
			if x.firstTreatment == "" || x.firstTreatment > f.To {
				w.StillWaiting++
				waited := days(r.received, f.To)
				band := len(caseload.StillWaitingBands)
				for i, b := range caseload.StillWaitingBands {
					if waited <= b {
						band = i
						break
					}
				}
				w.StillWaitingByBand[band]++
			}
			last := cmpOr(x.lastAttended, r.received)
			if last <= f.To {
				switch q := days(last, f.To); {
				case q >= 61 && q <= 90:
					w.NoContact61To90++
				case q > 90:
					w.NoContactOver90++
				}
			}
		}
		if !in(r.ended, f.From, f.To) {
			continue
		}
		o := outcome[r.id]
		out.Endings.Ended++
		endCodes[r.endCode]++
		out.DataQuality.Ended++
		out.DataQuality.DatasetProblems += r.problems
		if r.problems > 0 {
			out.DataQuality.FailingValidation++
		}
		if x.firstTreatment != "" {
			out.Endings.WithTreatment++
		}
		if !o.FinishedCourse {
			continue
		}
		out.Endings.Finished++
		if o.WaitDays >= 0 {
			toTreatment[o.WaitDays]++
		}
		sc := &out.SteppedCare
		sc.Finished++
		switch {
		case x.low && x.high:
			sc.Both++
		case x.low:
			sc.LowOnly++
		case x.high:
			sc.HighOnly++
		}
		if x.stepUp >= 0 {
			sc.SteppedUp++
			if x.stepUp <= 90 {
				sc.SteppedUpWithin90++
			}
		}
		dq := &out.DataQuality
		dq.Finished++
		adsm := string(measures.PairedADSM(r.descriptor))
		canonical, _ := measures.NormaliseDescriptor(r.descriptor)
		expected := adsm != "gad7" || strings.HasPrefix(canonical, "F41.1")
		if expected {
			dq.ADSMExpected++
			if len(r.scores[adsm]) >= 2 {
				dq.ADSMPaired++
			}
		}
		if len(r.scores["gad7"]) <= 1 && (adsm == "gad7" || len(r.scores[adsm]) <= 1) {
			dq.OneOrNoAnxiety++
		}
		if slices.ContainsFunc(r.wsasItems, func(n int) bool { return n >= 4 }) {
			dq.WSASComplete++
		}
		age := -1
		if b, err := time.Parse("2006-01-02", r.dob); err == nil {
			rec, _ := time.Parse("2006-01-02", r.received)
			age = rec.Year() - b.Year()
			if rec.Month() < b.Month() || rec.Month() == b.Month() && rec.Day() < b.Day() {
				age--
			}
		}
		for dim, group := range map[string]string{
			dataset.DimEthnicGroup:        dataset.EthnicGroupOf(r.ethnic),
			dataset.DimAgeBand:            dataset.AgeBandOf(age),
			dataset.DimGenderIdentity:     dataset.GenderIdentityGroupOf(r.gender),
			dataset.DimSexualOrientation:  dataset.SexualOrientationGroupOf(r.orientation),
			dataset.DimDisability:         dataset.DisabilityGroupOf(strings.Split(r.disability, ",")),
			dataset.DimEmployment:         dataset.EmploymentGroupOf(x.employment),
			dataset.DimLongTermCondition:  dataset.LongTermConditionGroupOf(strings.Split(r.ltc, ",")),
			dataset.DimConsultationMedium: dataset.MediumGroupOf(x.medium),
		} {
			g := groups[[2]string{dim, group}]
			g.Finished++
			if measures.NotAtCasenessAtStart(o) {
				g.NotAtCaseness++
			}
			if o.Recovered {
				g.Recovered++
			}
			if o.ReliableRecovery {
				g.ReliablyRecovered++
			}
			groups[[2]string{dim, group}] = g
		}
	}
	w.MedianDaysToAssessment = recountMedian(toAssessment)
	w.MedianDaysToTreatment = recountMedian(toTreatment)
	out.Endings.ByCode = caseload.EndCodeCounts(endCodes)
	out.Groups = caseload.LayOutGroups(groups)
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// recountMedian lists every value and takes the middle one (or two).
func recountMedian(counts map[int]int) *float64 {
	var all []int
	for v, n := range counts {
		for range n {
			all = append(all, v)
		}
	}
	if len(all) == 0 {
		return nil
	}
	slices.Sort(all)
	m := float64(all[(len(all)-1)/2]+all[len(all)/2]) / 2
	return &m
}

// exportedProblems counts each referral's problems in the data set export
// of all time (every record of every referral), as validation.csv lists
// them: a problem of a patient's record (IDS001, IDS011, linked by the
// export to one referral of theirs) counts for each of the patient's
// referrals; the staff's (IDS902) and the submission's are no referral's.
func exportedProblems(t *testing.T, s *caseload.Store) map[int64]int {
	t.Helper()
	x, err := s.ExportIDS(t.Context(), "1900-01-01", "9999-12-31", caseload.IDSHeader{ProviderOrg: "RXX"})
	if err != nil {
		t.Fatal(err)
	}
	// The referrals of each patient, by the local patient id the export
	// writes (an imported one, else P and the patient's id).
	referralsOf := map[string][]int64{}
	for _, r := range testQueryAll(t, s.DBForTest(), `
		SELECT COALESCE(l.local_id, 'P' || r.patient_id), r.id
		FROM referrals r LEFT JOIN patient_local_ids l ON l.patient_id = r.patient_id`) {
		lp := fmt.Sprint(r[0])
		referralsOf[lp] = append(referralsOf[lp], r[1].(int64))
	}
	out := map[int64]int{}
	for _, p := range x.Problems {
		switch p.Table {
		case "IDS001", "IDS011":
			if len(referralsOf[p.RecordID]) == 0 {
				t.Fatalf("problem of an unknown patient: %+v", p)
			}
			for _, id := range referralsOf[p.RecordID] {
				out[id]++
			}
		case "IDS000", "IDS902", "*":
		default:
			if p.ReferralID == 0 {
				t.Fatalf("problem of no referral: %+v", p)
			}
			out[p.ReferralID]++
		}
	}
	return out
}
