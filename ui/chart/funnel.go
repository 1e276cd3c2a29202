package chart

import (
	"fmt"
	"html/template"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"clinic/internal/measures"
)

// A funnel plot (issue 13; Spiegelhalter 2005, "Funnel plots for comparing
// institutional performance") shows each therapist's or team's reliable
// recovery rate against the number of courses it is drawn from, around the
// service's mean with 95% and 99.8% control limits (measures.FunnelLimits):
// a point outside the funnel differs from the service by more than chance
// would explain, and 100% of 2 sits well inside it.

// FunnelPoint is one therapist or team on a funnel plot: X of N reliably
// recovered, N being the rate's denominator (finished courses at caseness
// at the start).
type FunnelPoint struct {
	Name     string
	X, N     int
	Rate     string // X/N as a percentage, "–" when N is 0
	Position measures.FunnelPosition
}

// Funnel is a funnel plot with the same points as a table, for people who
// cannot see the chart.
type Funnel struct {
	Report
	Of     string // "therapist" or "team"
	Mean   string // the service mean, formatted
	Points []FunnelPoint
}

// funnelSymbols tell the positions apart; each also has its own symbol and
// the table says it in words.
var funnelSymbols = map[measures.FunnelPosition][2]string{
	measures.FunnelWithin:   {"circle", "#005eb8"},
	measures.FunnelAbove95:  {"triangle", "#007f3b"},
	measures.FunnelAbove998: {"triangle", "#00401e"},
	measures.FunnelBelow95:  {"diamond", "#d5281b"},
	measures.FunnelBelow998: {"diamond", "#8a1538"},
}

// NewFunnel draws the reliable recovery rates of pts (therapists or teams,
// as of says) around their own mean: the service's, since the points
// together are the report's scope. Points with no denominator are listed in
// the table but not drawn.
func NewFunnel(id, of string, pts []FunnelPoint) (Funnel, error) {
	f := Funnel{Report: Report{ID: id}, Of: of}
	x, n, maxN := 0, 0, 0
	for _, p := range pts {
		x, n, maxN = x+p.X, n+p.N, max(maxN, p.N)
	}
	if n == 0 {
		f.Caption = fmt.Sprintf("No %s has a finished course at caseness at the start in the period: there is nothing to plot.", of)
		f.Points = pts
		return f, nil
	}
	mean := float64(x) / float64(n)
	f.Mean = fmt.Sprintf("%.1f%%", mean*100)
	for i := range pts {
		pts[i].Position = measures.FunnelPositionOf(mean, pts[i].X, pts[i].N)
		pts[i].Rate = "–"
		if pts[i].N > 0 {
			pts[i].Rate = fmt.Sprintf("%.1f%%", float64(pts[i].X)/float64(pts[i].N)*100)
		}
	}
	f.Points = pts
	f.Caption = fmt.Sprintf("Funnel plot: each %s's reliable recovery rate against the number of finished courses at caseness at the start it is drawn from, around the service mean of %s (%d of %d), with 95%% (dashed) and 99.8%% (dotted) control limits. A point outside the limits differs from the service by more than chance would explain; the table below says where each %s lies.", of, f.Mean, x, n, of)
	opt, err := funnelOption(id, of, mean, maxN, pts)
	if err != nil {
		return f, err
	}
	f.Option = opt
	return f, nil
}

func funnelOption(id, of string, mean float64, maxN int, pts []FunnelPoint) (template.JS, error) {
	top := funnelAxisMax(maxN)
	scatter := charts.NewScatter()
	scatter.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{AssetsHost: echartsHost, ChartID: id}),
		charts.WithAnimation(false),
		charts.WithTitleOpts(opts.Title{Show: opts.Bool(false)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "Finished courses at caseness", NameLocation: "middle", NameGap: 28, Min: 0, Max: top}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "%", Min: 0, Max: 100}),
		charts.WithGridOpts(opts.Grid{Left: "48", Right: "24", Top: "72", Bottom: "56"}),
	)
	var data []opts.ScatterData
	for _, p := range pts {
		if p.N == 0 {
			continue
		}
		sym := funnelSymbols[p.Position]
		data = append(data, opts.ScatterData{
			Name:       fmt.Sprintf("%s: %s (%d of %d), %s", p.Name, p.Rate, p.X, p.N, p.Position),
			Value:      []any{p.N, round1(float64(p.X) / float64(p.N) * 100), p.X},
			Symbol:     sym[0],
			SymbolSize: 12,
		})
	}
	meanWords := fmt.Sprintf("Service mean %.1f%%", mean*100)
	name := "Therapists"
	if of == "team" {
		name = "Teams"
	}
	scatter.AddSeries(name, data,
		charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: meanWords, YAxis: round1(mean * 100)}),
		charts.WithMarkLineStyleOpts(opts.MarkLineStyle{
			Symbol:    []string{"none", "none"},
			LineStyle: &opts.LineStyle{Type: "solid", Color: "#212b32", Width: 1},
			Label:     &opts.Label{Show: opts.Bool(true), Position: "insideEndTop", Formatter: meanWords, Color: "#212b32"},
		}))
	scatter.Validate()
	opt, err := optionMap(scatter)
	if err != nil {
		return "", fmt.Errorf("chart %s: %w", id, err)
	}
	points := seriesAt(opt, 0)
	points["tooltip"] = map[string]any{"formatter": "{a}<br>{b}"}
	points["z"] = 4
	points["itemStyle"] = map[string]any{"color": "#005eb8", "opacity": 0.85}
	if ml, ok := points["markLine"].(map[string]any); ok {
		if l, ok := ml["label"].(map[string]any); ok {
			l["backgroundColor"], l["padding"] = "rgba(255, 255, 255, 0.85)", []int{1, 3}
		}
	}
	items, _ := points["data"].([]any)
	for i, p := range nonEmpty(pts) {
		if m, ok := items[i].(map[string]any); ok {
			m["itemStyle"] = map[string]any{"color": funnelSymbols[p.Position][1]}
		}
	}
	series, _ := opt["series"].([]any)
	for _, l := range []struct {
		name, dash string
		z          float64
	}{{"95% limits", "dashed", measures.FunnelZ95}, {"99.8% limits", "dotted", measures.FunnelZ998}} {
		lo, hi := funnelCurves(mean, top, l.z)
		for _, curve := range [][]any{lo, hi} {
			series = append(series, map[string]any{"type": "line", "name": l.name, "data": curve, "symbol": "none",
				"silent": true, "tooltip": map[string]any{"show": false},
				"lineStyle": map[string]any{"type": l.dash, "color": "#4c6272", "width": 1.5},
				"itemStyle": map[string]any{"color": "#4c6272"}})
		}
	}
	opt["series"] = series
	axisAt(opt, "xAxis")["axisLabel"] = map[string]any{"hideOverlap": true}
	axisAt(opt, "yAxis")["axisLabel"] = map[string]any{"hideOverlap": true}
	return marshalOption(id, opt)
}

func nonEmpty(pts []FunnelPoint) []FunnelPoint {
	var out []FunnelPoint
	for _, p := range pts {
		if p.N > 0 {
			out = append(out, p)
		}
	}
	return out
}

// funnelAxisMax is the x axis's end: a little past the largest n, rounded
// up to a round number.
func funnelAxisMax(maxN int) int {
	step := 5
	for _, s := range []int{10, 20, 50, 100, 200, 500, 1000} {
		if maxN > 4*s {
			step = s
		}
	}
	return (maxN*11/10/step + 1) * step
}

// funnelCurves are the lower and upper control limits, in percent, from
// n = 1 to top, at about 200 steps: smooth enough to read as curves.
func funnelCurves(mean float64, top int, z float64) (lo, hi []any) {
	step := max(1, top/200)
	for n := 1; n <= top; n += step {
		l, h := measures.FunnelLimits(mean, n, z)
		lo = append(lo, []any{n, math.Round(l*1000) / 10})
		hi = append(hi, []any{n, math.Round(h*1000) / 10})
	}
	return lo, hi
}
