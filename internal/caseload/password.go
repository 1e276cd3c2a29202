package caseload

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: 64 MiB, one pass, two lanes (RFC 9106's second
// recommended option scaled to a 2-core host; about 150 ms per hash here).
const (
	argonMemory  = 64 * 1024
	argonTime    = 1
	argonThreads = 2
	argonKeyLen  = 32
	argonSaltLen = 16
)

// MinPasswordLength follows NCSC guidance: length over complexity rules.
const MinPasswordLength = 10

// commonPasswords is a deny-list of passwords that meet the length rule but
// are among the most guessed (NCSC's "Pwned Passwords" top list, long enough).
var commonPasswords = map[string]bool{
	"1234567890": true, "0987654321": true, "1111111111": true, "0000000000": true,
	"12345678910": true, "123456789a": true, "a123456789": true, "1q2w3e4r5t": true,
	"qwertyuiop": true, "qwerty1234": true, "qwerty12345": true, "asdfghjkl1": true,
	"password12": true, "password123": true, "password1234": true, "passw0rd123": true,
	"password!1": true, "p@ssword123": true, "iloveyou12": true, "iloveyou123": true,
	"letmein123": true, "welcome123": true, "welcome1234": true, "changeme123": true,
	"administrator": true, "football123": true, "monkey12345": true, "sunshine123": true,
	"princess123": true, "abcdefghij": true, "abc1234567": true, "trustno1234": true,
	"superman123": true, "dragon12345": true, "liverpool1": true, "liverpool123": true,
	"arsenal123": true, "chelsea123": true, "manchester1": true, "qazwsxedc123": true,
	"zaq12wsxcde": true, "1qaz2wsx3edc": true, "computer123": true, "starwars123": true,
	"whatever123": true, "baseball123": true, "nhspassword": true, "nhspassword1": true,
	"clinicpassword": true, "therapist123": true, "password2024": true, "password2025": true,
	"password2026": true, "summer2025!": true, "winter2025!": true, "spring2026!": true,
}

// passwordProblem returns what is wrong with a new password, or "".
func passwordProblem(pw string) string {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLength:
		return fmt.Sprintf("Use at least %d characters", MinPasswordLength)
	case n > 256:
		return "Use at most 256 characters"
	case commonPasswords[strings.ToLower(pw)], tooCommon(pw):
		return "This password is too common: choose another (three random words work well)"
	}
	return ""
}

// hashPassword returns the argon2id hash of pw in the PHC string format,
// "$argon2id$v=19$m=65536,t=1,p=2$<salt>$<key>".
func hashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// checkPassword reports whether pw matches the encoded hash, with the cost
// the hash records. A malformed hash never matches.
func checkPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var mem, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 1024 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, mem, p, uint32(len(want))) // #nosec G115 -- len(want) is 1..1024
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when an e-mail is unknown, so that an unknown
// e-mail costs the same time as a wrong password. Nothing hashes to it.
const dummyHash = "$argon2id$v=19$m=65536,t=1,p=2$c2lnbi1pbi10aW1pbmc$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
