package ui

import (
	"errors"
	"maps"
	"net/url"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

func TestParseContactForm(t *testing.T) {
	two, one, zero := 2, 1, 0
	tests := []struct {
		name   string
		form   string
		scores map[measures.InstrumentID]caseload.ScoreInput
		errs   []string
	}{
		{"nothing answered", "date=2026-03-02&kind=treatment&attendance=attended", map[measures.InstrumentID]caseload.ScoreInput{}, nil},
		{"two PHQ-9 items", "kind=treatment&attendance=attended&scores.phq9.items.1=2&scores.phq9.items.9=1",
			map[measures.InstrumentID]caseload.ScoreInput{measures.PHQ9: {Items: []*int{&two, nil, nil, nil, nil, nil, nil, nil, &one}}}, nil},
		{"quick entry wins", "kind=treatment&attendance=attended&scores.gad7.items.1=3&scores.gad7.quick=2-10 000",
			map[measures.InstrumentID]caseload.ScoreInput{measures.GAD7: {Items: []*int{&two, nil, &one, &zero, &zero, &zero, &zero}}}, nil},
		{"quick entry too short", "kind=treatment&attendance=attended&scores.gad7.quick=21", map[measures.InstrumentID]caseload.ScoreInput{}, []string{"scores.gad7.quick"}},
		{"quick entry out of range", "kind=treatment&attendance=attended&scores.phq9.quick=444444444", map[measures.InstrumentID]caseload.ScoreInput{}, []string{"scores.phq9.quick"}},
		{"item not a number", "kind=treatment&attendance=attended&scores.phq9.items.3=x", map[measures.InstrumentID]caseload.ScoreInput{measures.PHQ9: {Items: make([]*int, 9)}}, []string{"scores.phq9.items.3"}},
		{"ADSM total", "kind=treatment&attendance=attended&adsm=spin&adsm_total=31", map[measures.InstrumentID]caseload.ScoreInput{measures.SPIN: {Total: ptr(31.0)}}, nil},
		{"ADSM total without a measure", "kind=treatment&attendance=attended&adsm_total=31", map[measures.InstrumentID]caseload.ScoreInput{}, []string{"adsm"}},
		{"ADSM that is not one", "kind=treatment&attendance=attended&adsm=phq9&adsm_total=31", map[measures.InstrumentID]caseload.ScoreInput{}, []string{"adsm"}},
		{"ADSM total not a number", "kind=treatment&attendance=attended&adsm=spin&adsm_total=lots", map[measures.InstrumentID]caseload.ScoreInput{}, []string{"adsm_total"}},
		{"no kind or attendance", "", map[measures.InstrumentID]caseload.ScoreInput{}, []string{"attendance", "kind"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := url.ParseQuery(tt.form)
			if err != nil {
				t.Fatal(err)
			}
			f, nc := parseContactForm(v)
			if diff := cmp.Diff(tt.scores, nc.Scores); diff != "" {
				t.Errorf("scores (-want +got):\n%s", diff)
			}
			var errs []string
			for k := range f.Errs {
				errs = append(errs, k)
			}
			if diff := cmp.Diff(tt.errs, sortedCopy(errs)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func sortedCopy(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// FuzzParseContactForm: no form, however odd, panics the parser, and every
// value typed is kept for the form sent back.
func FuzzParseContactForm(f *testing.F) {
	f.Add("date=2026-03-02&kind=treatment&attendance=attended&scores.phq9.items.1=2&adsm=spin&adsm_total=31")
	f.Add("scores.phq9.quick=21-1%2C3&scores.gad7.items.7=-1&adsm=mi_alone&adsm_total=2.35")
	f.Add("scores.phobia.items.3=99999999999999999999&adsm=x&adsm_total=NaN")
	f.Fuzz(func(t *testing.T, q string) {
		v, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		form, nc := parseContactForm(v)
		for id, s := range nc.Scores {
			if _, ok := measures.Lookup(id); !ok {
				t.Errorf("unknown instrument %q passed on", id)
			}
			if s.Items == nil && s.Total == nil {
				t.Errorf("%s: an empty score passed on", id)
			}
		}
		if v.Get("date") != "" && form.Value("date") == "" {
			t.Errorf("date typed was not kept")
		}
	})
}

// FuzzDecodeContact: no JSON body panics the API's decoding, and every
// failure is a 400 or 422 with a message.
func FuzzDecodeContact(f *testing.F) {
	f.Add(`{"date":"2026-03-02","kind":"treatment","attendance":"attended","scores":{"phq9":{"items":[1,null,3,0,0,0,0,0,0]},"spin":{"total":20}}}`)
	f.Add(`{"scores":{"gad7":{"items":[1.5]}}}`)
	f.Add(`{"scores":{"x":{"total":"y"}},"extra":1}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		var req contactRequest
		err := decodeStrict([]byte(body), &req, "")
		if err == nil {
			for _, id := range slices.Sorted(maps.Keys(req.Scores)) {
				if _, err = decodeScore(id, req.Scores[id]); err != nil {
					break
				}
			}
		}
		if err == nil {
			return
		}
		var ae *apiError
		if !errors.As(err, &ae) || (ae.Status != 400 && ae.Status != 422) || ae.Message == "" {
			t.Errorf("error %#v for %q", err, body)
		}
	})
}
