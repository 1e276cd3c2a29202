package caseload

import (
	"testing"

	"clinic/internal/dataset"
)

// TestExportIDSIntensityAtEachContact: a referral stepped up from low to
// high intensity exports each contact as it was given. Its early sessions,
// recorded before the data set had a therapy type (as a first-release
// session), get the low intensity default, its later ones the high; each
// session names the care professional who held it then.
func TestExportIDSIntensityAtEachContact(t *testing.T) {
	f := newFixture(t)
	cbt := f.user(t, "chris@example.nhs.uk", "Chris CBT", RoleTherapist, "North")
	early := []string{"2026-01-12", "2026-01-19"}
	for _, d := range early {
		if _, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, NewContact{Date: d, Kind: "treatment", Attendance: "attended", Medium: "telephone"}); err != nil {
			t.Fatal(err)
		}
	}
	// As a session of the first release: no therapy type recorded.
	if _, err := f.s.db.Exec(`UPDATE contacts SET therapy_type = NULL WHERE referral_id = ?`, f.referral.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.MoveReferral(f.ctx, f.supervisor, f.referral.ID, NewMove{TherapistID: cbt.ID, Intensity: "high", Reason: "Step up after review"}); err != nil {
		t.Fatal(err)
	}
	late, err := f.s.RecordContact(f.ctx, cbt, f.referral.ID, NewContact{Date: "2026-02-02", Kind: "treatment", Attendance: "attended", Medium: "video"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.db.Exec(`UPDATE contacts SET therapy_type = NULL WHERE id = ?`, late.ID); err != nil {
		t.Fatal(err)
	}
	x, err := f.s.ExportIDS(f.ctx, "2026-01-01", "2026-03-31", IDSHeader{ProviderOrg: "RX1"})
	if err != nil {
		t.Fatal(err)
	}
	low, high := dataset.DefaultTherapyType("low"), dataset.DefaultTherapyType("high")
	if low == high {
		t.Fatal("the low and high intensity defaults are the same code")
	}
	want := map[string]struct{ therapy, prof string }{
		careActID(careContactID(1, "")): {low, careProfID(f.therapist.ID)},
		careActID(careContactID(2, "")): {low, careProfID(f.therapist.ID)},
		careActID(careContactID(3, "")): {high, careProfID(cbt.ID)},
	}
	got := map[string]struct{ therapy, prof string }{}
	prof := map[string]string{}
	ids201 := x.Tables[dataset.IDS201.Name]
	for _, r := range ids201 {
		prof[r[dataset.IDS201.Index("CareContactId")]] = r[dataset.IDS201.Index("CareProfLocalId")]
	}
	for _, r := range x.Tables[dataset.IDS202.Name] {
		cc := r[dataset.IDS202.Index("CareContactId")]
		got[r[dataset.IDS202.Index("CareActId")]] = struct{ therapy, prof string }{r[dataset.IDS202.Index("CodeProcAndProcStatus")], prof[cc]}
	}
	if len(got) != len(want) {
		t.Fatalf("IDS202 rows %v, want %v", got, want)
	}
	for act, w := range want {
		if got[act] != w {
			t.Errorf("%s: therapy type %q by %s, want %q by %s", act, got[act].therapy, got[act].prof, w.therapy, w.prof)
		}
	}
	for _, p := range x.Problems {
		if p.Table == "IDS202" {
			t.Errorf("problem %+v", p)
		}
	}

	// Imported elsewhere, each contact keeps the intensity of its therapy
	// type, and the referral is at its latest: high.
	g := newFixture(t)
	admin := g.user(t, "ada@example.nhs.uk", "Ada Admin", RoleAdmin, "")
	rep, err := g.s.ImportIDS(g.ctx, admin, tablesOf(x), IDSImportOptions{TeamID: g.therapist.TeamID})
	if err != nil || !rep.Kept || rep.Contacts != 3 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	var intensities, referral string
	if err := g.s.db.QueryRow(`
		SELECT
			(SELECT group_concat(intensity, ' ') FROM (
				SELECT intensity FROM contacts WHERE local_id IS NOT NULL ORDER BY date, id)),
			(SELECT intensity FROM referrals r JOIN referral_dataset d ON d.referral_id = r.id WHERE d.local_id IS NOT NULL)`).Scan(&intensities, &referral); err != nil {
		t.Fatal(err)
	}
	if intensities != "low low high" || referral != "high" {
		t.Errorf("imported contacts at %q, referral at %q; want low low high, high", intensities, referral)
	}
}
