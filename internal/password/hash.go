// Package password holds clinic's password rules and hashing: what makes a
// new password acceptable (NCSC and NHS guidance: length, no composition
// rules, a deny-list and the usual patterns refused) and argon2id hashes
// with a bound on how many are computed at once. It is a leaf: it knows
// nothing of users, the store or HTTP.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

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

// MinLength follows NCSC guidance: length over complexity rules.
const MinLength = 10

// MaxLength keeps hashing cost and storage bounded.
const MaxLength = 256

// Hash returns the argon2id hash of pw in the PHC string format,
// "$argon2id$v=19$m=65536,t=1,p=2$<salt>$<key>".
func Hash(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	if err := acquire(); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	release()
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Check reports whether pw matches the encoded hash, with the cost the hash
// records. A malformed hash never matches. The error is ErrBusy when no
// hashing slot came free in time (nothing was checked).
func Check(encoded, pw string) (bool, error) {
	ok, busy := check(encoded, pw)
	if busy {
		return false, ErrBusy
	}
	return ok, nil
}

// maxMemory refuses a stored hash that asks for more memory than clinic's
// own parameters, by a margin: checking it would defeat the bound above.
const maxMemory = 4 * argonMemory

func check(encoded, pw string) (ok, busy bool) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, false
	}
	var mem, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &p); err != nil || mem > maxMemory || t > 10 || p == 0 {
		return false, false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 1024 {
		return false, false
	}
	if acquire() != nil {
		return false, true
	}
	defer release()
	got := argon2.IDKey([]byte(pw), salt, t, mem, p, uint32(len(want))) // #nosec G115 -- len(want) is 1..1024
	return subtle.ConstantTimeCompare(got, want) == 1, false
}

// DummyHash is checked against when an e-mail is unknown, so that an unknown
// e-mail costs the same time as a wrong password. Nothing hashes to it.
const DummyHash = "$argon2id$v=19$m=65536,t=1,p=2$c2lnbi1pbi10aW1pbmc$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
