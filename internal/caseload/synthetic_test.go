package caseload

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadSyntheticSmall(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	cfg := SyntheticConfig{Teams: 2, TherapistsPerTeam: 3, Referrals: 500, ContactsPerReferral: 7, Seed: 7}
	if err := s.LoadSynthetic(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	var referrals, contacts, summaries, open int
	if err := s.db.QueryRow(`
		SELECT
			(SELECT COUNT(*) FROM referrals),
			(SELECT COUNT(*) FROM contacts),
			(SELECT COUNT(*) FROM referral_summary),
			(SELECT COUNT(*) FROM referral_summary WHERE is_open = 1)`).Scan(&referrals, &contacts, &summaries, &open); err != nil {
		t.Fatal(err)
	}
	if referrals != 500 || contacts != 3500 || summaries != 500 || open == 0 || open == 500 {
		t.Errorf("synthetic: %d referrals, %d contacts, %d summaries, %d open", referrals, contacts, summaries, open)
	}
	// The summaries written in bulk equal those the ordinary path computes,
	// and the foreign keys hold.
	type row struct {
		ID      int64
		Outcome string
	}
	read := func() []row {
		rows, err := s.db.Query(`SELECT referral_id, outcome_json FROM referral_summary ORDER BY referral_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.ID, &r.Outcome); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		return out
	}
	bulk := read()
	if _, err := s.RebuildSummaries(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(bulk, read()); diff != "" {
		t.Errorf("bulk summaries differ from a rebuild (-bulk +rebuilt):\n%s", diff)
	}
	fk, err := s.db.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	if fk.Next() {
		t.Error("foreign key violations after a synthetic load")
	}
	fk.Close()
	// It works with the ordinary paths: a session on an open referral.
	var open1 int64
	if err := s.db.QueryRow(`SELECT referral_id FROM referral_summary WHERE is_open = 1 LIMIT 1`).Scan(&open1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordContact(ctx, User{ID: 1}, open1, session(s.today(), answers(1, 1, 1, 1, 1, 1, 1, 1, 1), answers(1, 1, 1, 1, 1, 1, 1))); err != nil {
		t.Errorf("recording on a synthetic referral: %v", err)
	}
	if err := s.LoadSynthetic(ctx, SyntheticConfig{}); err == nil {
		t.Error("an empty config was accepted")
	}
}

// The bulk load drops the secondary indexes of the tables it fills and the
// curve trigger, and makes them again: every index and trigger is there,
// as it was, after.
func TestLoadSyntheticRestoresIndexes(t *testing.T) {
	s, _ := openTest(t)
	before := indexNames(t, s)
	if err := s.LoadSynthetic(t.Context(), SyntheticConfig{Teams: 1, TherapistsPerTeam: 1, Referrals: 20, ContactsPerReferral: 3, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	if after := indexNames(t, s); !cmp.Equal(before, after) {
		t.Errorf("indexes and triggers after a synthetic load differ (-before +after):\n%s", cmp.Diff(before, after))
	}
}

func indexNames(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.db.Query(`SELECT type || ' ' || name || ': ' || sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}
