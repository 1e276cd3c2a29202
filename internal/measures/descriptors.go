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
	{OtherDescriptor, "Other problem, or not recorded", GAD7},
}

// Descriptors returns the problem descriptors a form offers, each with its
// paired measure. The result is a copy.
func Descriptors() []Descriptor {
	return append([]Descriptor(nil), descriptors...)
}

// NormaliseDescriptor puts a problem descriptor in canonical form: an ICD-10
// chapter F code with a dot after the category ("F411", "f41.1" and "F41.1"
// all give "F41.1"; "F42" stays "F42"; "F3211" gives "F32.11"), or "other".
// The NHS data sets pad three-character codes with an X ("F42X"); the pad is
// dropped. It reports false for anything else, the empty string included.
func NormaliseDescriptor(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == strings.ToUpper(OtherDescriptor) {
		return OtherDescriptor, true
	}
	if len(s) < 3 || s[0] != 'F' || !isDigit(s[1]) || !isDigit(s[2]) {
		return "", false
	}
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

// descriptorFor finds the listed descriptor a canonical code falls under:
// the code itself, or its parent ("F32.1" under "F32", "F40.01" under
// "F40.0", "F42.1" under "F42").
func descriptorFor(code string) (Descriptor, bool) {
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
// canonical code itself for another valid F code, "Not recorded" for an
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
