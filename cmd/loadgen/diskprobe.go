package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"
)

// The disk probe (--disk-probe) times what every durable write here waits
// for: a small overwrite of a file and its fsync, as SQLite's commit in WAL
// mode does, one after the other for a while with the machine otherwise
// idle, then again with every core kept busy by spinning goroutines (as
// loadgen's clients and the server keep them). It is the floor under the
// tail of any request that must be on disk before it is answered (issue 17:
// an audited view, a save).

// probeDisk times fsyncs in dir for d, then for d again beside busy
// goroutines on every core, and prints both.
func probeDisk(ctx context.Context, dir string, d time.Duration, w io.Writer) error {
	for _, busy := range []bool{false, true} {
		lat, err := timeFsyncs(ctx, dir, d, busy)
		if err != nil {
			return err
		}
		label := "idle cores"
		if busy {
			label = fmt.Sprintf("%d cores busy", runtime.NumCPU())
		}
		fmt.Fprintf(w, "fsync of a 16 KB overwrite, %s: %s\n", label, describe(lat))
	}
	return nil
}

// timeFsyncs overwrites 16 KB of a 16 MB file in turn and fsyncs it, for d,
// with every core spinning meanwhile when busy.
func timeFsyncs(ctx context.Context, dir string, d time.Duration, busy bool) ([]time.Duration, error) {
	f, err := os.CreateTemp(dir, "disk-probe-")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	const size, chunk = 16 << 20, 16 << 10
	if _, err := f.WriteAt(make([]byte, size), 0); err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	if busy {
		// More Ps than spinners: the fsyncing goroutine never waits for
		// Go's scheduler, only for the machine's.
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2*runtime.NumCPU() + 1))
		for range runtime.NumCPU() {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; ; n++ {
					if n%1_000_000 == 0 {
						select {
						case <-stop:
							return
						default:
						}
					}
				}
			}()
		}
	}
	defer func() { close(stop); wg.Wait() }()
	buf := make([]byte, chunk)
	var lat []time.Duration
	for off, end := int64(0), time.Now().Add(d); time.Now().Before(end) && ctx.Err() == nil; off = (off + chunk) % size {
		if _, err := f.WriteAt(buf, off); err != nil {
			return nil, err
		}
		t0 := time.Now()
		if err := f.Sync(); err != nil {
			return nil, err
		}
		lat = append(lat, time.Since(t0))
	}
	return lat, nil
}

// describe gives the count, percentiles, longest and how many took 5 ms or
// more of lat.
func describe(lat []time.Duration) string {
	if len(lat) == 0 {
		return "none"
	}
	slices.Sort(lat)
	slow := len(lat) - sortSearch(lat, 5*time.Millisecond)
	return fmt.Sprintf("%d fsyncs, p50 %s, p99 %s, p99.9 %s, longest %s; %d of 5ms or more",
		len(lat), ms(percentile(lat, 0.5)), ms(percentile(lat, 0.99)), ms(percentile(lat, 0.999)), ms(lat[len(lat)-1]), slow)
}

// sortSearch is the index of the first of sorted at least d.
func sortSearch(sorted []time.Duration, d time.Duration) int {
	i, _ := slices.BinarySearch(sorted, d)
	return i
}

// probeDir is where the probe writes: the temporary folder, as loadgen's
// databases.
func probeDir() string { return filepath.Clean(os.TempDir()) }
