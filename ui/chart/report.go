package chart

import (
	"encoding/json"
	"fmt"
	"html/template"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"clinic/internal/caseload"
)

// Report is one chart of the outcome report: the option JSON that
// static/charts.js starts, and a caption saying what it shows. The figures
// are also in a table beside it, for people who cannot see the canvas.
type Report struct {
	ID      string
	Caption string
	Option  template.JS
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

func marshalChart(id string, c interface{ JSON() map[string]interface{} }) (template.JS, error) {
	b, err := json.Marshal(c.JSON())
	if err != nil {
		return "", fmt.Errorf("chart %s: %w", id, err)
	}
	// json.Marshal escapes <, > and &, so the option cannot close the
	// <script type="application/json"> block it is written into.
	return template.JS(b), nil // #nosec G203 -- JSON from json.Marshal, escaped as above
}

// Trend draws the month-by-month rates. Each series has its own line
// style and symbol as well as colour, and the legend names them.
func Trend(months []caseload.MonthFigures) (Report, error) {
	rc := Report{ID: "chart-trend", Caption: "Recovery, reliable improvement, reliable recovery and reliable deterioration rates by the month referrals ended; the table below gives the same figures."}
	if len(months) == 0 {
		return rc, nil
	}
	labels := make([]string, len(months))
	series := []struct {
		name, symbol, dash string
		rate               func(caseload.MonthFigures) *float64
	}{
		{"Recovery", "circle", "solid", func(m caseload.MonthFigures) *float64 { return m.Rates.RecoveryRate }},
		{"Reliable improvement", "triangle", "dashed", func(m caseload.MonthFigures) *float64 { return m.Rates.ReliableImprovementRate }},
		{"Reliable recovery", "rect", "dotted", func(m caseload.MonthFigures) *float64 { return m.Rates.ReliableRecoveryRate }},
		{"Reliable deterioration", "diamond", "solid", func(m caseload.MonthFigures) *float64 { return m.Rates.DeteriorationRate }},
	}
	line := charts.NewLine()
	line.SetGlobalOptions(append(reportChartOpts(rc.ID), charts.WithXAxisOpts(opts.XAxis{Type: "category", Name: "Month ended"}))...)
	for i, m := range months {
		labels[i] = m.Month
	}
	line.SetXAxis(labels)
	for _, s := range series {
		data := make([]opts.LineData, len(months))
		for i, m := range months {
			data[i] = opts.LineData{Value: ratePoint(s.rate(m)), Name: m.Month}
		}
		line.AddSeries(s.name, data,
			charts.WithLineChartOpts(opts.LineChart{Symbol: s.symbol, ShowSymbol: opts.Bool(true), ConnectNulls: opts.Bool(false)}),
			charts.WithLineStyleOpts(opts.LineStyle{Type: s.dash, Width: 2}))
	}
	line.Validate()
	var err error
	rc.Option, err = marshalChart(rc.ID, line)
	return rc, err
}

// Therapists compares therapists' recovery and reliable improvement
// rates for the period; each bar carries its value as a label, so the two
// series are told apart by order and legend as well as colour.
func Therapists(ts []caseload.TherapistFigures) (Report, error) {
	rc := Report{ID: "chart-therapists", Caption: "Recovery and reliable improvement rates by therapist for the period; the table below gives the same figures with the number of finished courses each rate is drawn from."}
	if len(ts) == 0 {
		return rc, nil
	}
	names := make([]string, len(ts))
	rec, imp := make([]opts.BarData, len(ts)), make([]opts.BarData, len(ts))
	for i, t := range ts {
		names[i] = t.TherapistName
		rec[i] = opts.BarData{Value: ratePoint(t.Rates.RecoveryRate), Name: t.TherapistName}
		imp[i] = opts.BarData{Value: ratePoint(t.Rates.ReliableImprovementRate), Name: t.TherapistName}
	}
	bar := charts.NewBar()
	// Room under the axis for therapists' names, set at a slant.
	bar.SetGlobalOptions(append(reportChartOpts(rc.ID),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Rotate: 30, Interval: "0"}}),
		charts.WithGridOpts(opts.Grid{Left: "48", Right: "24", Top: "56", Bottom: "120", ContainLabel: opts.Bool(true)}))...)
	bar.SetXAxis(names).
		AddSeries("Recovery", rec, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "top"})).
		AddSeries("Reliable improvement", imp, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "top"}))
	bar.Validate()
	var err error
	rc.Option, err = marshalChart(rc.ID, bar)
	return rc, err
}
