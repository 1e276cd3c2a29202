package caseload

import (
	"context"
	"database/sql"
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
	s := openBench(b, benchDB(b))
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
