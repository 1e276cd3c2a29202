package dataset

import "testing"

func TestListsAreWellFormed(t *testing.T) {
	for _, l := range Lists() {
		if l.Source == "" {
			t.Errorf("%s: no source", l.Name)
		}
		if len(l.Codes) == 0 {
			t.Errorf("%s: no codes", l.Name)
		}
		seen := map[string]bool{}
		for _, c := range l.Codes {
			if c.Code == "" || c.Label == "" {
				t.Errorf("%s: empty code or label in %+v", l.Name, c)
			}
			if seen[c.Code] {
				t.Errorf("%s: code %q twice", l.Name, c.Code)
			}
			seen[c.Code] = true
		}
	}
}

func TestLookupBoundaries(t *testing.T) {
	tests := []struct {
		name string
		list List
		code string
		ok   bool
	}{
		{"attended on time", AttendOrDNA, "5", true},
		{"late seen", AttendOrDNA, "6", true},
		{"late not seen", AttendOrDNA, "7", true},
		{"no attend code 1", AttendOrDNA, "1", false},
		{"no attend code 8", AttendOrDNA, "8", false},
		{"attend code is not zero-padded", AttendOrDNA, "05", false},
		{"spaces trimmed", AttendOrDNA, " 5 ", true},
		{"apptype 01", AppType, "01", true},
		{"apptype 06", AppType, "06", true},
		{"apptype 00", AppType, "00", false},
		{"apptype 07", AppType, "07", false},
		{"apptype unpadded", AppType, "1", false},
		{"medium 01", ConsMechanism, "01", true},
		{"medium 03 not listed", ConsMechanism, "03", false},
		{"medium 98", ConsMechanism, "98", true},
		{"medium 99", ConsMechanism, "99", false},
		{"endcode 10 lowest", EndCode, "10", true},
		{"endcode 09", EndCode, "09", false},
		{"endcode 15 gap", EndCode, "15", false},
		{"endcode 96", EndCode, "96", true},
		{"endcode 97", EndCode, "97", false},
		{"ethnic A", EthnicCategory, "A", true},
		{"ethnic lower case", EthnicCategory, "a", false},
		{"ethnic I not used", EthnicCategory, "I", false},
		{"ethnic O not used", EthnicCategory, "O", false},
		{"ethnic Z", EthnicCategory, "Z", true},
		{"ethnic 99", EthnicCategory, "99", true},
		{"ethnic 98", EthnicCategory, "98", false},
		{"gender identity 4", GenderIdentity, "4", true},
		{"gender identity 5", GenderIdentity, "5", false},
		{"gender identity X", GenderIdentity, "X", true},
		{"stated gender 9", Gender, "9", true},
		{"stated gender 3", Gender, "3", false},
		{"employ 01", EmployStatus, "01", true},
		{"employ 08", EmployStatus, "08", true},
		{"employ 09", EmployStatus, "09", false},
		{"employ ZZ", EmployStatus, "ZZ", true},
		{"qualification 10", QualAttainLevel, "10", true},
		{"qualification 9", QualAttainLevel, "09", false},
		{"qualification 17", QualAttainLevel, "17", true},
		{"qualification 18", QualAttainLevel, "18", false},
		{"source B1", SourceOfReferral, "B1", true},
		{"source N3 not listed", SourceOfReferral, "N3", false},
		{"empty is never a code", EthnicCategory, "", false},
		{"therapy CBT", TherapyType, "304891004", true},
		{"therapy truncated", TherapyType, "30489100", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.list.Valid(tt.code); got != tt.ok {
				t.Errorf("%s.Valid(%q) = %v, want %v", tt.list.Name, tt.code, got, tt.ok)
			}
		})
	}
}

func TestGroups(t *testing.T) {
	tests := []struct {
		list  List
		code  string
		group string
	}{
		{EthnicCategory, "C", "White"},
		{EthnicCategory, "D", "Mixed"},
		{EthnicCategory, "G", "Mixed"},
		{EthnicCategory, "H", "Asian"},
		{EthnicCategory, "L", "Asian"},
		{EthnicCategory, "M", "Black"},
		{EthnicCategory, "P", "Black"},
		{EthnicCategory, "R", "Other"},
		{EthnicCategory, "S", "Other"},
		{EthnicCategory, "Z", "Not stated or known"},
		{EndCode, "50", SeenNotTreated},
		{EndCode, "17", SeenNotTreated},
		{EndCode, "95", SeenNotTreated},
		{EndCode, "46", Treated},
		{EndCode, "49", Treated},
		{EndCode, "96", Treated},
		{TherapyType, "975131000000104", LowIntensity},
		{TherapyType, "1127281000000100", HighIntensity},
	}
	for _, tt := range tests {
		c, ok := tt.list.Lookup(tt.code)
		if !ok || c.Group != tt.group {
			t.Errorf("%s %q: group %q (found %v), want %q", tt.list.Name, tt.code, c.Group, ok, tt.group)
		}
	}
}

func TestUnconfirmed(t *testing.T) {
	tests := []struct {
		list List
		code string
		want bool
	}{
		{AppType, "04", true},
		{AppType, "05", false},
		{ConsMechanism, "01", true}, // whole list to confirm
		{AttendOrDNA, "5", false},
		{SexualOrientation, "1", true},
		{EthnicCategory, "A", false},
	}
	for _, tt := range tests {
		if got := tt.list.Unconfirmed(tt.code); got != tt.want {
			t.Errorf("%s.Unconfirmed(%q) = %v, want %v", tt.list.Name, tt.code, got, tt.want)
		}
	}
}

func TestLabel(t *testing.T) {
	if got := EmployStatus.Label("03"); got != "Student" {
		t.Errorf("Label(03) = %q", got)
	}
	if got := EmployStatus.Label("77"); got != "77" {
		t.Errorf("an unknown code is shown as itself, got %q", got)
	}
}

func TestWordsMapBothWays(t *testing.T) {
	for _, m := range []struct {
		name  string
		words []Word
		list  List
	}{
		{"purposes", Purposes, AppType},
		{"attendances", Attendances, AttendOrDNA},
		{"media", Media, ConsMechanism},
	} {
		if len(m.words) != len(m.list.Codes) {
			t.Errorf("%s: %d words for %d codes", m.name, len(m.words), len(m.list.Codes))
		}
		for _, w := range m.words {
			if !m.list.Valid(w.Code) {
				t.Errorf("%s: %q maps to %q, not in %s", m.name, w.Word, w.Code, m.list.Name)
			}
			if back, ok := WordOf(m.words, w.Code); !ok || back != w.Word {
				t.Errorf("%s: %q -> %q -> %q", m.name, w.Word, w.Code, back)
			}
		}
	}
	if _, ok := CodeOf(Purposes, "session"); ok {
		t.Error("an unknown word has a code")
	}
	if _, ok := WordOf(Media, "03"); ok {
		t.Error("an unknown code has a word")
	}
}

func TestAttendedAndTreatment(t *testing.T) {
	attended := map[string]bool{
		"attended": true, "attended_late": true, "late_not_seen": false, "dna": false,
		"cancelled_by_patient": false, "cancelled_by_provider": false, "cancelled": false, "": false,
	}
	for w, want := range attended {
		if got := Attended(w); got != want {
			t.Errorf("Attended(%q) = %v, want %v", w, got, want)
		}
	}
	if c, ok := AttendanceCode("cancelled"); !ok || c != "2" {
		t.Errorf("legacy cancelled = %q %v, want 2 (by the patient)", c, ok)
	}
	treatment := map[string]bool{
		"assessment": false, "treatment": true, "assessment_treatment": true, "review": false,
		"review_treatment": true, "follow_up": false, "": false,
	}
	for w, want := range treatment {
		if got := TreatmentPurpose(w); got != want {
			t.Errorf("TreatmentPurpose(%q) = %v, want %v", w, got, want)
		}
	}
}

func TestAssessmentTools(t *testing.T) {
	tests := []struct {
		instrument, code string
		ok               bool
	}{
		{"phq9", "720433000", true},
		{"gad7", "445455005", true},
		{"spin", "", false},
		{"wsas", "", false},
		{"nonsense", "", false},
	}
	for _, tt := range tests {
		code, ok := AssessmentToolCode(tt.instrument)
		if code != tt.code || ok != tt.ok {
			t.Errorf("AssessmentToolCode(%q) = %q %v, want %q %v", tt.instrument, code, ok, tt.code, tt.ok)
		}
		if ok {
			if back, ok := AssessmentToolInstrument(code); !ok || back != tt.instrument {
				t.Errorf("AssessmentToolInstrument(%q) = %q %v", code, back, ok)
			}
		}
	}
	if _, ok := AssessmentToolInstrument(""); ok {
		t.Error("the empty code names an instrument")
	}
}

func TestDefaultTherapyType(t *testing.T) {
	for in, want := range map[string]string{"low": LowIntensity, "high": HighIntensity, "": LowIntensity} {
		c, ok := TherapyType.Lookup(DefaultTherapyType(in))
		if !ok || c.Group != want {
			t.Errorf("DefaultTherapyType(%q) = %+v, want a %s intensity therapy", in, c, want)
		}
	}
}

func TestTables(t *testing.T) {
	names := map[string]bool{}
	for _, tb := range Tables() {
		if names[tb.Name] {
			t.Errorf("table %s twice", tb.Name)
		}
		names[tb.Name] = true
		cols := map[string]bool{}
		for _, c := range tb.Columns {
			if cols[c] {
				t.Errorf("%s: column %s twice", tb.Name, c)
			}
			cols[c] = true
		}
		for _, c := range tb.ToConfirm {
			if !cols[c] {
				t.Errorf("%s: to-confirm column %s is not a column", tb.Name, c)
			}
		}
	}
	for _, want := range []string{"IDS000", "IDS001", "IDS101", "IDS201", "IDS202", "IDS603", "IDS607"} {
		if !names[want] {
			t.Errorf("no table %s", want)
		}
	}
	if IDS201.Index("AppType") != 5 || IDS201.Index("Nope") != -1 {
		t.Errorf("Index: AppType at %d", IDS201.Index("AppType"))
	}
}
