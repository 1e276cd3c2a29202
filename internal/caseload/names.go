package caseload

import (
	"unicode"
	"unicode/utf8"
)

// Names and other short text shown to people (issue 15, 10). A name is
// read by people on screens and in exports, so it may not carry what a
// reader cannot see: control characters (NUL, escape sequences, line
// breaks) and format characters (zero-width spaces and joiners, bidi
// overrides such as U+202E, which reorder what follows). A name also needs
// at least one letter: "---" or "1" names nobody.

// printable reports whether s has no Unicode control (Cc) or format (Cf)
// characters and is valid UTF-8.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}

// hasLetter reports whether s has at least one letter, in any script.
func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// nameProblem returns what is wrong with a person's name, or "". empty is
// the message for a missing name.
func nameProblem(name, empty string) string {
	switch {
	case name == "":
		return empty
	case utf8.RuneCountInString(name) > 200:
		return "Use at most 200 characters"
	case !printable(name):
		return "Remove the hidden or control characters (such as zero-width spaces or text-direction marks)"
	case !hasLetter(name):
		return "Enter a name with at least one letter"
	}
	return ""
}
