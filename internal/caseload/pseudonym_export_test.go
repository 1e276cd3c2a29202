package caseload

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The administrator's export streams the same rows as everyone else's, in
// the order of their pseudonyms under the export's key, each with its
// pseudonym; another key gives other pseudonyms and another order.
func TestEachReportRowByPseudonym(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	if err := s.LoadSynthetic(ctx, SyntheticConfig{Teams: 2, TherapistsPerTeam: 2, Referrals: 300, ContactsPerReferral: 5, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	f := ReportFilter{From: "2020-01-01", To: s.today(), WholeService: true}
	var want []ReportRow
	if err := s.EachReportRow(ctx, f, func(r *ReportRow) error { want = append(want, *r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(want) != 300 {
		t.Fatalf("%d rows, want 300", len(want))
	}
	export := func(key []byte) ([]ReportRow, []string) {
		var rows []ReportRow
		var names []string
		err := s.EachReportRowByPseudonym(ctx, f, key, func(r *ReportRow, p string) error {
			if p != ExportPseudonym(key, r.ReferralID) {
				t.Errorf("referral %d: pseudonym %s, want %s", r.ReferralID, p, ExportPseudonym(key, r.ReferralID))
			}
			rows, names = append(rows, *r), append(names, p)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return rows, names
	}
	key1, key2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	rows, names := export(key1)
	if !slices.IsSorted(names) {
		t.Error("rows not in the pseudonyms' order")
	}
	if slices.IsSortedFunc(rows, func(a, b ReportRow) int { return int(a.ReferralID - b.ReferralID) }) {
		t.Error("rows in id order")
	}
	slices.SortFunc(rows, func(a, b ReportRow) int { return int(a.ReferralID - b.ReferralID) })
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows differ from EachReportRow's (-want +got):\n%s", diff)
	}
	_, names2 := export(key2)
	if strings.Join(names, ",") == strings.Join(names2, ",") {
		t.Error("another key gave the same pseudonyms")
	}
	if err := s.EachReportRowByPseudonym(ctx, f, []byte("short"), func(*ReportRow, string) error { return nil }); err == nil {
		t.Error("a short key was accepted")
	}
}
