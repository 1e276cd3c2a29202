package main

import "testing"

// TestMachineShares: the cores' busy, idle, disk-wait and stolen shares
// between two readings of /proc/stat's cpu line, guest time not counted
// twice.
func TestMachineShares(t *testing.T) {
	before, err := parseProcStat("cpu  100 0 50 800 20 0 10 0 0 0\ncpu0 50 0 25 400 10 0 5 0 0 0\n")
	if err != nil {
		t.Fatal(err)
	}
	// 300 ticks more: user +120, nice +10, system +30, idle +60, iowait +20,
	// irq +5, softirq +5, steal +50; guest +40 (inside user).
	after, err := parseProcStat("cpu  220 10 80 860 40 5 15 50 40 0\n")
	if err != nil {
		t.Fatal(err)
	}
	got := machineShares(before, after)
	want := "57% busy, 20% idle, 7% idle waiting for the disk, 17% stolen by the host"
	if got != want {
		t.Errorf("machineShares = %q, want %q", got, want)
	}
	if got := machineShares(after, after); got != "" {
		t.Errorf("no time between readings: %q, want none", got)
	}
	for _, bad := range []string{"", "intr 1 2 3", "cpu 1 2 3", "cpu 1 2 x 4 5 6 7 8"} {
		if _, err := parseProcStat(bad); err == nil {
			t.Errorf("parseProcStat(%q): no error", bad)
		}
	}
}
