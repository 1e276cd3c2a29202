package ui

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// The record-a-session form names its fields as the JSON API does
// ("scores.phq9.items.4"), so that the store's field errors land on them.
// Two fields differ: the anxiety measure is chosen in "adsm" and its total
// typed in "adsm_total"; and PHQ-9 and GAD-7 also have a compact entry
// field, "scores.phq9.quick", that takes all the answers as one string.

// itemisedOnForm are the questionnaires the form records item by item.
var itemisedOnForm = []measures.InstrumentID{measures.PHQ9, measures.GAD7, measures.WSAS, measures.Phobia}

// hasQuickEntry: the compact field is offered where answers are one digit.
func hasQuickEntry(id measures.InstrumentID) bool {
	return id == measures.PHQ9 || id == measures.GAD7
}

func itemField(id measures.InstrumentID, n int) string {
	return fmt.Sprintf("scores.%s.items.%d", id, n)
}

func quickField(id measures.InstrumentID) string { return "scores." + string(id) + ".quick" }

// contactFieldOrder lists the form's fields in page order, for the error
// summary.
func contactFieldOrder() []string {
	order := append([]string{"date", "kind", "attendance"}, append(contactDatasetFields, "scores")...)
	for _, id := range itemisedOnForm {
		if hasQuickEntry(id) {
			order = append(order, quickField(id))
		}
	}
	order = append(order, "adsm_total", "adsm")
	for _, id := range itemisedOnForm {
		in, _ := measures.Lookup(id)
		order = append(order, "scores."+string(id), "scores."+string(id)+".items")
		for n := 1; n <= in.ItemCount; n++ {
			order = append(order, itemField(id, n))
		}
	}
	return order
}

// newSubmissionID names one rendering of the form, so that a double-clicked
// submit records the session once.
func newSubmissionID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// parseContactForm reads the posted form into what the store records,
// keeping every value typed. Only the form's own syntax is checked here (a
// number that is not a number); the rules are the store's and measures'.
func parseContactForm(values url.Values) (*form, caseload.NewContact) {
	f := newForm(contactFieldOrder()...)
	get := func(k string) string {
		v := strings.TrimSpace(values.Get(k))
		f.Values[k] = v
		return v
	}
	nc := caseload.NewContact{
		Date:         readDate(values, f, "date", "Date of the appointment"),
		Kind:         get("kind"),
		Attendance:   get("attendance"),
		SubmissionID: get("submission_id"),
		Source:       caseload.SourceTherapist,
		Scores:       map[measures.InstrumentID]caseload.ScoreInput{},
	}
	// Confirming a patient's questionnaire (handle_questionnaire.go): the
	// store gives its unchanged answers the patient as source.
	if q := get("from_questionnaire"); q != "" {
		get("from_questionnaire_on")
		if id, err := strconv.ParseInt(q, 10, 64); err == nil && id > 0 {
			nc.FromQuestionnaire = id
		}
	}
	if nc.Kind == "" {
		f.Errs["kind"] = "Select the kind of appointment"
	}
	if nc.Attendance == "" {
		f.Errs["attendance"] = "Select whether the patient attended"
	}
	for _, id := range itemisedOnForm {
		in, ok := measures.Lookup(id)
		if !ok {
			continue
		}
		if items, answered := parseItems(f, get, in); answered {
			nc.Scores[id] = caseload.ScoreInput{Items: items}
		}
	}
	parseADSMTotal(f, get, nc.Scores)
	parseContactDataset(values, f, &nc)
	return f, nc
}

// parseItems reads one questionnaire's answers, item by item or from its
// compact entry field, and reports whether any was given (an answer that
// is not a number counts: its error is on the field).
func parseItems(f *form, get func(string) string, in measures.Instrument) ([]*int, bool) {
	id := in.ID
	items := make([]*int, in.ItemCount)
	answered := false
	for n := 1; n <= in.ItemCount; n++ {
		name := itemField(id, n)
		v := get(name)
		if v == "" {
			continue
		}
		a, err := strconv.Atoi(v)
		if err != nil {
			f.Errs[name] = fmt.Sprintf("Answer %s question %d with a whole number from %d to %d", in.Name, n, in.ItemMin, in.ItemMax)
			answered = true
			continue
		}
		items[n-1] = &a
		answered = true
	}
	if !hasQuickEntry(id) {
		return items, answered
	}
	q := get(quickField(id))
	if q == "" {
		return items, answered
	}
	qi, err := parseQuick(q, in)
	if err != nil {
		f.Errs[quickField(id)] = err.Error()
		return items, answered
	}
	// The compact entry wins: with JavaScript it and the radios agree;
	// without, a clinician uses one or the other.
	for n, a := range qi {
		if a != nil {
			f.Values[itemField(id, n+1)] = strconv.Itoa(*a)
		} else {
			f.Values[itemField(id, n+1)] = ""
		}
	}
	return qi, true
}

// parseADSMTotal reads the anxiety measure's total: which measure, in
// "adsm", and its total, in "adsm_total".
func parseADSMTotal(f *form, get func(string) string, scores map[measures.InstrumentID]caseload.ScoreInput) {
	adsm, total := get("adsm"), get("adsm_total")
	if total == "" {
		return
	}
	in, ok := measures.Lookup(measures.InstrumentID(adsm))
	t, err := strconv.ParseFloat(total, 64)
	switch {
	case adsm == "":
		f.Errs["adsm"] = "Select which anxiety measure this total is for"
	case !ok || !in.IsADSM():
		f.Errs["adsm"] = "Select an anxiety measure from the list"
	case err != nil:
		f.Errs["adsm_total"] = fmt.Sprintf("Enter the %s total as a number from %s to %s", in.Name, in.Format(in.Min), in.Format(in.Max))
	case t < in.Min || t > in.Max:
		// Said here, in words, so that it comes with the form's other
		// problems at once; measures checks it again on saving.
		f.Errs["adsm_total"] = fmt.Sprintf("%s total must be between %s and %s", in.Name, in.Format(in.Min), in.Format(in.Max))
	default:
		scores[in.ID] = caseload.ScoreInput{Total: &t}
	}
}

// parseQuick reads compact entry: one character per item, a digit for an
// answer and "-" (or ".") for an unanswered item; spaces and commas are
// ignored, so "2101 30021" works too.
func parseQuick(q string, in measures.Instrument) ([]*int, error) {
	var items []*int
	for _, r := range q {
		switch {
		case r == ' ' || r == ',':
		case r == '-' || r == '.':
			items = append(items, nil)
		case r >= '0' && r <= '9' && int(r-'0') >= in.ItemMin && int(r-'0') <= in.ItemMax:
			a := int(r - '0')
			items = append(items, &a)
		default:
			//lint:ignore ST1005 the message is shown to the clinician on the field, as a sentence
			return nil, fmt.Errorf("Type each %s answer as a digit from %d to %d, or - for an unanswered question", in.Name, in.ItemMin, in.ItemMax)
		}
	}
	if len(items) != in.ItemCount {
		//lint:ignore ST1005 the message is shown to the clinician on the field, as a sentence
		return nil, fmt.Errorf("Type %d %s answers (you typed %d), using - for an unanswered question", in.ItemCount, in.Name, len(items))
	}
	return items, nil
}

// contactFieldName maps a store field error onto the form's field.
func contactFieldName(adsm string) func(string) string {
	return func(k string) string {
		if id, rest, ok := strings.Cut(strings.TrimPrefix(k, "scores."), "."); ok && strings.HasPrefix(k, "scores.") {
			if in, found := measures.Lookup(measures.InstrumentID(id)); found && in.IsADSM() && rest == "total" {
				return "adsm_total"
			}
		}
		if adsm != "" && k == "scores."+adsm {
			return "adsm_total"
		}
		return k
	}
}

// checkScoresWithForm adds a missing date and the questionnaires' own
// problems (too many unanswered questions) to a form that already has problems of its own, so
// that the clinician sees every problem at once rather than one batch per
// submission. The store checks everything again when the form is saved.
func checkScoresWithForm(f *form, nc caseload.NewContact) {
	if nc.Date == "" && f.Errs["date"] == "" {
		f.Errs["date"] = "Enter the date of the appointment"
	}
	for id, in := range nc.Scores {
		if in.Items == nil {
			continue
		}
		if _, err := measures.ScoreItems(id, in.Items); err != nil {
			var ve *measures.ValidationError
			if !errors.As(err, &ve) {
				continue
			}
			for _, fe := range ve.Errors {
				k := "scores." + fe.Field
				if _, dup := f.Errs[k]; !dup {
					f.Errs[k] = inClinicianWords(fe.Message)
				}
			}
		}
	}
}
