package caseload

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"clinic/internal/dataset"
	"clinic/internal/measures"
)

// exportFixture is the fixture's referral made into a full data set
// record: demographics, source, contacts of several purposes, media and
// attendances, a score without a confirmed SNOMED code, and an ending.
func exportFixture(t *testing.T) *fixture {
	t.Helper()
	s, clk := openTest(t)
	f := &fixture{s: s, clock: clk, ctx: context.Background()}
	f.therapist = f.user(t, "tara@example.nhs.uk", "Tara Therapist", RoleTherapist, "North")
	var err error
	if f.patient, err = s.CreatePatient(f.ctx, f.therapist, NewPatient{Name: "Pat Example", DateOfBirth: "1990-05-17", NHSNumber: "943 476 5919"}); err != nil {
		t.Fatal(err)
	}
	admin := f.user(t, "ada@example.nhs.uk", "Ada Admin", RoleAdmin, "")
	if err := f.s.SetQualification(f.ctx, admin, f.therapist.ID, "10"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SetDemographics(f.ctx, f.therapist, f.patient.ID, Demographics{EthnicCategory: "A", GenderIdentity: "2",
		StatedGender: "2", SexualOrientation: "1", PreferredLanguage: "en", ExArmedForces: "N", Disability: []string{"NN"},
		Postcode: "LS1 4AP", GPPracticeCode: "B86001", LongTermConditions: []string{"73211009"}}); err != nil {
		t.Fatal(err)
	}
	f.referral, err = f.s.CreateReferral(f.ctx, f.therapist, NewReferral{PatientID: f.patient.ID, ReceivedOn: "2026-01-06",
		ProblemDescriptor: "F41.1", Intensity: "low", SourceOfReferral: "B1"})
	if err != nil {
		t.Fatal(err)
	}
	phq := func(v int) []*int { return answers(v, v, v, v, v, v, v, v, v) }
	gad := func(v int) []*int { return answers(v, v, v, v, v, v, v) }
	contacts := []NewContact{
		{Date: "2026-01-12", Kind: "assessment", Attendance: "attended", Medium: "telephone", DurationMinutes: 45, EmploymentStatus: "01",
			Scores: map[measures.InstrumentID]ScoreInput{measures.PHQ9: {Items: phq(2)}, measures.GAD7: {Items: gad(2)}, measures.SPIN: {Total: total(30)}}},
		{Date: "2026-01-19", Kind: "treatment", Attendance: "attended", Medium: "video", DurationMinutes: 30,
			Scores: map[measures.InstrumentID]ScoreInput{measures.PHQ9: {Items: phq(1)}, measures.GAD7: {Items: gad(1)}}},
		{Date: "2026-01-26", Kind: "treatment", Attendance: "dna"},
		{Date: "2026-02-02", Kind: "review_treatment", Attendance: "attended_late", Medium: "face_to_face", DurationMinutes: 20, TherapyType: "748051000000105", EmploymentStatus: "01",
			Scores: map[measures.InstrumentID]ScoreInput{measures.PHQ9: {Items: phq(0)}, measures.GAD7: {Items: gad(0)}}},
	}
	for _, c := range contacts {
		if _, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, c); err != nil {
			t.Fatal(err)
		}
	}
	// The assessment's PHQ-9 item 9 (2) opened risk alerts: the ending
	// acknowledges them, and gives its EndCode.
	if _, err := f.s.EndReferral(f.ctx, f.therapist, f.referral.ID, "2026-02-20", "completed", "46",
		EndRisk{Acknowledged: true, Note: "Risk reviewed at each session; safety plan shared with the GP"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestExportIDSGolden compares the export of a hand-built referral, table
// by table and field by field, with the golden files in
// testdata/ids_golden (go test -run TestExportIDSGolden -update rewrites
// them; read the diff before committing).
func TestExportIDSGolden(t *testing.T) {
	f := exportFixture(t)
	x, err := f.s.ExportIDS(f.ctx, "2026-01-01", "2026-03-31", IDSHeader{ProviderOrg: "RX1", SubmittingOrg: "RX1", CreatedAt: "2026-03-10T09:00:00"})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("testdata", "ids_golden")
	var problems [][]string
	for _, p := range x.Problems {
		problems = append(problems, []string{p.Table, p.RecordID, p.Field, p.Problem})
	}
	if *update {
		if err := dataset.WriteDir(dir, x.Tables, problems); err != nil {
			t.Fatal(err)
		}
	}
	check := func(name string, columns []string, rows [][]string) {
		var got bytes.Buffer
		if err := dataset.WriteTable(&got, columns, rows); err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(readCSV(t, want), readCSV(t, got.Bytes())); diff != "" {
			t.Errorf("%s (-golden +export):\n%s", name, diff)
		}
	}
	for _, tb := range dataset.Tables() {
		check(tb.Name+".csv", tb.Columns, x.Tables[tb.Name])
	}
	check("validation.csv", dataset.ValidationColumns, problems)
	if x.Referrals != 1 || x.Contacts != 4 {
		t.Errorf("counted %d referrals, %d contacts", x.Referrals, x.Contacts)
	}
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestExportIDSPeriod: a referral ended after the period is open in it, one
// ended before it or received after it is not in it, and a contact after
// the period is not sent.
func TestExportIDSPeriod(t *testing.T) {
	f := exportFixture(t) // received 2026-01-06, contacts to 2026-02-02, ended 2026-02-20
	tests := []struct {
		from, to  string
		referrals int
		contacts  int
		ended     string
	}{
		{"2026-01-01", "2026-01-05", 0, 0, ""},
		{"2026-01-01", "2026-01-06", 1, 0, ""},
		{"2026-01-01", "2026-01-31", 1, 3, ""},
		{"2026-02-01", "2026-02-19", 1, 4, ""},
		{"2026-02-01", "2026-02-20", 1, 4, "2026-02-20"},
		{"2026-02-20", "2026-02-28", 1, 4, "2026-02-20"},
		{"2026-02-21", "2026-02-28", 0, 0, ""},
	}
	for _, tt := range tests {
		x, err := f.s.ExportIDS(f.ctx, tt.from, tt.to, IDSHeader{ProviderOrg: "RX1"})
		if err != nil {
			t.Fatal(err)
		}
		if x.Referrals != tt.referrals || x.Contacts != tt.contacts || len(x.Tables["IDS201"]) != tt.contacts {
			t.Errorf("%s..%s: %d referrals, %d contacts, want %d, %d", tt.from, tt.to, x.Referrals, x.Contacts, tt.referrals, tt.contacts)
		}
		if tt.referrals == 1 {
			row := x.Tables["IDS101"][0]
			if got := row[dataset.IDS101.Index("ServDischDate")]; got != tt.ended {
				t.Errorf("%s..%s: ServDischDate %q, want %q", tt.from, tt.to, got, tt.ended)
			}
			if code := row[dataset.IDS101.Index("EndCode")]; (code == "46") != (tt.ended != "") {
				t.Errorf("%s..%s: EndCode %q with ServDischDate %q", tt.from, tt.to, code, tt.ended)
			}
		}
		for _, tb := range dataset.Tables() {
			if _, ok := x.Tables[tb.Name]; !ok {
				t.Errorf("%s..%s: no table %s", tt.from, tt.to, tb.Name)
			}
		}
	}
	for _, bad := range [][2]string{{"2026-02-30", "2026-03-01"}, {"2026-03-01", "2026-02-01"}, {"", ""}} {
		if _, err := f.s.ExportIDS(f.ctx, bad[0], bad[1], IDSHeader{}); err == nil {
			t.Errorf("period %v accepted", bad)
		}
	}
}

func TestPresComp(t *testing.T) {
	for in, want := range map[string]string{"F41.1": "F411", "F42": "F42X", "F32.11": "F3211", "K58": "K58X",
		"G93.3": "G933", "83482000": "83482000", "other": "", "": ""} {
		if got := presComp(in); got != want {
			t.Errorf("presComp(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestOutcomeReportFromExportedTables: NHS England derives every outcome
// from the submitted tables. A small reader of the CSV files, with its own
// code mappings, rebuilds each referral from IDS101, IDS603, IDS201, IDS202
// and IDS607 alone, applies the rules, and must reach the app's own report.
// The service's problem descriptors pair with GAD-7: the ADSMs' SNOMED codes
// are unconfirmed, so their scores are not exported (validation.csv says so).
func TestOutcomeReportFromExportedTables(t *testing.T) {
	f := newFixture(t)
	type c = NewContact
	pg := func(date, kind, att string, p, g int) c {
		in := c{Date: date, Kind: kind, Attendance: att}
		if p >= 0 {
			in.Scores = map[measures.InstrumentID]ScoreInput{
				measures.PHQ9: {Items: itemsFor(p, 9)},
				measures.GAD7: {Items: itemsFor(g, 7)},
			}
		}
		return in
	}
	cases := []struct {
		descriptor, received, ended string
		contacts                    []c
	}{
		{"F41.1", "2026-01-05", "2026-02-25", []c{pg("2026-01-06", "assessment", "attended", 15, 14),
			pg("2026-01-13", "treatment", "attended", 10, 9), pg("2026-01-20", "treatment", "attended", 5, 4)}},
		{"F32", "2026-01-05", "2026-02-26", []c{pg("2026-01-06", "assessment_treatment", "attended", 18, 12),
			pg("2026-01-13", "review_treatment", "attended_late", 20, 15), pg("2026-01-20", "treatment", "late_not_seen", -1, -1)}},
		{"F41.2", "2026-01-07", "2026-02-27", []c{pg("2026-01-08", "treatment", "attended", 9, 7),
			pg("2026-01-15", "treatment", "attended", 3, 3)}}, // not at caseness
		{"K58.1", "2026-01-07", "2026-02-27", []c{pg("2026-01-08", "treatment", "attended", -1, -1),
			pg("2026-01-15", "treatment", "attended", -1, -1)}}, // finished without scores
		{"723916001", "2026-01-08", "2026-02-28", []c{pg("2026-01-09", "assessment", "attended", 16, 13),
			pg("2026-01-16", "treatment", "attended", 12, 10), pg("2026-01-23", "follow_up", "attended", 4, 3)}}, // one treatment: not finished
		{"F33", "2026-01-08", "", []c{pg("2026-01-09", "treatment", "attended", 16, 13), pg("2026-01-16", "treatment", "attended", 6, 5)}}, // open
		{"F41.1", "2026-01-09", "2026-02-12", []c{pg("2026-01-10", "treatment", "attended", 12, 8),
			pg("2026-01-17", "treatment", "cancelled_by_provider", -1, -1), pg("2026-01-24", "treatment", "attended", 20, 15)}}, // deteriorated
	}
	for i, k := range cases {
		p, r, err := f.s.CreatePatientWithReferral(f.ctx, f.therapist, NewPatient{Name: "Case " + strconv.Itoa(i), DateOfBirth: "1980-01-01"},
			NewReferral{ReceivedOn: k.received, ProblemDescriptor: k.descriptor, Intensity: "low"})
		if err != nil {
			t.Fatal(err)
		}
		_ = p
		for _, in := range k.contacts {
			if _, err := f.s.RecordContact(f.ctx, f.therapist, r.ID, in); err != nil {
				t.Fatal(err)
			}
		}
		if k.ended != "" {
			if _, err := f.s.EndReferral(f.ctx, f.therapist, r.ID, k.ended, "completed", "", EndRisk{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	const from, to = "2026-02-01", "2026-02-28"
	x, err := f.s.ExportIDS(f.ctx, from, to, IDSHeader{ProviderOrg: "RX1"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := dataset.WriteDir(dir, x.Tables, nil); err != nil {
		t.Fatal(err)
	}
	got := ratesFromTables(t, dir, from, to)

	rows, err := f.s.ReportRows(f.ctx, ReportFilter{From: from, To: to, WholeService: true})
	if err != nil {
		t.Fatal(err)
	}
	var outcomes []measures.Outcome
	for _, r := range rows {
		if In(r.EndedOn, from, to) {
			outcomes = append(outcomes, r.Outcome)
		}
	}
	want := measures.ServiceRates(outcomes)
	if want.Finished != 5 || want.NotAtCaseness != 1 || want.Recovered != 1 || want.Deteriorated != 1 {
		t.Fatalf("the service is not the one meant: %+v", want)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report from the exported tables differs (-app +tables):\n%s", diff)
	}
}

// ratesFromTables is the small reader: the CSV files and NHS England's
// code meanings (AppType 02, 03, 05 treatment; AttendOrDNA 5, 6 attended;
// CodedAssToolType 720433000 PHQ-9, 445455005 GAD-7), nothing of clinic's
// own tables.
func ratesFromTables(t *testing.T, dir, from, to string) measures.Rates {
	t.Helper()
	read := func(name string) []map[string]string {
		b, err := os.ReadFile(filepath.Join(dir, name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		rows := readCSV(t, b)
		var out []map[string]string
		for _, r := range rows[1:] {
			m := map[string]string{}
			for i, c := range rows[0] {
				m[c] = r[i]
			}
			out = append(out, m)
		}
		return out
	}
	kinds := map[string]measures.ContactKind{"01": measures.Assessment, "02": measures.Treatment, "03": measures.Treatment,
		"04": measures.Review, "05": measures.Treatment, "06": measures.FollowUp}
	tools := map[string]measures.InstrumentID{"720433000": measures.PHQ9, "445455005": measures.GAD7}
	refs := map[string]*measures.Referral{}
	var order []string
	for _, r := range read("IDS101") {
		ref := &measures.Referral{Received: day(t, r["ReferralRequestReceivedDate"])}
		if r["ServDischDate"] != "" {
			ref.EndedOn = day(t, r["ServDischDate"])
		}
		refs[r["ServiceRequestId"]] = ref
		order = append(order, r["ServiceRequestId"])
	}
	for _, r := range read("IDS603") {
		refs[r["ServiceRequestId"]].Descriptor = r["PresComp"]
	}
	contactOf := map[string][2]any{} // CareContactId: referral, index
	for _, r := range read("IDS201") {
		ref := refs[r["ServiceRequestId"]]
		att := measures.DNA
		if r["AttendOrDNACode"] == "5" || r["AttendOrDNACode"] == "6" {
			att = measures.Attended
		}
		ref.Contacts = append(ref.Contacts, measures.Contact{Date: day(t, r["CareContDate"]), Kind: kinds[r["AppType"]],
			Attendance: att, Scores: map[measures.InstrumentID]float64{}})
		contactOf[r["CareContactId"]] = [2]any{r["ServiceRequestId"], len(ref.Contacts) - 1}
	}
	actOf := map[string]string{}
	for _, r := range read("IDS202") {
		actOf[r["CareActId"]] = r["CareContactId"]
	}
	for _, r := range read("IDS607") {
		cc := contactOf[actOf[r["CareActId"]]]
		v, err := strconv.ParseFloat(r["PersScore"], 64)
		if err != nil {
			t.Fatal(err)
		}
		refs[cc[0].(string)].Contacts[cc[1].(int)].Scores[tools[r["CodedAssToolType"]]] = v
	}
	var outcomes []measures.Outcome
	for _, id := range order {
		o := measures.Evaluate(*refs[id])
		if ended := refs[id].EndedOn.Format("2006-01-02"); !refs[id].EndedOn.IsZero() && ended >= from && ended <= to {
			outcomes = append(outcomes, o)
		}
	}
	return measures.ServiceRates(outcomes)
}

// itemsFor makes n answers of 0–3 adding up to total.
func itemsFor(total, n int) []*int {
	vals := make([]int, n)
	for i := range vals {
		vals[i] = min(total, 3)
		total -= vals[i]
	}
	return answers(vals...)
}

func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, ok := parseDate(strings.TrimSpace(s))
	if !ok {
		t.Fatalf("not a date: %q", s)
	}
	return d
}

// A referral's kept count of data set validation problems
// (report_referral.dataset_problems) is what the export's validation.csv
// lists of its records, and follows its saves: a hand-built referral with
// a patient record without a postcode (mandatory) and with a sexual
// orientation (its SNOMED code unconfirmed), no source of referral, and an
// attended contact with no medium holding a SPIN score (no confirmed
// SNOMED code); then a second such contact, then the postcode recorded.
func TestDatasetProblemsKeptWithReferral(t *testing.T) {
	s, clk := openTest(t)
	f := &fixture{s: s, clock: clk, ctx: context.Background()}
	f.therapist = f.user(t, "tara@example.nhs.uk", "Tara Therapist", RoleTherapist, "North")
	var err error
	if f.patient, err = s.CreatePatient(f.ctx, f.therapist, NewPatient{Name: "Pat Example", DateOfBirth: "1990-05-17"}); err != nil {
		t.Fatal(err)
	}
	demographics := Demographics{EthnicCategory: "A", GenderIdentity: "2", SexualOrientation: "1"}
	if _, err := s.SetDemographics(f.ctx, f.therapist, f.patient.ID, demographics); err != nil {
		t.Fatal(err)
	}
	if f.referral, err = s.CreateReferral(f.ctx, f.therapist, NewReferral{PatientID: f.patient.ID, ReceivedOn: "2026-01-06",
		ProblemDescriptor: "F40.1", Intensity: "low"}); err != nil {
		t.Fatal(err)
	}
	contact := func(date string) {
		t.Helper()
		if _, err := s.RecordContact(f.ctx, f.therapist, f.referral.ID, NewContact{Date: date, Kind: "assessment", Attendance: "attended",
			Scores: map[measures.InstrumentID]ScoreInput{measures.SPIN: {Total: total(30)}}}); err != nil {
			t.Fatal(err)
		}
	}
	// check compares the kept count with the export's problems of the
	// referral's records (not the staff's nor the codes to confirm), and
	// with the fields the test expects them in.
	check := func(when string, want map[string]int) {
		t.Helper()
		x, err := s.ExportIDS(f.ctx, "2026-01-01", "9999-12-31", IDSHeader{ProviderOrg: "RX1"})
		if err != nil {
			t.Fatal(err)
		}
		listed, fields := 0, map[string]int{}
		for _, p := range x.Problems {
			if p.Table == "IDS902" || p.Table == "*" || p.Table == "IDS000" {
				continue
			}
			if p.ReferralID != f.referral.ID {
				t.Errorf("%s: a problem of another referral: %+v", when, p)
			}
			listed++
			fields[p.Field]++
		}
		if diff := cmp.Diff(want, fields); diff != "" {
			t.Errorf("%s: the export's problems by field (-want +got):\n%s", when, diff)
		}
		var kept int
		if err := s.DBForTest().QueryRow(`SELECT dataset_problems FROM report_referral WHERE referral_id = ?`, f.referral.ID).Scan(&kept); err != nil {
			t.Fatal(err)
		}
		if kept != listed {
			t.Errorf("%s: kept %d problems, the export lists %d", when, kept, listed)
		}
	}
	contact("2026-01-12")
	check("first contact", map[string]int{"Postcode": 1, "SocPerCircumstance": 1, "SourceOfReferralIAPT": 1, "ConsMechanism": 1, "CodedAssToolType": 1})
	contact("2026-01-19")
	check("second contact", map[string]int{"Postcode": 1, "SocPerCircumstance": 1, "SourceOfReferralIAPT": 1, "ConsMechanism": 2, "CodedAssToolType": 2})
	demographics.Postcode = "LS1 4AP"
	if _, err := s.SetDemographics(f.ctx, f.therapist, f.patient.ID, demographics); err != nil {
		t.Fatal(err)
	}
	check("postcode recorded", map[string]int{"SocPerCircumstance": 1, "SourceOfReferralIAPT": 1, "ConsMechanism": 2, "CodedAssToolType": 2})
	got, err := s.ReportSections(f.ctx, ReportFilter{WholeService: true, From: "2026-01-01", To: "2026-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	if dq := got.DataQuality; dq.Ended != 0 || dq.FailingValidation != 0 {
		t.Errorf("an open referral counted among those ended: %+v", dq)
	}
	if _, err := s.EndReferral(f.ctx, f.therapist, f.referral.ID, "2026-02-02", "completed", "46", EndRisk{}); err != nil {
		t.Fatal(err)
	}
	check("ended", map[string]int{"SocPerCircumstance": 1, "SourceOfReferralIAPT": 1, "ConsMechanism": 2, "CodedAssToolType": 2})
	if got, err = s.ReportSections(f.ctx, ReportFilter{WholeService: true, From: "2026-01-01", To: "2026-12-31"}); err != nil {
		t.Fatal(err)
	}
	if dq := got.DataQuality; dq.Ended != 1 || dq.FailingValidation != 1 || dq.DatasetProblems != 6 {
		t.Errorf("data quality %+v, want the one ended referral failing with 6 problems", dq)
	}
}
