package ui

import (
	"context"
	"testing"

	"clinic"
	"clinic/internal/caseload"
)

// BenchmarkWeeklyReviewPage renders a supervisor's weekly review of a team
// of 15 therapists on the 100,000-referral service (issue 4: under 100 ms).
// The expected-response curves are built by the first request, before the
// timer starts.
func BenchmarkWeeklyReviewPage(b *testing.B) {
	env := newBenchEnv(b, benchDB(b))
	sup := env.signIn(b, "supervisor-1-1@synthetic.example")
	env.get(b, "/review", sup)
	for b.Loop() {
		env.get(b, "/review", sup)
	}
}

// BenchmarkReportPage renders a year's outcome report for the whole service
// (issue 4: under 1 s), as an admin, on a copy of the benchmark database
// with an admin added.
func BenchmarkReportPage(b *testing.B) {
	path := benchDBCopy(b)
	store, err := caseload.Open(path, clinic.Schema, benchClock)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := store.CreateUser(context.Background(), caseload.NewUser{Email: "admin@synthetic.example", Name: "Admin", Role: caseload.RoleAdmin, Password: syntheticPassword}); err != nil {
		b.Fatal(err)
	}
	store.Close()
	env := newBenchEnv(b, path)
	admin := env.signIn(b, "admin@synthetic.example")
	for b.Loop() {
		env.get(b, "/reports/outcomes?period=year&date=2025-06-01", admin)
	}
}

// BenchmarkReportCSV writes a year's referral-level rows for the service.
func BenchmarkReportCSV(b *testing.B) {
	env := newBenchEnv(b, benchDB(b))
	sup := env.signIn(b, "supervisor-1-1@synthetic.example")
	for b.Loop() {
		env.get(b, "/reports/outcomes.csv?period=custom&from=2025-06-01&to=2026-05-31", sup)
	}
}
