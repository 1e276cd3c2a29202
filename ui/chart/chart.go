// Package chart builds clinic's charts: the ECharts options (through
// go-echarts, which nothing else imports) of a measure's progress, for
// clinicians and patients, and of the outcome report, with captions saying
// the same in words; and the weekly review's small SVG progress lines.
// It draws what it is given; the ui package decides what a page charts.
package chart

import (
	"encoding/json"
	"fmt"
	"html/template"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"clinic/internal/measures"
)

// echartsHost is where go-echarts would load echarts.min.js from: the
// embedded copy, never a CDN (the trailing slash matters).
const echartsHost = "/static/vendor/echarts/"

// Point is one score on a chart, also listed in the chart's table
// alternative.
type Point struct {
	Number int    // the contact's number in the referral, 1-based
	Date   string // YYYY-MM-DD
	Label  string // x-axis label
	Value  string // formatted total
	Total  float64
	When   string // the date in words, for the caption: "3 March 2026"
}

// View is one measure's progress chart: the option JSON that
// static/charts.js hands to ECharts, and the same data in words and a table
// for people who cannot see the canvas.
type View struct {
	ID         string
	Instrument measures.Instrument
	Points     []Point
	Caption    string
	Threshold  string // caseness, formatted; empty when the measure has none
	Option     template.JS
}

func NewView(in measures.Instrument, pts []Point) (View, error) {
	cv := View{ID: "chart-" + string(in.ID), Instrument: in, Points: pts}
	if in.HasCaseness {
		cv.Threshold = in.Format(in.Caseness)
	}
	cv.Caption = chartCaption(in, pts)
	if len(pts) == 0 {
		return cv, nil
	}
	opt, err := chartOption(in, pts)
	if err != nil {
		return cv, err
	}
	cv.Option = opt
	return cv, nil
}

// chartCaption says in words what the chart shows.
func chartCaption(in measures.Instrument, pts []Point) string {
	var s string
	switch len(pts) {
	case 0:
		s = fmt.Sprintf("No %s scores recorded yet.", in.Name)
	case 1:
		s = fmt.Sprintf("%s: one score, %s on %s.", in.Name, pts[0].Value, pts[0].When)
	default:
		first, last := pts[0], pts[len(pts)-1]
		s = fmt.Sprintf("%s: %d scores, from %s on %s to %s on %s.", in.Name, len(pts),
			first.Value, first.When, last.Value, last.When)
	}
	if in.HasCaseness {
		op := "at or above"
		if in.StrictCaseness {
			op = "above"
		}
		s += fmt.Sprintf(" Scores %s %s are in the clinical range; below it is the recovery zone.", op, in.Format(in.Caseness))
	}
	return s
}

// Style is what differs between the clinicians' charts and the
// patients' own: how the caseness line is drawn and named, the name of the
// shaded band below it, and the margins.
type Style struct {
	lineName  string
	lineType  string // "dashed", "dotted"
	lineColor string
	lineLabel string // shown at the end of the line; empty hides it
	bandName  string
	grid      opts.Grid
	// hideMaxLabel leaves the top of the range unlabelled unless it falls
	// on a tick, so that 27 does not crowd 25.
	hideMaxLabel bool
}

// clinicianStyle: caseness as a red dashed line labelled with its value, the
// range below it the recovery zone.
func clinicianStyle(in measures.Instrument) Style {
	return Style{
		lineName: "Caseness", lineType: "dashed", lineColor: "#d5281b",
		lineLabel:    "Caseness " + in.Format(in.Caseness),
		bandName:     "Recovery zone",
		grid:         opts.Grid{Left: "40", Right: "24", Top: "24", Bottom: "32"},
		hideMaxLabel: true,
	}
}

// PatientStyle: the patients' own charts name the cut-off in plain words,
// as a dotted line with the non-clinical range below it.
func PatientStyle() Style {
	return Style{
		lineName: "Non-clinical range below", lineType: "dotted", lineColor: "#425563",
		bandName: "Non-clinical range",
		// No axis name: the heading names the questionnaire, and on a phone
		// the name would sit on the top of the scale.
		grid: opts.Grid{Left: "40", Right: "16", Top: "16", Bottom: "48"},
	}
}

// chartOption builds the ECharts option for one measure on a clinician's
// page.
func chartOption(in measures.Instrument, pts []Point) (template.JS, error) {
	labels := make([]string, len(pts))
	values := make([]float64, len(pts))
	dates := make([]string, len(pts))
	for i, p := range pts {
		labels[i], values[i], dates[i] = p.Label, p.Total, p.Date
	}
	return ThresholdLine(in, labels, values, dates, clinicianStyle(in))
}

// ThresholdLine builds, with go-echarts, the ECharts option of a
// measure's totals by session and returns it as JSON. The y axis always spans
// the instrument's whole range so that charts are comparable; caseness is a
// line and the range below it is shaded.
func ThresholdLine(in measures.Instrument, labels []string, values []float64, dates []string, st Style) (template.JS, error) {
	data := make([]opts.LineData, len(values))
	for i, v := range values {
		data[i] = opts.LineData{Value: v, Name: dates[i]}
	}
	yAxis := opts.YAxis{Type: "value", Min: in.Min, Max: in.Max}
	if st.hideMaxLabel {
		yAxis.AxisLabel = &opts.AxisLabel{ShowMaxLabel: opts.Bool(false)}
	}
	line := charts.NewLine()
	line.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{AssetsHost: echartsHost, ChartID: "chart-" + string(in.ID)}),
		charts.WithAnimation(false),
		charts.WithTitleOpts(opts.Title{Show: opts.Bool(false)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category"}),
		charts.WithYAxisOpts(yAxis),
		charts.WithGridOpts(st.grid),
	)
	var series []charts.SeriesOpts
	if in.HasCaseness {
		label := &opts.Label{Show: opts.Bool(false)}
		if st.lineLabel != "" {
			label = &opts.Label{Show: opts.Bool(true), Position: "insideEndTop", Formatter: st.lineLabel}
		}
		series = append(series,
			charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: st.lineName, YAxis: in.Caseness}),
			charts.WithMarkLineStyleOpts(opts.MarkLineStyle{
				Symbol:    []string{"none", "none"},
				LineStyle: &opts.LineStyle{Type: st.lineType, Color: st.lineColor, Width: 2},
				Label:     label,
			}),
		)
	}
	line.SetXAxis(labels).AddSeries(in.Name, data, series...)
	if in.HasCaseness {
		// go-echarts v2.6.7's mark-area helpers send "YAxis" instead of
		// "yAxis" (or shade only between data points): set the band directly.
		line.MultiSeries[0].MarkAreas = &opts.MarkAreas{
			Data: []interface{}{[]map[string]any{
				{"name": st.bandName, "yAxis": in.Min},
				{"yAxis": in.Caseness},
			}},
			MarkAreaStyle: opts.MarkAreaStyle{
				ItemStyle: &opts.ItemStyle{Color: "rgba(0, 150, 57, 0.12)"},
				Label:     &opts.Label{Show: opts.Bool(true), Position: "insideBottomRight", Color: "#006435"},
			},
		}
	}
	line.Validate()
	b, err := json.Marshal(line.JSON())
	if err != nil {
		return "", fmt.Errorf("chart %s: %w", in.ID, err)
	}
	// json.Marshal escapes <, > and &, so the option cannot close the
	// <script type="application/json"> element it is written into.
	return template.JS(b), nil // #nosec G203 -- see above
}
