package caseload

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"clinic/internal/dataset"
	"clinic/internal/measures"
)

// tablesOf turns an export into what the import reads: rows as maps.
func tablesOf(x IDSExport) map[string][]map[string]string {
	out := map[string][]map[string]string{}
	for _, t := range dataset.Tables() {
		for _, r := range x.Tables[t.Name] {
			m := map[string]string{}
			for i, c := range t.Columns {
				m[c] = r[i]
			}
			out[t.Name] = append(out[t.Name], m)
		}
	}
	return out
}

func TestImportIDS(t *testing.T) {
	src := exportFixture(t)
	x, err := src.s.ExportIDS(src.ctx, "2026-01-01", "2026-03-31", IDSHeader{ProviderOrg: "RX1"})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t) // another service: Tara, Oli, Sam, and their own referral
	admin := f.user(t, "ada@example.nhs.uk", "Ada Admin", RoleAdmin, "")
	tables := tablesOf(x)

	if _, err := f.s.ImportIDS(f.ctx, f.therapist, tables, false); err == nil {
		t.Error("a therapist imported")
	}
	// A bad row refuses the whole import.
	bad := tablesOf(x)
	bad["IDS201"][1]["AttendOrDNACode"] = "8"
	bad["IDS001"][0]["EthnicCategory"] = "Q"
	rep, err := f.s.ImportIDS(f.ctx, admin, bad, false)
	if err != nil {
		t.Fatal(err)
	}
	// The patient refused, its referral is refused too, and its contacts
	// (the bad one among them) are not read.
	if rep.Kept || len(rep.Refused) != 2 || rep.Refused[0].Field != "ethnic_category" || rep.Refused[1].Field != "LocalPatientId" || rep.AlreadyThere != 0 {
		t.Errorf("bad rows: %+v", rep)
	}
	if n := count(t, f, `SELECT COUNT(*) FROM patient_local_ids`); n != 0 {
		t.Errorf("a refused import kept %d patients", n)
	}
	// A dry run reports and keeps nothing.
	if rep, err = f.s.ImportIDS(f.ctx, admin, tables, true); err != nil || rep.Kept || rep.Referrals != 1 || rep.Contacts != 4 {
		t.Errorf("dry run: %+v %v", rep, err)
	}
	if n := count(t, f, `SELECT COUNT(*) FROM referral_dataset WHERE local_id IS NOT NULL`); n != 0 {
		t.Errorf("a dry run kept %d referrals", n)
	}
	// The care professional U1 of the other system is Oli here: known once
	// mapped; until then the referral is unallocated.
	rep, err = f.s.ImportIDS(f.ctx, admin, tables, false)
	if err != nil || !rep.Kept || rep.Patients != 1 || rep.Referrals != 1 || rep.Contacts != 4 || rep.Scores != 6 || rep.Unallocated != 1 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	if rep, err = f.s.ImportIDS(f.ctx, admin, tables, false); err != nil || rep.Referrals != 0 || rep.Contacts != 0 || rep.AlreadyThere != 6 {
		t.Errorf("second import: %+v %v", rep, err)
	}
	var unallocated string
	if err := f.s.db.QueryRow(`SELECT u.name FROM referrals r JOIN referral_dataset d ON d.referral_id = r.id JOIN users u ON u.id = r.therapist_id WHERE d.local_id = 'R1'`).Scan(&unallocated); err != nil || unallocated != unallocatedName {
		t.Errorf("imported referral held by %q (%v)", unallocated, err)
	}
	if _, err := f.s.db.Exec(`UPDATE care_professionals SET user_id = ? WHERE local_id = 'U1'`, f.other.ID); err != nil {
		t.Fatal(err)
	}
	renamed := tablesOf(x)
	for _, tb := range []string{"IDS001", "IDS002", "IDS004", "IDS007", "IDS011", "IDS602", "IDS101"} {
		for _, r := range renamed[tb] {
			r["LocalPatientId"] = "P2"
		}
	}
	for _, tb := range []string{"IDS101", "IDS201", "IDS603"} {
		for _, r := range renamed[tb] {
			r["ServiceRequestId"] = "R2"
		}
	}
	for _, tb := range []string{"IDS201", "IDS202"} {
		for _, r := range renamed[tb] {
			r["CareContactId"] += "x"
		}
	}
	for _, r := range renamed["IDS202"] {
		r["CareActId"] = r["CareContactId"] + "-A"
	}
	for _, r := range renamed["IDS607"] {
		r["CareActId"] = strings.TrimSuffix(r["CareActId"], "-A") + "x-A"
	}
	if rep, err = f.s.ImportIDS(f.ctx, admin, renamed, false); err != nil || rep.Referrals != 1 || rep.Unallocated != 0 || rep.Scores != 6 {
		t.Fatalf("mapped import: %+v %v", rep, err)
	}
	var holder int64
	if err := f.s.db.QueryRow(`SELECT r.therapist_id FROM referrals r JOIN referral_dataset d ON d.referral_id = r.id WHERE d.local_id = 'R2'`).Scan(&holder); err != nil || holder != f.other.ID {
		t.Errorf("mapped referral held by %d (%v), want Oli %d", holder, err, f.other.ID)
	}
	// The imported referral's outcome is computed as the original's.
	var orig, imported string
	if err := src.s.db.QueryRow(`SELECT outcome_json FROM referral_summary WHERE referral_id = ?`, src.referral.ID).Scan(&orig); err != nil {
		t.Fatal(err)
	}
	if err := f.s.db.QueryRow(`SELECT s.outcome_json FROM referral_summary s JOIN referral_dataset d ON d.referral_id = s.referral_id WHERE d.local_id = 'R1'`).Scan(&imported); err != nil {
		t.Fatal(err)
	}
	// The same judgements: the SPIN score (no confirmed SNOMED code) and
	// PHQ-9 item 9 (totals only) are what the data set does not carry.
	judged := func(s string) measures.Outcome {
		var o measures.Outcome
		if err := json.Unmarshal([]byte(s), &o); err != nil {
			t.Fatal(err)
		}
		return measures.Outcome{FinishedCourse: o.FinishedCourse, TreatmentSessions: o.TreatmentSessions, WaitDays: o.WaitDays,
			PHQ9: o.PHQ9, AnxietyM: o.AnxietyM, AtCaseness: o.AtCaseness, NotAtCaseness: o.NotAtCaseness, Recovered: o.Recovered,
			ReliableImprovement: o.ReliableImprovement, ReliableDeterioration: o.ReliableDeterioration, ReliableRecovery: o.ReliableRecovery}
	}
	if diff := cmp.Diff(judged(orig), judged(imported)); diff != "" {
		t.Errorf("outcomes differ (-original +imported):\n%s", diff)
	}
}

func count(t *testing.T, f *fixture, q string) int {
	t.Helper()
	var n int
	if err := f.s.db.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
