package caseload

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidNHSNumber(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"9434765919", true},   // NHS Digital's published example
		{"943 476 5919", true}, // as printed
		{" 943 476 5919 ", true},
		{"4010232137", true}, // check digit 7
		{"9990000018", true}, // the test range (999...), check digit 8
		{"9990000026", true},
		{"9434765918", false}, // wrong check digit
		{"9434765910", false},
		{"943476591", false},   // nine digits
		{"94347659190", false}, // eleven digits
		{"943-476-5919", false},
		{"94347659l9", false},
		{"", false},
		{"          ", false},
		{"1000000010", false}, // check digit would be 10: never issued
		{"0000000000", true},  // sum 0: check digit 0 (valid by the rule alone)
		{"٩٤٣٤٧٦٥٩١٩", false}, // non-ASCII digits
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := ValidNHSNumber(tt.in); got != tt.want {
				t.Errorf("ValidNHSNumber(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// Every check digit 0–9 is accepted for exactly one last digit, and a
// prefix whose check would be 10 accepts none.
func TestValidNHSNumberOneLastDigit(t *testing.T) {
	for _, prefix := range []string{"943476591", "401023213", "999000001", "100000001", "123456789"} {
		n := 0
		for d := '0'; d <= '9'; d++ {
			if ValidNHSNumber(prefix + string(d)) {
				n++
			}
		}
		if n > 1 {
			t.Errorf("prefix %s: %d valid last digits, want at most 1", prefix, n)
		}
	}
}

func TestCreatePatient(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		in     NewPatient
		fields []string
	}{
		{"no name", NewPatient{Name: " ", DateOfBirth: "1990-01-01"}, []string{"name"}},
		{"long name", NewPatient{Name: strings.Repeat("n", 201), DateOfBirth: "1990-01-01"}, []string{"name"}},
		{"no date of birth", NewPatient{Name: "A"}, []string{"date_of_birth"}},
		{"date of birth not a date", NewPatient{Name: "A", DateOfBirth: "1990-02-30"}, []string{"date_of_birth"}},
		{"date of birth in another format", NewPatient{Name: "A", DateOfBirth: "01/02/1990"}, []string{"date_of_birth"}},
		{"date of birth short", NewPatient{Name: "A", DateOfBirth: "1990-1-1"}, []string{"date_of_birth"}},
		{"date of birth tomorrow", NewPatient{Name: "A", DateOfBirth: "2026-03-11"}, []string{"date_of_birth"}},
		{"date of birth before 1900", NewPatient{Name: "A", DateOfBirth: "1899-12-31"}, []string{"date_of_birth"}},
		{"bad NHS number", NewPatient{Name: "A", DateOfBirth: "1990-01-01", NHSNumber: "943 476 5918"}, []string{"nhs_number"}},
		{"short NHS number", NewPatient{Name: "A", DateOfBirth: "1990-01-01", NHSNumber: "12345"}, []string{"nhs_number"}},
		{"everything", NewPatient{NHSNumber: "x"}, []string{"name", "date_of_birth", "nhs_number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.s.CreatePatient(f.ctx, f.therapist, tt.in)
			wantFields(t, err, tt.fields...)
		})
	}

	p, err := f.s.CreatePatient(f.ctx, f.therapist, NewPatient{Name: " Robin Example ", DateOfBirth: "2026-03-10", NHSNumber: " 401 023 2137"})
	if err != nil {
		t.Fatal(err)
	}
	want := Patient{ID: p.ID, Name: "Robin Example", DateOfBirth: "2026-03-10", NHSNumber: "4010232137", CreatedAt: testNow}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	got, err := f.s.Patient(f.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	noNHS, err := f.s.CreatePatient(f.ctx, f.therapist, NewPatient{Name: "No Number", DateOfBirth: "1970-01-01"})
	if err != nil || noNHS.NHSNumber != "" {
		t.Errorf("patient without NHS number: %+v, %v", noNHS, err)
	}
	if _, err := f.s.Patient(f.ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("Patient(999): got %v, want ErrNotFound", err)
	}
}
