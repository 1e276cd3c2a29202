package ui

import (
	"net/url"
	"strconv"
	"strings"

	"clinic/internal/caseload"
	"clinic/internal/dataset"
	"clinic/internal/measures"
)

// The data set's fields on the HTML forms (issue 12): options built from
// internal/dataset's code lists, and the parsing of the fields.

// codeOptions are a code list's codes as form options, "code – label".
func codeOptions(l dataset.List) []option {
	out := make([]option, 0, len(l.Codes))
	for _, c := range l.Codes {
		out = append(out, option{c.Code, c.Label})
	}
	return out
}

// endCodeOptions are the EndCodes, each labelled with its group.
func endCodeOptions() []option {
	out := make([]option, 0, len(dataset.EndCode.Codes))
	for _, c := range dataset.EndCode.Codes {
		out = append(out, option{c.Code, c.Code + " " + c.Label + " (" + c.Group + ")"})
	}
	return out
}

// mediumLabels name the consultation media in words, by clinic's word.
var mediumLabels = map[string]string{
	"face_to_face": "Face to face", "telephone": "Telephone", "talk_type": "Talk type (unable to speak)",
	"email": "E-mail", "text_message": "Text message", "instant_messaging": "Instant messaging",
	"video": "Video", "message_board": "Message board", "chat_room": "Chat room", "other": "Other",
}

func mediumOptions() []option {
	out := make([]option, 0, len(dataset.Media))
	for _, w := range dataset.Media {
		out = append(out, option{w.Word, mediumLabels[w.Word]})
	}
	return out
}

// therapyOptions are the therapy types of the referral's intensity first,
// then the others.
func therapyOptions(intensity measures.Intensity) []option {
	var own, other []option
	for _, c := range dataset.TherapyType.Codes {
		o := option{c.Code, c.Label + " (" + c.Group + " intensity)"}
		if c.Group == string(intensity) {
			own = append(own, o)
		} else {
			other = append(other, o)
		}
	}
	return append(own, other...)
}

// contactDatasetFields are the session form's data set fields, in page order.
var contactDatasetFields = []string{"medium", "duration_minutes", "therapy_type", "employment_status"}

// parseContactDataset reads the session form's data set fields into nc,
// keeping what was typed in f.
func parseContactDataset(values url.Values, f *form, nc *caseload.NewContact) {
	get := func(k string) string {
		v := strings.TrimSpace(values.Get(k))
		f.Values[k] = v
		return v
	}
	nc.Medium, nc.TherapyType, nc.EmploymentStatus = get("medium"), get("therapy_type"), get("employment_status")
	if d := get("duration_minutes"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			f.Errs["duration_minutes"] = "Enter the length in whole minutes, like 50"
			return
		}
		nc.DurationMinutes = n
	}
}

// prefillContactDataset remembers the referral's last recorded medium,
// length and therapy type for its next session, so that the usual session
// takes no extra keystrokes.
func prefillContactDataset(f *form, last caseload.Contact) {
	f.Values["medium"] = last.Medium
	if last.DurationMinutes > 0 {
		f.Values["duration_minutes"] = strconv.Itoa(last.DurationMinutes)
	}
	f.Values["therapy_type"] = last.TherapyType
}

// demographicsFields are the demographics' form fields, in page order.
var demographicsFields = []string{"ethnic_category", "gender_identity", "stated_gender", "sexual_orientation",
	"preferred_language", "interpreter_needed", "ex_armed_forces", "disability", "postcode", "gp_practice_code",
	"long_term_conditions"}

// parseDemographics reads the demographics fields of a form, keeping what
// was typed in f. Disabilities and long-term conditions are comma- or
// space-separated codes.
func parseDemographics(values url.Values, f *form) caseload.Demographics {
	get := func(k string) string {
		v := strings.TrimSpace(values.Get(k))
		f.Values[k] = v
		return v
	}
	list := func(k string) []string {
		return strings.FieldsFunc(get(k), func(r rune) bool { return r == ',' || r == ' ' })
	}
	return caseload.Demographics{
		EthnicCategory: get("ethnic_category"), GenderIdentity: get("gender_identity"), StatedGender: get("stated_gender"),
		SexualOrientation: get("sexual_orientation"), PreferredLanguage: get("preferred_language"),
		InterpreterNeeded: get("interpreter_needed") == "yes", ExArmedForces: get("ex_armed_forces"),
		Disability: list("disability"), Postcode: get("postcode"), GPPracticeCode: get("gp_practice_code"),
		LongTermConditions: list("long_term_conditions"),
	}
}

// fillDemographics puts recorded demographics in a form.
func fillDemographics(f *form, d caseload.Demographics) {
	f.Values["ethnic_category"], f.Values["gender_identity"], f.Values["stated_gender"] = d.EthnicCategory, d.GenderIdentity, d.StatedGender
	f.Values["sexual_orientation"], f.Values["preferred_language"] = d.SexualOrientation, d.PreferredLanguage
	if d.InterpreterNeeded {
		f.Values["interpreter_needed"] = "yes"
	}
	f.Values["ex_armed_forces"], f.Values["postcode"], f.Values["gp_practice_code"] = d.ExArmedForces, d.Postcode, d.GPPracticeCode
	f.Values["disability"] = strings.Join(d.Disability, ", ")
	f.Values["long_term_conditions"] = strings.Join(d.LongTermConditions, ", ")
}

// demographicsOptions are the choices the demographics fields offer.
type demographicsOptions struct {
	Ethnic, GenderIdentity, StatedGender, SexualOrientation, ExArmedForces []option
	YesNo                                                                  []option
	Disabilities                                                           string // the codes, for the hint
}

func newDemographicsOptions() demographicsOptions {
	var dis []string
	for _, c := range dataset.Disability.Codes {
		dis = append(dis, c.Code+" "+strings.ToLower(c.Label))
	}
	return demographicsOptions{
		Ethnic: codeOptions(dataset.EthnicCategory), GenderIdentity: codeOptions(dataset.GenderIdentity),
		StatedGender: codeOptions(dataset.Gender), SexualOrientation: codeOptions(dataset.SexualOrientation),
		ExArmedForces: codeOptions(dataset.ExBAFIndicator), Disabilities: strings.Join(dis, "; "),
		YesNo: []option{{"yes", "Yes"}},
	}
}
