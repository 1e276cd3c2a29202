package caseload

import (
	"encoding/json"
	"errors"
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
	north := IDSImportOptions{TeamID: f.therapist.TeamID}

	if _, err := f.s.ImportIDS(f.ctx, f.therapist, tables, IDSImportOptions{}); err == nil {
		t.Error("a therapist imported")
	}
	// A bad row refuses the whole import.
	bad := tablesOf(x)
	bad["IDS201"][1]["AttendOrDNACode"] = "8"
	bad["IDS001"][0]["EthnicCategory"] = "Q"
	rep, err := f.s.ImportIDS(f.ctx, admin, bad, north)
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
	if rep, err = f.s.ImportIDS(f.ctx, admin, tables, IDSImportOptions{DryRun: true, TeamID: north.TeamID}); err != nil || rep.Kept || rep.Referrals != 1 || rep.Contacts != 4 {
		t.Errorf("dry run: %+v %v", rep, err)
	}
	if n := count(t, f, `SELECT COUNT(*) FROM referral_dataset WHERE local_id IS NOT NULL`); n != 0 {
		t.Errorf("a dry run kept %d referrals", n)
	}
	// Nobody here is known as the other system's care professional U1:
	// with two teams (North, South) and none named, the referral has no
	// waiting list to join, and the import is refused, saying so.
	rep, err = f.s.ImportIDS(f.ctx, admin, tables, IDSImportOptions{})
	if err != nil || rep.Kept || len(rep.Refused) != 1 || rep.Refused[0].Table != "IDS101" || rep.Refused[0].Field != "CareProfLocalId" ||
		!strings.Contains(rep.Refused[0].Problem, "--team") {
		t.Errorf("import with no team named: %+v %v", rep, err)
	}
	if rep, err = f.s.ImportIDS(f.ctx, admin, tables, IDSImportOptions{TeamID: 9999}); err != nil || rep.Kept || len(rep.Refused) != 1 {
		t.Errorf("import into no such team: %+v %v", rep, err)
	}
	// Named North, it waits on North's waiting list, held by the admin who
	// imported it, until a supervisor allocates it or U1 is mapped.
	rep, err = f.s.ImportIDS(f.ctx, admin, tables, north)
	if err != nil || !rep.Kept || rep.Patients != 1 || rep.Referrals != 1 || rep.Contacts != 4 || rep.Scores != 6 || rep.Unallocated != 1 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	if rep, err = f.s.ImportIDS(f.ctx, admin, tables, north); err != nil || rep.Referrals != 0 || rep.Contacts != 0 || rep.AlreadyThere != 6 {
		t.Errorf("second import: %+v %v", rep, err)
	}
	var waitedID int64
	if err := f.s.db.QueryRow(`SELECT referral_id FROM referral_dataset WHERE local_id = 'R1'`).Scan(&waitedID); err != nil {
		t.Fatal(err)
	}
	// (It ended in the source system, so it is not on the list of open
	// referrals; the round trip in cmd/clinic checks open ones are.)
	waited, err := f.s.Referral(f.ctx, waitedID)
	if err != nil || !waited.Waiting || waited.TherapistID != admin.ID || waited.TeamID != f.therapist.TeamID {
		t.Fatalf("the imported referral: %+v %v", waited, err)
	}
	if n := count(t, f, `SELECT COUNT(*) FROM users WHERE email LIKE '%.invalid'`); n != 0 {
		t.Errorf("the import made %d placeholder users", n)
	}
	if south, err := f.s.WaitingList(f.ctx, []int64{f.other.TeamID}); err != nil || len(south) != 0 {
		t.Errorf("South's waiting list: %+v %v", south, err)
	}
	// An admin maps U1 to Oli and allocates its waiting referral in one step.
	profs, err := f.s.CareProfessionals(f.ctx)
	if err != nil || len(profs) != 1 || profs[0] != (CareProfessional{LocalID: "U1", Qualification: profs[0].Qualification, Contacts: 4, Unallocated: 1}) {
		t.Errorf("care professionals before mapping: %+v %v", profs, err)
	}
	if _, err := f.s.MapCareProfessional(f.ctx, f.supervisor, "U1", f.other.ID, true); !errors.Is(err, ErrNotFound) {
		t.Errorf("a supervisor mapped: %v", err)
	}
	if _, err := f.s.MapCareProfessional(f.ctx, admin, "U404", f.other.ID, true); !errors.Is(err, ErrNotFound) {
		t.Errorf("mapped an id no record names: %v", err)
	}
	var ve *ValidationError
	if _, err := f.s.MapCareProfessional(f.ctx, admin, "U1", f.supervisor.ID, true); !errors.As(err, &ve) || ve.Fields["user_id"] == "" {
		t.Errorf("mapped to a supervisor: %v", err)
	}
	if n, err := f.s.MapCareProfessional(f.ctx, admin, "U1", f.other.ID, true); err != nil || n != 1 {
		t.Fatalf("map U1 to Oli: %d %v", n, err)
	}
	moved, err := f.s.Referral(f.ctx, waited.ID)
	if err != nil || moved.Waiting || moved.TherapistID != f.other.ID || moved.TeamID != f.other.TeamID {
		t.Errorf("after mapping, the imported referral is %+v (%v)", moved, err)
	}
	moves, err := f.s.ReferralMoves(f.ctx, waited.ID)
	if err != nil || len(moves) != 1 || moves[0].Kind != MoveAllocate || moves[0].MovedBy != admin.ID || !strings.Contains(moves[0].Reason, "U1") {
		t.Errorf("moves: %+v %v", moves, err)
	}
	if n := count(t, f, `SELECT COUNT(*) FROM audit_log WHERE action = 'map_care_professional' AND detail LIKE '%U1 is Oli Other%'`); n != 1 {
		t.Errorf("%d audit rows of the mapping", n)
	}
	if profs, err = f.s.CareProfessionals(f.ctx); err != nil || len(profs) != 1 || profs[0].UserID != f.other.ID || profs[0].Unallocated != 0 {
		t.Errorf("care professionals after mapping: %+v %v", profs, err)
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
	if rep, err = f.s.ImportIDS(f.ctx, admin, renamed, IDSImportOptions{}); err != nil || rep.Referrals != 1 || rep.Unallocated != 0 || rep.Scores != 6 {
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
