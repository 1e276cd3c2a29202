package caseload

import (
	"testing"
	"time"
)

// TestNextCheckpoint: the checkpointer waits checkpointEvery while the log
// is far from the writer's backstop, and runs again backstopLead before the
// log, gaining pages as fast as since the last run, reaches it.
func TestNextCheckpoint(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name                string
		logPages, prevPages int
		elapsed             time.Duration
		want                time.Duration
	}{
		{"nothing gained", 500, 500, 50 * ms, checkpointEvery},
		{"no time between runs", 600, 500, 0, checkpointEvery},
		// 1,000 pages in 50 ms: 14,000 pages of room last 700 ms.
		{"far from the backstop", 2000, 1000, 50 * ms, checkpointEvery},
		// 1,000 pages in 50 ms: 1,000 pages of room last 50 ms, less the lead.
		{"one wait from the backstop", walBackstop - 1000, walBackstop - 2000, 50 * ms, 50*ms - backstopLead},
		// 1,000 pages in 50 ms: 500 pages last 25 ms.
		{"near the backstop", walBackstop - 500, walBackstop - 1500, 50 * ms, 25*ms - backstopLead},
		{"just short of it", walBackstop - 20, walBackstop - 1020, 50 * ms, minCheckpointGap},
		{"at the backstop", walBackstop, walBackstop - 1000, 50 * ms, minCheckpointGap},
		{"past it", walBackstop + 300, walBackstop - 1000, 50 * ms, minCheckpointGap},
		// The log started again: its 3,000 pages came in the 50 ms.
		{"started again, far", 3000, 15000, 50 * ms, checkpointEvery},
		// Half the backstop in 50 ms: the other half lasts 50 ms, less the lead.
		{"started again, fast", walBackstop / 2, walBackstop - 100, 50 * ms, 50*ms - backstopLead},
	} {
		got := nextCheckpoint(tc.logPages, tc.prevPages, tc.elapsed)
		if d := got - tc.want; d < -time.Microsecond || d > time.Microsecond {
			t.Errorf("%s: nextCheckpoint(%d, %d, %v) = %v, want %v", tc.name, tc.logPages, tc.prevPages, tc.elapsed, got, tc.want)
		}
	}
}
