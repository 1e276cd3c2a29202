package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// Report is one chart of the outcome report: the option JSON that
// static/charts.js starts, and a caption saying what it shows. The figures
// are also in a table beside it, for people who cannot see the canvas.
type Report struct {
	ID      string
	Caption string
	Option  template.JS
	Height  int // the chart's height in pixels, when not the usual 320
}

// ratePoint is a rate in percent for a chart, or "-" (ECharts' empty value)
// when its denominator is 0.
func ratePoint(r *float64) any {
	if r == nil {
		return "-"
	}
	return float64(int(*r*1000+0.5)) / 10
}

func reportChartOpts(id string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{AssetsHost: echartsHost, ChartID: id}),
		charts.WithAnimation(false),
		charts.WithTitleOpts(opts.Title{Show: opts.Bool(false)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "%", Min: 0, Max: 100}),
		charts.WithGridOpts(opts.Grid{Left: "48", Right: "24", Top: "56", Bottom: "64"}),
	}
}

// FewCases is the number of finished courses below which a rate is shown
// as uncertain ("fewer than 10: interpret with care"; issue 13).
const FewCases = 10

// FewCasesNote is what the hollow points of a report chart mean.
const FewCasesNote = "Hollow: fewer than 10 finished, interpret with care"

// trendSeries are the trend's rates: each has its own line style and
// symbol as well as colour, the legend names them, and a month's hollow
// symbol marks a rate from fewer than FewCases finished courses.
var trendSeries = []struct {
	name, symbol, dash, color string
	count                     func(measures.Rates) (x, n int)
}{
	{"Recovery", "circle", "solid", "#005eb8", func(r measures.Rates) (int, int) { return r.Recovered, r.Finished - r.NotAtCaseness }},
	{"Reliable improvement", "triangle", "dashed", "#007f3b", func(r measures.Rates) (int, int) { return r.ReliablyImproved, r.Finished }},
	{"Reliable recovery", "rect", "dotted", "#330072", func(r measures.Rates) (int, int) { return r.ReliablyRecovered, r.Finished - r.NotAtCaseness }},
	{"Reliable deterioration", "diamond", "solid", "#d5281b", func(r measures.Rates) (int, int) { return r.Deteriorated, r.Finished }},
}

// Trend draws the month-by-month rates on a time axis, each month placed at
// its first day, with the 50% recovery target as a labelled line. A month's
// tooltip gives the rate, its count and its 95% Wilson interval; a month
// with fewer than FewCases finished courses has hollow points (and a legend
// entry saying so), so that 100% of 2 does not read like a real swing.
func Trend(months []caseload.MonthFigures) (Report, error) {
	rc := Report{ID: "chart-trend", Caption: "Recovery, reliable improvement, reliable recovery and reliable deterioration rates by the month referrals ended, with the national recovery target of 50% as a dashed line. The shaded band is the 95% interval of each month's reliable recovery rate: the wider it is, the less a month's rate says. Hollow points are months with fewer than 10 finished courses: interpret them with care. The table below gives the same figures."}
	if len(months) == 0 {
		return rc, nil
	}
	line := charts.NewLine()
	line.SetGlobalOptions(append(reportChartOpts(rc.ID),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "time", Name: "Month ended", NameLocation: "middle", NameGap: 32, SplitNumber: 6}))...)
	for si, s := range trendSeries {
		data := make([]opts.LineData, len(months))
		for i, m := range months {
			data[i] = trendPoint(s.name, s.symbol, m, s.count)
		}
		var extra []charts.SeriesOpts
		if si == 0 {
			extra = append(extra,
				charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: "Recovery target 50%", YAxis: measures.RecoveryTarget * 100}),
				charts.WithMarkLineStyleOpts(opts.MarkLineStyle{
					Symbol:    []string{"none", "none"},
					LineStyle: &opts.LineStyle{Type: "dashed", Color: "#425563", Width: 2},
					Label:     &opts.Label{Show: opts.Bool(true), Position: "insideEndTop", Formatter: "Recovery target 50%", Color: "#212b32"},
				}))
		}
		line.AddSeries(s.name, data, append(extra,
			charts.WithLineChartOpts(opts.LineChart{Symbol: s.symbol, ShowSymbol: opts.Bool(true), ConnectNulls: opts.Bool(false)}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: s.color}),
			charts.WithLineStyleOpts(opts.LineStyle{Type: s.dash, Width: 2, Color: s.color}))...)
	}
	line.Validate()
	opt, err := optionMap(line)
	if err != nil {
		return rc, fmt.Errorf("chart %s: %w", rc.ID, err)
	}
	x := axisAt(opt, "xAxis")
	x["axisLabel"] = map[string]any{"hideOverlap": true, "formatter": map[string]any{"year": "{MMM} {yyyy}", "month": "{MMM}", "day": "{d} {MMM}"}}
	// Half a month either side, so that the first and last months are not
	// drawn on the axes.
	first, _ := time.Parse("2006-01", months[0].Month)
	last, _ := time.Parse("2006-01", months[len(months)-1].Month)
	x["min"], x["max"] = first.AddDate(0, 0, -15).Format("2006-01-02"), last.AddDate(0, 0, 15).Format("2006-01-02")
	axisAt(opt, "yAxis")["axisLabel"] = map[string]any{"hideOverlap": true}
	// Room above for the legend, which wraps to three lines on a phone.
	opt["grid"] = []any{map[string]any{"left": 48, "right": 24, "top": 112, "bottom": 64}}
	series, _ := opt["series"].([]any)
	for i := range series {
		seriesAt(opt, i)["tooltip"] = map[string]any{"formatter": "{a}<br>{b}"}
	}
	// A series with no data: only its legend entry, saying what hollow
	// points are.
	series = append(series, map[string]any{"type": "scatter", "name": FewCasesNote, "data": []any{},
		"symbol": "emptyCircle", "itemStyle": map[string]any{"color": "#4c6272"}})
	opt["series"] = append(series, intervalBand(months)...)
	rc.Option, err = marshalOption(rc.ID, opt)
	return rc, err
}

// IntervalName names the trend's shaded band in its legend.
const IntervalName = "Reliable recovery: 95% interval"

// intervalBand shades each month's 95% Wilson interval of the reliable
// recovery rate, NHS England's headline measure: two series stacked by
// month, the interval's low end (not drawn) and its width (shaded), so that
// 100% of 2 shows as anything from 34% to 100%.
func intervalBand(months []caseload.MonthFigures) []any {
	lows, widths := make([]any, len(months)), make([]any, len(months))
	for i, m := range months {
		day := m.Month + "-01"
		lows[i], widths[i] = []any{day, "-"}, []any{day, "-"}
		x, n := trendSeries[2].count(m.Rates)
		if n == 0 {
			continue
		}
		lo, hi := wilson95(x, n)
		// The width is of the rounded ends, so the band tops out at the
		// upper bound the tooltip gives.
		lows[i], widths[i] = []any{day, round1(lo * 100)}, []any{day, round1(round1(hi*100) - round1(lo*100))}
	}
	hidden := map[string]any{"opacity": 0}
	return []any{
		map[string]any{"type": "line", "name": IntervalName, "data": lows, "stack": "interval", "symbol": "none",
			"lineStyle": hidden, "silent": true, "tooltip": map[string]any{"show": false}, "itemStyle": map[string]any{"color": "#d6d0e3"}, "legendIcon": "rect", "z": 1},
		map[string]any{"type": "line", "name": IntervalName, "data": widths, "stack": "interval", "symbol": "none",
			"lineStyle": hidden, "silent": true, "tooltip": map[string]any{"show": false}, "z": 1,
			"itemStyle": map[string]any{"color": "#d6d0e3"}, "legendIcon": "rect", "areaStyle": map[string]any{"color": "rgba(51, 0, 114, 0.12)"}},
	}
}

// trendPoint is one month's rate of a trend series, at the month's first
// day: its tooltip names the month, the rate, its count and 95% interval,
// and a month of fewer than FewCases finished courses is hollow.
func trendPoint(name, symbol string, m caseload.MonthFigures, count func(measures.Rates) (int, int)) opts.LineData {
	t, _ := time.Parse("2006-01", m.Month)
	month := t.Format("Jan 2006")
	x, n := count(m.Rates)
	if n == 0 {
		return opts.LineData{Value: []any{m.Month + "-01", "-"}, Name: month + ": no finished courses"}
	}
	r := float64(x) / float64(n)
	lo, hi := wilson95(x, n)
	words := fmt.Sprintf("%s: %.1f%% (%d of %d; 95%% interval %.1f–%.1f%%)", month, r*100, x, n, lo*100, hi*100)
	d := opts.LineData{Value: []any{m.Month + "-01", round1(r * 100)}, Name: words}
	if m.Rates.Finished < FewCases {
		d.Name += "; fewer than 10 finished: interpret with care"
		d.Symbol = "empty" + strings.ToUpper(symbol[:1]) + symbol[1:]
		d.SymbolSize = 10
	}
	return d
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// wilson95 is measures.Wilson as two numbers for the trend's tooltips and
// band; with no cases the interval is all of 0 to 1.
func wilson95(x, n int) (low, high float64) {
	iv, ok := measures.Wilson(x, n)
	if !ok {
		return 0, 1
	}
	return iv.Low, iv.High
}

// Therapists compares therapists' recovery and reliable improvement
// rates for the period as horizontal bars, names down the side (they fit
// a phone, where slanted names under the bars ran into each other); each
// bar carries its value as a label, so the two series are told apart by
// order and legend as well as colour. A therapist with fewer than FewCases
// finished courses has pale bars whose labels say how many.
func Therapists(ts []caseload.TherapistFigures) (Report, error) {
	rc := Report{ID: "chart-therapists", Caption: "Recovery and reliable improvement rates by therapist for the period. Pale bars are therapists with fewer than 10 finished courses: interpret with care; the funnel plot below shows whether a rate differs from the service by more than chance. The table below gives the same figures with the number of finished courses each rate is drawn from."}
	if len(ts) == 0 {
		return rc, nil
	}
	// Room for each therapist's two bars, their labels and a wrapped name.
	rc.Height = max(320, 96+52*len(ts))
	names := make([]string, len(ts))
	rec, imp := make([]opts.BarData, len(ts)), make([]opts.BarData, len(ts))
	for i, t := range ts {
		names[i] = t.TherapistName
		rec[i] = opts.BarData{Value: ratePoint(t.Rates.RecoveryRate), Name: t.TherapistName}
		imp[i] = opts.BarData{Value: ratePoint(t.Rates.ReliableImprovementRate), Name: t.TherapistName}
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(reportChartOpts(rc.ID)...)
	bar.AddSeries("Recovery", rec).AddSeries("Reliable improvement", imp)
	bar.Validate()
	opt, err := optionMap(bar)
	if err != nil {
		return rc, fmt.Errorf("chart %s: %w", rc.ID, err)
	}
	// go-echarts puts categories on the x axis: the axes are set here. The
	// names wrap within a fixed margin (ECharts' containLabel does not
	// measure wrapped labels), and the right margin leaves room for a full
	// bar's label.
	opt["xAxis"] = []any{map[string]any{"type": "value", "min": 0, "max": 100,
		"axisLabel": map[string]any{"hideOverlap": true, "formatter": "{value}%"}}}
	opt["yAxis"] = []any{map[string]any{"type": "category", "inverse": true, "data": names,
		"axisLabel": map[string]any{"interval": 0, "width": 104, "overflow": "break", "lineHeight": 14, "hideOverlap": true}}}
	opt["grid"] = []any{map[string]any{"left": 116, "right": 64, "top": 40, "bottom": 24}}
	// NHS blue and green as on the trend; a pale bar keeps a solid outline,
	// and its label stays full strength.
	colours := [][2]string{{"#005eb8", "rgba(0, 94, 184, 0.3)"}, {"#007f3b", "rgba(0, 127, 59, 0.3)"}}
	for si, c := range colours {
		s := seriesAt(opt, si)
		s["itemStyle"] = map[string]any{"color": c[0]}
		s["label"] = map[string]any{"show": true, "position": "right", "formatter": "{c}%", "color": "#212b32"}
		s["labelLayout"] = map[string]any{"hideOverlap": true}
		data, _ := s["data"].([]any)
		for i, t := range ts {
			if t.Rates.Finished >= FewCases || i >= len(data) {
				continue
			}
			if d, ok := data[i].(map[string]any); ok {
				d["itemStyle"] = map[string]any{"color": c[1], "borderColor": c[0], "borderWidth": 1}
				d["label"] = map[string]any{"formatter": fmt.Sprintf("{c}%% (%d)", t.Rates.Finished)}
			}
		}
	}
	rc.Option, err = marshalOption(rc.ID, opt)
	return rc, err
}
