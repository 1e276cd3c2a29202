package main

import (
	"strings"
	"testing"
)

// TestSupervisionJourney (issue 4): the demo service's supervisor opens the
// weekly review, records a review of the first case by keyboard, and reads
// the outcome report; every page passes the accessibility check and the
// report's charts start.
func TestSupervisionJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser journeys")
	}
	chromiumPath(t)
	a := startApp(t, "--demo")
	sup, ok := a.Accounts["supervisor"]
	if !ok {
		t.Fatalf("demo printed no supervisor sign-in: %v", a.All)
	}
	j := newJourney(t, a)
	j.signIn(sup.Email, sup.Password)
	j.followLink(`a[href="/review"]`)
	j.check("weekly-review")
	if n := strings.Count(j.text("main"), "Record a review"); n == 0 {
		t.Fatalf("the demo's weekly review lists no case:\n%s", trim(j.text("main"), 600))
	}

	j.followLink(`a[href$="/reviews/new?next=/review"]`)
	j.check("review-new")
	j.press(`input[name="decision"][value="continue"]`, " ")
	j.typeInto("note", "Discussed in supervision; continue for two sessions.")
	j.submitWith(`form[action$="/reviews"] button[type="submit"]`)
	if p := j.path(); p != "/review" {
		t.Fatalf("after recording a review: at %s, want /review", p)
	}
	if !strings.Contains(j.text("main"), "Reviewed, nothing new since") && !strings.Contains(j.text("main"), "Last reviewed") {
		t.Errorf("the weekly review does not show the review just recorded")
	}

	j.followLink(`a[href="/reports/outcomes"]`)
	j.check("outcome-report")
	waitCharts(t, j.ctx)
	if !strings.Contains(j.text("main"), "nhs-tt-") {
		t.Error("the report does not print its rule set")
	}

	// A year's report: the funnel plots' points, read back from the ECharts
	// instances, are the counts in the tables beside them, and add up to
	// the report's own reliable recovery figure (a separate query).
	j.press(`input[name="period"][value="year"]`, " ")
	j.submitWith(`form.app-filter button[type="submit"]`)
	j.check("outcome-report-year")
	waitCharts(t, j.ctx)
	checkFunnels(t, j)
}

// funnelState is a funnel plot as ECharts holds it.
type funnelState struct {
	ID     string  `json:"id"`
	Series string  `json:"series"`
	Mean   float64 `json:"mean"`
	Limits int     `json:"limits"` // limit curves drawn
	Points []struct {
		Name string  `json:"name"`
		N    int     `json:"n"`
		Rate float64 `json:"rate"`
		X    int     `json:"x"`
	} `json:"points"`
	Table []struct {
		Name string `json:"name"`
		N    int    `json:"n"`
		X    int    `json:"x"`
	} `json:"table"`
}

func checkFunnels(t *testing.T, j *journey) {
	t.Helper()
	funnels, err := eval[[]funnelState](j.ctx, `Array.from(document.querySelectorAll('.app-chart[id^="chart-funnel-"]')).map(el => {
		const o = echarts.getInstanceByDom(el).getOption(), s = o.series[0];
		return {id: el.id, series: s.name, mean: Number(s.markLine.data[0].yAxis),
			limits: o.series.filter(x => x.type === 'line' && /limits$/.test(x.name)).length,
			points: s.data.map(d => ({name: d.name, n: d.value[0], rate: d.value[1], x: d.value[2]})),
			table: Array.from(document.querySelectorAll('table[data-funnel="' + el.id + '"] tbody tr')).map(r => ({name: r.querySelector('th').textContent.trim(), n: Number(r.dataset.n), x: Number(r.dataset.x)}))};
	})`)
	if err != nil {
		t.Fatal(err)
	}
	// The demo's supervisor has one team: a plot by team would compare
	// nothing, and is left out (TestReportFunnels draws one of two teams).
	if len(funnels) != 1 || funnels[0].ID != "chart-funnel-therapists" {
		t.Fatalf("funnel plots on a year's report: %s, want the therapists'", mustJSON(funnels))
	}
	headline, err := eval[[2]int](j.ctx, `(() => { const td = document.querySelector('tr[data-line="reliably_recovered"] td[data-count]'); return [Number(td.dataset.count), Number(td.querySelector('.app-muted').textContent.replace(/[^0-9]/g, ''))]; })()`)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range funnels {
		if f.Limits != 4 {
			t.Errorf("%s: %d limit curves, want 95%% and 99.8%%, upper and lower", f.ID, f.Limits)
		}
		rows := map[string][2]int{}
		x, n := 0, 0
		for _, r := range f.Table {
			rows[r.Name] = [2]int{r.X, r.N}
			x, n = x+r.X, n+r.N
		}
		if x != headline[0] || n != headline[1] {
			t.Errorf("%s: the table adds up to %d of %d, the report says %d of %d", f.ID, x, n, headline[0], headline[1])
		}
		if len(f.Points) < 2 {
			t.Errorf("%s: %d points drawn, want the demo's therapists or teams", f.ID, len(f.Points))
		}
		for _, p := range f.Points {
			name, _, _ := strings.Cut(p.Name, ": ")
			r, ok := rows[name]
			if !ok || r != [2]int{p.X, p.N} {
				t.Errorf("%s: point %q at %d of %d, the table has %v", f.ID, p.Name, p.X, p.N, r)
			}
		}
		if n > 0 {
			if mean := float64(int(float64(x)/float64(n)*1000+0.5)) / 10; f.Mean != mean {
				t.Errorf("%s: mean line at %v, want %v (%d of %d)", f.ID, f.Mean, mean, x, n)
			}
		}
	}
}
