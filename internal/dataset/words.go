package dataset

// clinic records some fields in its own words (the JSON API's values and
// the database's) and submits them as data set codes. Each table below is
// the one mapping between the two.

// Word is one of clinic's values and the data set code it is submitted as.
type Word struct {
	Word string
	Code string
}

// Purposes maps a contact's purpose (its kind) to AppType.
var Purposes = []Word{
	{"assessment", "01"},
	{"treatment", "02"},
	{"assessment_treatment", "03"},
	{"review", "04"}, // AppType 04 is to confirm
	{"review_treatment", "05"},
	{"follow_up", "06"},
}

// Attendances maps a contact's attendance to AttendOrDNACode.
// "cancelled", the one word of clinic's first release for a cancellation,
// means cancelled by the patient; it is read, never written.
var Attendances = []Word{
	{"attended", "5"},
	{"attended_late", "6"},
	{"late_not_seen", "7"},
	{"cancelled_by_patient", "2"},
	{"dna", "3"},
	{"cancelled_by_provider", "4"},
}

// LegacyCancelled is the first release's attendance word for a
// cancellation, read as cancelled by the patient.
const LegacyCancelled = "cancelled"

// Media maps a contact's consultation medium to ConsMechanism.
var Media = []Word{
	{"face_to_face", "01"},
	{"telephone", "02"},
	{"talk_type", "04"},
	{"email", "05"},
	{"text_message", "09"},
	{"instant_messaging", "10"},
	{"video", "11"},
	{"message_board", "12"},
	{"chat_room", "13"},
	{"other", "98"},
}

// CodeOf is the code of a word in a mapping; false when the word is not
// there.
func CodeOf(words []Word, word string) (string, bool) {
	for _, w := range words {
		if w.Word == word {
			return w.Code, true
		}
	}
	return "", false
}

// WordOf is the word of a code in a mapping; false when the code is not
// there.
func WordOf(words []Word, code string) (string, bool) {
	for _, w := range words {
		if w.Code == code {
			return w.Word, true
		}
	}
	return "", false
}

// AttendanceCode is the AttendOrDNACode of an attendance word, the legacy
// "cancelled" included.
func AttendanceCode(word string) (string, bool) {
	if word == LegacyCancelled {
		word = "cancelled_by_patient"
	}
	return CodeOf(Attendances, word)
}

// Attended says whether an attendance word means the patient was seen
// (AttendOrDNACode 5 or 6, NHS England).
func Attended(word string) bool {
	c, _ := AttendanceCode(word)
	return c == "5" || c == "6"
}

// TreatmentPurpose says whether a purpose is a treatment appointment
// (AppType 02, 03 or 05; NHS England: AppType IN ('02','03','05')).
func TreatmentPurpose(word string) bool {
	c, _ := CodeOf(Purposes, word)
	return c == "02" || c == "03" || c == "05"
}
