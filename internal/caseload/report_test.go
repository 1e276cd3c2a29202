package caseload

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"clinic/internal/measures"
)

// reportFixture adds to the fixture a small service's year: referrals that
// finished in the period, one ended without a course, one still open, one
// that finished before the period, and one in the other team.
type reportFixture struct {
	*fixture
	ids map[string]int64
}

func newReportFixture(t *testing.T) *reportFixture {
	t.Helper()
	f := &reportFixture{fixture: newFixture(t), ids: map[string]int64{"recovered": 0}}
	f.ids["recovered"] = f.referral.ID
	gad := func(v int) []*int { return answers(v, v, v, v, v, v, v) }
	phq := func(v int) []*int { return answers(v, v, v, v, v, v, v, v, 0) }
	add := func(name string, who User, received, descriptor string, sessions []NewContact, end string) {
		t.Helper()
		id := f.ids[name]
		if id == 0 {
			p, err := f.s.CreatePatient(f.ctx, who, NewPatient{Name: "Patient " + name, DateOfBirth: "1980-01-01"})
			if err != nil {
				t.Fatal(err)
			}
			r, err := f.s.CreateReferral(f.ctx, who, NewReferral{PatientID: p.ID, ReceivedOn: received, ProblemDescriptor: descriptor, Intensity: "low"})
			if err != nil {
				t.Fatal(err)
			}
			id = r.ID
			f.ids[name] = id
		}
		for _, c := range sessions {
			if _, err := f.s.RecordContact(f.ctx, who, id, c); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if end != "" {
			if _, err := f.s.EndReferral(f.ctx, who, id, end, "completed", "", EndRisk{}); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
	}
	// PHQ-9 16 -> 0 and GAD-7 14 -> 0: recovered, reliably improved.
	add("recovered", f.therapist, "", "", []NewContact{session("2026-01-12", phq(2), gad(2)), session("2026-01-19", phq(0), gad(0))}, "2026-02-01")
	// PHQ-9 8 -> 16 in South: reliable deterioration.
	add("deteriorated", f.other, "2026-01-10", "F32", []NewContact{session("2026-01-20", phq(1), gad(1)), session("2026-01-27", phq(2), gad(1))}, "2026-02-15")
	// One session only: ended without a course of treatment.
	add("dropped", f.therapist, "2025-12-01", "F32.1", []NewContact{session("2026-01-08", phq(2), gad(2))}, "2026-02-20")
	// Open, entered treatment in the period.
	add("open", f.therapist, "2026-02-01", "F41.1", []NewContact{session("2026-02-10", phq(2), gad(2))}, "")
	// Finished before the period.
	add("before", f.therapist, "2025-11-01", "F41.1", []NewContact{session("2025-11-10", phq(2), gad(2)), session("2025-11-17", phq(1), gad(1))}, "2025-12-20")
	return f
}

const periodFrom, periodTo = "2026-01-01", "2026-02-28"

func TestReportRowsMatchStoredOutcomes(t *testing.T) {
	f := newReportFixture(t)
	rows, err := f.s.ReportRows(f.ctx, ReportFilter{From: periodFrom, To: periodTo, WholeService: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]ReportRow{}
	for _, r := range rows {
		got[r.ReferralID] = r
	}
	for name, id := range f.ids {
		r, in := got[id]
		if want := name != "before"; in != want {
			t.Errorf("%s in the report: %v, want %v", name, in, want)
		}
		if !in {
			continue
		}
		// Every field the report extracts equals the stored outcome's.
		d, err := f.s.ReferralDetail(f.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		o := d.Outcome
		want := measures.Outcome{
			RuleSet: o.RuleSet, Open: o.Open, Descriptor: d.Referral.ProblemDescriptor, TreatmentSessions: o.TreatmentSessions,
			WaitDays: o.WaitDays, FinishedCourse: o.FinishedCourse, Anxiety: o.Anxiety,
			PHQ9:     measures.MeasureOutcome{Instrument: measures.PHQ9, Count: o.PHQ9.Count, First: o.PHQ9.First, Last: o.PHQ9.Last, Paired: o.PHQ9.Paired},
			AnxietyM: measures.MeasureOutcome{Instrument: o.Anxiety, Count: o.AnxietyM.Count, First: o.AnxietyM.First, Last: o.AnxietyM.Last, Paired: o.AnxietyM.Paired},
			Paired:   o.Paired, AtCaseness: o.AtCaseness, NotAtCaseness: o.NotAtCaseness, Recovered: o.Recovered, ReliableImprovement: o.ReliableImprovement,
			ReliableDeterioration: o.ReliableDeterioration, NoReliableChange: o.NoReliableChange, ReliableRecovery: o.ReliableRecovery,
		}
		if diff := cmp.Diff(want, r.Outcome); diff != "" {
			t.Errorf("%s: report outcome differs from the stored one (-stored +report):\n%s", name, diff)
		}
		if r.TherapistName != d.Referral.TherapistName || r.ReceivedOn != d.Referral.ReceivedOn || r.EndedOn != d.Referral.EndedOn {
			t.Errorf("%s: row %+v", name, r)
		}
	}
}

// TestReportFiguresAreTheSumOfReferralOutcomes recomputes the figures with
// measures.ServiceRates over the full stored outcomes of the referrals that
// ended in the period, and checks that the per-referral counts add up to
// them.
func TestReportFiguresAreTheSumOfReferralOutcomes(t *testing.T) {
	f := newReportFixture(t)
	rows, err := f.s.ReportRows(f.ctx, ReportFilter{From: periodFrom, To: periodTo, WholeService: true})
	if err != nil {
		t.Fatal(err)
	}
	fig := Summarise(rows, periodFrom, periodTo)

	var ended []measures.Outcome
	for _, name := range []string{"recovered", "deteriorated", "dropped"} {
		d, err := f.s.ReferralDetail(f.ctx, f.ids[name])
		if err != nil {
			t.Fatal(err)
		}
		ended = append(ended, d.Outcome)
	}
	if diff := cmp.Diff(measures.ServiceRates(ended), fig.Rates); diff != "" {
		t.Errorf("figures differ from ServiceRates over the stored outcomes (-want +got):\n%s", diff)
	}
	// Received in the period: recovered, deteriorated, open. Entered
	// treatment: all but "before".
	if fig.Received != 3 || fig.EnteredTreatment != 4 || fig.Ended != 3 || fig.Rates.Finished != 2 {
		t.Errorf("received %d entered %d ended %d finished %d; want 3 4 3 2", fig.Received, fig.EnteredTreatment, fig.Ended, fig.Rates.Finished)
	}
	if fig.Rates.Recovered != 1 || fig.Rates.Deteriorated != 1 || fig.Rates.ReliablyImproved != 1 {
		t.Errorf("rates %+v", fig.Rates)
	}

	var sum RowCounts
	for _, r := range rows {
		c := CountRow(r, periodFrom, periodTo)
		sum.Received += c.Received
		sum.EnteredTreatment += c.EnteredTreatment
		sum.Ended += c.Ended
		sum.Rates.Finished += c.Rates.Finished
		sum.Rates.NotAtCaseness += c.Rates.NotAtCaseness
		sum.Rates.Recovered += c.Rates.Recovered
		sum.Rates.ReliablyImproved += c.Rates.ReliablyImproved
		sum.Rates.ReliablyRecovered += c.Rates.ReliablyRecovered
		sum.Rates.Deteriorated += c.Rates.Deteriorated
		sum.Rates.Paired += c.Rates.Paired
		sum.Rates.Waited += c.Rates.Waited
		sum.Rates.Within6Weeks += c.Rates.Within6Weeks
		sum.Rates.Within18Weeks += c.Rates.Within18Weeks
	}
	counts := func(r measures.Rates) []int {
		return []int{r.Finished, r.NotAtCaseness, r.Recovered, r.ReliablyImproved, r.ReliablyRecovered, r.Deteriorated, r.Paired, r.Waited, r.Within6Weeks, r.Within18Weeks}
	}
	if diff := cmp.Diff(counts(fig.Rates), counts(sum.Rates)); diff != "" || sum.Received != fig.Received || sum.EnteredTreatment != fig.EnteredTreatment || sum.Ended != fig.Ended {
		t.Errorf("row counts do not add up to the figures:\n%s", diff)
	}

	// The months add up to the period, and so do the therapists.
	months := ByMonth(rows, periodFrom, periodTo)
	if len(months) != 2 || months[0].Month != "2026-01" || months[1].Month != "2026-02" {
		t.Fatalf("months %+v", months)
	}
	if months[0].Rates.Finished+months[1].Rates.Finished != fig.Rates.Finished || months[0].Received+months[1].Received != fig.Received {
		t.Errorf("months do not add up: %+v", months)
	}
	finished := 0
	for _, th := range ByTherapist(rows, periodFrom, periodTo) {
		finished += th.Rates.Finished
	}
	if finished != fig.Rates.Finished {
		t.Errorf("therapists' finished %d, want %d", finished, fig.Rates.Finished)
	}
}

func TestReportFilters(t *testing.T) {
	f := newReportFixture(t)
	ids := func(flt ReportFilter) []int64 {
		t.Helper()
		flt.From, flt.To = periodFrom, periodTo
		rows, err := f.s.ReportRows(f.ctx, flt)
		if err != nil {
			t.Fatal(err)
		}
		out := []int64{}
		for _, r := range rows {
			out = append(out, r.ReferralID)
		}
		return out
	}
	north := f.therapist.TeamID
	tests := []struct {
		name string
		flt  ReportFilter
		want []string
	}{
		{"service", ReportFilter{WholeService: true}, []string{"recovered", "deteriorated", "dropped", "open"}},
		{"no teams", ReportFilter{}, nil},
		{"team", ReportFilter{Teams: []int64{north}}, []string{"recovered", "dropped", "open"}},
		{"therapist", ReportFilter{WholeService: true, TherapistID: f.other.ID}, []string{"deteriorated"}},
		{"descriptor", ReportFilter{WholeService: true, Descriptor: "F32"}, []string{"deteriorated", "dropped"}},
		{"team and descriptor", ReportFilter{Teams: []int64{north}, Descriptor: "F32"}, []string{"dropped"}}, // F32.1 is an F32
		{"a sibling code", ReportFilter{WholeService: true, Descriptor: "F33"}, nil},
		{"the sub-code itself", ReportFilter{WholeService: true, Descriptor: "F32.1"}, []string{"dropped"}},
		{"no such team", ReportFilter{Teams: []int64{9999}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := []int64{}
			for _, n := range tt.want {
				want = append(want, f.ids[n])
			}
			if diff := cmp.Diff(sorted(want), sorted(ids(tt.flt))); diff != "" {
				t.Errorf("referrals (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := f.s.ReportRows(f.ctx, ReportFilter{From: "2026-03-01", To: "2026-02-01"}); err == nil {
		t.Error("a period ending before it starts: no error")
	}
}

func sorted(ids []int64) []int64 {
	out := append([]int64(nil), ids...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// A report on a period keeps the referrals received, entering treatment or
// ending in it, exactly as ReportRows selects them: a row read for a longer
// trend with every date outside the period is dropped.
func TestRowsInPeriod(t *testing.T) {
	rows := []ReportRow{
		{ReferralID: 1, ReceivedOn: "2026-01-31"},
		{ReferralID: 2, ReceivedOn: "2025-12-01", FirstTreatmentOn: "2026-02-01"},
		{ReferralID: 3, ReceivedOn: "2025-12-01", FirstTreatmentOn: "2025-12-20", EndedOn: "2026-02-28"},
		{ReferralID: 4, ReceivedOn: "2025-12-01", FirstTreatmentOn: "2026-01-10", EndedOn: "2026-03-01"},
		{ReferralID: 5, ReceivedOn: "2026-03-01"},
	}
	ids := func(rs []ReportRow) []int64 {
		var out []int64
		for _, r := range rs {
			out = append(out, r.ReferralID)
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		from, to string
		want     []int64
	}{
		{"February", "2026-02-01", "2026-02-28", []int64{2, 3}},
		{"first quarter", "2026-01-01", "2026-03-31", []int64{1, 2, 3, 4, 5}},
		{"a day with nothing", "2026-02-15", "2026-02-15", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, ids(RowsInPeriod(rows, tc.from, tc.to))); diff != "" {
				t.Errorf("rows in period (-want +got):\n%s", diff)
			}
		})
	}
	// Every row belongs: the same rows, not a copy.
	if got := RowsInPeriod(rows, "2025-01-01", "2026-12-31"); &got[0] != &rows[0] {
		t.Error("RowsInPeriod copied rows that all belong")
	}
}
