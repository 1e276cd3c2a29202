package caseload

import (
	"context"
	"testing"
)

// BenchmarkReportYearBreakdown is BenchmarkReportYearAggregated's figures,
// trend, therapists and teams as the report page now reads them (one
// ReportBreakdown: one walk of each date's index), with the sections.
func BenchmarkReportYearBreakdown(b *testing.B) {
	s := openBench(b, benchDB(b))
	ctx := context.Background()
	f := ReportFilter{From: "2025-06-01", To: "2026-05-31", WholeService: true}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.ReportBreakdown(ctx, f, f.From); err != nil {
			b.Fatal(err)
		}
		if _, err := s.ReportSections(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReportYearSeparate is the same four results as
// BenchmarkReportYearBreakdown asked separately, as the page read them
// before (twelve walks of the date indexes), with the sections.
func BenchmarkReportYearSeparate(b *testing.B) {
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
		if _, err := s.ReportTeams(ctx, f); err != nil {
			b.Fatal(err)
		}
		if _, err := s.ReportSections(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
}
