package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// The machine's own accounting of its cores while the tool drives the
// server (/proc/stat, Linux): how much of their time was busy, idle, idle
// waiting for the disk, and stolen by the host for other virtual machines.
// The development machines are virtual and shared: when the host is busy a
// run can lose a quarter of its cores' time (steal), and its figures are
// not comparable with a run that lost none, whatever the load average says.

// cpuTicks are the machine's cumulative CPU times, in clock ticks, summed
// over its cores.
type cpuTicks struct {
	busy, idle, iowait, steal uint64
}

func (t cpuTicks) total() uint64 { return t.busy + t.idle + t.iowait + t.steal }

// parseProcStat reads the first ("cpu") line of /proc/stat: user, nice,
// system, idle, iowait, irq, softirq, steal, then guest times, already
// counted in user and nice.
func parseProcStat(s string) (cpuTicks, error) {
	line, _, _ := strings.Cut(s, "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return cpuTicks{}, errors.New("no cpu line of at least 8 times")
	}
	var v [8]uint64
	for i := range v {
		n, err := strconv.ParseUint(f[i+1], 10, 64)
		if err != nil {
			return cpuTicks{}, fmt.Errorf("cpu time %d: %w", i+1, err)
		}
		v[i] = n
	}
	return cpuTicks{busy: v[0] + v[1] + v[2] + v[5] + v[6], idle: v[3], iowait: v[4], steal: v[7]}, nil
}

// machineTicks reads the machine's CPU times now.
func machineTicks() (cpuTicks, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTicks{}, err
	}
	return parseProcStat(string(b))
}

// machineShares describes how the machine's cores spent the time between
// two readings, or "" when there was none.
func machineShares(before, after cpuTicks) string {
	d := cpuTicks{busy: after.busy - before.busy, idle: after.idle - before.idle,
		iowait: after.iowait - before.iowait, steal: after.steal - before.steal}
	total := d.total()
	if total == 0 || after.total() < before.total() {
		return ""
	}
	pct := func(n uint64) float64 { return 100 * float64(n) / float64(total) }
	return fmt.Sprintf("%.0f%% busy, %.0f%% idle, %.0f%% idle waiting for the disk, %.0f%% stolen by the host",
		pct(d.busy), pct(d.idle), pct(d.iowait), pct(d.steal))
}
