package caseload

import (
	"context"
	"database/sql"
	"os"
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

// benchGroups times a year's outcomes by group (issue 13's inequalities)
// read as groups reads them (whole months from the rollup of schema step
// 23, partial ones from the rows) or, with fromRows, from the rows alone
// as before the rollup.
func benchGroups(b *testing.B, f ReportFilter, fromRows bool) {
	benchGroupsOn(b, benchDB(b), f, fromRows)
}

func benchGroupsOn(b *testing.B, path string, f ReportFilter, fromRows bool) {
	s := openBench(b, path)
	ctx := context.Background()
	args, err := sectionArgs(f)
	if err != nil {
		b.Fatal(err)
	}
	read := groups
	if fromRows {
		read = groupsFromRows
	}
	b.ReportAllocs()
	for b.Loop() {
		var out Sections
		if err := s.withRead(ctx, func(tx *sql.Tx) error { return read(ctx, tx, args, &out) }); err != nil {
			b.Fatal(err)
		}
	}
}

var (
	benchYear    = ReportFilter{From: "2025-06-01", To: "2026-05-31", WholeService: true}
	benchMidYear = ReportFilter{From: "2025-06-15", To: "2026-06-10", WholeService: true}
)

func BenchmarkReportYearGroups(b *testing.B)         { benchGroups(b, benchYear, false) }
func BenchmarkReportYearGroupsFromRows(b *testing.B) { benchGroups(b, benchYear, true) }

// The same from and to the middle of a month: two partial months read
// from the rows.
func BenchmarkReportMidYearGroups(b *testing.B)         { benchGroups(b, benchMidYear, false) }
func BenchmarkReportMidYearGroupsFromRows(b *testing.B) { benchGroups(b, benchMidYear, true) }

// One therapist's month: the rollup's month is read whole for it.
func BenchmarkReportTherapistMonthGroups(b *testing.B) {
	benchGroups(b, benchTherapistMonth, false)
}
func BenchmarkReportTherapistMonthGroupsFromRows(b *testing.B) {
	benchGroups(b, benchTherapistMonth, true)
}

// reportFile is the database named by CLINIC_REPORT_DB, for the report
// benchmarks on a file of one's own (docs/performance.md: a copy of the
// national year); the benchmark is skipped without it. Opening it runs
// any schema step it lacks.
func reportFile(b *testing.B) string {
	path := os.Getenv("CLINIC_REPORT_DB")
	if path == "" {
		b.Skip("CLINIC_REPORT_DB names no database")
	}
	return path
}

func BenchmarkReportFileYearGroups(b *testing.B) { benchGroupsOn(b, reportFile(b), benchYear, false) }
func BenchmarkReportFileYearGroupsFromRows(b *testing.B) {
	benchGroupsOn(b, reportFile(b), benchYear, true)
}

// BenchmarkReportFileYearAPI is what the report API reads for a
// whole-service year: its figures and sections.
func BenchmarkReportFileYearAPI(b *testing.B) {
	s := openBench(b, reportFile(b))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.ReportFigures(ctx, benchYear); err != nil {
			b.Fatal(err)
		}
		if _, err := s.ReportSections(ctx, benchYear); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReportFileYearAPIFromRows is the same with the figures and
// sections counted by the date referrals ended read from the rows alone,
// as before their rollup (schema step 25): the comparison in one run.
func BenchmarkReportFileYearAPIFromRows(b *testing.B) {
	s := openBench(b, reportFile(b))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.FiguresFromRowsForTest(ctx, benchYear); err != nil {
			b.Fatal(err)
		}
		if _, err := s.SectionsFromRowsForTest(ctx, benchYear); err != nil {
			b.Fatal(err)
		}
	}
}
