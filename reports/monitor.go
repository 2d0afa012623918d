package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/evalrun/evalrun/monitor"
)

// monitorMeasures are the time series of monitor.html, in page order.
var monitorMeasures = []struct{ name, title, desc string }{
	{"share of drifted features", "Share of drifted features", "Share of the model's features whose drift test flags drift each term; the dashed line is the dataset-drift share."},
	{"expected precision", "Expected precision at the threshold", "Precision expected from the calibrated risks before outcomes exist, with its interval; the band is the model card's interval."},
	{"expected recall", "Expected recall at the threshold", "Recall expected from the calibrated risks, with its interval; the band is the model card's interval."},
	{"AUC", "Realized AUC", "AUC once outcomes are known, with its DeLong interval; the band is the model card's interval."},
	{"precision", "Realized precision at the threshold", "Precision once outcomes are known, with its Wilson interval; the band is the model card's interval."},
	{"recall", "Realized recall at the threshold", "Recall once outcomes are known, with its Wilson interval; the band is the model card's interval."},
	{"ECE", "Expected calibration error", "ECE once outcomes are known; the band runs from 0 to the card's ECE plus the tolerance."},
	{"calibration slope", "Calibration slope", "Slope of the outcome on the logit of the risk once outcomes are known; the band is 0.8 to 1.25 around the perfect 1."},
}

// MonitorHTML renders the monitoring history (oldest first) as a
// self-contained page: the latest term's status and alerts in words, a
// time series per measure with its reference band, the drift of every
// feature in the latest term, and every term's alerts.
func MonitorHTML(entries []monitor.Entry) ([]byte, error) {
	if len(entries) == 0 {
		return nil, fmt.Errorf("monitor.html: empty history")
	}
	last := entries[len(entries)-1]
	type plotView struct {
		Title, Desc string
		SVG         template.HTML
	}
	type termView struct {
		Term, Status, RecordedAt string
		Rows, Flagged            int
		Alerts                   []monitor.Alert
	}
	type gapView struct {
		Name, Now, Verdict, Card, Allowed string
	}
	type featureView struct {
		Name, Method, Score, Threshold, PSI, Drifted, Describe string
		Top                                                    bool
	}
	view := struct {
		Model, BundleID, Last, Status string
		Alerts                        []monitor.Alert
		Expected                      string
		Plots                         []plotView
		Features                      []featureView
		Gaps                          []gapView
		Terms                         []termView
	}{Model: last.Model, BundleID: last.BundleID, Last: last.Term, Status: last.Status, Alerts: last.Alerts}
	if p := last.Expected.Precision; p != nil {
		view.Expected = fmt.Sprintf("Expected precision %.3f (%.3f to %.3f)", *p, last.Expected.PrecisionRange[0], last.Expected.PrecisionRange[1])
	}
	if r := last.Expected.Recall; r != nil {
		view.Expected += fmt.Sprintf(", expected recall %.3f (%.3f to %.3f)", *r, last.Expected.RecallRange[0], last.Expected.RecallRange[1])
	}
	if view.Expected != "" {
		view.Expected += fmt.Sprintf(" at threshold %.3g, %d of %d students flagged", last.Threshold, last.Flagged, last.Rows)
		if !last.Expected.Reliable {
			view.Expected += " (unreliable this term)"
		}
		view.Expected += "."
	}
	for _, m := range monitorMeasures {
		svg, ok, err := monitorPlot(entries, m.name, m.title, m.desc)
		if err != nil {
			return nil, err
		}
		if ok {
			view.Plots = append(view.Plots, plotView{Title: m.title, Desc: m.desc, SVG: template.HTML(inlineSVG(svg))})
		}
	}
	for _, f := range last.Drift.Features {
		fv := featureView{Name: f.Name, Method: string(f.Method), Score: fmt.Sprintf("%.4g", f.Score), Threshold: fmt.Sprintf("%.3g", f.Threshold),
			PSI: fmt.Sprintf("%.4f", f.PSI), Describe: f.Describe()}
		if f.Drifted {
			fv.Drifted = "drifted"
		}
		for _, a := range last.Alerts {
			if a.Kind == "top feature drift" && bytes.HasPrefix([]byte(a.Message), []byte(f.Name+",")) {
				fv.Top = true
			}
		}
		view.Features = append(view.Features, fv)
	}
	if r := last.Realized; r != nil {
		iv := func(v, lo, hi *float64) string {
			if v == nil {
				return "undefined"
			}
			out := fmt.Sprintf("%.3f", *v)
			if lo != nil && hi != nil {
				out += fmt.Sprintf(" (%.3f to %.3f)", *lo, *hi)
			}
			return out
		}
		for _, g := range r.Gaps {
			gv := gapView{Name: g.Name, Now: iv(g.Value, g.Lower, g.Upper), Verdict: g.Verdict, Card: "not evaluated"}
			if g.Reference != nil {
				gv.Card = iv(g.Reference, g.CardLower, g.CardUpper)
			}
			if g.RefLower != nil && g.RefUpper != nil {
				gv.Allowed = fmt.Sprintf("%.3g to %.3g", *g.RefLower, *g.RefUpper)
			}
			view.Gaps = append(view.Gaps, gv)
		}
	}
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		view.Terms = append(view.Terms, termView{Term: e.Term, Status: e.Status, RecordedAt: e.RecordedAt, Rows: e.Rows, Flagged: e.Flagged, Alerts: e.Alerts})
	}
	var b bytes.Buffer
	if err := monitorTemplate.Execute(&b, view); err != nil {
		return nil, fmt.Errorf("monitor.html: %w", err)
	}
	return b.Bytes(), nil
}

var monitorTemplate = template.Must(template.New("monitor").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Monitoring: {{.Model}}</title>
<style>
body{font-family:Liberation Sans,Arial,Helvetica,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
.status-alert{color:#b00020}.status-watch{color:#8a5a00}.status-ok{color:#1b6e20}
table{border-collapse:collapse;margin:1rem 0}th,td{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left;font-size:.9rem}
figure{margin:1.5rem 0}figcaption{font-size:.9rem;color:#555}
li.alert{color:#b00020}li.watch{color:#8a5a00}
</style></head><body>
<h1>Monitoring of {{.Model}}</h1>
<p>Bundle {{.BundleID}}. Latest term <strong>{{.Last}}</strong>: <strong class="status-{{.Status}}">{{.Status}}</strong>.</p>
{{if .Alerts}}<h2>Alerts of term {{.Last}}</h2><ul>{{range .Alerts}}<li class="{{.Severity}}"><strong>{{.Severity}}</strong>: {{.Message}}</li>{{end}}</ul>{{else}}<p>No alert this term.</p>{{end}}
{{if .Expected}}<p>{{.Expected}}</p>{{end}}
<h2>Measures term by term</h2>
{{range .Plots}}<figure>{{.SVG}}<figcaption>{{.Desc}}</figcaption></figure>{{end}}
<h2>Feature drift in term {{.Last}}</h2>
<table><thead><tr><th>feature</th><th>test</th><th>score</th><th>threshold</th><th>drift</th><th>PSI</th></tr></thead><tbody>
{{range .Features}}<tr><td>{{.Name}}{{if .Top}} (top feature){{end}}</td><td>{{.Method}}</td><td>{{.Score}}</td><td>{{.Threshold}}</td><td>{{.Drifted}}</td><td>{{.PSI}}</td></tr>{{end}}
</tbody></table>
{{if .Gaps}}<h2>Fairness audit of term {{.Last}}</h2>
<table><thead><tr><th>gap</th><th>this term (interval)</th><th>verdict</th><th>evaluated (interval)</th><th>allowed</th></tr></thead><tbody>
{{range .Gaps}}<tr><td>{{.Name}}</td><td>{{.Now}}</td><td>{{.Verdict}}</td><td>{{.Card}}</td><td>{{.Allowed}}</td></tr>{{end}}
</tbody></table>{{end}}
<h2>Every term</h2>
<table><thead><tr><th>term</th><th>status</th><th>students</th><th>flagged</th><th>recorded</th><th>alerts</th></tr></thead><tbody>
{{range .Terms}}<tr><td>{{.Term}}</td><td class="status-{{.Status}}">{{.Status}}</td><td>{{.Rows}}</td><td>{{.Flagged}}</td><td>{{.RecordedAt}}</td><td>{{range .Alerts}}{{.Message}}<br>{{end}}</td></tr>{{end}}
</tbody></table>
</body></html>
`))

// monitorPlot draws one measure over the terms: the value with its
// interval as error bars and the reference band shaded (or the reference
// as a dashed line). ok is false when no term has a value.
func monitorPlot(entries []monitor.Entry, name, title, desc string) ([]byte, bool, error) {
	var vals, lows, highs plotter.XYs
	var band []float64 // x, lo, hi triples
	var refs plotter.XYs
	var ticks []plot.Tick
	for i, e := range entries {
		x := float64(i)
		ticks = append(ticks, plot.Tick{Value: x, Label: e.Term})
		for _, m := range e.Measures {
			if m.Name != name {
				continue
			}
			if m.Value != nil && !math.IsNaN(*m.Value) {
				vals = append(vals, plotter.XY{X: x, Y: *m.Value})
				if m.Lower != nil && m.Upper != nil {
					lows = append(lows, plotter.XY{X: x, Y: *m.Lower})
					highs = append(highs, plotter.XY{X: x, Y: *m.Upper})
				}
			}
			if m.RefLower != nil && m.RefUpper != nil {
				band = append(band, x, *m.RefLower, *m.RefUpper)
			} else if m.Reference != nil {
				refs = append(refs, plotter.XY{X: x, Y: *m.Reference})
			}
		}
	}
	if len(vals) == 0 {
		return nil, false, nil
	}
	p := newPlot(title, "term", name)
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = -0.5, float64(len(entries))-0.5
	if len(band) > 0 {
		var top, bottom plotter.XYs
		for k := 0; k < len(band); k += 3 {
			top = append(top, plotter.XY{X: band[k], Y: band[k+2]})
			bottom = append(bottom, plotter.XY{X: band[k], Y: band[k+1]})
		}
		if len(top) == 1 {
			top = append(plotter.XYs{{X: top[0].X - 0.4, Y: top[0].Y}}, plotter.XY{X: top[0].X + 0.4, Y: top[0].Y})
			bottom = append(plotter.XYs{{X: bottom[0].X - 0.4, Y: bottom[0].Y}}, plotter.XY{X: bottom[0].X + 0.4, Y: bottom[0].Y})
		}
		poly := append(plotter.XYs{}, top...)
		for k := len(bottom) - 1; k >= 0; k-- {
			poly = append(poly, bottom[k])
		}
		pg, err := plotter.NewPolygon(poly)
		if err != nil {
			return nil, false, err
		}
		pg.Color = color.NRGBA{0x1f, 0x77, 0xb4, 0x30}
		pg.LineStyle.Width = 0
		p.Add(pg)
		p.Legend.Add("reference interval", pg)
	}
	if len(refs) > 0 {
		if err := referenceLine(p, refs, []vg.Length{vg.Points(5), vg.Points(3)}, "reference"); err != nil {
			return nil, false, err
		}
	}
	st := styleOf(0)
	if err := addSeries(p, vals, st, name); err != nil {
		return nil, false, err
	}
	for k := range lows {
		l, err := plotter.NewLine(plotter.XYs{lows[k], highs[k]})
		if err != nil {
			return nil, false, err
		}
		l.Color, l.Width = st.Color, vg.Points(1)
		p.Add(l)
	}
	p.Legend.Top = true
	out, err := render("monitor-"+slug(name), title, desc, figureDrawer{W: plotWidth, H: 3 * vg.Inch, Draw: func(dc draw.Canvas) { p.Draw(dc) }}, false)
	if err != nil {
		return nil, false, err
	}
	return out.SVG, true, nil
}
