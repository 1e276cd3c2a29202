package fhir_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"clinic/internal/fhir"
	"clinic/internal/measures"
)

func answered(link string, answer string) string {
	return fmt.Sprintf(`{"linkId":%q,"answer":[%s]}`, link, answer)
}

func gad7(answers ...string) string {
	links := []string{"69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"}
	var items []string
	for i, a := range answers {
		if a != "" {
			items = append(items, answered(links[i], a))
		}
	}
	return strings.Join(items, ",")
}

func response(questionnaire, status, items string) []byte {
	return []byte(fmt.Sprintf(`{"resourceType":"QuestionnaireResponse","id":"app-1","meta":{"versionId":"2"},"questionnaire":%q,"status":%q,"author":{"display":"an app"},"item":[%s]}`, questionnaire, status, items))
}

func TestReadQuestionnaireResponse(t *testing.T) {
	one := `{"valueInteger":1}`
	la := func(code string) string { return fmt.Sprintf(`{"valueCoding":{"code":%q}}`, code) }
	tests := []struct {
		name  string
		data  []byte
		want  []*int
		field string // the FieldError's path, "" when accepted
	}{
		{"integers", response("http://loinc.org/q/69737-5", "completed", gad7(one, one, one, one, one, one, `{"valueInteger":0}`)), ints(1, 1, 1, 1, 1, 1, 0), ""},
		{"LOINC codes without a system", response("http://loinc.org/q/69737-5", "amended", gad7(la("LA6571-9"), la("LA6570-1"), la("LA6569-3"), la("LA6568-5"), one, one, one)), ints(3, 2, 1, 0, 1, 1, 1), ""},
		{"two unanswered (pro-rated)", response("http://loinc.org/q/69737-5", "completed", gad7(one, "", one, "", one, one, one)), ints(1, -1, 1, -1, 1, 1, 1), ""},
		{"an item with an empty answer list", response("http://loinc.org/q/69737-5", "completed", gad7(one, one, one, one, one, one, "")+`,{"linkId":"69736-7"}`), ints(1, 1, 1, 1, 1, 1, -1), ""},
		{"known by paths as linkIds", response("", "completed", strings.ReplaceAll(gad7(one, one, one, one, one, one, one), `"linkId":"`, `"linkId":"/69737-5/`)), ints(1, 1, 1, 1, 1, 1, 1), ""},
		{"three unanswered", response("http://loinc.org/q/69737-5", "completed", gad7(one, "", one, "", one, "", one)), nil, "item"},
		{"an answer of 4", response("http://loinc.org/q/69737-5", "completed", gad7(one, one, `{"valueInteger":4}`, one, one, one, one)), nil, "item[2].answer[0].valueInteger"},
		{"a negative answer", response("http://loinc.org/q/69737-5", "completed", gad7(one, one, one, one, one, one, `{"valueInteger":-1}`)), nil, "item[6].answer[0].valueInteger"},
		{"another code system", response("http://loinc.org/q/69737-5", "completed", gad7(one, `{"valueCoding":{"system":"http://snomed.info/sct","code":"LA6568-5"}}`, one, one, one, one, one)), nil, "item[1].answer[0].valueCoding.system"},
		{"a string answer", response("http://loinc.org/q/69737-5", "completed", gad7(one, one, one, one, `{"valueString":"often"}`, one, one)), nil, "item[4].answer[0]"},
		{"two answers", response("http://loinc.org/q/69737-5", "completed", gad7(one, one, one, one, one, one, one+","+one)), nil, "item[6].answer"},
		{"a PHQ-9 canonical for GAD-7 items", response("http://loinc.org/q/44249-1", "completed", gad7(one, one, one, one, one, one, one)), nil, "item[0].linkId"},
		{"a version of an unknown questionnaire", response("http://example.org/q/phq|1", "completed", gad7(one, one, one, one, one, one, one)), nil, "questionnaire"},
		{"stopped", response("http://loinc.org/q/69737-5", "stopped", gad7(one, one, one, one, one, one, one)), nil, "status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := fhir.ReadQuestionnaireResponse(tt.data)
			if tt.field != "" {
				var fe *fhir.FieldError
				if !errors.As(err, &fe) || fe.Field != tt.field || fe.Message == "" {
					t.Fatalf("error %v, want a FieldError on %s", err, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Instrument != measures.GAD7 {
				t.Errorf("instrument %s", got.Instrument)
			}
			if diff := cmp.Diff(tt.want, got.Items); diff != "" {
				t.Errorf("answers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadQuestionnaireResponseSyntax(t *testing.T) {
	for _, data := range []string{`{`, `[]`, `{"resourceType":"QuestionnaireResponse","item":{}}`} {
		_, err := fhir.ReadQuestionnaireResponse([]byte(data))
		var se *fhir.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%s: %v, want a SyntaxError", data, err)
		}
	}
}

// FuzzReadQuestionnaireResponse: no input panics, and whatever is accepted
// scores under measures.
func FuzzReadQuestionnaireResponse(f *testing.F) {
	f.Add(string(response("http://loinc.org/q/69737-5", "completed", gad7(`{"valueInteger":1}`, "", `{"valueCoding":{"code":"LA6570-1"}}`, `{"valueInteger":3}`, `{"valueInteger":0}`, `{"valueInteger":2}`, `{"valueInteger":1}`))))
	f.Add(`{"resourceType":"QuestionnaireResponse","status":"completed","item":[{"linkId":"/44249-1","item":[{"linkId":"44250-9","answer":[{"valueInteger":9}]}]}]}`)
	f.Fuzz(func(t *testing.T, data string) {
		got, err := fhir.ReadQuestionnaireResponse([]byte(data))
		if err != nil {
			return
		}
		if _, err := measures.ScoreItems(got.Instrument, got.Items); err != nil {
			t.Errorf("accepted answers that do not score: %v", err)
		}
	})
}
