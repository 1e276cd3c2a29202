package ui

import (
	"net/http"
	"testing"
)

// Issue 15, 7: a report's period is capped at five years, on the page and
// in the API; the trend at 60 months.
func TestReportPeriodIsCapped(t *testing.T) {
	e := newTestEnv(t)
	sup := e.signedIn(e.supervisor)
	long := "period=custom&from=1976-01-01&to=2025-12-31"
	if p := sup.get("/reports/outcomes?" + long); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("50-year report page: %d, want 422", p.Status)
	}
	if p := sup.get("/reports/outcomes.csv?" + long); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("50-year CSV: %d, want 422", p.Status)
	}
	status, body, _ := e.api(http.MethodGet, "/api/v1/reports/outcomes?from=0001-01-01&to=9999-12-31", e.token(e.supervisor), "")
	if status != http.StatusUnprocessableEntity || body["field"] != "to" {
		t.Errorf("unbounded API report: %d %v, want 422 on to", status, body)
	}
	if p := sup.get("/reports/outcomes?period=custom&from=2021-04-01&to=2026-03-15"); p.Status != http.StatusOK {
		t.Errorf("a period just under five years: %d, want 200", p.Status)
	}
	for _, tt := range []struct{ from, to, want string }{
		{"2026-03-01", "2026-03-31", "2025-04-01"}, // a year's trend for a short period
		{"2024-01-01", "2026-03-31", "2024-01-01"},
		{"2021-04-01", "2026-03-31", "2021-04-01"}, // 60 months
		{"2001-01-01", "2026-03-31", "2021-04-01"}, // capped
	} {
		if got := trendFrom(tt.from, tt.to); got != tt.want {
			t.Errorf("trendFrom(%s, %s) = %s, want %s", tt.from, tt.to, got, tt.want)
		}
	}
}
