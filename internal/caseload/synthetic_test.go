package caseload

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"clinic"
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
	// The summaries written in bulk, with their review columns (schema step
	// 22), and the report rows with their facts (steps 18 and 21, worked
	// out in Go by the builder) equal those the ordinary path computes from
	// the stored records, and the foreign keys hold.
	read := func() (summaries, reports []string) {
		return queryRows(t, s, `
			SELECT referral_id, outcome_json, review_flags_json, outcome_hash, last_attended_on
			FROM referral_summary ORDER BY referral_id`),
			queryRows(t, s, `SELECT * FROM report_referral ORDER BY referral_id`)
	}
	bulkSummaries, bulkReports := read()
	// The review list's columns (schema step 23), filled by the trigger as
	// each summary is inserted, equal their recomputation.
	checkReviewListColumns(t, s, "a synthetic load")
	if _, err := s.RebuildSummaries(ctx); err != nil {
		t.Fatal(err)
	}
	rebuiltSummaries, rebuiltReports := read()
	if diff := cmp.Diff(bulkSummaries, rebuiltSummaries); diff != "" {
		t.Errorf("bulk summaries differ from a rebuild (-bulk +rebuilt):\n%s", diff)
	}
	if diff := cmp.Diff(bulkReports, rebuiltReports); diff != "" {
		t.Errorf("bulk report rows differ from a rebuild (-bulk +rebuilt):\n%s", diff)
	}
	// The comparison covers data of every kind: referrals with and without
	// data set problems and review flags.
	var problemCounts, flagged, stepped int
	if err := s.db.QueryRow(`
		SELECT
			(SELECT COUNT(DISTINCT dataset_problems) FROM report_referral),
			(SELECT COUNT(*) FROM referral_summary WHERE review_flags_json <> '{}'),
			(SELECT COUNT(*) FROM report_referral WHERE step_up_days >= 0)`).Scan(&problemCounts, &flagged, &stepped); err != nil {
		t.Fatal(err)
	}
	if problemCounts < 3 || flagged == 0 || stepped == 0 {
		t.Errorf("synthetic data too uniform to compare: %d distinct problem counts, %d flagged summaries, %d stepped up", problemCounts, flagged, stepped)
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

// queryRows reads every row of q, each as its columns' values printed.
func queryRows(t *testing.T, s *Store, q string) []string {
	t.Helper()
	rows, err := s.db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		line := ""
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			line += fmt.Sprintf("%s=%v ", cols[i], v)
		}
		out = append(out, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
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

// BenchmarkLoadSynthetic builds a synthetic service of SYNTH_REFERRALS
// referrals (default 20,000) in the benchmark service's shape, for a CPU
// profile of the bulk load (-cpuprofile); the national year is 1.8M.
func BenchmarkLoadSynthetic(b *testing.B) {
	cfg := BenchmarkService
	cfg.Referrals = 20_000
	if n, err := strconv.Atoi(os.Getenv("SYNTH_REFERRALS")); err == nil && n > 0 {
		cfg.Referrals = n
	}
	for b.Loop() {
		b.StopTimer()
		s, err := Open(filepath.Join(b.TempDir(), "synthetic.db"), clinic.Schema, BenchmarkClock)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := s.LoadSynthetic(b.Context(), cfg); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
