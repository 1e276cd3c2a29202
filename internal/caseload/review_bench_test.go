package caseload

import (
	"context"
	"testing"
)

// Figures (issue 4), on the project's 2-core machine shared with other
// builds (load average 2 to 6), on the 100,000-referral database, -benchtime
// 10x, 21 November 2026:
//
//	BenchmarkWeeklyReview       16-17 ms  372 cases of a 15-therapist team (target < 100 ms)
//	BenchmarkReportYear         0.22-0.34 s  a year, service-wide: 33,427 rows, figures, trend, therapists (target < 1 s)
//	BenchmarkExpectationBuild   1.5-2.1 s  95,160 finished courses; built at start-up (WarmCaches),
//	                            later rebuilds run in the background while the old curves serve
//
// and through the HTTP handlers (ui/review_bench_test.go): the weekly review
// page 32-45 ms, a year's service report page 0.27-0.55 s (one run at 1.3 s
// while other builds held both cores), a team's year as CSV 38-85 ms.
//
// With the sections of issue 13 (28 November 2026, load average 7 to 12,
// -benchtime 5x): BenchmarkReportYearSections 0.24 s, BenchmarkReportYearAggregated
// (figures, trend, therapists and sections) 0.58 s, BenchmarkReportBaseline
// 0.15 ms; the year's report page (ui BenchmarkReportPage) 0.51 s.

// benchTeam returns the first synthetic team's id (15 therapists).
func benchTeam(b *testing.B, s *Store) int64 {
	b.Helper()
	var team int64
	if err := s.read.QueryRow(`SELECT MIN(team_id) FROM team_supervisors`).Scan(&team); err != nil {
		b.Fatal(err)
	}
	return team
}

// BenchmarkWeeklyReview is a supervisor's weekly review of a team of 15
// therapists on the 100,000-referral service, with the expected-response
// curves already cached (BenchmarkExpectationBuild times building them).
func BenchmarkWeeklyReview(b *testing.B) {
	s := openBench(b, benchDB(b))
	ctx := context.Background()
	scope := ReviewScope{Teams: []int64{benchTeam(b, s)}}
	if _, err := s.WeeklyReview(ctx, scope); err != nil {
		b.Fatal(err)
	}
	cases := 0
	for b.Loop() {
		cs, err := s.WeeklyReview(ctx, scope)
		if err != nil {
			b.Fatal(err)
		}
		cases = len(cs)
	}
	b.ReportMetric(float64(cases), "cases")
}

// BenchmarkWeeklyReviewFirstPage is the first page (50 cases) of the same
// review as the page asks for it (issue 17): the list selected, ordered and
// counted in SQL from the flags kept at write time, and only the page's
// cases decoded and judged in Go.
func BenchmarkWeeklyReviewFirstPage(b *testing.B) {
	s := openBench(b, benchDB(b))
	ctx := context.Background()
	scope := ReviewScope{Teams: []int64{benchTeam(b, s)}}
	if _, err := s.WeeklyReviewPage(ctx, scope, 1, 50); err != nil {
		b.Fatal(err)
	}
	cases := 0
	for b.Loop() {
		l, err := s.WeeklyReviewPage(ctx, scope, 1, 50)
		if err != nil {
			b.Fatal(err)
		}
		cases = listedForTest(l.Tallies)
	}
	b.ReportMetric(float64(cases), "cases")
}

// BenchmarkWeeklyReviewJudgingAll is the review as it was before schema
// step 22 (the test oracle): every open referral of the team decoded and
// judged in Go.
func BenchmarkWeeklyReviewJudgingAll(b *testing.B) {
	s := openBench(b, benchDB(b))
	ctx := context.Background()
	scope := ReviewScope{Teams: []int64{benchTeam(b, s)}}
	if _, err := s.WeeklyReviewAllForTest(ctx, scope); err != nil {
		b.Fatal(err)
	}
	cases := 0
	for b.Loop() {
		cs, err := s.WeeklyReviewAllForTest(ctx, scope)
		if err != nil {
			b.Fatal(err)
		}
		cases = len(cs)
	}
	b.ReportMetric(float64(cases), "cases")
}

// BenchmarkExpectationBuild builds the service's curves from every finished
// course, as the first review after a course finishes does.
func BenchmarkExpectationBuild(b *testing.B) {
	s := openBench(b, benchDB(b))
	ctx := context.Background()
	for b.Loop() {
		s.expect.mu.Lock()
		s.expect.built = false
		s.expect.mu.Unlock()
		if _, err := s.Expectation(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReportYear is a year's service-wide outcome report: the rows,
// the period's figures, the trend by month and the comparison by therapist.
func BenchmarkReportYear(b *testing.B) {
	s := openBench(b, benchDB(b))
	ctx := context.Background()
	from, to := "2025-06-01", "2026-05-31"
	rows := 0
	for b.Loop() {
		rs, err := s.ReportRows(ctx, ReportFilter{From: from, To: to, WholeService: true})
		if err != nil {
			b.Fatal(err)
		}
		Summarise(rs, from, to)
		ByMonth(rs, from, to)
		ByTherapist(rs, from, to)
		rows = len(rs)
	}
	b.ReportMetric(float64(rows), "rows")
}

// BenchmarkReportYearAggregated is BenchmarkReportYear's figures, trend and
// comparison added up in SQL (issue 17), with the sections of issue 13, as
// the report page now reads them.
func BenchmarkReportYearAggregated(b *testing.B) {
	s := openBench(b, benchDB(b))
	ctx := context.Background()
	f := ReportFilter{From: "2025-06-01", To: "2026-05-31", WholeService: true}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.ReportFigures(ctx, f); err != nil {
			b.Fatal(err)
		}
		if _, err := s.ReportMonths(ctx, f); err != nil {
			b.Fatal(err)
		}
		if _, err := s.ReportTherapists(ctx, f); err != nil {
			b.Fatal(err)
		}
		if _, err := s.ReportSections(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReportYearSections is a year's sections alone (issue 13): waits,
// endings, stepped care, outcomes by group and data quality, added up in
// SQL over the period's indexes.
func BenchmarkReportYearSections(b *testing.B) {
	s := openBench(b, benchDB(b))
	ctx := context.Background()
	f := ReportFilter{From: "2025-06-01", To: "2026-05-31", WholeService: true}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.ReportSections(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
}

// benchTherapistMonth is one therapist's month: issue 17 measured it growing
// with the whole service when every report scanned report_referral.
var benchTherapistMonth = ReportFilter{From: "2026-04-01", To: "2026-04-30", WholeService: true, TherapistID: 2}

// BenchmarkReportTherapistMonthRows is that month through the rows
// (ReportRows and Summarise, the recomputation from scratch).
func BenchmarkReportTherapistMonthRows(b *testing.B) {
	s := openBench(b, benchDB(b))
	ctx := context.Background()
	f := benchTherapistMonth
	b.ReportAllocs()
	for b.Loop() {
		rs, err := s.ReportRows(ctx, f)
		if err != nil {
			b.Fatal(err)
		}
		Summarise(rs, f.From, f.To)
	}
}

// BenchmarkReportTherapistMonthAggregated is that month added up in SQL.
func BenchmarkReportTherapistMonthAggregated(b *testing.B) {
	s := openBench(b, benchDB(b))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.ReportFigures(ctx, benchTherapistMonth); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReportBaseline is a trivial read (one user by id) on the same
// database, to set the report benchmarks against on a busy machine.
func BenchmarkReportBaseline(b *testing.B) {
	s := openBench(b, benchDB(b))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.User(ctx, 2); err != nil {
			b.Fatal(err)
		}
	}
}
