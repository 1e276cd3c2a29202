package main

import "testing"

// The browser journeys may be skipped only where ./test could not install
// Chromium on a developer's machine: never in CI, never when required.
func TestBrowserSkipAllowed(t *testing.T) {
	for _, tc := range []struct {
		name               string
		skip, ci, required string
		want               bool
	}{
		{name: "nothing set", want: false},
		{name: "skip asked", skip: "1", want: true},
		{name: "skip asked in CI", skip: "1", ci: "true", want: false},
		{name: "skip asked but required", skip: "1", required: "required", want: false},
		{name: "skip asked with another word", skip: "yes", want: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CLINIC_SKIP_BROWSER", tc.skip)
			t.Setenv("CI", tc.ci)
			t.Setenv("CLINIC_BROWSER", tc.required)
			if got := browserSkipAllowed(); got != tc.want {
				t.Errorf("browserSkipAllowed() = %v, want %v", got, tc.want)
			}
		})
	}
}
