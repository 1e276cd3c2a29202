package password

import "testing"

func TestPasswordRules(t *testing.T) {
	tests := []struct {
		pw, email string
		ok        bool
	}{
		{"correct horse battery staple", "tara@example.nhs.uk", true},
		{"blue kettle morning", "", true},
		{"zebra-lantern-quiet", "", true},
		{"9!#7%2&*3$1@", "", true},     // random, no word
		{"short", "", false},           // length
		{"123456789", "", false},       // length
		{"Password123", "", false},     // on the list
		{"P@ssw0rd2026!", "", false},   // a listed word dressed up
		{"!!Liverpool1892", "", false}, // a club with digits
		{"rebecca1985!", "", false},    // a name and a year
		{"1234567890", "", false},      // a run of digits
		{"07700900123", "", false},     // a phone number
		{"2026-03-16!!", "", false},    // a date
		{"aaaaaaaaaaaa", "", false},    // one character
		{"abcabcabcabc", "", false},    // a short piece repeated
		{"monkeymonkey", "", false},    // a listed word twice
		{"qwertyuiop", "", false},      // a keyboard row
		{"1qaz2wsx3edc", "", false},    // a keyboard walk
		{"tara.smith-rocks", "tara.smith@example.nhs.uk", false},
		{"TARA.SMITH is me", "Tara.Smith@example.nhs.uk", false},
		{"tara likes tea", "tara@example.nhs.uk", false},
		{"jo likes tea cakes", "jo@example.nhs.uk", true}, // local part too short to test
		// Issue 15, 9: patterns and service words.
		{"1234567890a", "", false},    // a run and a letter
		{"jjjjjjjjjjk", "", false},    // one key held down
		{"zxcvbnmasd", "", false},     // keys side by side
		{"Welcome2clinic", "", false}, // service words
		{"W3lc0me2NHS!", "", false},   // service words in look-alikes
		{"9876543210zz", "", false},   // a run down
		{"abcdefgh12", "", false},     // two runs
		{"1qaz2wsx3edc4rfv", "", false},
		{"qwertzuiop", "", false},          // a walk with a slip
		{"mixed nhs sandwich", "", true},   // a service word in a passphrase
		{"velvet qwer tortoise", "", true}, // a short walk in a passphrase
		{"k8#Rq2!mZp", "", true},           // random
		{"lantern orchard pebble", "", true},
		// The larger list of breached passwords.
		{"trustno1trustno1", "", false},
		{"sunshine2026", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.pw, func(t *testing.T) {
			ok := Problem(tt.pw) == "" && !MentionsEmail(tt.pw, tt.email)
			if ok != tt.ok {
				t.Errorf("accepted = %v, want %v (problem %q)", ok, tt.ok, Problem(tt.pw))
			}
		})
	}
	if len(commonWords) < 30000 {
		t.Errorf("deny-list has %d entries", len(commonWords))
	}
}
