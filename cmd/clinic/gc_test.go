package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

// TestTuneGC: the server collects at serveGCPercent under serveMemoryLimit
// unless the environment sets GOGC or GOMEMLIMIT, which it leaves alone.
func TestTuneGC(t *testing.T) {
	percent := debug.SetGCPercent(100)
	limit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	for _, tc := range []struct {
		name        string
		vars        map[string]string
		wantPercent int
		wantLimit   int64
	}{
		{"nothing set", nil, serveGCPercent, serveMemoryLimit},
		{"GOGC set", map[string]string{"GOGC": "100"}, 100, serveMemoryLimit},
		{"GOMEMLIMIT set", map[string]string{"GOMEMLIMIT": "1GiB"}, serveGCPercent, math.MaxInt64},
		{"both set", map[string]string{"GOGC": "100", "GOMEMLIMIT": "1GiB"}, 100, math.MaxInt64},
	} {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
		tuneGC(env(tc.vars))
		if got := debug.SetGCPercent(100); got != tc.wantPercent {
			t.Errorf("%s: GC percent %d, want %d", tc.name, got, tc.wantPercent)
		}
		if got := debug.SetMemoryLimit(-1); got != tc.wantLimit {
			t.Errorf("%s: memory limit %d, want %d", tc.name, got, tc.wantLimit)
		}
	}
}

// TestTuneProcs: the server takes one P more than Go's default, unless the
// environment sets GOMAXPROCS, which it leaves alone.
func TestTuneProcs(t *testing.T) {
	def := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(def) })
	tuneProcs(func(string) string { return "" })
	if got := runtime.GOMAXPROCS(def); got != def+1 {
		t.Errorf("nothing set: %d Ps, want %d", got, def+1)
	}
	tuneProcs(func(k string) string {
		if k == "GOMAXPROCS" {
			return "1"
		}
		return ""
	})
	if got := runtime.GOMAXPROCS(0); got != def {
		t.Errorf("GOMAXPROCS set: %d Ps, want %d as it was", got, def)
	}
}
