package caseload

import (
	"path/filepath"
	"testing"

	"clinic"
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
