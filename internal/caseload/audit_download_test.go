package caseload

import (
	"slices"
	"testing"
)

// A download is logged in batches, but as one download: a row for every
// referral, in the order given, each with its patient, all at one time.
func TestRecordDownloadsInBatches(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	if err := s.LoadSynthetic(ctx, SyntheticConfig{Teams: 1, TherapistsPerTeam: 1, Referrals: 50, ContactsPerReferral: 1, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	defer func(n int) { downloadBatch = n }(downloadBatch)
	downloadBatch = 7
	ids := idsOf(t, s.db, `SELECT id FROM referrals ORDER BY id DESC`)
	if len(ids) != 50 {
		t.Fatalf("%d referrals, want 50", len(ids))
	}
	if err := s.RecordDownloads(ctx, User{ID: 1}, ids, "test export"); err != nil {
		t.Fatal(err)
	}
	logged, err := s.db.Query(`SELECT a.entity_id, a.at, a.patient_id = r.patient_id FROM audit_log a JOIN referrals r ON r.id = a.entity_id
		WHERE a.action = ? AND a.detail = 'test export' ORDER BY a.id`, AuditDownload)
	if err != nil {
		t.Fatal(err)
	}
	defer logged.Close()
	var got []int64
	ats := map[string]bool{}
	for logged.Next() {
		var id int64
		var at string
		var samePatient bool
		if err := logged.Scan(&id, &at, &samePatient); err != nil {
			t.Fatal(err)
		}
		if !samePatient {
			t.Errorf("referral %d logged with another patient", id)
		}
		got = append(got, id)
		ats[at] = true
	}
	if !slices.Equal(got, ids) {
		t.Errorf("logged referrals %v, want %v", got, ids)
	}
	if len(ats) != 1 {
		t.Errorf("one download logged at %d times", len(ats))
	}
}
