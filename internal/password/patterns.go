package password

import (
	"strings"
	"unicode/utf8"
)

// Patterns guessers try before words (issue 15, 9): a character said over
// and over (jjjjjjjjjjk), runs up or down the alphabet or the digits
// (1234567890a), keys side by side on a keyboard (zxcvbnmasd), and words
// of the service (Welcome2clinic). Each marks the characters it covers; a
// password with fewer than minFree characters left over is refused, so
// that a pattern with one letter added does not pass, while a passphrase
// that happens to contain "nhs" or "qwer" still does.

const (
	minRepeat = 3 // aaa
	minRun    = 3 // abc, 321
	minWalk   = 4 // qwer, zxcv, 1qaz
	minFree   = 4
)

// serviceWords are what a password at an NHS talking therapies service is
// built on, as a guesser would know.
var serviceWords = []string{
	"welcome", "clinic", "clinics", "nhs", "password", "passw0rd", "therapy", "therapies", "therapist",
	"talking", "iapt", "health", "healthcare", "hospital", "doctor", "nurse", "patient",
	"counselling", "counsellor", "wellbeing", "mental", "mind", "care", "admin", "login", "letmein",
	"supervisor", "trust", "london", "england", "monday", "january", "summer", "winter", "spring", "autumn",
}

// keyboardRows are the UK QWERTY rows, each key below-right of the key
// above with the same index.
var keyboardRows = []string{"1234567890-=", "qwertyuiop[]", "asdfghjkl;'#", "zxcvbnm,./"}

type keyPos struct{ row, col int }

var keyPositions = func() map[rune]keyPos {
	m := map[rune]keyPos{}
	for r, row := range keyboardRows {
		for c, k := range row {
			m[k] = keyPos{r, c}
		}
	}
	return m
}()

// adjacentKeys reports whether b is next to a: beside it in its row, or
// touching it in the row above or below.
func adjacentKeys(a, b rune) bool {
	pa, ok1 := keyPositions[a]
	pb, ok2 := keyPositions[b]
	if !ok1 || !ok2 || a == b {
		return false
	}
	switch pb.row - pa.row {
	case 0:
		return pb.col-pa.col == 1 || pa.col-pb.col == 1
	case 1: // the row below sits half a key to the right
		return pb.col == pa.col || pb.col == pa.col-1
	case -1:
		return pb.col == pa.col || pb.col == pa.col+1
	}
	return false
}

// madeOfPatterns reports whether, once repeats, runs, keyboard walks and
// service words are taken out, fewer than minFree characters remain.
func madeOfPatterns(pw string) bool {
	s := []rune(strings.ToLower(pw))
	covered := make([]bool, len(s))
	mark := func(from, to int) {
		for i := from; i < to; i++ {
			covered[i] = true
		}
	}
	markRuns(s, minRepeat, func(a, b rune) bool { return a == b }, mark)
	markRuns(s, minRun, func(a, b rune) bool { return sameKind(a, b) && b == a+1 }, mark)
	markRuns(s, minRun, func(a, b rune) bool { return sameKind(a, b) && b == a-1 }, mark)
	markRuns(s, minWalk, adjacentKeys, mark)
	markWords(s, mark)
	free := 0
	for _, c := range covered {
		if !c {
			free++
		}
	}
	return free < minFree
}

// markRuns marks every stretch of at least n characters in which each
// follows the one before by step.
func markRuns(s []rune, n int, step func(a, b rune) bool, mark func(from, to int)) {
	start := 0
	for i := 1; i <= len(s); i++ {
		if i < len(s) && step(s[i-1], s[i]) {
			continue
		}
		if i-start >= n {
			mark(start, i)
		}
		start = i
	}
}

// markWords marks the service words, also written with look-alikes.
func markWords(s []rune, mark func(from, to int)) {
	plain := []rune(lookAlikes.Replace(string(s)))
	if len(plain) != len(s) {
		plain = s // look-alikes are one rune for one, so this does not happen
	}
	for _, text := range [][]rune{s, plain} {
		str := string(text)
		for _, w := range serviceWords {
			for off := 0; ; {
				i := strings.Index(str[off:], w)
				if i < 0 {
					break
				}
				from := utf8.RuneCountInString(str[:off+i])
				mark(from, from+utf8.RuneCountInString(w))
				off += i + len(w)
			}
		}
	}
}

// sameKind: runs count within the digits or within the letters a-z.
func sameKind(a, b rune) bool {
	isDigit := func(r rune) bool { return r >= '0' && r <= '9' }
	isLetter := func(r rune) bool { return r >= 'a' && r <= 'z' }
	return (isDigit(a) && isDigit(b)) || (isLetter(a) && isLetter(b))
}
