package caseload

import (
	"context"
	"testing"
)

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
