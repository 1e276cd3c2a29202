package caseload

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"clinic/internal/measures"
)

// The benchmark fixture, for benchmarks only (internal/caseload's and ui's):
// one synthetic service, built once with LoadSynthetic and cached as a file
// in os.TempDir() under a name keyed by the schema, the rules, the config
// and the clock, so that every benchmark of every package opens the same
// database and a change to any of those builds a new one (delete the file
// to rebuild). Nothing in the application calls these.

// BenchmarkService is the benchmark service of issue 3: 10 teams of 15
// therapists, 100,000 referrals with 7 contacts each (700,000 contacts,
// about 1.2 million scores).
var BenchmarkService = SyntheticConfig{Teams: 10, TherapistsPerTeam: 15, Referrals: 100_000, ContactsPerReferral: 7, Seed: 1}

// BenchmarkNow is the benchmark database's clock: fixed, so that a cached
// database stays valid.
var BenchmarkNow = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

// BenchmarkClock is the clock to open the benchmark database with.
func BenchmarkClock() time.Time { return BenchmarkNow }

var benchmarkDB struct {
	once sync.Once
	path string
	err  error
}

// BenchmarkDB returns the path of the cached benchmark database, building it
// with schema the first time (about a minute, reported on stderr). Open it
// with BenchmarkClock; benchmarks that write use BenchmarkDBCopy instead.
func BenchmarkDB(schema string) (string, error) {
	b := &benchmarkDB
	b.once.Do(func() {
		key := sha256.Sum256(fmt.Appendf(nil, "v1|%s|%s|%+v|%s", schema, measures.RuleSet, BenchmarkService, BenchmarkNow))
		b.path = filepath.Join(os.TempDir(), fmt.Sprintf("clinic-bench-%x.db", key[:6]))
		if _, err := os.Stat(b.path); err == nil {
			return
		}
		b.err = buildBenchmarkDB(schema, b.path)
	})
	if b.err != nil {
		return "", fmt.Errorf("benchmark database: %w", b.err)
	}
	return b.path, nil
}

// buildBenchmarkDB builds the benchmark database at path, through a file of
// its own so that another process never opens a half-built one.
func buildBenchmarkDB(schema, path string) error {
	building := fmt.Sprintf("%s.building-%d", path, os.Getpid())
	start := time.Now()
	s, err := Open(building, schema, BenchmarkClock)
	if err != nil {
		return err
	}
	if err := s.LoadSynthetic(context.Background(), BenchmarkService); err != nil {
		s.Close()
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	if err := os.Rename(building, path); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "built benchmark database %s (%+v) in %v\n", path, BenchmarkService, time.Since(start).Round(time.Millisecond))
	return nil
}

// BenchmarkDBCopy copies the benchmark database (see BenchmarkDB) into dir,
// for a benchmark that writes, and returns the copy's path.
func BenchmarkDBCopy(schema, dir string) (string, error) {
	src, err := BenchmarkDB(schema)
	if err != nil {
		return "", err
	}
	dst := filepath.Join(dir, "bench.db")
	if err := copyFile(src, dst); err != nil {
		return "", fmt.Errorf("benchmark database: %w", err)
	}
	return dst, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src) // #nosec G304 -- the benchmark database's own path
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst) // #nosec G304 -- a benchmark's temporary directory
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	// On the disk before the benchmark starts, so that writing the copy back
	// does not share the disk with the benchmark's own fsyncs.
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
