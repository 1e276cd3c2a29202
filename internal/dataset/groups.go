package dataset

import "strings"

// Reporting groups (issue 13): the groups NHS England breaks outcomes down
// by in its annual report (inequalities: ethnic group, age, gender
// identity, sexual orientation, disability, employment status at the start,
// long-term condition, consultation medium), each decided from the codes
// above. Every referral falls in exactly one group of each dimension, so a
// dimension's groups add up to the whole; the last group of each catches
// what was not recorded. Group keys are what report rows store and the API
// names; labels are what pages show.

// Group is one reporting group of a dimension.
type Group struct {
	Key   string
	Label string
}

// Dimension is a way of breaking outcomes down, with its groups in the
// order a report shows them.
type Dimension struct {
	Key    string
	Label  string
	Source string
	Groups []Group
}

// Dimension keys.
const (
	DimEthnicGroup        = "ethnic_group"
	DimAgeBand            = "age_band"
	DimGenderIdentity     = "gender_identity"
	DimSexualOrientation  = "sexual_orientation"
	DimDisability         = "disability"
	DimEmployment         = "employment_status"
	DimLongTermCondition  = "long_term_condition"
	DimConsultationMedium = "consultation_medium"
)

// NotStated is the group of every dimension for a value not recorded,
// not stated or not known.
const NotStated = "not_stated"

// Dimensions lists the reporting dimensions in the order a report shows
// them.
func Dimensions() []Dimension {
	return []Dimension{
		{Key: DimEthnicGroup, Label: "Ethnic group", Source: EthnicCategory.Source + ": groups White A–C, Mixed D–G, Asian H–L, Black M–P, Other R–S", Groups: []Group{
			{"white", "White"}, {"mixed", "Mixed"}, {"asian", "Asian"}, {"black", "Black"}, {"other", "Other"}, {NotStated, "Not stated or known"},
		}},
		{Key: DimAgeBand, Label: "Age at referral", Source: "NHS Talking Therapies annual report age groups; age on the date the referral was received", Groups: []Group{
			{"under_18", "Under 18"}, {"18_25", "18–25"}, {"26_35", "26–35"}, {"36_45", "36–45"}, {"46_55", "46–55"}, {"56_64", "56–64"}, {"65_plus", "65 and over"}, {NotStated, "Not known"},
		}},
		{Key: DimGenderIdentity, Label: "Gender identity", Source: GenderIdentity.Source, Groups: []Group{
			{"male", "Male (including trans man)"}, {"female", "Female (including trans woman)"}, {"non_binary", "Non-binary"}, {"other", "Other (not listed)"}, {NotStated, "Not stated or known"},
		}},
		{Key: DimSexualOrientation, Label: "Sexual orientation", Source: SexualOrientation.Source + " (to confirm)", Groups: []Group{
			{"heterosexual", "Heterosexual or straight"}, {"gay_lesbian", "Gay or lesbian"}, {"bisexual", "Bisexual"}, {"other", "Other sexual orientation"}, {NotStated, "Not stated, not sure or not known"},
		}},
		{Key: DimDisability, Label: "Disability", Source: Disability.Source + " (to confirm): any code but NN and ZZ is a disability", Groups: []Group{
			{"disabled", "Disability recorded"}, {"not_disabled", "No disability"}, {NotStated, "Not stated or not recorded"},
		}},
		{Key: DimEmployment, Label: "Employment status at the start", Source: EmployStatus.Source + ": the first status recorded in the referral", Groups: []Group{
			{"01", "Employed"}, {"02", "Unemployed and seeking work"}, {"03", "Student"}, {"04", "Long-term sick or disabled"}, {"05", "Looking after the family or home"},
			{"06", "Not working or seeking work, no benefits"}, {"07", "Unpaid voluntary work"}, {"08", "Retired"}, {NotStated, "Not stated or not recorded"},
		}},
		{Key: DimLongTermCondition, Label: "Long-term physical health condition", Source: "IDS602 long-term condition codes recorded for the patient", Groups: []Group{
			{"yes", "Long-term condition recorded"}, {NotStated, "None recorded"},
		}},
		{Key: DimConsultationMedium, Label: "Consultation medium", Source: "ConsMechanism of most of the referral's attended treatment appointments (the earliest on a tie)", Groups: []Group{
			{"face_to_face", "Face to face"}, {"telephone", "Telephone"}, {"video", "Video"}, {"text", "Text-based (e-mail, text, messaging, chat)"}, {"other", "Other"}, {NotStated, "Not recorded"},
		}},
	}
}

// GroupLabel names a group of a dimension; the key itself when unknown.
func GroupLabel(dimension, key string) string {
	for _, d := range Dimensions() {
		if d.Key != dimension {
			continue
		}
		for _, g := range d.Groups {
			if g.Key == key {
				return g.Label
			}
		}
	}
	return key
}

// EthnicGroupOf is the reporting group of an EthnicCategory code (the
// list's Group, in lower case).
func EthnicGroupOf(category string) string {
	c, ok := EthnicCategory.Lookup(category)
	if !ok || c.Group == "Not stated or known" {
		return NotStated
	}
	return strings.ToLower(c.Group)
}

// AgeBandOf is the age band of an age in whole years; negative for an age
// not known.
func AgeBandOf(age int) string {
	switch {
	case age < 0:
		return NotStated
	case age < 18:
		return "under_18"
	case age <= 25:
		return "18_25"
	case age <= 35:
		return "26_35"
	case age <= 45:
		return "36_45"
	case age <= 55:
		return "46_55"
	case age <= 64:
		return "56_64"
	default:
		return "65_plus"
	}
}

// GenderIdentityGroupOf is the group of a GenderIdentity code.
func GenderIdentityGroupOf(code string) string {
	return groupOf(map[string]string{"1": "male", "2": "female", "3": "non_binary", "4": "other"}, code)
}

// SexualOrientationGroupOf is the group of a SexualOrientation code.
func SexualOrientationGroupOf(code string) string {
	return groupOf(map[string]string{"1": "heterosexual", "2": "gay_lesbian", "3": "bisexual", "4": "other"}, code)
}

// groupOf is code's group in groups, or NotStated.
func groupOf(groups map[string]string, code string) string {
	if g, ok := groups[strings.TrimSpace(code)]; ok {
		return g
	}
	return NotStated
}

// DisabilityGroupOf is the group of a patient's DisabilityCode values: a
// disability when any code is one (not NN "no disability" or ZZ "not
// stated"), no disability when NN is recorded, otherwise not stated.
func DisabilityGroupOf(codes []string) string {
	none := false
	for _, c := range codes {
		switch c = strings.TrimSpace(c); c {
		case "", "ZZ":
		case "NN":
			none = true
		default:
			return "disabled"
		}
	}
	if none {
		return "not_disabled"
	}
	return NotStated
}

// EmploymentGroupOf is the group of an EmployStatus code: the code itself
// for a known status, otherwise not stated.
func EmploymentGroupOf(code string) string {
	code = strings.TrimSpace(code)
	if code == "ZZ" || !EmployStatus.Valid(code) {
		return NotStated
	}
	return code
}

// LongTermConditionGroupOf is "yes" when any long-term condition is
// recorded.
func LongTermConditionGroupOf(codes []string) string {
	for _, c := range codes {
		if strings.TrimSpace(c) != "" {
			return "yes"
		}
	}
	return NotStated
}

// MediumGroupOf is the group of a contact's consultation medium (a Media
// word).
func MediumGroupOf(word string) string {
	switch word {
	case "face_to_face", "telephone", "video":
		return word
	case "email", "text_message", "instant_messaging", "message_board", "chat_room":
		return "text"
	case "talk_type", "other":
		return "other"
	}
	return NotStated
}
