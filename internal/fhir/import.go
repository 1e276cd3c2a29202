package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"clinic/internal/measures"
)

// FieldError is a QuestionnaireResponse clinic cannot take, with the FHIR
// path of the element at fault ("item[3].answer[0].valueCoding").
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Answers are what a QuestionnaireResponse gives clinic: one instrument's
// raw answers (nil for an unanswered item), and the NHS number the sender
// named as its subject, if any.
type Answers struct {
	Instrument       measures.InstrumentID
	Items            []*int
	SubjectNHSNumber string
}

// Accepted lists the questionnaires a QuestionnaireResponse may answer.
var Accepted = []measures.InstrumentID{measures.PHQ9, measures.GAD7}

// The elements of a QuestionnaireResponse that clinic reads. Other R4
// elements (id, meta, text, extension, author, encounter...) are allowed and
// not kept.
type inResponse struct {
	ResourceType  string     `json:"resourceType"`
	Questionnaire string     `json:"questionnaire"`
	Status        string     `json:"status"`
	Subject       *Reference `json:"subject"`
	Item          []inItem   `json:"item"`
}

type inItem struct {
	LinkID string     `json:"linkId"`
	Answer []QRAnswer `json:"answer"`
	Item   []inItem   `json:"item"`
}

// ReadQuestionnaireResponse reads a PHQ-9 or GAD-7 QuestionnaireResponse.
// The questionnaire is known by its LOINC canonical or, without one, by its
// items' LOINC codes (linkId "44250-9", or a path ending in it such as
// "/44249-1/44250-9"). Each answer is a LOINC answer code (LA6568-5 …
// LA6571-9) or an integer. measures scores the answers: an answer outside
// 0–3 or more unanswered items than it pro-rates is a *FieldError naming
// the element, as is anything else clinic cannot take. Malformed JSON, or
// a value of the wrong JSON type, is a *SyntaxError.
func ReadQuestionnaireResponse(data []byte) (Answers, error) {
	var in inResponse
	if err := json.Unmarshal(data, &in); err != nil {
		return Answers{}, syntaxError(err)
	}
	if in.ResourceType != "QuestionnaireResponse" {
		return Answers{}, &FieldError{"resourceType", fmt.Sprintf("expected a QuestionnaireResponse, got %q", in.ResourceType)}
	}
	if in.Status != "completed" && in.Status != "amended" {
		return Answers{}, &FieldError{"status", fmt.Sprintf("only completed answers are recorded; status is %q", in.Status)}
	}
	id, err := identify(in)
	if err != nil {
		return Answers{}, err
	}
	items, paths, err := collect(id, in.Item, "item")
	if err != nil {
		return Answers{}, err
	}
	if _, err := measures.ScoreItems(id, items); err != nil {
		return Answers{}, scoringError(id, err, paths)
	}
	out := Answers{Instrument: id, Items: items}
	if s := in.Subject; s != nil && s.Identifier != nil && s.Identifier.System == SystemNHSNumber {
		out.SubjectNHSNumber = strings.ReplaceAll(s.Identifier.Value, " ", "")
	}
	return out, nil
}

// SyntaxError is a body that is not a QuestionnaireResponse's JSON at all.
type SyntaxError struct {
	Field   string
	Message string
}

func (e *SyntaxError) Error() string { return e.Message }

func syntaxError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &SyntaxError{Field: te.Field, Message: fmt.Sprintf("%s has the wrong JSON type (%s)", te.Field, te.Value)}
	}
	return &SyntaxError{Message: "malformed JSON: " + err.Error()}
}

// identify finds the instrument: by the questionnaire canonical (a
// "|version" suffix allowed), else by the first item code it knows.
func identify(in inResponse) (measures.InstrumentID, error) {
	if in.Questionnaire != "" {
		canonical, _, _ := strings.Cut(in.Questionnaire, "|")
		for _, id := range Accepted {
			if codesFor(id).Questionnaire == canonical {
				return id, nil
			}
		}
		return "", &FieldError{"questionnaire", fmt.Sprintf("unknown questionnaire %q: clinic takes PHQ-9 (%s) and GAD-7 (%s)",
			in.Questionnaire, codesFor(measures.PHQ9).Questionnaire, codesFor(measures.GAD7).Questionnaire)}
	}
	var found []measures.InstrumentID
	walk(in.Item, func(it inItem, _ string) {
		code := itemCode(it.LinkID)
		for _, id := range Accepted {
			if itemIndex(id, code) >= 0 && !slices.Contains(found, id) {
				found = append(found, id)
			}
		}
	}, "item")
	if len(found) != 1 {
		return "", &FieldError{"questionnaire", "name the questionnaire (http://loinc.org/q/44249-1 for PHQ-9, http://loinc.org/q/69737-5 for GAD-7) or give items with their LOINC codes as linkId, of one questionnaire only"}
	}
	return found[0], nil
}

// walk visits every item, nested ones included, with its FHIR path.
func walk(items []inItem, visit func(inItem, string), path string) {
	for i, it := range items {
		p := fmt.Sprintf("%s[%d]", path, i)
		visit(it, p)
		walk(it.Item, visit, p+".item")
	}
}

// itemCode is the LOINC code a linkId names: the linkId itself, or the last
// segment of a path such as "/44249-1/44250-9".
func itemCode(linkID string) string {
	if i := strings.LastIndex(linkID, "/"); i >= 0 {
		return linkID[i+1:]
	}
	return linkID
}

// itemIndex is the 0-based item a code names on an instrument, or -1.
func itemIndex(id measures.InstrumentID, code string) int {
	for i, c := range codesFor(id).Items {
		if c == code {
			return i
		}
	}
	return -1
}

// collect reads the answers into items in order, remembering the FHIR path
// of each answer for errors.
func collect(id measures.InstrumentID, items []inItem, path string) ([]*int, []string, error) {
	c := codesFor(id)
	out := make([]*int, len(c.Items))
	paths := make([]string, len(c.Items))
	var err error
	walk(items, func(it inItem, p string) {
		if err != nil {
			return
		}
		code := itemCode(it.LinkID)
		n := itemIndex(id, code)
		switch {
		case n < 0 && (slices.Contains(c.Ignored, code) || (len(it.Answer) == 0 && len(it.Item) > 0)):
			return // a group, the difficulty question or a total: not scored
		case n < 0:
			err = &FieldError{p + ".linkId", fmt.Sprintf("%q is not an item of this questionnaire", it.LinkID)}
			return
		case paths[n] != "":
			err = &FieldError{p + ".linkId", fmt.Sprintf("item %s is answered twice (also at %s)", code, strings.TrimSuffix(paths[n], ".answer[0]"))}
			return
		case len(it.Answer) > 1:
			err = &FieldError{p + ".answer", "give one answer per item"}
			return
		}
		paths[n] = p
		if len(it.Answer) == 0 {
			return // unanswered: measures says whether it can be pro-rated
		}
		var v int
		v, paths[n], err = answer(it.Answer[0], p+".answer[0]")
		if err == nil {
			out[n] = &v
		}
	}, path)
	return out, paths, err
}

// answer reads one answer: a LOINC answer code, or an integer (whose range
// measures checks), returning the path of the value.
func answer(a QRAnswer, p string) (int, string, error) {
	switch {
	case a.ValueCoding != nil:
		p += ".valueCoding"
		if a.ValueCoding.System != "" && a.ValueCoding.System != SystemLOINC {
			return 0, p, &FieldError{p + ".system", fmt.Sprintf("answers are LOINC answer codes (%s), not %s", SystemLOINC, a.ValueCoding.System)}
		}
		v, ok := answerValue(a.ValueCoding.Code)
		if !ok {
			return 0, p, &FieldError{p, fmt.Sprintf("answer %q is not one of %s (0–3)", a.ValueCoding.Code, strings.Join(frequencyAnswers, ", "))}
		}
		return v, p, nil
	case a.ValueInteger != nil:
		return *a.ValueInteger, p + ".valueInteger", nil
	}
	return 0, p, &FieldError{p, "an answer is a valueCoding (LOINC LA6568-5 … LA6571-9) or a valueInteger 0–3"}
}

// scoringError names the element measures found at fault: an item's value,
// or the questionnaire's items as a whole (too many unanswered).
func scoringError(id measures.InstrumentID, err error, paths []string) error {
	var ve *measures.ValidationError
	if !errors.As(err, &ve) || len(ve.Errors) == 0 {
		return &FieldError{"item", err.Error()}
	}
	fe := ve.Errors[0]
	if rest, ok := strings.CutPrefix(fe.Field, string(id)+".items."); ok {
		if n, err := strconv.Atoi(rest); err == nil && n >= 1 && n <= len(paths) && paths[n-1] != "" {
			return &FieldError{paths[n-1], fe.Message}
		}
	}
	return &FieldError{"item", fe.Message}
}
