package dataset

import "testing"

func TestGroupsOfCodes(t *testing.T) {
	for _, tc := range []struct {
		name, got, want string
	}{
		{"ethnic A", EthnicGroupOf("A"), "white"},
		{"ethnic C", EthnicGroupOf("C"), "white"},
		{"ethnic D", EthnicGroupOf("D"), "mixed"},
		{"ethnic G", EthnicGroupOf("G"), "mixed"},
		{"ethnic H", EthnicGroupOf("H"), "asian"},
		{"ethnic L", EthnicGroupOf("L"), "asian"},
		{"ethnic M", EthnicGroupOf("M"), "black"},
		{"ethnic P", EthnicGroupOf("P"), "black"},
		{"ethnic R", EthnicGroupOf("R"), "other"},
		{"ethnic S", EthnicGroupOf("S"), "other"},
		{"ethnic Z", EthnicGroupOf("Z"), NotStated},
		{"ethnic 99", EthnicGroupOf("99"), NotStated},
		{"ethnic empty", EthnicGroupOf(""), NotStated},
		{"ethnic unknown", EthnicGroupOf("Q"), NotStated},
		{"age unknown", AgeBandOf(-1), NotStated},
		{"age 17", AgeBandOf(17), "under_18"},
		{"age 18", AgeBandOf(18), "18_25"},
		{"age 25", AgeBandOf(25), "18_25"},
		{"age 26", AgeBandOf(26), "26_35"},
		{"age 35", AgeBandOf(35), "26_35"},
		{"age 36", AgeBandOf(36), "36_45"},
		{"age 45", AgeBandOf(45), "36_45"},
		{"age 46", AgeBandOf(46), "46_55"},
		{"age 55", AgeBandOf(55), "46_55"},
		{"age 56", AgeBandOf(56), "56_64"},
		{"age 64", AgeBandOf(64), "56_64"},
		{"age 65", AgeBandOf(65), "65_plus"},
		{"gender 1", GenderIdentityGroupOf("1"), "male"},
		{"gender 3", GenderIdentityGroupOf("3"), "non_binary"},
		{"gender X", GenderIdentityGroupOf("X"), NotStated},
		{"gender empty", GenderIdentityGroupOf(""), NotStated},
		{"orientation 3", SexualOrientationGroupOf("3"), "bisexual"},
		{"orientation U", SexualOrientationGroupOf("U"), NotStated},
		{"disability 02", DisabilityGroupOf([]string{"02"}), "disabled"},
		{"disability NN", DisabilityGroupOf([]string{"NN"}), "not_disabled"},
		{"disability NN and 05", DisabilityGroupOf([]string{"NN", "05"}), "disabled"},
		{"disability ZZ", DisabilityGroupOf([]string{"ZZ"}), NotStated},
		{"disability none", DisabilityGroupOf(nil), NotStated},
		{"employment 01", EmploymentGroupOf("01"), "01"},
		{"employment ZZ", EmploymentGroupOf("ZZ"), NotStated},
		{"employment bad", EmploymentGroupOf("1"), NotStated},
		{"ltc", LongTermConditionGroupOf([]string{"", "44054006"}), "yes"},
		{"ltc none", LongTermConditionGroupOf([]string{""}), NotStated},
		{"medium video", MediumGroupOf("video"), "video"},
		{"medium email", MediumGroupOf("email"), "text"},
		{"medium talk type", MediumGroupOf("talk_type"), "other"},
		{"medium none", MediumGroupOf(""), NotStated},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

// Every group a mapping can return is a group of its dimension, so the
// groups a report lists add up to its total.
func TestGroupsAreInTheirDimension(t *testing.T) {
	dims := map[string]map[string]bool{}
	for _, d := range Dimensions() {
		dims[d.Key] = map[string]bool{}
		for _, g := range d.Groups {
			dims[d.Key][g.Key] = true
		}
	}
	check := func(dim, g string) {
		if !dims[dim][g] {
			t.Errorf("%s: group %q is not listed", dim, g)
		}
	}
	for _, c := range append(EthnicCategory.Codes, Code{Code: ""}) {
		check(DimEthnicGroup, EthnicGroupOf(c.Code))
	}
	for age := -1; age < 110; age++ {
		check(DimAgeBand, AgeBandOf(age))
	}
	for _, c := range append(GenderIdentity.Codes, Code{Code: ""}) {
		check(DimGenderIdentity, GenderIdentityGroupOf(c.Code))
	}
	for _, c := range append(SexualOrientation.Codes, Code{Code: ""}) {
		check(DimSexualOrientation, SexualOrientationGroupOf(c.Code))
	}
	for _, c := range append(Disability.Codes, Code{Code: ""}) {
		check(DimDisability, DisabilityGroupOf([]string{c.Code}))
	}
	for _, c := range append(EmployStatus.Codes, Code{Code: ""}) {
		check(DimEmployment, EmploymentGroupOf(c.Code))
	}
	check(DimLongTermCondition, LongTermConditionGroupOf(nil))
	check(DimLongTermCondition, LongTermConditionGroupOf([]string{"x"}))
	for _, w := range append(Media, Word{}) {
		check(DimConsultationMedium, MediumGroupOf(w.Word))
	}
}
