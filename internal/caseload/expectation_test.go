package caseload

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"clinic"
	"clinic/internal/measures"
)

// Close stops the background rebuild of the expected-response curves and
// waits for it: none runs on, or starts, against a closed database.
func TestCloseStopsExpectationRebuild(t *testing.T) {
	ctx := t.Context()
	c := &clock{t: testNow}
	s, err := Open(filepath.Join(t.TempDir(), "clinic.db"), clinic.Schema, c.now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Expectation(ctx); err != nil {
		t.Fatal(err)
	}
	// As a course finishing would: the cached curves are now stale.
	if _, err := s.db.Exec(`UPDATE finished_generation SET n = n + 1 WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Expectation(ctx); err != nil {
		t.Fatal(err)
	}
	s.expect.mu.Lock()
	started := s.expect.building || s.expect.gen == 1
	s.expect.mu.Unlock()
	if !started {
		t.Fatal("no background rebuild started for stale curves")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s.expect.mu.Lock()
	defer s.expect.mu.Unlock()
	if s.expect.building {
		t.Error("Close returned while the background rebuild still ran")
	}
	if !s.expect.closed || s.expect.ctx.Err() == nil {
		t.Error("the rebuild's context outlives the store")
	}
}

// scratchCurves builds the curves from scratch, from every finished course's
// whole stored outcome: what the stored cells must always add up to.
func scratchCurves(t *testing.T, s *Store) *measures.Curves {
	t.Helper()
	rows, err := s.db.Query(`SELECT outcome_json FROM referral_summary WHERE finished = 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var finished []measures.Outcome
	for rows.Next() {
		var js string
		var o measures.Outcome
		if err := rows.Scan(&js); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(js), &o); err != nil {
			t.Fatal(err)
		}
		finished = append(finished, o)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return measures.BuildExpectation(finished)
}

// kept returns the curves as the store keeps them: from the stored cells
// plus the courses still queued, and from the cells alone.
func kept(t *testing.T, s *Store) (withQueue, cellsOnly *measures.Curves) {
	t.Helper()
	err := s.withRead(t.Context(), func(tx *sql.Tx) error {
		var err error
		var complete bool
		if withQueue, complete, err = storedCurves(t.Context(), tx, -1); err != nil || !complete {
			return fmt.Errorf("complete %v: %w", complete, err)
		}
		h, err := readCurveCells(t.Context(), tx)
		cellsOnly = measures.CurvesFromCells(h)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return withQueue, cellsOnly
}

// The curves kept incrementally (cells plus the queue, then the cells alone
// once the queue is folded in) equal the curves rebuilt from every finished
// course, after courses finish, are reopened and have scores corrected.
func TestExpectationKeptEqualsRebuild(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	if err := s.LoadSynthetic(ctx, SyntheticConfig{Teams: 1, TherapistsPerTeam: 2, Referrals: 400, ContactsPerReferral: 6, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	check := func(when string, wantQueued bool) {
		t.Helper()
		var queued int
		if err := s.db.QueryRow(`SELECT COUNT(*) FROM expectation_pending`).Scan(&queued); err != nil {
			t.Fatal(err)
		}
		if (queued > 0) != wantQueued {
			t.Errorf("%s: %d courses queued", when, queued)
		}
		want := scratchCurves(t, s)
		withQueue, cellsOnly := kept(t, s)
		if !reflect.DeepEqual(withQueue, want) {
			t.Errorf("%s: the cells and the queue differ from a rebuild from scratch", when)
		}
		if !wantQueued && !reflect.DeepEqual(cellsOnly, want) {
			t.Errorf("%s: the cells differ from a rebuild from scratch", when)
		}
	}
	check("after the bulk load", false)
	initial := scratchCurves(t, s)

	therapist := func(referral int64) User {
		var id int64
		if err := s.db.QueryRow(`SELECT therapist_id FROM referrals WHERE id = ?`, referral).Scan(&id); err != nil {
			t.Fatal(err)
		}
		u, err := s.User(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	ids := func(q string) []int64 {
		rows, err := s.db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			out = append(out, id)
		}
		return out
	}
	// Open courses finish.
	ending := ids(`SELECT referral_id FROM referral_summary WHERE is_open = 1 ORDER BY referral_id LIMIT 8`)
	for _, id := range ending {
		if _, err := s.EndReferral(ctx, therapist(id), id, s.today(), "completed", "", EndRisk{Acknowledged: true, Note: "Risk reviewed"}); err != nil {
			t.Fatal(err)
		}
	}
	check("after courses finished", true)
	if err := s.FoldExpectation(ctx); err != nil {
		t.Fatal(err)
	}
	check("after folding the finished courses", false)
	// Some of them are reopened, and finished courses have their first
	// PHQ-9 corrected: their old contributions must go.
	for _, id := range ending[:3] {
		if _, err := s.ReopenReferral(ctx, therapist(id), id, "ended by mistake"); err != nil {
			t.Fatal(err)
		}
	}
	corrected := ids(`
		SELECT (SELECT MIN(sc.id) FROM contacts c JOIN scores sc ON sc.contact_id = c.id
		        WHERE c.referral_id = rs.referral_id AND sc.instrument = 'phq9')
		FROM referral_summary rs WHERE rs.finished = 1 ORDER BY rs.referral_id LIMIT 6`)
	for i, scoreID := range corrected {
		v := 3 * (i % 2)
		in := ScoreInput{Items: answers(v, v, v, v, v, v, v, v, 0)}
		if _, err := s.CorrectScore(ctx, s.mustUser(t, 1), scoreID, in, "typo"); err != nil {
			t.Fatal(err)
		}
	}
	check("after reopening and correcting", true)
	if err := s.FoldExpectation(ctx); err != nil {
		t.Fatal(err)
	}
	check("after folding the reopened and corrected courses", false)
	if reflect.DeepEqual(scratchCurves(t, s), initial) {
		t.Error("finishing, reopening and correcting courses changed no curve: the test proves nothing")
	}
	// The store's own cache catches up in the background.
	deadline := time.Now().Add(10 * time.Second)
	for {
		exp, err := s.Expectation(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if reflect.DeepEqual(exp, scratchCurves(t, s)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the cached curves never caught up with the finished courses")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *Store) mustUser(t *testing.T, id int64) User {
	t.Helper()
	u, err := s.User(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// A queue too long to read in a request (as after the schema step that
// queued every finished course) leaves the first curves short rather than
// making the request wait, and the next request's background refresh
// folds it in and catches up with a rebuild from scratch.
func TestExpectationLongQueueNotReadInRequest(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	if err := s.LoadSynthetic(ctx, SyntheticConfig{Teams: 1, TherapistsPerTeam: 2, Referrals: 300, ContactsPerReferral: 6, Seed: 13}); err != nil {
		t.Fatal(err)
	}
	// As the schema step does: every finished course queued, no cells.
	for _, q := range []string{`DELETE FROM expectation_cell`, `DELETE FROM expectation_tail`, `DELETE FROM expectation_length`,
		`INSERT INTO expectation_pending (sign, outcome) SELECT 1, outcome_json FROM referral_summary WHERE finished = 1`} {
		if _, err := s.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	defer func(n int) { curveQueueInRequest = n }(curveQueueInRequest)
	curveQueueInRequest = 10
	want := scratchCurves(t, s)
	first, err := s.Expectation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(first, want) {
		t.Fatal("the first request read the whole queue")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		exp, err := s.Expectation(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if reflect.DeepEqual(exp, want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the curves never caught up with the queue")
		}
		time.Sleep(20 * time.Millisecond)
	}
	var queued int
	if err := s.db.QueryRow(`SELECT COUNT(*) FROM expectation_pending`).Scan(&queued); err != nil || queued != 0 {
		t.Errorf("%d courses still queued (%v)", queued, err)
	}
}
