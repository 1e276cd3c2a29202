package ui

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// TestReportAPI checks the exact shape and that the figures equal
// measures.ServiceRates over the stored outcomes of the referrals that
// ended in the period.
func TestReportAPI(t *testing.T) {
	e := newSupervisionEnv(t)
	tok := e.token(e.supervisor)
	status, body, raw := e.api("GET", "/api/v1/reports/outcomes?from=2026-02-01&to=2026-02-28", tok, "")
	if status != 200 {
		t.Fatalf("report: %d %s", status, raw)
	}
	keys := []string{"finished", "not_at_caseness", "recovered", "recovery_rate", "reliably_improved", "reliable_improvement_rate",
		"reliably_recovered", "reliable_recovery_rate", "deteriorated", "deterioration_rate", "paired", "waited_6_weeks", "waited_18_weeks", "rule_set", "rule_set_note"}
	// Issue 13's fields (TestReportAPISections checks their values).
	sections := []string{"recovery_rate_ci", "reliable_recovery_rate_ci", "reliable_improvement_rate_ci", "waits", "endings", "finished_share", "stepped_care", "groups", "data_quality"}
	for _, k := range sections {
		if _, ok := body[k]; !ok {
			t.Errorf("report lacks %s", k)
		}
	}
	if len(body) != len(keys)+len(sections) {
		t.Errorf("report has %d fields, want %d: %s", len(body), len(keys), raw)
	}
	for _, k := range keys {
		if _, ok := body[k]; !ok {
			t.Errorf("report lacks %s", k)
		}
	}
	var outcomes []measures.Outcome
	for _, r := range []caseload.Referral{e.finished1, e.finished2} {
		d, err := e.store.ReferralDetail(context.Background(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		outcomes = append(outcomes, d.Outcome)
	}
	want, _ := json.Marshal(newReportJSON(measures.ServiceRates(outcomes)))
	var wantMap map[string]any
	json.Unmarshal(want, &wantMap)
	for _, k := range keys {
		if !jsonEqual(body[k], wantMap[k]) {
			t.Errorf("%s = %v, want %v (ServiceRates over the referrals)", k, body[k], wantMap[k])
		}
	}
	if body["finished"] != 2.0 || body["recovered"] != 1.0 || body["deteriorated"] != 1.0 || body["rule_set"] != measures.RuleSet {
		t.Errorf("report %s", raw)
	}
	// An empty period: rates null.
	_, body, _ = e.api("GET", "/api/v1/reports/outcomes?from=2025-01-01&to=2025-01-31", tok, "")
	if body["finished"] != 0.0 || body["recovery_rate"] != nil {
		t.Errorf("empty period: %v", body)
	}

	bad := []struct {
		query  string
		status int
		field  string
	}{
		{"", 400, "from"},
		{"from=2026-02-01", 400, "to"},
		{"from=2026-02-30&to=2026-03-01", 400, "from"},
		{"from=2026-02-01&to=tomorrow", 400, "to"},
		{"from=2026-03-01&to=2026-02-01", 422, "to"},
		{"from=2026-02-01&to=2026-02-28&team=x", 400, "team"},
		{"from=2026-02-01&to=2026-02-28&therapist=-1", 400, "therapist"},
		{"from=2026-02-01&to=2026-02-28&therapist=99999", 422, "therapist"},
		{"from=2026-02-01&to=2026-02-28&team=" + strconv.FormatInt(e.south.TeamID, 10), 403, "team"},
		{"from=2026-02-01&to=2026-02-28&therapist=" + strconv.FormatInt(e.south.ID, 10), 403, "therapist"},
		{"from=2026-02-01&to=2026-02-28&colour=blue", 400, "colour"},
	}
	for _, tt := range bad {
		status, body, raw := e.api("GET", "/api/v1/reports/outcomes?"+tt.query, tok, "")
		if status != tt.status || body["field"] != tt.field || body["error"] == nil {
			t.Errorf("?%s: %d %s; want %d naming %s", tt.query, status, raw, tt.status, tt.field)
		}
	}
	// A therapist reports on themself only.
	ttok := e.token(e.therapist)
	if status, body, _ := e.api("GET", "/api/v1/reports/outcomes?from=2026-02-01&to=2026-02-28", ttok, ""); status != 200 || body["finished"] != 1.0 {
		t.Errorf("therapist's own report: %d %v; want Fay's one course", status, body)
	}
	if status, _, _ := e.api("GET", "/api/v1/reports/outcomes?from=2026-02-01&to=2026-02-28&therapist="+strconv.FormatInt(e.colleague.ID, 10), ttok, ""); status != 403 {
		t.Errorf("therapist asking for a colleague: %d, want 403", status)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestReportPageAndCSVAddUp checks the page's figures and that the CSV's
// rows add up to every one of them.
func TestReportPageAndCSVAddUp(t *testing.T) {
	e := newSupervisionEnv(t)
	for _, u := range []caseload.User{e.supervisor, e.admin, e.therapist} {
		b := e.signedIn(u)
		q := "period=custom&from=2026-01-01&to=2026-03-16"
		p := b.get("/reports/outcomes?" + q)
		if p.Status != 200 {
			t.Fatalf("%s report page: %d", u.Role, p.Status)
		}
		page := map[string]int{}
		for _, m := range regexp.MustCompile(`data-line="([a-z_0-9]+)">[\s\S]*?data-count="(\d+)"`).FindAllStringSubmatch(p.Body, -1) {
			n, _ := strconv.Atoi(m[2])
			page[m[1]] = n
		}
		if len(page) != 11 || !strings.Contains(p.Body, "Rules: "+measures.RuleSet) || !strings.Contains(p.Body, "50.5%") || !strings.Contains(p.Body, `data-chart="chart-trend"`) {
			t.Errorf("%s report page: lines %v", u.Role, page)
		}
		c := b.get("/reports/outcomes.csv?" + q)
		if c.Status != 200 || !strings.HasPrefix(c.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("%s CSV: %d", u.Role, c.Status)
		}
		lines := strings.Split(strings.TrimSpace(c.Body), "\n")
		cols := strings.Split(strings.TrimSpace(lines[0]), ",")
		sum := map[string]int{}
		for _, l := range lines[1:] {
			for i, v := range strings.Split(strings.TrimSpace(l), ",") {
				if n, err := strconv.Atoi(v); err == nil && i < len(cols) {
					sum[cols[i]] += n
				}
			}
		}
		for line, n := range page {
			if sum[line] != n {
				t.Errorf("%s: CSV column %s adds up to %d, the page says %d", u.Role, line, sum[line], n)
			}
		}
		for _, name := range []string{"Pat Declining", "Fay Finished", "1980-05-01"} {
			if strings.Contains(c.Body, name) {
				t.Errorf("%s: the CSV names a patient (%s)", u.Role, name)
			}
		}
		switch u.Role {
		case caseload.RoleTherapist:
			if strings.Contains(c.Body, "Colin") || page["finished"] != 1 {
				t.Errorf("therapist's report covers others: finished %d", page["finished"])
			}
		case caseload.RoleSupervisor:
			if strings.Contains(c.Body, "Sam South") || page["finished"] != 2 {
				t.Errorf("supervisor's report: finished %d, or South included", page["finished"])
			}
		case caseload.RoleAdmin:
			if !strings.Contains(c.Body, "Sam South") {
				t.Error("admin's service-wide report lacks team South")
			}
		}
	}
	// Scope refusals and bad fields on the page.
	b := e.signedIn(e.therapist)
	if p := b.get("/reports/outcomes?period=custom&from=2026-01-01&to=2026-03-16&therapist=" + strconv.FormatInt(e.colleague.ID, 10)); p.Status != 403 {
		t.Errorf("therapist asking for a colleague's report: %d", p.Status)
	}
	if p := e.signedIn(e.supervisor).get("/reports/outcomes.csv?period=custom&from=2026-01-01&to=2026-03-16&team=" + strconv.FormatInt(e.south.TeamID, 10)); p.Status != 403 {
		t.Errorf("supervisor's CSV of another team: %d", p.Status)
	}
	if p := b.get("/reports/outcomes.csv?period=custom&from=2026-13-01&to=2026-03-16"); p.Status != 400 || !strings.Contains(p.Body, "first day of the period") {
		t.Errorf("CSV with a bad date: %d", p.Status)
	}
	if p := b.get("/reports/outcomes?period=custom&from=2026-03-01&to=2026-01-01"); p.Status != 422 || !strings.Contains(p.Body, "must be on or after") {
		t.Errorf("period ending before it starts: %d", p.Status)
	}
}

func TestResolvePeriod(t *testing.T) {
	tests := []struct {
		period, date, from, to string
		wantFrom, wantTo       string
	}{
		{"month", "2026-02-14", "", "", "2026-02-01", "2026-02-28"},
		{"quarter", "2026-05-31", "", "", "2026-04-01", "2026-06-30"},
		{"quarter", "2026-12-01", "", "", "2026-10-01", "2026-12-31"},
		{"year", "2026-03-31", "", "", "2025-04-01", "2026-03-31"},
		{"year", "2026-04-01", "", "", "2026-04-01", "2027-03-31"},
		{"custom", "", "2026-01-10", "2026-01-10", "2026-01-10", "2026-01-10"},
	}
	for _, tt := range tests {
		f, to, err := resolvePeriod(tt.period, tt.date, tt.from, tt.to)
		if err != nil || f != tt.wantFrom || to != tt.wantTo {
			t.Errorf("%s %s: %s..%s %v; want %s..%s", tt.period, tt.date, f, to, err, tt.wantFrom, tt.wantTo)
		}
	}
	if got := trendFrom("2026-02-01", "2026-02-28"); got != "2025-03-01" {
		t.Errorf("trend of a month starts %s, want 2025-03-01", got)
	}
}
