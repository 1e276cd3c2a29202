// Package dataset holds the NHS Talking Therapies data set (IDS v2.1) as
// data: every code list clinic records or submits, each with its source, and
// the column names of every IDS table clinic writes or reads.
//
// Everything here comes from shared/reference/dataset.md unless a list says
// otherwise. A list or a code marked ToConfirm comes from a secondary source
// and must be checked against the NHS Data Dictionary or the IAPT
// Intermediate Database (IDB) template; a service corrects it here, in one
// place, without touching any logic. The package is a leaf: it imports
// nothing of clinic's, so measures, caseload and ui can all read it.
package dataset

import (
	"sort"
	"strings"
)

// Code is one value of a code list.
type Code struct {
	Code  string
	Label string
	// Group is the reporting group a code falls in, where the list has one
	// (ethnic group, EndCode's "seen, not treated"/"treated", a therapy
	// type's intensity); empty otherwise.
	Group string
	// ToConfirm marks a single code from a secondary source within a list
	// that is otherwise confirmed.
	ToConfirm bool
}

// List is a code list with its source.
type List struct {
	Name      string // the IDS field it codes: "EthnicCategory"
	Source    string
	ToConfirm bool // the whole list comes from a secondary source
	Codes     []Code
}

// Lookup finds a code in the list. Codes are compared exactly after
// trimming spaces: "05" and "5" are different codes.
func (l List) Lookup(code string) (Code, bool) {
	code = strings.TrimSpace(code)
	for _, c := range l.Codes {
		if c.Code == code {
			return c, true
		}
	}
	return Code{}, false
}

// Valid says whether code is in the list.
func (l List) Valid(code string) bool {
	_, ok := l.Lookup(code)
	return ok
}

// Label names a code in words, or returns the code itself when the list does
// not hold it (so an imported code nobody expected still shows).
func (l List) Label(code string) string {
	if c, ok := l.Lookup(code); ok {
		return c.Label
	}
	return code
}

// Unconfirmed says whether a code needs checking against the Data
// Dictionary: the whole list, or the code itself, is marked to confirm.
func (l List) Unconfirmed(code string) bool {
	c, ok := l.Lookup(code)
	return l.ToConfirm || (ok && c.ToConfirm)
}

// Lists returns every code list, sorted by name, for a page that shows them
// with their sources.
func Lists() []List {
	all := []List{
		AttendOrDNA, AppType, ConsMechanism, EndCode, TherapyType,
		QualAttainLevel, CodedAssToolType, EthnicCategory, GenderIdentity,
		Gender, EmployStatus, SourceOfReferral, SexualOrientation,
		Disability, ExBAFIndicator,
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return all
}
