package reports

import (
	"bytes"
	"context"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/evalrun/evalrun/fairness"
	"github.com/evalrun/evalrun/internal/workpool"
	"github.com/evalrun/evalrun/metrics"
	"github.com/evalrun/evalrun/results"
)

// renderedPlot is one plot: Name is its path inside the run directory
// without the extension ("plots/roc_oulad_day28_2013-to-2014"), Title and
// Desc its accessible title and description (the SVG's <title> and
// <desc>, the Markdown alt text), SVG the standalone SVG file and PNG the
// raster (nil unless asked for).
type renderedPlot struct {
	Name  string
	Title string
	Desc  string
	SVG   []byte
	PNG   []byte
	// Wide plots are wider than a single plot; the HTML report gives
	// them the page's width.
	Wide bool
}

// Plot sizes and the PNG resolution.
const (
	plotWidth  = 6 * vg.Inch
	plotHeight = 4.5 * vg.Inch
	pngDPI     = 144
)

// palette is the Okabe-Ito colour-blind-safe palette (yellow left out: it
// is unreadable on white; black is kept for reference curves), in the
// order series use it; series also differ by dash pattern and marker so
// they survive greyscale printing.
var palette = []color.NRGBA{
	{0x00, 0x72, 0xB2, 0xff}, // blue
	{0xD5, 0x5E, 0x00, 0xff}, // vermillion
	{0x00, 0x9E, 0x73, 0xff}, // bluish green
	{0xCC, 0x79, 0xA7, 0xff}, // reddish purple
	{0xE6, 0x9F, 0x00, 0xff}, // orange
	{0x56, 0xB4, 0xE9, 0xff}, // sky blue
}

var dashes = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(2), vg.Points(2)},
	{vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)},
	{vg.Points(12), vg.Points(4)},
	{vg.Points(4), vg.Points(2), vg.Points(1), vg.Points(2), vg.Points(1), vg.Points(2)},
}

var glyphs = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.SquareGlyph{}, draw.CrossGlyph{},
	draw.PyramidGlyph{}, draw.RingGlyph{}, draw.PlusGlyph{}, draw.BoxGlyph{},
}

// seriesStyle is the look of series i: colour, dashes and marker.
type seriesStyle struct {
	Color  color.NRGBA
	Dashes []vg.Length
	Glyph  draw.GlyphDrawer
}

// styleOf returns the style of series i; the first 36 series differ in
// their colour and dash pair.
func styleOf(i int) seriesStyle {
	return seriesStyle{palette[i%len(palette)], dashes[(i+i/len(palette))%len(dashes)], glyphs[i%len(glyphs)]}
}

func (s seriesStyle) fill(alpha uint8) color.NRGBA {
	c := s.Color
	c.A = alpha
	return c
}

var (
	grey      = color.NRGBA{0x77, 0x77, 0x77, 0xff}
	lightGrey = color.NRGBA{0xdd, 0xdd, 0xdd, 0xff}
)

// newPlot returns a plot with sans-serif text of readable sizes.
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	sans := func(size vg.Length) font.Font {
		return font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	}
	p.Title.Text = title
	p.Title.TextStyle.Font = sans(12)
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.X.Label.TextStyle.Font = sans(11)
	p.Y.Label.TextStyle.Font = sans(11)
	p.X.Tick.Label.Font = sans(10)
	p.Y.Tick.Label.Font = sans(10)
	p.Legend.TextStyle.Font = sans(10)
	p.Legend.ThumbnailWidth = vg.Points(30)
	p.Legend.Padding = vg.Points(2)
	return p
}

// unitAxes fixes both axes to [0, 1] with a light grid.
func unitAxes(p *plot.Plot) {
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	var ticks []plot.Tick
	for i := 0; i <= 10; i++ {
		t := plot.Tick{Value: float64(i) / 10}
		if i%2 == 0 {
			t.Label = dec(t.Value, 1)
		}
		ticks = append(ticks, t)
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Add(plotter.NewGrid())
}

// figureDrawer draws a figure onto a canvas of the given size.
type figureDrawer struct {
	W, H vg.Length
	Draw func(dc draw.Canvas)
}

func single(p *plot.Plot) figureDrawer {
	return figureDrawer{plotWidth, plotHeight, func(dc draw.Canvas) { p.Draw(dc) }}
}

// render draws a figure as SVG (with an accessible title and description
// and a sans-serif font fallback) and, when withPNG, as PNG.
func render(name, title, desc string, f figureDrawer, withPNG bool) (*renderedPlot, error) {
	svgc := vgsvg.NewWith(vgsvg.UseWH(f.W, f.H))
	f.Draw(draw.New(svgc))
	var svg bytes.Buffer
	if _, err := svgc.WriteTo(&svg); err != nil {
		return nil, fmt.Errorf("plot %s: svg: %w", name, err)
	}
	out := &renderedPlot{Name: name, Title: title, Desc: desc, SVG: accessibleSVG(svg.Bytes(), slug(name), title, desc), Wide: f.W > plotWidth}
	if withPNG {
		c := vgimg.NewWith(vgimg.UseWH(f.W, f.H), vgimg.UseDPI(pngDPI))
		f.Draw(draw.New(c))
		var buf bytes.Buffer
		// Fast compression: the default level costs several times the
		// rendering for files about a fifth smaller.
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		if err := enc.Encode(&buf, c.Image()); err != nil {
			return nil, fmt.Errorf("plot %s: png: %w", name, err)
		}
		out.PNG = buf.Bytes()
	}
	return out, nil
}

// accessibleSVG adds role="img", a <title> and a <desc> to the root
// element of an SVG written by vgsvg and gives its font a sans-serif
// fallback for viewers without Liberation Sans.
func accessibleSVG(svg []byte, id, title, desc string) []byte {
	svg = bytes.ReplaceAll(svg, []byte("font-family:Liberation Sans;"), []byte("font-family:Liberation Sans,Arial,Helvetica,sans-serif;"))
	start := bytes.Index(svg, []byte("<svg "))
	if start < 0 {
		return svg
	}
	end := bytes.IndexByte(svg[start:], '>')
	if end < 0 {
		return svg
	}
	end += start
	var b bytes.Buffer
	b.Write(svg[:start])
	fmt.Fprintf(&b, `<svg role="img" aria-labelledby="%s-title %s-desc" `, id, id)
	b.Write(svg[start+len("<svg ") : end+1])
	fmt.Fprintf(&b, "\n<title id=\"%s-title\">%s</title>\n<desc id=\"%s-desc\">%s</desc>\n", id, xmlText(title), id, xmlText(desc))
	b.Write(svg[end+1:])
	return b.Bytes()
}

func xmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// inlineSVG returns an SVG without its XML prolog, for embedding in HTML.
func inlineSVG(svg []byte) []byte {
	if i := bytes.Index(svg, []byte("<svg ")); i >= 0 {
		return svg[i:]
	}
	return svg
}

// Plot names (paths without extension inside the run directory).
func plotName(kind string, k foldKey) string {
	day := "all"
	if k.Cutoff != "" {
		day = "day" + k.Cutoff
	}
	return "plots/" + kind + "_" + slug(k.Dataset) + "_" + day + "_" + slug(k.Split)
}

func cutoffPlotName(dataset, split string) string {
	return "plots/by-cutoff_" + slug(dataset) + "_" + slug(split)
}

func forestPlotName(e *results.Evaluation) string {
	return "plots/fairness-forest_" + foldSlug(e.Dataset, e.Cutoff, e.Split) + "_" + slug(e.Model)
}

func groupROCPlotName(e *results.Evaluation, attribute string) string {
	return "plots/group-roc_" + foldSlug(e.Dataset, e.Cutoff, e.Split) + "_" + slug(e.Model) + "_" + slug(attribute)
}

// renderPlots renders every plot of the reports in a fixed order: per
// fold ROC, precision-recall and reliability; per dataset and split the
// metrics by cutoff day (with several cutoffs); per audited evaluation the
// fairness forest plot; per attribute of the focus audit the group ROC
// curves with the ABROCA area; per pilot the effect forest plot; per event
// log the engagement heatmap and the activity timeline. PNGs are rendered
// only when withPNG.
func renderPlots(run *results.Run, risk *results.RiskList, withPNG bool) (map[string]*renderedPlot, error) {
	list, err := plotList(run, risk, withPNG)
	if err != nil {
		return nil, err
	}
	m := make(map[string]*renderedPlot, len(list))
	for _, p := range list {
		m[p.Name] = p
	}
	return m, nil
}

// plotList renders the plots of renderPlots in its order. The plots are
// independent: they render on up to GOMAXPROCS goroutines, and the list
// (and the error returned, the first in that order) is the same whatever
// the number.
func plotList(run *results.Run, risk *results.RiskList, withPNG bool) ([]*renderedPlot, error) {
	var jobs []func() ([]*renderedPlot, error)
	one := func(f func() (*renderedPlot, error)) {
		jobs = append(jobs, func() ([]*renderedPlot, error) {
			p, err := f()
			if err != nil || p == nil {
				return nil, err
			}
			return []*renderedPlot{p}, nil
		})
	}
	models := modelOrder(run)
	color := map[string]int{}
	for i, m := range models {
		color[m] = i
	}
	order, idx := folds(run)
	for _, k := range order {
		var evals []*results.Evaluation
		for _, i := range idx[k] {
			evals = append(evals, &run.Evaluations[i])
		}
		one(func() (*renderedPlot, error) { return rocPlot(k, evals, color, withPNG) })
		one(func() (*renderedPlot, error) { return prPlot(k, evals, color, withPNG) })
		one(func() (*renderedPlot, error) { return reliabilityPlot(k, evals, color, withPNG) })
	}
	for _, k := range datasetSplits(run) {
		one(func() (*renderedPlot, error) { return cutoffPlot(run, k.ds, k.split, models, withPNG) })
	}
	for i := range run.Evaluations {
		e := &run.Evaluations[i]
		if e.Fairness != nil {
			one(func() (*renderedPlot, error) { return forestPlot(e, withPNG) })
		}
	}
	if fa := focusAudit(run, focusEvaluation(run, risk)); fa != nil {
		for _, attr := range fa.Fairness.Attributes {
			one(func() (*renderedPlot, error) { return groupROCPlot(fa, attr, withPNG) })
		}
	}
	for _, r := range run.Abtests {
		if r == nil {
			continue
		}
		one(func() (*renderedPlot, error) {
			p, err := pilotEffectsPlot(r, withPNG)
			if err != nil {
				return nil, fmt.Errorf("pilot %s: %w", r.Name, err)
			}
			return p, nil
		})
		one(func() (*renderedPlot, error) {
			p, err := powerCurvePlot(r.Name, r.Design, withPNG)
			if err != nil {
				return nil, fmt.Errorf("pilot %s: power curve: %w", r.Name, err)
			}
			return p, nil
		})
	}
	for _, l := range run.EventLogs {
		jobs = append(jobs, func() ([]*renderedPlot, error) { return eventLogPlots(l, withPNG) })
	}
	jobs = append(jobs, func() ([]*renderedPlot, error) { return discoveryPlots(run, withPNG) })

	rendered := make([][]*renderedPlot, len(jobs))
	err := workpool.Run(context.Background(), len(jobs), 0, func(i int) error {
		var err error
		rendered[i], err = jobs[i]()
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []*renderedPlot
	for _, r := range rendered {
		out = append(out, r...)
	}
	return out, nil
}

func foldTitle(k foldKey) string {
	day := "all rows"
	if k.Cutoff != "" {
		day = "day " + k.Cutoff
	}
	return k.Dataset + ", " + day + ", split " + k.Split
}

// curveXYs converts curve points to plotter data.
func curveXYs(xs, ys []float64) plotter.XYs {
	out := make(plotter.XYs, len(xs))
	for i := range xs {
		out[i].X, out[i].Y = xs[i], ys[i]
	}
	return out
}

// addSeries draws a line in style st with markers at up to eight evenly
// spaced points and adds it to the legend.
func addSeries(p *plot.Plot, xys plotter.XYs, st seriesStyle, label string) error {
	if len(xys) == 0 {
		return nil
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return err
	}
	l.Color = st.Color
	l.Width = vg.Points(1.6)
	l.Dashes = st.Dashes
	marks := markerPoints(xys, 8)
	s, err := plotter.NewScatter(marks)
	if err != nil {
		return err
	}
	s.GlyphStyle = draw.GlyphStyle{Color: st.Color, Radius: vg.Points(3), Shape: st.Glyph}
	p.Add(l, s)
	p.Legend.Add(label, l, s)
	return nil
}

// stepsPost returns the polyline of a step function through xys as
// matplotlib's drawstyle "steps-post" draws it (the style of
// scikit-learn's PrecisionRecallDisplay): from each point a horizontal
// segment at its y to the next point's x, then a vertical one.
func stepsPost(xys plotter.XYs) plotter.XYs {
	if len(xys) < 2 {
		return xys
	}
	out := make(plotter.XYs, 0, 2*len(xys)-1)
	for i := 0; i < len(xys)-1; i++ {
		out = append(out, xys[i], plotter.XY{X: xys[i+1].X, Y: xys[i].Y})
	}
	return append(out, xys[len(xys)-1])
}

// addStepSeries draws xys as steps (stepsPost) in style st with markers
// at up to eight of the curve's own points, and adds it to the legend.
func addStepSeries(p *plot.Plot, xys plotter.XYs, st seriesStyle, label string) error {
	l, err := plotter.NewLine(stepsPost(xys))
	if err != nil {
		return err
	}
	l.Color = st.Color
	l.Width = vg.Points(1.6)
	l.Dashes = st.Dashes
	s, err := plotter.NewScatter(markerPoints(xys, 8))
	if err != nil {
		return err
	}
	s.GlyphStyle = draw.GlyphStyle{Color: st.Color, Radius: vg.Points(3), Shape: st.Glyph}
	p.Add(l, s)
	p.Legend.Add(label, l, s)
	return nil
}

// addPoint draws one point in style st, larger than a curve's markers,
// and adds it to the legend.
func addPoint(p *plot.Plot, xy plotter.XY, st seriesStyle, label string) error {
	s, err := plotter.NewScatter(plotter.XYs{xy})
	if err != nil {
		return err
	}
	s.GlyphStyle = draw.GlyphStyle{Color: st.Color, Radius: vg.Points(4.5), Shape: st.Glyph}
	p.Add(s)
	p.Legend.Add(label, s)
	return nil
}

// prSinglePoint reports whether a precision-recall curve (scikit-learn's
// layout: recall decreasing from 1, ending at recall 0, precision 1 with
// no threshold) comes from a single distinct score: its only operating
// point is flagging everyone.
func prSinglePoint(pr []metrics.CurvePoint) bool {
	return len(pr) == 2 && pr[1].X == 0 && pr[1].Y == 1
}

// markerPoints picks up to n points spread evenly along a polyline by
// index (all points when there are at most n).
func markerPoints(xys plotter.XYs, n int) plotter.XYs {
	if len(xys) <= n {
		return xys
	}
	out := make(plotter.XYs, 0, n)
	for k := 0; k < n; k++ {
		i := int(math.Round(float64(k) * float64(len(xys)-1) / float64(n-1)))
		out = append(out, xys[i])
	}
	return out
}

func referenceLine(p *plot.Plot, xys plotter.XYs, dash []vg.Length, label string) error {
	l, err := plotter.NewLine(xys)
	if err != nil {
		return err
	}
	l.Color = grey
	l.Width = vg.Points(1)
	l.Dashes = dash
	p.Add(l)
	if label != "" {
		p.Legend.Add(label, l)
	}
	return nil
}

var dotted = []vg.Length{vg.Points(1.5), vg.Points(2.5)}

// rocPlot draws the ROC curve of every model of a fold with its
// bootstrap band.
func rocPlot(k foldKey, evals []*results.Evaluation, color map[string]int, withPNG bool) (*renderedPlot, error) {
	p := newPlot("ROC curves: "+foldTitle(k), "False-positive rate (1 − specificity)", "True-positive rate (recall)")
	unitAxes(p)
	if err := referenceLine(p, plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}}, dotted, "chance"); err != nil {
		return nil, err
	}
	var parts []string
	band := ""
	drawn := 0
	for _, e := range evals {
		if e.Curves == nil || len(e.Curves.ROC) == 0 {
			continue
		}
		st := styleOf(color[e.Model])
		if b := e.Curves.ROCBand; b != nil && len(b.FPR) > 1 {
			ring := make(plotter.XYs, 0, 2*len(b.FPR))
			for i := range b.FPR {
				ring = append(ring, plotter.XY{X: b.FPR[i], Y: b.Lower[i]})
			}
			for i := len(b.FPR) - 1; i >= 0; i-- {
				ring = append(ring, plotter.XY{X: b.FPR[i], Y: b.Upper[i]})
			}
			poly, err := plotter.NewPolygon(ring)
			if err != nil {
				return nil, err
			}
			poly.Color = st.fill(0x38)
			poly.LineStyle.Width = 0
			p.Add(poly)
			band = fmt.Sprintf(" Shaded: %s pointwise bootstrap bands of the true-positive rate (%d replicates).", levelPercent(b.Level), b.Replicates)
		}
		xs, ys := pointsXY(e.Curves.ROC)
		label := e.Model
		if e.Metrics.AUC != nil {
			label += " (AUC " + dec(*e.Metrics.AUC, 3) + ")"
		}
		if err := addSeries(p, curveXYs(xs, ys), st, label); err != nil {
			return nil, err
		}
		parts = append(parts, e.Model+" AUC "+aucText(e))
		drawn++
	}
	if drawn == 0 {
		return nil, nil
	}
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(4), vg.Points(4)
	desc := fmt.Sprintf("ROC curves on the %d test students of %s: %s.%s The dotted diagonal is chance.", evals[0].Metrics.N, foldTitle(k), strings.Join(parts, "; "), band)
	return render(plotName("roc", k), "ROC curves, "+foldTitle(k), desc, single(p), withPNG)
}

func aucText(e *results.Evaluation) string {
	if e.Metrics.AUC == nil {
		return "undefined"
	}
	return aucWithCI(e)
}

func pointsXY(pts []metrics.CurvePoint) (xs, ys []float64) {
	xs, ys = make([]float64, len(pts)), make([]float64, len(pts))
	for i, q := range pts {
		xs[i], ys[i] = q.X, q.Y
	}
	return xs, ys
}

// prPlot draws the precision-recall curve of every model of a fold with
// the base rate (a model without skill).
func prPlot(k foldKey, evals []*results.Evaluation, color map[string]int, withPNG bool) (*renderedPlot, error) {
	p := newPlot("Precision-recall curves: "+foldTitle(k), "Recall (share of at-risk students flagged)", "Precision (share of flagged students at risk)")
	unitAxes(p)
	var parts []string
	drawn := 0
	base := evals[0].Metrics.BaseRate
	if err := referenceLine(p, plotter.XYs{{X: 0, Y: base}, {X: 1, Y: base}}, dotted, "base rate "+dec(base, 3)); err != nil {
		return nil, err
	}
	for _, e := range evals {
		if e.Curves == nil || len(e.Curves.PR) == 0 {
			continue
		}
		xs, ys := pointsXY(e.Curves.PR)
		label := e.Model
		if e.Metrics.AveragePrecision != nil {
			label += " (AP " + dec(*e.Metrics.AveragePrecision, 3) + ")"
		}
		st := styleOf(color[e.Model])
		if prSinglePoint(e.Curves.PR) {
			// One distinct score: flagging everyone is the only operating
			// point; the (recall 0, precision 1) end has no threshold.
			if err := addPoint(p, plotter.XY{X: xs[0], Y: ys[0]}, st, label+", one score: a single point"); err != nil {
				return nil, err
			}
			parts = append(parts, label+" (a single score, so a single point at recall "+dec(xs[0], 3)+", precision "+dec(ys[0], 3)+")")
		} else {
			if err := addStepSeries(p, curveXYs(xs, ys), st, label); err != nil {
				return nil, err
			}
			parts = append(parts, label)
		}
		drawn++
	}
	if drawn == 0 {
		return nil, nil
	}
	p.Legend.Top, p.Legend.Left = false, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(4), vg.Points(4)
	desc := fmt.Sprintf("Precision against recall on the test students of %s: %s. Curves are steps, as scikit-learn draws them: precision holds until the next threshold, with no interpolation between thresholds. The dotted line is the base rate %s, the precision of flagging at random.", foldTitle(k), strings.Join(parts, "; "), dec(base, 3))
	return render(plotName("pr", k), "Precision-recall curves, "+foldTitle(k), desc, single(p), withPNG)
}

// reliabilityPlot draws the reliability diagram (observed rate against
// mean predicted risk per bin) of every model with probabilities.
func reliabilityPlot(k foldKey, evals []*results.Evaluation, color map[string]int, withPNG bool) (*renderedPlot, error) {
	p := newPlot("Reliability diagram: "+foldTitle(k), "Mean predicted risk in the bin", "Observed at-risk rate in the bin")
	unitAxes(p)
	if err := referenceLine(p, plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}}, []vg.Length{vg.Points(5), vg.Points(3)}, "perfect calibration"); err != nil {
		return nil, err
	}
	var parts []string
	for _, e := range evals {
		c := e.Calibration
		if c == nil {
			continue
		}
		var xys plotter.XYs
		for _, b := range c.Bins {
			if b.MeanPredicted != nil && b.ObservedRate != nil {
				xys = append(xys, plotter.XY{X: *b.MeanPredicted, Y: *b.ObservedRate})
			}
		}
		if len(xys) == 0 {
			continue
		}
		st := styleOf(color[e.Model])
		l, s, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width, l.Dashes = st.Color, vg.Points(1.6), st.Dashes
		s.GlyphStyle = draw.GlyphStyle{Color: st.Color, Radius: vg.Points(3.5), Shape: st.Glyph}
		p.Add(l, s)
		label := e.Model + " (ECE " + dec(c.ECE, 3) + ")"
		p.Legend.Add(label, l, s)
		parts = append(parts, label)
	}
	if len(parts) == 0 {
		return nil, nil
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(4), -vg.Points(4)
	desc := fmt.Sprintf("Observed at-risk rate against mean predicted risk in equal-width bins of predicted risk (empty bins left out) on the test students of %s: %s. Points on the dashed diagonal are perfectly calibrated; points below it mean predicted risks are too high.", foldTitle(k), strings.Join(parts, "; "))
	return render(plotName("reliability", k), "Reliability diagram, "+foldTitle(k), desc, single(p), withPNG)
}

// errPoints holds points with asymmetric error bars (as distances).
type errPoints struct {
	plotter.XYs
	lo, hi []float64
}

func (e errPoints) YError(i int) (float64, float64) { return e.lo[i], e.hi[i] }
func (e errPoints) XError(i int) (float64, float64) { return e.lo[i], e.hi[i] }

// cutoffPlot draws AUC, precision and recall against the cutoff day for
// every model of one dataset and split, with their intervals; nil with
// fewer than two cutoffs.
func cutoffPlot(run *results.Run, dataset, split string, models []string, withPNG bool) (*renderedPlot, error) {
	var days []int
	for _, e := range run.Evaluations {
		if e.Dataset == dataset && e.Split == split && e.Cutoff != nil && !containsInt(days, *e.Cutoff) {
			days = append(days, *e.Cutoff)
		}
	}
	if len(days) < 2 {
		return nil, nil
	}
	minDay, maxDay := days[0], days[0]
	for _, d := range days {
		minDay, maxDay = min(minDay, d), max(maxDay, d)
	}
	span := float64(maxDay - minDay)
	type panel struct {
		title, metric string
	}
	panels := []panel{{"AUC", "auc"}, {"Precision at the threshold", "precision"}, {"Recall at the threshold", "recall"}}
	row := make([]*plot.Plot, len(panels))
	for j, pn := range panels {
		p := newPlot(pn.title, "Cutoff day", pn.title)
		p.Add(plotter.NewGrid())
		p.Y.Min, p.Y.Max = 0, 1
		p.X.Min, p.X.Max = float64(minDay)-0.08*span, float64(maxDay)+0.08*span
		ticks := make([]plot.Tick, len(days))
		for i, d := range days {
			ticks[i] = plot.Tick{Value: float64(d), Label: strconv.Itoa(d)}
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
		for mi, model := range models {
			var pts errPoints
			offset := (float64(mi) - float64(len(models)-1)/2) * 0.015 * span
			for _, d := range days {
				e := findEvaluation(run, dataset, d, split, model)
				if e == nil {
					continue
				}
				var v *float64
				var iv *interval
				switch pn.metric {
				case "auc":
					v, iv = e.Metrics.AUC, aucDeLong(e)
				case "precision":
					v, iv = e.Metrics.Precision, bootInterval(e, "precision")
				case "recall":
					v, iv = e.Metrics.Recall, bootInterval(e, "recall")
				}
				if v == nil {
					continue
				}
				lo, hi := 0.0, 0.0
				if iv != nil {
					lo, hi = math.Max(0, *v-iv.Lower), math.Max(0, iv.Upper-*v)
				}
				pts.XYs = append(pts.XYs, plotter.XY{X: float64(d) + offset, Y: *v})
				pts.lo, pts.hi = append(pts.lo, lo), append(pts.hi, hi)
			}
			if len(pts.XYs) == 0 {
				continue
			}
			st := styleOf(mi)
			l, s, err := plotter.NewLinePoints(pts.XYs)
			if err != nil {
				return nil, err
			}
			l.Color, l.Width, l.Dashes = st.Color, vg.Points(1.6), st.Dashes
			s.GlyphStyle = draw.GlyphStyle{Color: st.Color, Radius: vg.Points(3.5), Shape: st.Glyph}
			eb, err := plotter.NewYErrorBars(pts)
			if err != nil {
				return nil, err
			}
			eb.Color = st.Color
			eb.Width = vg.Points(1.2)
			p.Add(l, eb, s)
			if j == 0 {
				p.Legend.Add(model, l, s)
			}
		}
		p.Legend.Top, p.Legend.Left = false, false
		p.Legend.XOffs, p.Legend.YOffs = -vg.Points(4), vg.Points(4)
		row[j] = p
	}
	f := figureDrawer{W: 11 * vg.Inch, H: 4 * vg.Inch, Draw: func(dc draw.Canvas) {
		tiles := draw.Tiles{Rows: 1, Cols: len(row), PadX: vg.Points(14), PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
		cs := plot.Align([][]*plot.Plot{row}, tiles, dc)
		for j := range row {
			row[j].Draw(cs[0][j])
		}
	}}
	lv := levelPercent(runLevel(run))
	desc := fmt.Sprintf("Three panels for %s, split %s: AUC (with DeLong %s intervals), precision and recall at each model's threshold (with bootstrap intervals) against the cutoff day %s, for %s.", dataset, split, lv, joinWords(intStrings(days)), joinWords(models))
	return render(cutoffPlotName(dataset, split), "Metrics by cutoff day, "+dataset+", split "+split, desc, f, withPNG)
}

func intStrings(xs []int) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strconv.Itoa(x)
	}
	return out
}

// outcomeStyle gives each verdict outcome a colour and a marker.
func outcomeStyle(o fairness.Outcome) (color.NRGBA, draw.GlyphDrawer) {
	switch o {
	case fairness.Pass:
		return palette[2], draw.CircleGlyph{}
	case fairness.Fail:
		return palette[1], draw.TriangleGlyph{}
	}
	return palette[0], draw.SquareGlyph{}
}

// forestPlot draws every verdict's gap with its interval, the allowed
// range (shaded, dashed edges) and the no-gap line; differences and
// ratios in separate panels.
func forestPlot(e *results.Evaluation, withPNG bool) (*renderedPlot, error) {
	var diffs, ratios []fairness.Verdict
	for _, v := range e.Fairness.Verdicts {
		if strings.HasSuffix(v.Metric, "_ratio") {
			ratios = append(ratios, v)
		} else {
			diffs = append(diffs, v)
		}
	}
	if len(diffs)+len(ratios) == 0 {
		return nil, nil
	}
	type panel struct {
		p    *plot.Plot
		rows int
	}
	var panels []panel
	for _, set := range []struct {
		vs      []fairness.Verdict
		title   string
		neutral float64
	}{{diffs, "Differences (group − reference)", 0}, {ratios, "Ratios (group / reference)", 1}} {
		if len(set.vs) == 0 {
			continue
		}
		p, err := forestPanel(set.vs, set.title, set.neutral)
		if err != nil {
			return nil, err
		}
		panels = append(panels, panel{p, len(set.vs)})
	}
	total := 0
	for _, pn := range panels {
		total += pn.rows
	}
	const overhead = 1.1 // inches of title and axis per panel
	rowH := 0.32
	h := vg.Length(float64(len(panels))*overhead+float64(total)*rowH) * vg.Inch
	f := figureDrawer{W: 8 * vg.Inch, H: h, Draw: func(dc draw.Canvas) {
		top := dc.Max.Y
		for _, pn := range panels {
			ph := vg.Length(overhead+float64(pn.rows)*rowH) * vg.Inch
			sub := dc
			sub.Max.Y = top
			sub.Min.Y = top - ph
			pn.p.Draw(sub)
			top -= ph
		}
	}}
	var parts []string
	for _, v := range e.Fairness.Verdicts {
		parts = append(parts, fmt.Sprintf("%s %s %s: %s (%s), allowed %s", v.Outcome, v.Attribute, groupsVs(v.Group, v.Reference), estCell(v.Estimate), estInterval(v.Lower, v.Upper), allowedText(v.AllowedLow, v.AllowedHigh)))
	}
	title := "Fairness gaps and thresholds, " + evalLabel(e)
	desc := fmt.Sprintf("Forest plot of every fairness verdict of %s: each gap's estimate with its %s bootstrap interval, the allowed range shaded with dashed edges and the no-gap line dotted. %s.", evalLabel(e), levelPercent(e.Fairness.ConfidenceLevel), strings.Join(parts, "; "))
	return render(forestPlotName(e), title, desc, f, withPNG)
}

func forestPanel(vs []fairness.Verdict, title string, neutral float64) (*plot.Plot, error) {
	p := newPlot(title, "Gap (interval bars; allowed range shaded)", "")
	p.Y.Tick.Label.Font.Size = 9
	n := len(vs)
	lo, hi := neutral, neutral
	ticks := make([]plot.Tick, n)
	for i, v := range vs {
		y := float64(n - 1 - i)
		label := fmt.Sprintf("%s  %s %s: %s", v.Outcome, v.Attribute, groupsVs(v.Group, v.Reference), gapLabel(v.Metric))
		if !v.Estimate.Defined {
			label += " (undefined)"
		}
		ticks[i] = plot.Tick{Value: y, Label: label}
		lo, hi = math.Min(lo, v.AllowedLow), math.Max(hi, v.AllowedHigh)
		for _, x := range []fairness.Estimate{v.Estimate, v.Lower, v.Upper} {
			if x.Defined {
				lo, hi = math.Min(lo, x.Value), math.Max(hi, x.Value)
			}
		}
	}
	pad := 0.08 * (hi - lo)
	if pad == 0 {
		pad = 0.1
	}
	p.X.Min, p.X.Max = lo-pad, hi+pad
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Add(plotter.NewGrid())
	for i, v := range vs {
		y := float64(n - 1 - i)
		band, err := plotter.NewPolygon(plotter.XYs{{X: v.AllowedLow, Y: y - 0.38}, {X: v.AllowedHigh, Y: y - 0.38}, {X: v.AllowedHigh, Y: y + 0.38}, {X: v.AllowedLow, Y: y + 0.38}})
		if err != nil {
			return nil, err
		}
		band.Color = lightGrey
		band.LineStyle.Width = 0
		p.Add(band)
		for _, edge := range []float64{v.AllowedLow, v.AllowedHigh} {
			l, err := plotter.NewLine(plotter.XYs{{X: edge, Y: y - 0.38}, {X: edge, Y: y + 0.38}})
			if err != nil {
				return nil, err
			}
			l.Color, l.Width, l.Dashes = color.Black, vg.Points(1), []vg.Length{vg.Points(3), vg.Points(2)}
			p.Add(l)
		}
	}
	if err := referenceLine(p, plotter.XYs{{X: neutral, Y: -0.6}, {X: neutral, Y: float64(n) - 0.4}}, dotted, ""); err != nil {
		return nil, err
	}
	for i, v := range vs {
		if !v.Estimate.Defined {
			continue
		}
		y := float64(n - 1 - i)
		col, glyph := outcomeStyle(v.Outcome)
		pt := plotter.XYs{{X: v.Estimate.Value, Y: y}}
		if v.Lower.Defined && v.Upper.Defined {
			eb, err := plotter.NewXErrorBars(errPoints{pt, []float64{math.Max(0, v.Estimate.Value-v.Lower.Value)}, []float64{math.Max(0, v.Upper.Value-v.Estimate.Value)}})
			if err != nil {
				return nil, err
			}
			eb.Color, eb.Width = col, vg.Points(1.6)
			p.Add(eb)
		}
		s, err := plotter.NewScatter(pt)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(4.5), Shape: glyph}
		p.Add(s)
	}
	return p, nil
}

// groupROCPlot draws the ROC curve of every reported group of one
// attribute, shading the area between each group's curve and the
// reference group's (the ABROCA area).
func groupROCPlot(e *results.Evaluation, attr fairness.AttributeResult, withPNG bool) (*renderedPlot, error) {
	if e.Curves == nil {
		return nil, nil
	}
	curves := map[string]plotter.XYs{}
	for _, g := range e.Curves.Groups {
		if g.Attribute == attr.Name && len(g.ROC) > 0 {
			xs, ys := pointsXY(g.ROC)
			curves[g.Group] = curveXYs(xs, ys)
		}
	}
	ref, ok := curves[attr.Reference]
	if !ok || len(curves) < 2 {
		return nil, nil
	}
	abroca := map[string]fairness.Gap{}
	for _, g := range attr.Gaps {
		if g.Metric == "abroca" {
			abroca[g.Group] = g
		}
	}
	p := newPlot("ROC by "+attr.Name+": "+e.Model+", "+dayText(e.Cutoff), "False-positive rate (1 − specificity)", "True-positive rate (recall)")
	unitAxes(p)
	if err := referenceLine(p, plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}}, dotted, ""); err != nil {
		return nil, err
	}
	// With many groups the shaded areas hide each other: shade only the
	// group with the largest ABROCA.
	shadeOnly := ""
	if len(curves) > 4 {
		best := -1.0
		for _, g := range attr.Groups {
			if gap, ok := abroca[g.Group]; ok && gap.Estimate.Defined && gap.Estimate.Value > best && g.Group != attr.Reference {
				if _, drawn := curves[g.Group]; drawn {
					best, shadeOnly = gap.Estimate.Value, g.Group
				}
			}
		}
	}
	var parts, suppressed []string
	i := 0
	type series struct {
		xys   plotter.XYs
		st    seriesStyle
		label string
	}
	var lines []series
	for _, g := range attr.Groups {
		if g.Suppressed {
			suppressed = append(suppressed, g.Group)
			continue
		}
		xys, ok := curves[g.Group]
		if !ok || g.Group == attr.Reference {
			continue
		}
		st := styleOf(i)
		i++
		ring := append(plotter.XYs{}, xys...)
		for j := len(ref) - 1; j >= 0; j-- {
			ring = append(ring, ref[j])
		}
		if shadeOnly == "" || shadeOnly == g.Group {
			poly, err := plotter.NewPolygon(ring)
			if err != nil {
				return nil, err
			}
			poly.Color = st.fill(0x40)
			poly.LineStyle.Width = 0
			p.Add(poly)
		}
		label := g.Group
		if gap, ok := abroca[g.Group]; ok {
			label += " (ABROCA " + estCell(gap.Estimate) + ")"
			parts = append(parts, fmt.Sprintf("%s against %s: ABROCA %s (%s)", g.Group, attr.Reference, estCell(gap.Estimate), estInterval(gap.Lower, gap.Upper)))
		}
		lines = append(lines, series{xys, st, label})
	}
	refStyle := seriesStyle{Color: color.NRGBA{0, 0, 0, 0xff}, Glyph: draw.RingGlyph{}}
	if err := addSeries(p, ref, refStyle, attr.Reference+" (reference)"); err != nil {
		return nil, err
	}
	for _, s := range lines {
		if err := addSeries(p, s.xys, s.st, s.label); err != nil {
			return nil, err
		}
	}
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(4), vg.Points(4)
	shaded := "the shaded area between a group's curve and the reference's is its ABROCA"
	if shadeOnly != "" {
		shaded = "the shaded area is the ABROCA of " + shadeOnly + ", the largest (with this many groups only it is shaded)"
	}
	desc := fmt.Sprintf("ROC curve of each %s group for %s against the reference group %s (black); %s. %s.", attr.Name, evalLabel(e), attr.Reference, shaded, strings.Join(parts, "; "))
	if len(suppressed) > 0 {
		desc += " Suppressed (too small, not drawn): " + strings.Join(suppressed, ", ") + "."
	}
	return render(groupROCPlotName(e, attr.Name), "ROC curves by "+attr.Name+", "+evalLabel(e), desc, single(p), withPNG)
}

// PlotFiles renders every plot of the reports as plots/NAME.svg and
// plots/NAME.png (NAME says what and which evaluation, e.g.
// "roc_oulad_day28_2013-to-2014"): ROC curves with bootstrap bands,
// precision-recall curves and reliability diagrams per dataset, cutoff
// and split; metrics by cutoff day per dataset and split (with several
// cutoffs); a fairness forest plot per audited evaluation; ROC curves by
// group with the ABROCA area per attribute of the focus audit; the effect
// forest plot of every intervention pilot
// (plots/pilot-effects_PILOT); the engagement heatmap and activity
// timeline of every event log (plots/engagement-heatmap_DATASET,
// plots/activity-timeline_DATASET). SVG output
// is byte-identical across runs; PNG output is byte-identical for the
// same build on the same architecture.
func PlotFiles(run *results.Run, risk *results.RiskList) ([]File, error) {
	list, err := plotList(run, risk, true)
	if err != nil {
		return nil, fmt.Errorf("plots: %w", err)
	}
	return plotFiles(list), nil
}

func plotFiles(list []*renderedPlot) []File {
	var files []File
	for _, p := range list {
		files = append(files, File{p.Name + ".svg", p.SVG})
		if p.PNG != nil {
			files = append(files, File{p.Name + ".png", p.PNG})
		}
	}
	return files
}
