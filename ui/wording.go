package ui

import "regexp"

// The store and measures word their field errors for the JSON API, where
// the value sent back helps a developer ("PDSS total must be 0–28, got 29").
// A clinician reading a form wants the rule in words ("PDSS total must be
// between 0 and 28", dates as "27 November 2026"), with what they typed
// still in the box.
var (
	rangeWords = regexp.MustCompile(`must be (-?[0-9.]+)–(-?[0-9.]+)`)
	gotValue   = regexp.MustCompile(`, got [^,]*$`)
	isoDate    = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)
)

// inClinicianWords rewrites an API field message for a form.
func inClinicianWords(msg string) string {
	msg = gotValue.ReplaceAllString(msg, "")
	msg = isoDate.ReplaceAllStringFunc(msg, longDate)
	return rangeWords.ReplaceAllString(msg, "must be between $1 and $2")
}
