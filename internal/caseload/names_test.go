package caseload

import "testing"

// Issue 15, 10: names may not carry control or format characters, and need
// a letter; names in any script are fine.
func TestNameProblem(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"Pat Example", true},
		{"Siân O'Brien-Ng", true},
		{"محمد علي", true},
		{"李小龍", true},
		{"Jo\u202Eelpmaxe", false}, // right-to-left override
		{"Jo\u0000", false},        // NUL
		{"Jo\u200Bhn", false},      // zero-width space
		{"Jo\u2066hn", false},      // left-to-right isolate
		{"\x1b[31mRed", false},     // terminal escape
		{"Jo\nhn", false},          // line break
		{"Jo\xffhn", false},        // not UTF-8
		{"12345", false},           // no letter
		{"---", false},             // no letter
		{"", false},
	} {
		if got := nameProblem(tt.name, "Enter a name") == ""; got != tt.ok {
			t.Errorf("nameProblem(%q) = %q; ok %v, want %v", tt.name, nameProblem(tt.name, "Enter a name"), got, tt.ok)
		}
	}
}
