package fhir_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"clinic/internal/caseload"
	"clinic/internal/fhir"
	"clinic/internal/fhir/fhirtest"
	"clinic/internal/measures"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func ints(xs ...int) []*int {
	out := make([]*int, len(xs))
	for i, x := range xs {
		if x >= 0 {
			v := x
			out[i] = &v
		}
	}
	return out
}

// itemised is a score of an itemised instrument with its total worked out
// by measures, as the store keeps it.
func itemised(t *testing.T, id int64, in measures.InstrumentID, src caseload.Source, by int64, answers ...int) caseload.Score {
	t.Helper()
	sc, err := measures.ScoreItems(in, ints(answers...))
	if err != nil {
		t.Fatalf("%s %v: %v", in, answers, err)
	}
	return caseload.Score{ID: id, Instrument: in, Items: sc.Items, Total: sc.Total, Prorated: sc.Prorated, Source: src, RecordedBy: by,
		RecordedAt: time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC)}
}

func total(t *testing.T, id int64, in measures.InstrumentID, v float64) caseload.Score {
	t.Helper()
	sc, err := measures.ScoreTotal(in, v)
	if err != nil {
		t.Fatalf("%s %v: %v", in, v, err)
	}
	return caseload.Score{ID: id, Instrument: in, Total: sc.Total, Source: caseload.SourceTherapist, RecordedBy: 3}
}

// handBuilt is a referral built by hand: an assessment whose PHQ-9 was
// corrected (the old score kept, superseded), and a treatment session whose
// PHQ-9 and GAD-7 the patient answered (PHQ-9 with one item pro-rated), with
// an ADSM recorded as a total, the MI as a mean and the WSAS.
func handBuilt(t *testing.T) fhir.Record {
	wrong := itemised(t, 781, measures.PHQ9, caseload.SourceTherapist, 3, 2, 2, 1, 3, 1, 1, 1, 0, 1)
	wrong.SupersededAt = time.Date(2026, 11, 10, 9, 30, 0, 0, time.UTC)
	wrong.SupersededBy = 3
	wrong.CorrectionReason = "item 4 typed as 3, the patient said 2"
	fixed := itemised(t, 790, measures.PHQ9, caseload.SourceTherapist, 3, 2, 2, 1, 2, 1, 1, 1, 0, 1)
	fixed.Replaces = 781
	return fhir.Record{
		Generated: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC),
		Names:     map[int64]string{3: "Pat Practitioner", 4: "Sue Supervisor"},
		Detail: caseload.ReferralDetail{
			Referral: caseload.Referral{ID: 43, PatientID: 42, PatientName: "Jo Example", TherapistID: 3, TherapistName: "Pat Practitioner",
				ReceivedOn: "2026-11-02", ProblemDescriptor: "F41.0", CreatedAt: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)},
			Patient: caseload.Patient{ID: 42, Name: "Jo Example", DateOfBirth: "1985-07-14", NHSNumber: "9434765919"},
			Contacts: []caseload.Contact{
				{ID: 302, ReferralID: 43, Date: "2026-11-09", Kind: measures.Assessment, Attendance: measures.Attended, Scores: []caseload.Score{
					fixed, wrong,
					itemised(t, 782, measures.GAD7, caseload.SourceTherapist, 3, 2, 3, 2, 2, 1, 1, 2),
					total(t, 783, measures.PDSS, 16),
				}},
				{ID: 303, ReferralID: 43, Date: "2026-11-16", Kind: measures.Treatment, Attendance: measures.Attended, Scores: []caseload.Score{
					itemised(t, 801, measures.PHQ9, caseload.SourcePatient, 3, 1, 1, 1, 1, 0, 1, -1, 0, 0),
					itemised(t, 802, measures.GAD7, caseload.SourcePatient, 3, 1, 1, 1, 1, 0, 1, 1),
					total(t, 803, measures.PDSS, 7),
					total(t, 804, measures.MIAlone, 2.31),
					itemised(t, 805, measures.WSAS, caseload.SourceTherapist, 4, -1, 2, 3, 1, 0),
				}},
				{ID: 304, ReferralID: 43, Date: "2026-11-23", Kind: measures.Treatment, Attendance: measures.DNA},
			},
		},
	}
}

func TestReferralBundleGolden(t *testing.T) {
	got, err := json.MarshalIndent(fhir.ReferralBundle(handBuilt(t)), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if err := fhirtest.Validate(got); err != nil {
		t.Fatalf("the Bundle breaks the FHIR R4 schema:\n%v", err)
	}
	golden := filepath.Join("testdata", "referral_bundle.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden) // #nosec G304 -- a fixed test file
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("Bundle differs from %s (-want +got; run with -update if the change is meant):\n%s", golden, diff)
	}
}

// bundleJSON is the exported Bundle read back generically.
type bundleJSON struct {
	Entry []struct {
		FullURL  string         `json:"fullUrl"`
		Resource map[string]any `json:"resource"`
	} `json:"entry"`
}

func exported(t *testing.T, rec fhir.Record) bundleJSON {
	t.Helper()
	data, err := json.Marshal(fhir.ReferralBundle(rec))
	if err != nil {
		t.Fatal(err)
	}
	if err := fhirtest.Validate(data); err != nil {
		t.Fatalf("the Bundle breaks the FHIR R4 schema:\n%v", err)
	}
	var b bundleJSON
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReferralBundleContent(t *testing.T) {
	rec := handBuilt(t)
	b := exported(t, rec)
	urls := map[string]bool{}
	byID := map[string]map[string]any{}
	for _, e := range b.Entry {
		if urls[e.FullURL] {
			t.Errorf("fullUrl %s twice", e.FullURL)
		}
		urls[e.FullURL] = true
		byID[e.Resource["resourceType"].(string)+"/"+e.Resource["id"].(string)] = e.Resource
	}
	// Every reference points at an entry of the Bundle.
	var refs func(v any)
	refs = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if r, ok := v["reference"].(string); ok && !urls[r] {
				t.Errorf("reference %s resolves to no entry", r)
			}
			for _, x := range v {
				refs(x)
			}
		case []any:
			for _, x := range v {
				refs(x)
			}
		}
	}
	for _, e := range b.Entry {
		refs(e.Resource)
	}

	var scores []caseload.Score
	for _, ct := range rec.Detail.Contacts {
		scores = append(scores, ct.Scores...)
	}
	for _, sc := range scores {
		obs := byID["Observation/score-"+itoa(sc.ID)]
		if obs == nil {
			t.Errorf("score %d (%s): no Observation", sc.ID, sc.Instrument)
			continue
		}
		wantStatus := "final"
		switch {
		case !sc.Current():
			wantStatus = "entered-in-error"
		case sc.Replaces != 0:
			wantStatus = "amended"
		}
		if obs["status"] != wantStatus {
			t.Errorf("score %d: status %v, want %s", sc.ID, obs["status"], wantStatus)
		}
		in, _ := measures.Lookup(sc.Instrument)
		interp, _ := obs["interpretation"].([]any)
		switch {
		case !in.HasCaseness && interp != nil:
			t.Errorf("score %d (%s): an interpretation for a measure without caseness", sc.ID, sc.Instrument)
		case in.HasCaseness:
			code := interp[0].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"]
			if want := map[bool]string{true: "POS", false: "NEG"}[in.IsCase(sc.Total)]; code != want {
				t.Errorf("score %d (%s %v): interpretation %v, measures says %s", sc.ID, sc.Instrument, sc.Total, code, want)
			}
		}
		qr := byID["QuestionnaireResponse/qr-"+itoa(sc.ID)]
		if itemisedPHQorGAD := sc.Instrument == measures.PHQ9 || sc.Instrument == measures.GAD7; itemisedPHQorGAD != (qr != nil) {
			t.Errorf("score %d (%s): QuestionnaireResponse present %v", sc.ID, sc.Instrument, qr != nil)
		}
		wantQR := wantStatus
		if wantQR == "final" {
			wantQR = "completed"
		}
		if qr != nil && qr["status"] != wantQR {
			t.Errorf("score %d: QuestionnaireResponse status %v with Observation %s", sc.ID, qr["status"], wantStatus)
		}
	}
	if n := len(b.Entry); n != 1+2+len(scores)+5 { // patient, two practitioners, observations, 5 PHQ-9/GAD-7
		t.Errorf("%d entries", n)
	}
	pdss := byID["Observation/score-783"]["code"].(map[string]any)
	if pdss["coding"] != nil || !strings.Contains(pdss["text"].(string), "to confirm") {
		t.Errorf("PDSS has no confirmed code: want text only, saying so; got %v", pdss)
	}
	mi := byID["Observation/score-804"]
	if q := mi["valueQuantity"].(map[string]any); q["value"] != 2.31 || mi["valueInteger"] != nil {
		t.Errorf("MI mean: %v", mi)
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestValidatorRejects proves the schema check is not vacuous: resources
// that break R4 are refused.
func TestValidatorRejects(t *testing.T) {
	good := `{"resourceType":"Patient","birthDate":"1985-07-14"}`
	if err := fhirtest.Validate([]byte(good)); err != nil {
		t.Fatalf("a valid Patient refused: %v", err)
	}
	for name, bad := range map[string]string{
		"bad date":        `{"resourceType":"Patient","birthDate":"14/07/1985"}`,
		"unknown element": `{"resourceType":"Patient","dateOfBirth":"1985-07-14"}`,
		"bad status":      `{"resourceType":"Observation","status":"done","code":{"text":"x"}}`,
		"missing code":    `{"resourceType":"Observation","status":"final"}`,
		"bad bundle type": `{"resourceType":"Bundle","type":"pile"}`,
		"string integer":  `{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueInteger":"11"}`,
	} {
		if err := fhirtest.Validate([]byte(bad)); err == nil {
			t.Errorf("%s: %s accepted", name, bad)
		}
	}
}
