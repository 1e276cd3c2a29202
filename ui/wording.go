package ui

import (
	"regexp"
	"strings"
)

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
	// One spelling on every page: the NHS.UK style guide's "email".
	msg = strings.ReplaceAll(msg, "e-mail", "email")
	return rangeWords.ReplaceAllString(msg, "must be between $1 and $2")
}

// nhsNumber shows a stored NHS number (10 digits) spaced 3-3-4, as the NHS
// writes it ("943 476 5919"); anything else is shown as stored.
func nhsNumber(n string) string {
	if len(n) != 10 || !allDigits(n) {
		return n
	}
	return n[:3] + " " + n[3:6] + " " + n[6:]
}
