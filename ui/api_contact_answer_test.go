package ui

import (
	"encoding/json"
	"testing"
)

// FuzzPlainAnswer: every answer plainAnswer reads, encoding/json reads as
// the same whole number (what decodeScore took before it); what it leaves,
// decodeScore still hands to encoding/json.
func FuzzPlainAnswer(f *testing.F) {
	for _, s := range []string{"0", "3", "27", "-1", "-0", "999999999", "1000000000", "1.5", "1e2", `"2"`, "-", "", "null", "true", "01", "2 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := plainAnswer(json.RawMessage(s))
		if !ok {
			return
		}
		var want int
		if err := json.Unmarshal([]byte(s), &want); err != nil {
			if json.Valid([]byte(s)) {
				t.Errorf("plainAnswer(%q) = %d, encoding/json refuses it: %v", s, got, err)
			}
			return // not valid JSON: the request's decoding refuses it before decodeScore
		}
		if got != want {
			t.Errorf("plainAnswer(%q) = %d, encoding/json %d", s, got, want)
		}
	})
}

func TestPlainAnswer(t *testing.T) {
	tests := []struct {
		raw  string
		want int
		ok   bool
	}{
		{"0", 0, true},
		{"3", 3, true},
		{"-2", -2, true},
		{"123456789", 123456789, true},
		{"1234567890", 0, false}, // left to encoding/json
		{"1.0", 0, false},
		{"2e0", 0, false},
		{`"1"`, 0, false},
		{"-", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := plainAnswer(json.RawMessage(tt.raw))
		if got != tt.want || ok != tt.ok {
			t.Errorf("plainAnswer(%q) = %d, %v; want %d, %v", tt.raw, got, ok, tt.want, tt.ok)
		}
	}
}
