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
	"strings"
	"time"

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
	Date   string // YYYY-MM-DD: where the point sits on the time axis
	Label  string // what the point's tooltip says: "3 · 5 Mar 2026: 14"
	Value  string // formatted total
	Total  float64
	When   string // the date in words, for the caption: "3 March 2026"
}

// Mark is an appointment that did not take place (did not attend,
// cancelled, or too late to be seen), marked on a progress chart's date
// axis so that a gap in the scores is explained.
type Mark struct {
	Date string // YYYY-MM-DD
	What string // "Did not attend", "Cancelled by the patient"...
	When string // the date in words: "3 March 2026"
}

// MissedName names the marks of missed and cancelled appointments in a
// chart's legend.
const MissedName = "Missed or cancelled appointment"

// View is one measure's progress chart: the option JSON that
// static/charts.js hands to ECharts, and the same data in words and a table
// for people who cannot see the chart.
type View struct {
	ID         string
	Instrument measures.Instrument
	Points     []Point
	Missed     []Mark
	Caption    string
	Threshold  string // caseness, formatted; empty when the measure has none
	Option     template.JS
}

func NewView(in measures.Instrument, pts []Point, missed []Mark) (View, error) {
	cv := View{ID: "chart-" + string(in.ID), Instrument: in, Points: pts, Missed: missed}
	if in.HasCaseness {
		cv.Threshold = in.Format(in.Caseness)
	}
	cv.Caption = chartCaption(in, pts, missed)
	if len(pts) == 0 {
		return cv, nil
	}
	opt, err := Progress(in, pts, missed, clinicianStyle(in))
	if err != nil {
		return cv, err
	}
	cv.Option = opt
	return cv, nil
}

// chartCaption says in words what the chart shows.
func chartCaption(in measures.Instrument, pts []Point, missed []Mark) string {
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
		s += fmt.Sprintf(" Scores %s the dashed line (%s) are in the clinical range; below it is the recovery zone.", casenessWords(in), in.Format(in.Caseness))
	}
	if len(missed) > 0 && len(pts) > 0 {
		s += " " + MissedWords(missed)
	}
	return s
}

// casenessWords is "at or above", or "above" for a measure whose caseness
// is strictly above its cut-off (outcomes.md: MI > 2.3).
func casenessWords(in measures.Instrument) string {
	if in.StrictCaseness {
		return "above"
	}
	return "at or above"
}

// MissedWords lists the missed and cancelled appointments a chart marks.
func MissedWords(missed []Mark) string {
	words := make([]string, len(missed))
	for i, m := range missed {
		what := m.What
		if what == "" {
			what = "Missed"
		}
		words[i] = strings.ToLower(what[:1]) + what[1:] + " on " + m.When
	}
	n := "1 missed or cancelled appointment is"
	if len(missed) != 1 {
		n = fmt.Sprintf("%d missed or cancelled appointments are", len(missed))
	}
	return fmt.Sprintf("%s marked with a triangle on the date axis: %s.", n, strings.Join(words, "; "))
}

// Style is what differs between the clinicians' charts and the
// patients' own: how the caseness line is drawn and named, the name of the
// shaded band below it, and the margins.
type Style struct {
	lineName  string
	lineType  string // "dashed", "dotted"
	lineColor string
	lineLabel string // shown above the start of the line; empty hides it
	bandName  string
	bandLabel bool // name the band on the chart
	grid      opts.Grid
	missed    string // the name of missed appointments in the legend
}

// clinicianStyle: caseness as a red dashed line labelled with its value, the
// range below it the recovery zone.
func clinicianStyle(in measures.Instrument) Style {
	op := "≥"
	if in.StrictCaseness {
		op = ">"
	}
	return Style{
		lineName: "Caseness", lineType: "dashed", lineColor: "#d5281b",
		lineLabel: "Caseness " + op + " " + in.Format(in.Caseness),
		bandName:  "Recovery zone", bandLabel: true,
		grid:   opts.Grid{Left: "40", Right: "28", Top: "24", Bottom: "36"},
		missed: MissedName,
	}
}

// PatientStyle is the patients' own charts: the cut-off as a dotted line,
// labelled in plain words from the side a patient reads it, "at or above
// this line" (a score exactly at the cut-off is in the clinical range).
func PatientStyle(in measures.Instrument) Style {
	label := "At or above this line: likely to need help"
	if in.StrictCaseness {
		label = "Above this line: likely to need help"
	}
	return Style{
		lineName: "At or above this line: in the range where symptoms are likely to need help", lineType: "dotted", lineColor: "#425563",
		lineLabel: label,
		bandName:  "Below the line",
		// No axis name: the heading names the questionnaire, and on a phone
		// the name would sit on the top of the scale.
		grid:   opts.Grid{Left: "32", Right: "28", Top: "24", Bottom: "36"},
		missed: "Missed or cancelled",
	}
}

// Both styles leave 28 px right of the plot: a date label centred on a tick
// near the axis's end ("29 Nov", about 38 px wide) must not run off the
// chart.

// dayMillis is one day, ECharts' smallest step on a progress chart's time
// axis: a contact has a date, not a time.
const dayMillis = 24 * 60 * 60 * 1000

// timeAxisLabel is a time axis's labels: UK dates ("5 Mar", months as
// "Mar", years as "2026"), and any label that would overlap another hidden,
// so that a phone's narrow chart stays readable.
func timeAxisLabel() map[string]any {
	return map[string]any{
		"hideOverlap": true,
		// The axis runs a little past the first and last dates: labels at
		// its ends would name no contact and crowd the y axis's labels.
		"showMinLabel": false, "showMaxLabel": false,
		// Far enough below the axis that a date near the start clears the
		// y axis's "0".
		"margin":    14,
		"formatter": map[string]any{"year": "{yyyy}", "month": "{MMM}", "day": "{d} {MMM}", "hour": "{d} {MMM}"},
	}
}

// Progress builds the ECharts option of a measure's totals placed by date
// on a time axis (a five-week gap looks like five weeks), with missed and
// cancelled appointments marked on the axis, and returns it as JSON. The y
// axis always spans the instrument's whole range so that charts are
// comparable; caseness is a line and the range below it is shaded.
func Progress(in measures.Instrument, pts []Point, missed []Mark, st Style) (template.JS, error) {
	data := make([]opts.LineData, len(pts))
	for i, p := range pts {
		data[i] = opts.LineData{Value: []any{p.Date, p.Total}, Name: p.Label}
	}
	line := charts.NewLine()
	line.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{AssetsHost: echartsHost, ChartID: "chart-" + string(in.ID)}),
		charts.WithAnimation(false),
		charts.WithTitleOpts(opts.Title{Show: opts.Bool(false)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "time", SplitNumber: 3}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Min: in.Min, Max: in.Max}),
		charts.WithGridOpts(st.grid),
	)
	var series []charts.SeriesOpts
	if in.HasCaseness {
		label := &opts.Label{Show: opts.Bool(false)}
		if st.lineLabel != "" {
			label = &opts.Label{Show: opts.Bool(true), Position: "insideStartTop", Formatter: st.lineLabel, Color: st.lineColor}
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
	line.AddSeries(in.Name, data, series...)
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
				Label:     &opts.Label{Show: opts.Bool(st.bandLabel), Position: "insideTopRight", Color: "#006435"},
			},
		}
	}
	line.Validate()
	opt, err := optionMap(line)
	if err != nil {
		return "", fmt.Errorf("chart %s: %w", in.ID, err)
	}
	progressAxes(opt)
	x := axisAt(opt, "xAxis")
	x["min"], x["max"] = dateSpan(pts, missed)
	scores := seriesAt(opt, 0)
	scores["tooltip"] = map[string]any{"formatter": "{a}<br>{b}"}
	scores["symbol"], scores["symbolSize"] = "circle", 8
	if ml, ok := scores["markLine"].(map[string]any); ok {
		// The line's label stays readable where the scores' line crosses it.
		if l, ok := ml["label"].(map[string]any); ok {
			l["backgroundColor"], l["padding"] = "rgba(255, 255, 255, 0.85)", []int{1, 3}
		}
	}
	if len(missed) > 0 {
		addMissed(opt, in, missed, st)
	}
	return marshalOption(string(in.ID), opt)
}

// progressAxes sets what go-echarts has no field for: the time axis's UK
// labels with overlaps hidden, steps of whole days, and on the y axis
// overlapping labels hidden and no label at the top of the range unless it
// falls on a tick (27 would crowd 25).
func progressAxes(opt map[string]any) {
	x := axisAt(opt, "xAxis")
	x["axisLabel"] = timeAxisLabel()
	x["minInterval"] = dayMillis
	y := axisAt(opt, "yAxis")
	y["axisLabel"] = map[string]any{"hideOverlap": true, "showMaxLabel": false}
}

// dateSpan is the time axis's extent: the first to the last date charted,
// widened by a twentieth of the span (at least two days) each side, so that
// no point or mark sits on the chart's edge.
func dateSpan(pts []Point, missed []Mark) (from, to string) {
	var first, last time.Time
	see := func(d string) {
		t, err := time.Parse(time.DateOnly, d)
		if err != nil {
			return
		}
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	for _, p := range pts {
		see(p.Date)
	}
	for _, m := range missed {
		see(m.Date)
	}
	pad := max(2, int(last.Sub(first).Hours()/24/20))
	return first.AddDate(0, 0, -pad).Format(time.DateOnly), last.AddDate(0, 0, pad).Format(time.DateOnly)
}

// addMissed marks missed and cancelled appointments as triangles on the
// date axis, a series of their own, named in a legend; each mark's tooltip
// says what happened and when.
func addMissed(opt map[string]any, in measures.Instrument, missed []Mark, st Style) {
	data := make([]any, len(missed))
	for i, m := range missed {
		data[i] = map[string]any{"name": m.What + ", " + m.When, "value": []any{m.Date, in.Min}}
	}
	series, _ := opt["series"].([]any)
	opt["series"] = append(series, map[string]any{
		"type": "scatter", "name": st.missed, "data": data,
		"symbol": "triangle", "symbolSize": 12, "clip": false, "z": 3,
		"itemStyle": map[string]any{"color": "#ffffff", "borderColor": "#d5281b", "borderWidth": 2},
		"tooltip":   map[string]any{"formatter": "{a}<br>{b}"},
	})
	opt["legend"] = []any{map[string]any{"show": true, "top": 0, "left": "center", "data": []any{in.Name, st.missed}}}
	grid, _ := opt["grid"].([]any)
	if len(grid) > 0 {
		if g, ok := grid[0].(map[string]any); ok {
			g["top"] = 48
		}
	}
}

// optionMap is a go-echarts chart's option as plain JSON values, for the
// settings go-echarts v2.6.7 has no field for (hideOverlap, a time axis's
// labels by level, a series' own tooltip, clip).
func optionMap(c interface{ JSON() map[string]interface{} }) (map[string]any, error) {
	b, err := json.Marshal(c.JSON())
	if err != nil {
		return nil, err
	}
	var opt map[string]any
	err = json.Unmarshal(b, &opt)
	return opt, err
}

// axisAt is the option's first x or y axis.
func axisAt(opt map[string]any, key string) map[string]any {
	switch a := opt[key].(type) {
	case []any:
		if len(a) > 0 {
			if m, ok := a[0].(map[string]any); ok {
				return m
			}
		}
	case map[string]any:
		return a
	}
	m := map[string]any{}
	opt[key] = []any{m}
	return m
}

// seriesAt is the option's i-th series.
func seriesAt(opt map[string]any, i int) map[string]any {
	series, _ := opt["series"].([]any)
	if i < len(series) {
		if m, ok := series[i].(map[string]any); ok {
			return m
		}
	}
	return map[string]any{}
}

// marshalOption writes an option as JSON for a page.
func marshalOption(id string, opt map[string]any) (template.JS, error) {
	b, err := json.Marshal(opt)
	if err != nil {
		return "", fmt.Errorf("chart %s: %w", id, err)
	}
	// json.Marshal escapes <, > and &, so the option cannot close the
	// <script type="application/json"> element it is written into.
	return template.JS(b), nil // #nosec G203 -- see above
}
