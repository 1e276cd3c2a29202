package ui

import (
	"context"
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"clinic/internal/caseload"
	"clinic/internal/dataset"
	"clinic/internal/measures"
)

// The API's issue 13 fields: exactly those the issue names, with values
// counted by hand for the supervision service's February (Fay and Fred
// finished; Fay recovered; Fred not at caseness at the start).
func TestReportAPISections(t *testing.T) {
	e := newSupervisionEnv(t)
	tok := e.token(e.supervisor)
	status, body, raw := e.api("GET", "/api/v1/reports/outcomes?from=2026-02-01&to=2026-02-28", tok, "")
	if status != 200 {
		t.Fatalf("report: %d %s", status, raw)
	}
	// 1 recovered of 1 at caseness: Wilson's interval is [0.2065, 1]; 1
	// reliably improved of 2 finished: [0.0945, 0.9055].
	for k, want := range map[string]string{
		"recovery_rate_ci":             "[0.2065,1]",
		"reliable_recovery_rate_ci":    "[0.2065,1]",
		"reliable_improvement_rate_ci": "[0.0945,0.9055]",
		"finished_share":               "1",
	} {
		if got, _ := json.Marshal(body[k]); string(got) != want {
			t.Errorf("%s = %s, want %s", k, got, want)
		}
	}
	waits, _ := body["waits"].(map[string]any)
	wantWaits := []string{"assessment_under_29", "assessment_29_56", "assessment_57_90", "assessment_over_90", "median_days_to_assessment", "median_days_to_treatment", "second_treatment_over_90"}
	if len(waits) != len(wantWaits) {
		t.Errorf("waits has %d fields, want %d: %v", len(waits), len(wantWaits), waits)
	}
	for _, k := range wantWaits {
		if _, ok := waits[k]; !ok {
			t.Errorf("waits lacks %s", k)
		}
	}
	stepped, _ := body["stepped_care"].(map[string]any)
	if len(stepped) != 4 || stepped["low_only"] != 2.0 || stepped["both"] != 0.0 || stepped["high_only"] != 0.0 || stepped["stepped_up_within_90_days"] != 0.0 {
		t.Errorf("stepped_care = %v, want both courses low intensity only", stepped)
	}
	endings, _ := body["endings"].(map[string]any)
	total := 0.0
	for _, n := range endings {
		total += n.(float64)
	}
	if total != 2 || endings["46"] == nil || endings[notRecordedKey] == nil {
		t.Errorf("endings = %v, want every EndCode and not_recorded, adding up to the 2 ended", endings)
	}
	groups, _ := body["groups"].(map[string]any)
	if len(groups) != 8 {
		t.Errorf("groups has %d dimensions, want 8", len(groups))
	}
	for dim, gs := range groups {
		finished := 0.0
		for g, v := range gs.(map[string]any) {
			m := v.(map[string]any)
			for _, k := range []string{"finished", "recovered", "reliably_recovered", "recovery_rate", "recovery_rate_ci", "reliable_recovery_rate", "reliable_recovery_rate_ci"} {
				if _, ok := m[k]; !ok {
					t.Errorf("%s %s lacks %s", dim, g, k)
				}
			}
			finished += m["finished"].(float64)
		}
		if finished != 2 {
			t.Errorf("%s: groups add up to %v finished, want 2", dim, finished)
		}
	}
	// The same numbers as the store's sections.
	f := caseload.ReportFilter{From: "2026-02-01", To: "2026-02-28", Teams: e.supervisor.Teams}
	sec, err := e.store.ReportSections(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if waits["assessment_under_29"] != float64(sec.Waits.AssessmentUnder29) || waits["second_treatment_over_90"] != float64(sec.Waits.SecondTreatmentOver90) {
		t.Errorf("waits %v, store %+v", waits, sec.Waits)
	}
	// Data quality: the page's table's counts, each named, the store's; both
	// February courses finished and ended.
	quality, _ := body["data_quality"].(map[string]any)
	dq := sec.DataQuality
	wantQuality := map[string]int{"finished": dq.Finished, "adsm_expected": dq.ADSMExpected, "adsm_paired": dq.ADSMPaired,
		"one_or_no_anxiety": dq.OneOrNoAnxiety, "wsas_complete": dq.WSASComplete,
		"ended": dq.Ended, "failing_validation": dq.FailingValidation, "dataset_problems": dq.DatasetProblems}
	if len(quality) != len(wantQuality) {
		t.Errorf("data_quality = %v, want the %d fields %v", quality, len(wantQuality), wantQuality)
	}
	for k, want := range wantQuality {
		if quality[k] != float64(want) {
			t.Errorf("data_quality.%s = %v, want %d (the store's)", k, quality[k], want)
		}
	}
	if dq.Finished != 2 || dq.Ended != 2 {
		t.Errorf("store's data quality %+v, want 2 finished and 2 ended", dq)
	}
}

// Each section's CSV adds up to its table on the page, column by row; the
// groups' CSV to each group's finished courses; small numbers say so in
// words; England is compared by rates, never counts.
func TestReportSectionsCSVAddUp(t *testing.T) {
	e := newSupervisionEnv(t)
	for _, u := range []caseload.User{e.supervisor, e.admin, e.therapist} {
		b := e.signedIn(u)
		q := "period=custom&from=2026-01-01&to=2026-03-16"
		p := b.get("/reports/outcomes?" + q)
		if p.Status != 200 {
			t.Fatalf("%s report page: %d", u.Role, p.Status)
		}
		page := map[string]int{}
		rowRe, totalRe := regexp.MustCompile(`data-row="([a-z_0-9]+)"`), regexp.MustCompile(`data-total="(\d+)"`)
		for _, tr := range strings.Split(p.Body, "<tr") {
			r, n := rowRe.FindStringSubmatch(tr), totalRe.FindStringSubmatch(tr)
			if r != nil && n != nil {
				page[r[1]], _ = strconv.Atoi(n[1])
			}
		}
		if len(page) < 20 {
			t.Fatalf("%s: %d section rows on the page: %v", u.Role, len(page), page)
		}
		if _, ok := page["failing_validation"]; !ok {
			t.Errorf("%s: no count of records failing the data set's validation on the page", u.Role)
		}
		if !strings.Contains(p.Body, `class="app-small-n"`) || !strings.Contains(p.Body, smallNumbersWords) {
			t.Errorf("%s: rates from 2 cases are not marked as small numbers", u.Role)
		}
		for _, count := range []string{thousands(measures.National2425.Finished), thousands(measures.National2425.Received)} {
			if strings.Contains(p.Body, count) {
				t.Errorf("%s: the page shows England's count %s beside the service's", u.Role, count)
			}
		}
		sums := map[string]int{}
		for section := range sectionCSVs {
			c := b.get("/reports/sections.csv?section=" + section + "&" + q)
			if c.Status != 200 || !strings.HasPrefix(c.Header.Get("Content-Type"), "text/csv") {
				t.Fatalf("%s %s CSV: %d", u.Role, section, c.Status)
			}
			lines := strings.Split(strings.TrimSpace(c.Body), "\n")
			cols := strings.Split(strings.TrimSpace(lines[0]), ",")
			for _, l := range lines[1:] {
				for i, v := range strings.Split(strings.TrimSpace(l), ",") {
					if n, err := strconv.Atoi(v); err == nil && i < len(cols) && !strings.HasSuffix(cols[i], "days") && cols[i] != "referral_id" {
						sums[cols[i]] += n
					}
				}
			}
			if section == "groups" {
				addGroupSums(t, c.Body, sums)
			}
			if strings.Contains(c.Body, "Pat Declining") || strings.Contains(c.Body, "Fay Finished") {
				t.Errorf("%s: the %s CSV names a patient", u.Role, section)
			}
		}
		for row, n := range page {
			if sums[row] != n {
				t.Errorf("%s: CSV column %s adds up to %d, the page says %d", u.Role, row, sums[row], n)
			}
		}
		// Each group's finished courses on the page are its rows in the
		// groups CSV.
		groupsOnPage := 0
		for _, table := range strings.Split(p.Body, `data-dimension="`)[1:] {
			dim := table[:strings.Index(table, `"`)]
			for _, tr := range strings.Split(table[:strings.Index(table, "</table>")], "<tr")[1:] {
				g := regexp.MustCompile(`data-group="([a-z_0-9]+)"[\s\S]*?data-finished="(\d+)"`).FindStringSubmatch(tr)
				if g == nil {
					continue
				}
				n, _ := strconv.Atoi(g[2])
				if key := dim + "/" + g[1]; sums[key] != n {
					t.Errorf("%s: %s has %d finished on the page, %d in the CSV", u.Role, key, n, sums[key])
				}
				groupsOnPage++
			}
		}
		if groupsOnPage < 40 {
			t.Errorf("%s: %d groups on the page", u.Role, groupsOnPage)
		}
	}
	// An administrator's whole-service month is a data set submission: the
	// records failing its validation are on its data set page, linked.
	if p := e.signedIn(e.admin).get("/reports/outcomes?period=month&date=2026-02-10"); p.Status != 200 || !strings.Contains(p.Body, `href="/admin/dataset?month=2026-02"`) {
		t.Errorf("admin's month: no link to the records failing validation (%d)", p.Status)
	}
	b := e.signedIn(e.supervisor)
	if p := b.get("/reports/outcomes?period=month&date=2026-02-10"); p.Status != 200 || !strings.Contains(p.Body, "checked month by month") {
		t.Errorf("supervisor's month: no word on where validation is checked (%d)", p.Status)
	}
	if p := b.get("/reports/sections.csv?section=colour&period=custom&from=2026-01-01&to=2026-03-16"); p.Status != 400 {
		t.Errorf("unknown section: %d, want 400", p.Status)
	}
	if p := b.get("/reports/sections.csv?section=waits&period=custom&from=2026-01-01&to=2026-03-16&team=" + strconv.FormatInt(e.south.TeamID, 10)); p.Status != 403 {
		t.Errorf("supervisor's sections CSV of another team: %d, want 403", p.Status)
	}
}

// Gaps between groups are named in words, only among groups of 10 or more.
func TestGapWords(t *testing.T) {
	row := func(key, label string, k, n int) groupRow {
		return groupRow{Key: key, Label: label, Recovery: newRateCell(k, n)}
	}
	rate := func(r groupRow) rateCell { return r.Recovery }
	got := gapWords("ethnic_group", "Recovery", []groupRow{row("white", "White", 59, 100), row("black", "Black", 38, 100), row("asian", "Asian", 1, 9), row("not_stated", "Not stated or known", 0, 50)}, rate)
	want := "Recovery was 21 points lower for Black patients (38.0%) than for White patients (59.0%); their 95% intervals do not overlap."
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	got = gapWords("age_band", "Recovery", []groupRow{row("18_25", "18–25", 5, 10), row("26_35", "26–35", 6, 10)}, rate)
	if !strings.Contains(got, "10 points lower for patients aged 18–25 (50.0%)") || !strings.Contains(got, "may be chance") {
		t.Errorf("got %q", got)
	}
	if got := gapWords("ethnic_group", "Recovery", []groupRow{row("white", "White", 5, 10), row("black", "Black", 9, 9)}, rate); !strings.Contains(got, "too few cases") {
		t.Errorf("one group of 10 or more: %q", got)
	}
	// A rate from fewer than 10 cases is small; 10 is not.
	if c := newRateCell(9, 9); !c.Small || c.Rate != "100.0%" || math.Abs(c.Low-0.7008) > 0.0001 {
		t.Errorf("9 of 9: %+v", c)
	}
	if c := newRateCell(5, 10); c.Small {
		t.Errorf("5 of 10 marked small")
	}
	if c := newRateCell(0, 0); c.Small || c.Rate != "–" || c.CI != "" {
		t.Errorf("0 of 0: %+v", c)
	}
}

// addGroupSums adds each group's finished courses in the groups CSV into
// sums, keyed "dimension/group".
func addGroupSums(t *testing.T, body string, sums map[string]int) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(body), "\n")
	cols := strings.Split(strings.TrimSpace(lines[0]), ",")
	finished := slices.Index(cols, "finished")
	for _, l := range lines[1:] {
		vals := strings.Split(strings.TrimSpace(l), ",")
		if vals[finished] != "1" {
			continue
		}
		for _, d := range dataset.Dimensions() {
			sums[d.Key+"/"+vals[slices.Index(cols, d.Key)]]++
		}
	}
}
