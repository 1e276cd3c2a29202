package measures

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDescriptors(t *testing.T) {
	want := []Descriptor{
		{"F32", "Depressive episode", GAD7},
		{"F33", "Recurrent depressive disorder", GAD7},
		{"F40.0", "Agoraphobia", MIAlone},
		{"F40.1", "Social phobia", SPIN},
		{"F40.2", "Specific phobia", GAD7},
		{"F41.0", "Panic disorder", PDSS},
		{"F41.1", "Generalised anxiety disorder", GAD7},
		{"F41.2", "Mixed anxiety and depressive disorder", GAD7},
		{"F42", "Obsessive-compulsive disorder", OCI},
		{"F43.1", "Post-traumatic stress disorder", IESR},
		{"F45.2", "Hypochondriacal disorder (health anxiety)", HAI},
		{"K58", "Irritable bowel syndrome", GAD7},
		{"G93.3", "Chronic fatigue syndrome", GAD7},
		{"83482000", "Body dysmorphic disorder", GAD7},
		{"723916001", "Medically unexplained symptoms", GAD7},
		{"other", "Other problem, or not recorded", GAD7},
	}
	got := Descriptors()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Descriptors() (-want +got):\n%s", diff)
	}
	got[0].Measure = SPIN
	if Descriptors()[0].Measure != GAD7 {
		t.Error("changing Descriptors() changed the list")
	}
	for _, d := range want {
		if c, ok := NormaliseDescriptor(d.Code); !ok || c != d.Code {
			t.Errorf("NormaliseDescriptor(%q) = %q, %v: listed codes must be canonical", d.Code, c, ok)
		}
	}
}

func TestNormaliseDescriptor(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"F41.1", "F41.1", true},
		{"F411", "F41.1", true},
		{"f41.1", "F41.1", true},
		{" f411 ", "F41.1", true},
		{"F42", "F42", true},
		{"F42X", "F42", true},
		{"F42.X", "F42", true},
		{"F42.", "F42", true},
		{"F32.1", "F32.1", true},
		{"F321", "F32.1", true},
		{"F3211", "F32.11", true},
		{"F32.11", "F32.11", true},
		{"F99", "F99", true},
		{"other", "other", true},
		{"OTHER", "other", true},
		{"", "", false},
		{"   ", "", false},
		{"F4", "", false},
		{"G41.1", "", false},
		{"41.1", "", false},
		{"FA1.1", "", false},
		{"F4A", "", false},
		{"F41.1.1", "", false},
		{"F41..", "", false},
		{"F41.A", "", false},
		{"F41123", "", false},
		{"F42XX", "", false},
		{"depression", "", false},
		// Data set v2.1 descriptors beyond chapter F (dataset.md IDS603).
		{"K58", "K58", true},
		{"k58", "K58", true},
		{"K58X", "K58", true},
		{"K58.0", "K58.0", true},
		{"K589", "K58.9", true},
		{"K57", "", false},
		{"K59", "", false},
		{"G93.3", "G93.3", true},
		{"G933", "G93.3", true},
		{"G93.2", "", false},
		{"G93.4", "", false},
		{"G93", "", false},
		// SNOMED CT concept ids: well-formed ones are kept as they are.
		{"83482000", "83482000", true},
		{"723916001", "723916001", true},
		{" 723916001 ", "723916001", true},
		{"83482001", "", false},            // wrong check digit
		{"723916002", "", false},           // wrong check digit
		{"12345", "", false},               // too short
		{"083482000", "", false},           // leading zero
		{"1234567890123456789", "", false}, // too long
	}
	for _, tt := range tests {
		got, ok := NormaliseDescriptor(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormaliseDescriptor(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestPairedADSM checks every problem-descriptor mapping of outcomes.md
// section 2, in the forms a referral may carry.
func TestPairedADSM(t *testing.T) {
	tests := []struct {
		code string
		want InstrumentID
	}{
		{"F40.0", MIAlone}, {"F400", MIAlone}, {"F40.01", MIAlone},
		{"F40.1", SPIN}, {"f401", SPIN},
		{"F41.0", PDSS}, {"F410", PDSS},
		{"F42", OCI}, {"F42X", OCI}, {"F42.1", OCI}, {"F422", OCI},
		// The v2.1 descriptors with their own measures fall back to GAD-7.
		{"K58", GAD7}, {"K58.0", GAD7}, {"K580", GAD7}, {"G93.3", GAD7}, {"G933", GAD7},
		{"83482000", GAD7}, {"723916001", GAD7},
		{"F43.1", IESR}, {"F431", IESR},
		{"F45.2", HAI}, {"F452", HAI},
		// Everything else pairs with GAD-7.
		{"F32", GAD7}, {"F32.1", GAD7}, {"F33", GAD7}, {"F33.2", GAD7},
		{"F41.1", GAD7}, {"F411", GAD7}, {"F41.2", GAD7},
		{"F40.2", GAD7}, {"F40", GAD7}, {"F41", GAD7},
		{"F43.2", GAD7}, {"F45.0", GAD7}, {"F45.22", HAI},
		{"F22", GAD7}, {"other", GAD7}, {"", GAD7}, {"nonsense", GAD7},
	}
	for _, tt := range tests {
		if got := PairedADSM(tt.code); got != tt.want {
			t.Errorf("PairedADSM(%q) = %s, want %s", tt.code, got, tt.want)
		}
	}
}

func TestDescriptorLabel(t *testing.T) {
	tests := []struct{ code, want string }{
		{"F41.1", "Generalised anxiety disorder"},
		{"F411", "Generalised anxiety disorder"},
		{"F32.1", "Depressive episode"},
		{"F42.1", "Obsessive-compulsive disorder"},
		{"F40.01", "Agoraphobia"},
		{"other", "Other problem, or not recorded"},
		{"F50.0", "F50.0"},
		{"f500", "F50.0"},
		{"", "Not recorded"},
		{"nonsense", "nonsense"},
		{"K58.1", "Irritable bowel syndrome"},
		{"G933", "Chronic fatigue syndrome"},
		{"83482000", "Body dysmorphic disorder"},
		{"723916001", "Medically unexplained symptoms"},
		{"304891004", "304891004"}, // a valid SNOMED id that is not a listed descriptor
	}
	for _, tt := range tests {
		if got := DescriptorLabel(tt.code); got != tt.want {
			t.Errorf("DescriptorLabel(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

// TestIsSNOMEDConcept checks the SCTID rules against codes of the data set
// reference, which must all pass, and altered copies, which must not.
func TestIsSNOMEDConcept(t *testing.T) {
	good := []string{"83482000", "723916001", "720433000", "445455005", "304891004",
		"1026111000000108", "1026131000000100", "748051000000105", "975131000000104", "449030000"}
	for _, c := range good {
		if !IsSNOMEDConcept(c) {
			t.Errorf("IsSNOMEDConcept(%q) = false", c)
		}
	}
	bad := []string{"", "12345", "720433001", "720433010", "7204330a0", "0720433000",
		"720433100", // partition 10 with a wrong check digit
		"1234567890123456789"}
	for _, c := range bad {
		if IsSNOMEDConcept(c) {
			t.Errorf("IsSNOMEDConcept(%q) = true", c)
		}
	}
}
