package caseload

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"clinic"
	"clinic/internal/measures"
)

// The benchmark service: 10 teams of 15 therapists, 100,000 referrals with
// 7 contacts each (700,000 contacts, about 1.2 million scores).
var benchConfig = SyntheticConfig{Teams: 10, TherapistsPerTeam: 15, Referrals: 100_000, ContactsPerReferral: 7, Seed: 1}

// benchNow is the benchmark database's clock: fixed, so that a cached
// database stays valid.
var benchNow = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

func benchClock() time.Time { return benchNow }

var (
	benchOnce sync.Once
	benchPath string
	benchErr  error
)

// benchDB returns the path of the benchmark database, building it the first
// time into os.TempDir() under a name keyed by the schema, the rules and the
// config, and reusing it after (delete the file to rebuild).
func benchDB(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		key := sha256.Sum256([]byte(fmt.Sprintf("v1|%s|%s|%+v|%s", clinic.Schema, measures.RuleSet, benchConfig, benchNow)))
		benchPath = filepath.Join(os.TempDir(), fmt.Sprintf("clinic-bench-%x.db", key[:6]))
		if _, err := os.Stat(benchPath); err == nil {
			return
		}
		building := fmt.Sprintf("%s.building-%d", benchPath, os.Getpid())
		start := time.Now()
		s, err := Open(building, clinic.Schema, benchClock)
		if err != nil {
			benchErr = err
			return
		}
		if err := s.LoadSynthetic(context.Background(), benchConfig); err != nil {
			s.Close()
			benchErr = err
			return
		}
		if err := s.Close(); err != nil {
			benchErr = err
			return
		}
		benchErr = os.Rename(building, benchPath)
		fmt.Fprintf(os.Stderr, "built benchmark database %s (%+v) in %v\n", benchPath, benchConfig, time.Since(start).Round(time.Millisecond))
	})
	if benchErr != nil {
		b.Fatalf("benchmark database: %v", benchErr)
	}
	return benchPath
}

func openBench(b *testing.B, path string) *Store {
	b.Helper()
	s, err := Open(path, clinic.Schema, benchClock)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// openReferrals returns up to n open referrals' ids spread over the service.
func openReferrals(b *testing.B, s *Store, n int) []int64 {
	b.Helper()
	rows, err := s.read.Query(`SELECT referral_id FROM referral_summary WHERE is_open = 1 ORDER BY referral_id`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var all []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		all = append(all, id)
	}
	if err := rows.Err(); err != nil || len(all) == 0 {
		b.Fatalf("open referrals: %v (%d)", err, len(all))
	}
	step := max(1, len(all)/n)
	var out []int64
	for i := 0; i < len(all) && len(out) < n; i += step {
		out = append(out, all[i])
	}
	return out
}

func BenchmarkCaseload(b *testing.B) {
	s := openBench(b, benchDB(b))
	ctx := context.Background()
	users, err := s.Users(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var therapists []int64
	for _, u := range users {
		if u.Role == RoleTherapist {
			therapists = append(therapists, u.ID)
		}
	}
	rows, i := 0, 0
	for b.Loop() {
		cl, err := s.Caseload(ctx, therapists[i%len(therapists)])
		if err != nil {
			b.Fatal(err)
		}
		rows += len(cl)
		i++
	}
	b.ReportMetric(float64(rows)/float64(i), "rows/op")
}

func BenchmarkReferralDetail(b *testing.B) {
	s := openBench(b, benchDB(b))
	ctx := context.Background()
	var n int64
	if err := s.read.QueryRow(`SELECT COUNT(*) FROM referrals`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	i := int64(0)
	for b.Loop() {
		// A stride through the whole service, so pages are not all cached.
		id := 1 + (i*7919)%n
		if _, err := s.ReferralDetail(ctx, id); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkRecordContact records sessions with PHQ-9 and GAD-7 answers on
// open referrals of a copy of the benchmark database, each a durable
// (synchronous=FULL) transaction that also recomputes the summary.
func BenchmarkRecordContact(b *testing.B) {
	src := benchDB(b)
	dst := filepath.Join(b.TempDir(), "bench.db")
	if err := copyFile(src, dst); err != nil {
		b.Fatal(err)
	}
	s := openBench(b, dst)
	ctx := context.Background()
	refs := openReferrals(b, s, 2000)
	actor := User{ID: 1, Role: RoleTherapist}
	one, two := 1, 2
	in := NewContact{
		Date:       benchNow.Format(dateLayout),
		Kind:       "treatment",
		Attendance: "attended",
		Scores: map[measures.InstrumentID]ScoreInput{
			measures.PHQ9: {Items: []*int{&one, &two, &one, &one, &two, &one, &one, &two, nil}},
			measures.GAD7: {Items: []*int{&two, &one, &one, &two, &one, &one, &two}},
		},
	}
	i := 0
	for b.Loop() {
		if _, err := s.RecordContact(ctx, actor, refs[i%len(refs)], in); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
