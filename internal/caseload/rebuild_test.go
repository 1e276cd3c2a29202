package caseload

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"clinic"
	"clinic/internal/measures"
)

// RebuildSummaries works in short transactions beside a live server: a
// second store on the same file (the server) keeps saving sessions while
// the rebuild runs, every save succeeds, saves commit between the
// rebuild's batches (not only after it), and afterwards every summary is
// what a rebuild from scratch gives.
func TestRebuildSummariesBesideAWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clinic.db")
	c := &clock{t: testNow}
	maint, err := Open(path, clinic.Schema, c.now)
	if err != nil {
		t.Fatal(err)
	}
	defer maint.Close()
	ctx := t.Context()
	if err := maint.LoadSynthetic(ctx, SyntheticConfig{Teams: 1, TherapistsPerTeam: 2, Referrals: 600, ContactsPerReferral: 3, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	server, err := Open(path, clinic.Schema, c.now)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	type open struct{ id, therapist int64 }
	var refs []open
	rows, err := server.db.QueryContext(ctx, `SELECT id, therapist_id FROM referrals WHERE ended_on IS NULL ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r open
		if err := rows.Scan(&r.id, &r.therapist); err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r)
	}
	rows.Close()
	if len(refs) == 0 {
		t.Fatal("no open referrals")
	}

	var batches atomic.Int64
	done := make(chan error, 1)
	var rebuilt int
	go func() {
		var err error
		rebuilt, err = maint.rebuildInBatches(context.Background(), 40, func(int) { batches.Add(1) })
		done <- err
	}()
	one, two := 1, 2
	in := NewContact{Date: maint.today(), Kind: "treatment", Attendance: "attended", Scores: map[measures.InstrumentID]ScoreInput{
		measures.PHQ9: {Items: []*int{&one, &two, &one, &one, &two, &one, &one, &two, nil}},
		measures.GAD7: {Items: []*int{&two, &one, &one, &two, &one, &one, &two}},
	}}
	saves, between := 0, 0
	for i := 0; ; i++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("rebuild: %v", err)
			}
			if rebuilt != 600 {
				t.Errorf("rebuilt %d summaries, want 600", rebuilt)
			}
			if between == 0 {
				t.Errorf("%d saves, none committed while the rebuild still had batches to do", saves)
			}
			checkSummariesFresh(t, server)
			return
		default:
		}
		r := refs[i%len(refs)]
		if _, err := server.RecordContact(ctx, User{ID: r.therapist, Role: RoleTherapist}, r.id, in); err != nil {
			t.Fatalf("save during the rebuild: %v", err)
		}
		saves++
		// A busy server, not a saturated one: the writer pauses between
		// saves as a clinic's requests do.
		time.Sleep(2 * time.Millisecond)
		if b := batches.Load(); b > 0 && b < 15 {
			between++ // the rebuild has 15 batches of 40
		}
	}
}

// checkSummariesFresh compares every stored summary and report row with a
// rebuild from scratch.
func checkSummariesFresh(t *testing.T, s *Store) {
	t.Helper()
	read := func() []string {
		rows, err := s.db.Query(`
			SELECT s.referral_id || ' ' || s.outcome_json || ' ' || x.finished || x.recovered || x.paired || x.phq9_count
			FROM referral_summary s JOIN report_referral x ON x.referral_id = s.referral_id ORDER BY s.referral_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var r string
			if err := rows.Scan(&r); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		return out
	}
	before := read()
	if _, err := s.RebuildSummaries(t.Context()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, read()); diff != "" {
		t.Errorf("summaries after saves beside the rebuild differ from a fresh rebuild:\n%s", diff)
	}
}
