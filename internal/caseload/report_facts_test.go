package caseload

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A referral's facts from hand-made contacts, at every boundary.
func TestWorkOutFactsBoundaries(t *testing.T) {
	at := func(date, kind, intensity string) factContact {
		return factContact{date: date, kind: kind, attended: true, intensity: intensity}
	}
	base := factBasis{receivedOn: "2026-01-01", descriptor: "F32", dateOfBirth: "1990-05-17"}
	for _, tc := range []struct {
		name     string
		contacts []factContact
		check    func(ReportFacts) bool
	}{
		{"assessment on day 28", []factContact{at("2026-01-29", "assessment", "low")}, func(f ReportFacts) bool { return f.AssessmentDays == 28 }},
		{"assessment on day 91", []factContact{at("2026-04-02", "assessment", "low")}, func(f ReportFacts) bool { return f.AssessmentDays == 91 }},
		{"assessment and treatment counts as the assessment", []factContact{{date: "2026-01-10", kind: "treatment", purpose: "assessment_treatment", attended: true, intensity: "low"}},
			func(f ReportFacts) bool { return f.FirstAssessmentOn == "2026-01-10" && f.AssessmentDays == 9 }},
		{"no assessment: assessed at the first treatment", []factContact{at("2026-02-01", "treatment", "low")},
			func(f ReportFacts) bool { return f.FirstAssessmentOn == "2026-02-01" && f.AssessmentDays == 31 }},
		{"a missed assessment is not one", []factContact{{date: "2026-01-05", kind: "assessment", intensity: "low"}, at("2026-01-12", "assessment", "low")},
			func(f ReportFacts) bool {
				return f.FirstAssessmentOn == "2026-01-12" && f.LastContactOn == "2026-01-12"
			}},
		{"second treatment exactly 90 days on", []factContact{at("2026-01-10", "treatment", "low"), at("2026-04-10", "treatment", "low")},
			func(f ReportFacts) bool { return f.SecondTreatmentOn == "2026-04-10" && f.FirstSecondDays == 90 }},
		{"second treatment 91 days on", []factContact{at("2026-01-10", "treatment", "low"), at("2026-04-11", "treatment", "low")},
			func(f ReportFacts) bool { return f.FirstSecondDays == 91 }},
		{"stepped up 90 days after the last low", []factContact{at("2026-01-10", "treatment", "low"), at("2026-01-20", "treatment", "low"), at("2026-04-20", "treatment", "high")},
			func(f ReportFacts) bool { return f.IntensityMix == MixBoth && f.StepUpDays == 90 }},
		{"stepped down is not a step up", []factContact{at("2026-01-10", "treatment", "high"), at("2026-01-20", "treatment", "low")},
			func(f ReportFacts) bool { return f.IntensityMix == MixBoth && f.StepUpDays == -1 }},
		{"high only", []factContact{at("2026-01-10", "assessment", "low"), at("2026-01-20", "treatment", "high")},
			func(f ReportFacts) bool { return f.IntensityMix == MixHighOnly }},
		{"no treatment", []factContact{at("2026-01-10", "assessment", "low")},
			func(f ReportFacts) bool {
				return f.IntensityMix == "" && f.SecondTreatmentOn == "" && f.FirstSecondDays == -1
			}},
		{"medium of most treatments, earliest on a tie", []factContact{
			{date: "2026-01-10", kind: "treatment", attended: true, intensity: "low", medium: "video"},
			{date: "2026-01-17", kind: "treatment", attended: true, intensity: "low", medium: "telephone"},
			{date: "2026-01-24", kind: "assessment", attended: true, intensity: "low", medium: "telephone"},
		}, func(f ReportFacts) bool { return f.ConsultationMedium == "video" }},
		{"employment at the start", []factContact{
			{date: "2026-01-10", kind: "assessment", intensity: "low", employment: "02"},
			{date: "2026-01-17", kind: "treatment", attended: true, intensity: "low", employment: "01"},
		}, func(f ReportFacts) bool { return f.EmploymentStatus == "02" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if f := workOutFacts(base, tc.contacts, factScores{}); !tc.check(f) {
				t.Errorf("facts %+v", f)
			}
		})
	}
}

// Age is on the date the referral was received: a birthday counts on its
// day, 29 February on 1 March in other years.
func TestAgeOnReferralDate(t *testing.T) {
	for _, tc := range []struct {
		birth, on string
		age       int
		band      string
	}{
		{"2008-03-10", "2026-03-09", 17, "under_18"},
		{"2008-03-10", "2026-03-10", 18, "18_25"},
		{"2000-06-01", "2026-05-31", 25, "18_25"},
		{"2000-06-01", "2026-06-01", 26, "26_35"},
		{"1970-01-15", "2026-01-14", 55, "46_55"},
		{"1970-01-15", "2026-01-15", 56, "56_64"},
		{"1961-07-01", "2026-06-30", 64, "56_64"},
		{"1961-07-01", "2026-07-01", 65, "65_plus"},
		{"2004-02-29", "2026-02-28", 21, "18_25"},
		{"2004-02-29", "2026-03-01", 22, "18_25"},
		{"", "2026-03-01", -1, "not_stated"},
	} {
		if got := ageOn(tc.birth, tc.on); got != tc.age {
			t.Errorf("ageOn(%s, %s) = %d, want %d", tc.birth, tc.on, got, tc.age)
		}
		f := workOutFacts(factBasis{receivedOn: tc.on, dateOfBirth: tc.birth}, nil, factScores{})
		if f.AgeBand != tc.band {
			t.Errorf("born %s, referred %s: band %q, want %q", tc.birth, tc.on, f.AgeBand, tc.band)
		}
	}
}

// Data quality facts: the descriptor's ADSM paired, one or no anxiety
// score, a WSAS of at least 4 domains.
func TestDataQualityFacts(t *testing.T) {
	for _, tc := range []struct {
		name       string
		descriptor string
		scores     factScores
		want       [4]bool // expected, paired, one or none, WSAS complete
	}{
		{"depression needs no ADSM", "F32", factScores{contacts: map[string]int{"gad7": 3}}, [4]bool{false, false, false, false}},
		{"GAD pairs GAD-7", "F41.1", factScores{contacts: map[string]int{"gad7": 2}}, [4]bool{true, true, false, false}},
		{"social phobia with one SPIN", "F40.1", factScores{contacts: map[string]int{"spin": 1, "gad7": 1}}, [4]bool{true, false, true, false}},
		{"PTSD paired IES-R", "F43.1", factScores{contacts: map[string]int{"iesr": 2}, wsasComplete: true}, [4]bool{true, true, false, true}},
		{"no anxiety score", "F32", factScores{}, [4]bool{false, false, true, false}},
	} {
		f := workOutFacts(factBasis{receivedOn: "2026-01-01", descriptor: tc.descriptor}, nil, tc.scores)
		got := [4]bool{f.ADSMExpected, f.ADSMPaired, f.AnxietyOneOrNone, f.WSASComplete}
		if got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// Hand-counted through the store: six referrals assessed on days 28, 29,
// 56, 57, 90 and 91; two with second treatments 90 and 91 days after the
// first; one stepped up (its contacts keep the intensity they were given
// at, whatever the referral's is now); EndCodes grouped; demographics
// changed after the referral ended still move it to its new group.
func TestSectionsHandCounted(t *testing.T) {
	f := newFixture(t)
	ctx := f.ctx
	newRef := func(received string) int64 {
		t.Helper()
		r, err := f.s.CreateReferral(ctx, f.therapist, NewReferral{PatientID: f.patient.ID, ReceivedOn: received, ProblemDescriptor: "F32", Intensity: "low"})
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	contact := func(id int64, date, kind string) {
		t.Helper()
		if _, err := f.s.RecordContact(ctx, f.therapist, id, NewContact{Date: date, Kind: kind, Attendance: "attended"}); err != nil {
			t.Fatalf("%s: %v", date, err)
		}
	}
	for _, date := range []string{"2025-01-29", "2025-01-30", "2025-02-26", "2025-02-27", "2025-04-01", "2025-04-02"} {
		contact(newRef("2025-01-01"), date, "assessment")
	}
	a, b := newRef("2025-01-01"), newRef("2025-01-01")
	contact(a, "2025-01-10", "treatment")
	contact(a, "2025-04-10", "treatment")
	contact(b, "2025-01-10", "treatment")
	contact(b, "2025-04-11", "treatment")
	if _, err := f.s.EndReferral(ctx, f.therapist, a, "2025-04-20", "completed", "46", EndRisk{}); err != nil {
		t.Fatal(err)
	}
	// b is stepped up: its later treatments are high intensity.
	if _, err := f.s.MoveReferral(ctx, f.supervisor, b, NewMove{TherapistID: f.therapist.ID, Intensity: "high", Reason: "step up"}); err != nil {
		t.Fatal(err)
	}
	contact(b, "2025-05-01", "treatment")
	if _, err := f.s.EndReferral(ctx, f.therapist, b, "2025-05-10", "completed", "47", EndRisk{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SetDemographics(ctx, f.therapist, f.patient.ID, Demographics{EthnicCategory: "N", GenderIdentity: "2"}); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.ReportSections(ctx, ReportFilter{WholeService: true, From: "2025-01-01", To: "2025-06-30"})
	if err != nil {
		t.Fatal(err)
	}
	// a and b were assessed at their first treatment, on day 9.
	median, nine := 42.5, 9.0 // the middle two of 9, 9, 28, 29, 56, 57, 90, 91
	wantWaits := Waits{
		Assessed: 8, AssessmentUnder29: 3, Assessment29To56: 2, Assessment57To90: 2, AssessmentOver90: 1,
		MedianDaysToAssessment: &median,
		MedianDaysToTreatment:  &nine, // a and b finished, treated from day 9
		SecondTreatments:       2, SecondTreatmentOver90: 1,
		// Open on 30 June: the six assessed, none treated, waiting 180
		// days, quiet since their assessment for 152, 151, 124, 123, 90
		// and 89 days.
		OpenAtEnd: 6, StillWaiting: 6, StillWaitingByBand: []int{0, 0, 0, 0, 0, 6},
		NoContact61To90: 2, NoContactOver90: 4,
	}
	if diff := cmp.Diff(wantWaits, got.Waits); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	e := got.Endings
	codes := map[string]int{}
	for _, c := range e.ByCode {
		codes[c.Code] = c.Count
	}
	if e.Ended != 2 || e.Finished != 2 || e.WithTreatment != 2 || codes["46"] != 1 || codes["47"] != 1 || codes[""] != 0 {
		t.Errorf("endings %+v, by code %v", e, codes)
	}
	if sc := got.SteppedCare; sc.Finished != 2 || sc.LowOnly != 1 || sc.Both != 1 || sc.HighOnly != 0 || sc.SteppedUp != 1 || sc.SteppedUpWithin90 != 1 {
		t.Errorf("stepped care %+v, want a low only and b both, stepped up 20 days after its last low treatment", sc)
	}
	for _, d := range got.Groups {
		for _, g := range d.Groups {
			want := 0
			switch {
			case d.Key == "ethnic_group" && g.Key == "black", d.Key == "gender_identity" && g.Key == "female", d.Key == "age_band" && g.Key == "26_35":
				want = 2
			}
			if d.Key != "ethnic_group" && d.Key != "gender_identity" && d.Key != "age_band" {
				continue
			}
			if g.Rates.Finished != want {
				t.Errorf("%s %s: %d finished, want %d", d.Key, g.Key, g.Rates.Finished, want)
			}
		}
	}
}
