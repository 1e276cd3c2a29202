package caseload

import (
	"context"
	"database/sql"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"clinic"
	"clinic/internal/dataset"
	"clinic/internal/measures"
)

// benchDB is the shared benchmark database (benchmark.go).
func benchDB(b *testing.B) string {
	b.Helper()
	path, err := BenchmarkDB(clinic.Schema)
	if err != nil {
		b.Fatal(err)
	}
	return path
}

// benchDBCopy is a copy of it for a benchmark that writes.
func benchDBCopy(b *testing.B) string {
	b.Helper()
	path, err := BenchmarkDBCopy(clinic.Schema, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	return path
}

func openBench(b *testing.B, path string) *Store {
	b.Helper()
	s, err := Open(path, clinic.Schema, BenchmarkClock)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// openReferrals returns up to n open referrals' ids spread over the service.
func openReferrals(b *testing.B, s *Store, n int) []int64 {
	b.Helper()
	all := idsOf(b, s.read, `SELECT referral_id FROM referral_summary WHERE is_open = 1 ORDER BY referral_id`)
	if len(all) == 0 {
		b.Fatal("no open referrals")
	}
	step := max(1, len(all)/n)
	var out []int64
	for i := 0; i < len(all) && len(out) < n; i += step {
		out = append(out, all[i])
	}
	return out
}

// idsOf runs a query of one integer column and returns its values.
func idsOf(t testing.TB, db *sql.DB, query string) []int64 {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
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
	s := openBench(b, benchDBCopy(b))
	ctx := context.Background()
	refs := openReferrals(b, s, 2000)
	actor := User{ID: 1, Role: RoleTherapist}
	in := benchContact()
	cpu := processCPU(b)
	i := 0
	for b.Loop() {
		if _, err := s.RecordContact(ctx, actor, refs[i%len(refs)], in); err != nil {
			b.Fatal(err)
		}
		i++
	}
	reportCPU(b, cpu, i)
}

// BenchmarkRecordContactConcurrent records the sessions of
// BenchmarkRecordContact from 16 goroutines at once, as the server does under
// a busy clinic (issue 17): each save reads its referral on a reader
// connection, admits it, and waits for its group commit. It reports the
// process CPU per save, a steadier measure of the save path's cost on a
// shared machine than its time; "view" is the trivial baseline beside it, one
// audited read of a referral (RecordView) through the same committer.
//
//	go test ./internal/caseload -run '^$' -bench RecordContactConcurrent -benchtime 20000x
func BenchmarkRecordContactConcurrent(b *testing.B) {
	s := openBench(b, benchDBCopy(b))
	ctx := context.Background()
	refs := openReferrals(b, s, 4000)
	actor := User{ID: 1, Role: RoleTherapist}
	in := benchContact()
	admit := func(r Referral) error {
		if r.ID == 0 {
			return ErrNotFound
		}
		return nil
	}
	for _, bc := range []struct {
		name string
		op   func(id int64) error
	}{
		{"save", func(id int64) error {
			_, _, err := s.RecordContactAdmitted(ctx, actor, id, in, admit)
			return err
		}},
		{"view", func(id int64) error { return s.RecordView(ctx, actor, "referral", id, "benchmark") }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var next atomic.Int64
			before := s.writes.commits.Load()
			cpu := processCPU(b)
			b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := bc.op(refs[int(next.Add(1))%len(refs)]); err != nil {
						b.Error(err)
					}
				}
			})
			b.StopTimer()
			reportCPU(b, cpu, b.N)
			b.ReportMetric(float64(b.N)/float64(s.writes.commits.Load()-before), "ops/commit")
		})
	}
}

// benchContact is an attended session with PHQ-9 and GAD-7 answers.
func benchContact() NewContact {
	one, two := 1, 2
	return NewContact{
		Date:       BenchmarkNow.Format(dateLayout),
		Kind:       "treatment",
		Attendance: "attended",
		Scores: map[measures.InstrumentID]ScoreInput{
			measures.PHQ9: {Items: []*int{&one, &two, &one, &one, &two, &one, &one, &two, nil}},
			measures.GAD7: {Items: []*int{&two, &one, &one, &two, &one, &one, &two}},
		},
	}
}

// BenchmarkExportIDS exports one month of the 100,000-referral service and
// writes its CSV files, as `clinic export ids` does (issue 12: under 10 s).
func BenchmarkExportIDS(b *testing.B) {
	s := openBench(b, benchDB(b))
	ctx := context.Background()
	dir := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		x, err := s.ExportIDS(ctx, "2026-05-01", "2026-05-31", IDSHeader{ProviderOrg: "RX1", SubmittingOrg: "RX1"})
		if err != nil {
			b.Fatal(err)
		}
		if err := dataset.WriteDir(dir, x.Tables, nil); err != nil {
			b.Fatal(err)
		}
		if x.Referrals == 0 || x.Contacts == 0 {
			b.Fatalf("exported %d referrals, %d contacts", x.Referrals, x.Contacts)
		}
		b.ReportMetric(float64(x.Referrals), "referrals")
		b.ReportMetric(float64(x.Contacts), "contacts")
	}
}

// processCPU is the CPU time this process has used, user and system, on
// every thread (SQLite's work included): the benchmarks report it per
// operation as cpu-µs/op, the server CPU a request costs, which on a
// shared machine varies less than the wall time (issue 17).
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the process CPU used since start over n operations.
func reportCPU(b *testing.B, start time.Duration, n int) {
	if n > 0 {
		b.ReportMetric(float64(processCPU(b)-start)/float64(n)/1e3, "cpu-µs/op")
	}
}
