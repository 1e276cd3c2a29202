package measures

import "strings"

// OtherDescriptor is the code a form offers for a problem outside the list,
// or none recorded; it pairs with GAD-7 (outcomes.md section 2).
const OtherDescriptor = "other"

// descriptors is the list a referral form offers, with each problem's paired
// anxiety measure (outcomes.md section 2, NHS England's NHS Talking Therapies
// annual report metadata).
var descriptors = []Descriptor{
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
	// Data set v2.1 descriptors with their own measures (BIQ, CFQ, IBS,
	// PHQ-15), whose cut-offs are unconfirmed: judged on GAD-7 meanwhile
	// (outcomes.md section 2; RuleSetNote).
	{"K58", "Irritable bowel syndrome", GAD7},
	{"G93.3", "Chronic fatigue syndrome", GAD7},
	{"83482000", "Body dysmorphic disorder", GAD7},
	{"723916001", "Medically unexplained symptoms", GAD7},
	{OtherDescriptor, "Other problem, or not recorded", GAD7},
}

// Descriptors returns the problem descriptors a form offers, each with its
// paired measure. The result is a copy.
func Descriptors() []Descriptor {
	return append([]Descriptor(nil), descriptors...)
}

// NormaliseDescriptor puts a problem descriptor in canonical form: an ICD-10
// chapter F code with a dot after the category ("F411", "f41.1" and "F41.1"
// all give "F41.1"; "F42" stays "F42"; "F3211" gives "F32.11"), the data
// set's other ICD-10 descriptors in the same form (irritable bowel syndrome
// K58 and its subcodes, chronic fatigue syndrome G93.3), a SNOMED CT concept
// id ("83482000" body dysmorphic disorder, "723916001" medically unexplained
// symptoms, or any other well-formed one: the data set allows SNOMED CT
// presenting complaints, dataset.md IDS603), or "other". The NHS data sets
// pad three-character codes with an X ("F42X"); the pad is dropped. It
// reports false for anything else, the empty string included.
func NormaliseDescriptor(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == strings.ToUpper(OtherDescriptor) {
		return OtherDescriptor, true
	}
	if IsSNOMEDConcept(s) {
		return s, true
	}
	if len(s) < 3 || !isDigit(s[1]) || !isDigit(s[2]) {
		return "", false
	}
	switch s[0] {
	case 'F':
	case 'K', 'G':
		c, ok := normaliseICD10(s)
		if !ok || !(c == "K58" || strings.HasPrefix(c, "K58.") || c == "G93.3") {
			return "", false
		}
		return c, true
	default:
		return "", false
	}
	return normaliseICD10(s)
}

// normaliseICD10 puts an upper-case code starting with a letter and two
// digits in canonical ICD-10 form (see NormaliseDescriptor).
func normaliseICD10(s string) (string, bool) {
	cat, rest := s[:3], s[3:]
	switch rest {
	case "", ".", "X", ".X":
		return cat, true
	}
	rest = strings.TrimPrefix(rest, ".")
	if len(rest) > 2 {
		return "", false
	}
	for i := 0; i < len(rest); i++ {
		if !isDigit(rest[i]) {
			return "", false
		}
	}
	return cat + "." + rest, true
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// IsSNOMEDConcept says whether s is a well-formed SNOMED CT concept id:
// 6 to 18 digits without a leading zero, a partition identifier of 00 (an
// international concept) or 10 (an extension concept, such as the UK's
// 1026111000000108), and a correct Verhoeff check digit (SNOMED CT
// Technical Implementation Guide, "SCTID"). It says nothing of whether the
// concept exists.
func IsSNOMEDConcept(s string) bool {
	if len(s) < 6 || len(s) > 18 || s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	if p := s[len(s)-3 : len(s)-1]; p != "00" && p != "10" {
		return false
	}
	return verhoeffValid(s)
}

// The Verhoeff tables (dihedral group D5 multiplication and the position
// permutation).
var (
	verhoeffD = [10][10]int{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
		{2, 3, 4, 0, 1, 7, 8, 9, 5, 6}, {3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
		{4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
		{6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
		{8, 7, 6, 5, 9, 3, 2, 1, 0, 4}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
	}
	verhoeffP = [8][10]int{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
		{5, 8, 0, 3, 7, 9, 6, 1, 4, 2}, {8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
		{9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
		{2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8},
	}
)

// verhoeffValid checks a digit string whose last digit is its Verhoeff
// check digit.
func verhoeffValid(s string) bool {
	c := 0
	for i := 0; i < len(s); i++ {
		d := int(s[len(s)-1-i] - '0')
		c = verhoeffD[c][verhoeffP[i%8][d]]
	}
	return c == 0
}

// descriptorFor finds the listed descriptor a canonical code falls under:
// the code itself, or its parent ("F32.1" under "F32", "F40.01" under
// "F40.0", "F42.1" under "F42").
func descriptorFor(code string) (Descriptor, bool) {
	if IsSNOMEDConcept(code) {
		// SNOMED CT ids have no parent in their digits.
		for _, d := range descriptors {
			if d.Code == code {
				return d, true
			}
		}
		return Descriptor{}, false
	}
	for len(code) >= 3 {
		for _, d := range descriptors {
			if d.Code == code {
				return d, true
			}
		}
		if len(code) <= 3 {
			break
		}
		code = strings.TrimSuffix(code[:len(code)-1], ".")
	}
	return Descriptor{}, false
}

// DescriptorLabel names a problem descriptor in words: the listed label for
// a listed code or one beneath it ("F32.1" is a depressive episode), the
// canonical code itself for another valid code, "Not recorded" for an
// empty one, and the input unchanged when it is not a code at all.
func DescriptorLabel(code string) string {
	if strings.TrimSpace(code) == "" {
		return "Not recorded"
	}
	c, ok := NormaliseDescriptor(code)
	if !ok {
		return code
	}
	if d, ok := descriptorFor(c); ok {
		return d.Label
	}
	return c
}

// PairedADSM is the anxiety measure a problem descriptor is judged on
// (outcomes.md section 2): the descriptor's ADSM for agoraphobia, social
// phobia, panic, OCD, PTSD and health anxiety (subcodes included, "F42.1"
// like "F42"), GAD-7 for everything else and for descriptors that cannot be
// read. Body dysmorphic disorder, chronic fatigue, IBS and medically
// unexplained symptoms fall back to GAD-7 until their ADSM cut-offs are
// confirmed (outcomes.md section 2).
func PairedADSM(code string) InstrumentID {
	c, ok := NormaliseDescriptor(code)
	if !ok {
		return GAD7
	}
	if d, ok := descriptorFor(c); ok {
		return d.Measure
	}
	return GAD7
}
