package password

import (
	_ "embed"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Password rules follow NCSC and NHS guidance: length over complexity, no
// composition rules, and a deny-list of the passwords people choose most.
// The list is modest (a few thousand words and keyboard runs); what makes it
// effective is that a listed word dressed up the usual ways (capitals,
// look-alike characters, digits and symbols before or after, a word said
// twice) counts as the word.

//go:embed common_passwords.txt
var commonPasswordsText string

// breachedPasswordsText is a larger list, of passwords found in leaks
// (issue 15 asked for one): shipped as data, as no maintained Go package
// offers a list without an estimator and its dependencies around it.
//
//go:embed breached_passwords.txt
var breachedPasswordsText string

var commonWords = func() map[string]bool {
	m := map[string]bool{}
	for _, text := range []string{commonPasswordsText, breachedPasswordsText} {
		for _, line := range strings.Split(text, "\n") {
			line = strings.TrimSpace(line)
			if line != "" && !strings.HasPrefix(line, "#") {
				m[line] = true
			}
		}
	}
	return m
}()

// lookAlikes undoes the usual substitutions: p@ssw0rd is password.
var lookAlikes = strings.NewReplacer("@", "a", "4", "a", "0", "o", "3", "e", "1", "i", "!", "i", "$", "s", "5", "s", "7", "t", "+", "t")

// tooCommon reports whether pw is a common password or one dressed up.
func tooCommon(pw string) bool {
	lower := strings.ToLower(pw)
	if commonWords[lower] {
		return true
	}
	core := strings.TrimFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	if utf8.RuneCountInString(core) < 4 {
		// No word to speak of: refuse runs of digits (dates, phone numbers,
		// 1234567890!) and strings of a few characters over and over; a
		// random string of symbols and digits is fine.
		return digitsOnly(lower) || distinct(lower) < 5
	}
	for _, c := range []string{core, lookAlikes.Replace(core), lower} {
		if commonWords[c] || repeated(c) {
			return true
		}
	}
	return false
}

// repeated reports whether s is one short or common piece said over and
// over: aaaaaaaaaa, abcabcabc, monkeymonkey.
func repeated(s string) bool {
	for p := 1; p <= len(s)/2; p++ {
		if len(s)%p == 0 && strings.Repeat(s[:p], len(s)/p) == s && (p <= 3 || commonWords[s[:p]]) {
			return true
		}
	}
	return false
}

// MentionsEmail reports whether pw contains the local part of the e-mail
// address (tara.smith in tara.smith@example.nhs.uk), the first thing an
// attacker tries. Local parts under four characters are too short to test.
func MentionsEmail(pw, email string) bool {
	local, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	if utf8.RuneCountInString(local) < 4 {
		return false
	}
	return strings.Contains(strings.ToLower(pw), local)
}

// digitsOnly reports whether s has digits and nothing else but symbols.
func digitsOnly(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			digits++
		case unicode.IsLetter(r):
			return false
		}
	}
	return digits*2 >= utf8.RuneCountInString(s)
}

func distinct(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}

// Problem returns what is wrong with a new password, or "".
func Problem(pw string) string {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinLength:
		return fmt.Sprintf("Use at least %d characters", MinLength)
	case n > MaxLength:
		return fmt.Sprintf("Use at most %d characters", MaxLength)
	case tooCommon(pw):
		return "This password is too common: choose another (three random words work well)"
	case madeOfPatterns(pw):
		return "This password is made of patterns that are easy to guess (repeated letters, runs like 12345 or abcde, keys side by side, or words like clinic or welcome): choose another (three random words work well)"
	}
	return ""
}
