package reports

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/evalrun/evalrun/abtest"
	"github.com/evalrun/evalrun/pilot"
)

// Plots of intervention pilots: the effect forest plot (every arm's
// overall effect on every outcome and the subgroup levels, the target
// comparison) and the power curve of a design.

func pilotEffectsPlotName(pilotName string) string { return "plots/pilot-effects_" + slug(pilotName) }

func pilotPowerPlotName(pilotName string) string { return "plots/pilot-power_" + slug(pilotName) }

// forestRow is one row of a pilot forest panel: an estimate with its
// interval, drawn in the style of its kind.
type forestRow struct {
	Label        string
	Estimate     float64
	Lower, Upper float64
	Kind         forestRowKind
	Undefined    bool // no finite estimate: the row is labelled, nothing drawn
	Desc         string
}

type forestRowKind int

const (
	rowOverall forestRowKind = iota
	rowSubgroupDeclared
	rowSubgroupExploratory
	rowTarget
)

// style of each row kind: colour, marker and the dashes of the interval
// bar (dashed bars for exploratory subgroups, so the kinds differ in
// greyscale too).
func (k forestRowKind) style() (color.NRGBA, draw.GlyphDrawer, []vg.Length) {
	switch k {
	case rowSubgroupDeclared:
		return palette[1], draw.TriangleGlyph{}, nil
	case rowSubgroupExploratory:
		return palette[3], draw.SquareGlyph{}, []vg.Length{vg.Points(4), vg.Points(2)}
	case rowTarget:
		return palette[2], draw.PyramidGlyph{}, nil
	}
	return palette[0], draw.CircleGlyph{}, nil
}

// forestPanelSpec is one panel of the pilot forest plot: rows on one
// scale, with the zero line and, for the target panel, the target line.
type forestPanelSpec struct {
	Title  string
	XLabel string
	Rows   []forestRow
	// Target, when not nil, is drawn as a dashed black line.
	Target      *float64
	TargetLabel string
}

// pilotScale returns the multiplier and unit words of an outcome's
// effects on the difference scale: risk differences in percentage points.
func pilotScale(kind abtest.OutcomeKind) (float64, string) {
	if kind == abtest.Binary {
		return 100, " pp"
	}
	return 1, ""
}

// pilotForestPanels lays out the forest plot of a pilot: per outcome (in
// the order of the effects) the overall effect of every arm followed by
// its subgroup levels on the difference scale; subgroups on the log-odds
// scale in a panel of their own per outcome; the target comparison last.
func pilotForestPanels(r *pilot.Result) []forestPanelSpec {
	a := r.Analysis
	var outcomes []string
	kinds := map[string]abtest.OutcomeKind{}
	for _, e := range a.Effects {
		if _, ok := kinds[e.Outcome]; !ok {
			outcomes = append(outcomes, e.Outcome)
			kinds[e.Outcome] = e.Kind
		}
	}
	var panels []forestPanelSpec
	for _, o := range outcomes {
		mult, unit := pilotScale(kinds[o])
		xl := "Difference in means of " + o + ", treatment − control"
		title := o + ": effects of each arm and subgroup"
		if kinds[o] == abtest.Binary {
			xl = "Risk difference, treatment − control (percentage points)"
		}
		p := forestPanelSpec{Title: title, XLabel: xl}
		lo := forestPanelSpec{Title: o + ": subgroup effects on the log-odds scale", XLabel: "Log odds ratio, treatment vs control (0: no effect)"}
		for _, e := range a.Effects {
			if e.Outcome != o {
				continue
			}
			row := forestRow{Label: fmt.Sprintf("%s: overall (%s, adj. p %s)", e.Arm, pilotShortMethod(e.Method), pCell(e.AdjustedP)),
				Estimate: mult * e.Estimate, Lower: mult * e.CI.Lower, Upper: mult * e.CI.Upper, Kind: rowOverall}
			row.Undefined = !finite(e.Estimate, e.CI.Lower, e.CI.Upper)
			row.Desc = fmt.Sprintf("%s on %s %s%s (%s to %s%s)", e.Arm, o, sig3(row.Estimate), unit, sig3(row.Lower), sig3(row.Upper), unit)
			if row.Undefined {
				row.Desc = fmt.Sprintf("%s on %s: not estimable", e.Arm, o)
			}
			p.Rows = append(p.Rows, row)
			for _, g := range a.Subgroups {
				if g.Arm != e.Arm || g.Outcome != o || g.Error != "" {
					continue
				}
				kind, tag := rowSubgroupExploratory, "exploratory"
				if !g.Exploratory {
					kind, tag = rowSubgroupDeclared, "pre-declared"
				}
				logOdds := g.Scale == abtest.ScaleLogOdds
				m, u, scale := mult, unit, ""
				if logOdds {
					m, u, scale = 1, "", "log odds ratio "
				}
				for _, l := range g.Levels {
					sr := forestRow{Label: fmt.Sprintf("%s: %s = %s (%s)", e.Arm, g.Attribute, l.Level, tag),
						Estimate: m * l.Effect, Lower: m * l.CI.Lower, Upper: m * l.CI.Upper, Kind: kind}
					sr.Undefined = !finite(l.Effect, l.CI.Lower, l.CI.Upper)
					sr.Desc = fmt.Sprintf("%s, %s = %s (%s) %s%s%s (%s to %s%s)", e.Arm, g.Attribute, l.Level, tag, scale, sig3(sr.Estimate), u, sig3(sr.Lower), sig3(sr.Upper), u)
					if sr.Undefined {
						sr.Desc = fmt.Sprintf("%s, %s = %s (%s): not estimable", e.Arm, g.Attribute, l.Level, tag)
					}
					if logOdds {
						lo.Rows = append(lo.Rows, sr)
					} else {
						p.Rows = append(p.Rows, sr)
					}
				}
			}
		}
		panels = append(panels, p)
		if len(lo.Rows) > 0 {
			panels = append(panels, lo)
		}
	}
	if t := a.Target; t != nil {
		mult, unit := 1.0, ""
		if t.Percent {
			mult, unit = 100, "%"
		}
		arm := ""
		if pt := r.Inputs.Plan.Target; pt != nil && pt.Arm != "" {
			arm = pt.Arm + ": "
		}
		target := mult * t.Target
		targetText := trimmedDec(target, 4) + unit
		row := forestRow{Label: arm + t.Quantity + " (target " + targetText + ")", Estimate: mult * t.Estimate, Lower: mult * t.CI.Lower, Upper: mult * t.CI.Upper, Kind: rowTarget}
		row.Undefined = !finite(t.Estimate, t.CI.Lower, t.CI.Upper)
		row.Desc = fmt.Sprintf("%s %s%s (%s to %s%s) against the target %s", t.Quantity, sig3(row.Estimate), unit, sig3(row.Lower), sig3(row.Upper), unit, targetText)
		if row.Undefined {
			row.Desc = t.Quantity + ": not estimable"
		}
		xl := "Effect against the planned target"
		if t.Percent {
			xl += " (%)"
		}
		panels = append(panels, forestPanelSpec{Title: "Target: " + t.Quantity, XLabel: xl, Rows: []forestRow{row},
			Target: &target, TargetLabel: "target " + targetText})
	}
	return panels
}

func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// sig3 shows three significant digits without exponent for the usual
// magnitudes of effects (pilot.Sig3).
func sig3(v float64) string { return pilot.Sig3(v) }

// pilotEffectsPlot draws the forest plot of a pilot's effects; nil when
// the pilot has no effect.
func pilotEffectsPlot(r *pilot.Result, withPNG bool) (*renderedPlot, error) {
	panels := pilotForestPanels(r)
	rows := 0
	for _, pn := range panels {
		rows += len(pn.Rows)
	}
	if rows == 0 {
		return nil, nil
	}
	plots := make([]*plot.Plot, len(panels))
	for i, pn := range panels {
		p, err := pilotForestPanel(pn)
		if err != nil {
			return nil, err
		}
		plots[i] = p
	}
	kinds := map[forestRowKind]bool{}
	hasTarget := false
	for _, pn := range panels {
		for _, row := range pn.Rows {
			kinds[row.Kind] = true
		}
		hasTarget = hasTarget || pn.Target != nil
	}
	legend, entries, err := pilotForestLegend(kinds, hasTarget)
	if err != nil {
		return nil, err
	}
	const overhead = 1.2 // inches of title, axis and spacing per panel
	const rowH = 0.34
	legendH := 0.1 + 0.19*float64(entries)
	heights := make([]vg.Length, len(panels))
	total := legendH
	for i, pn := range panels {
		h := overhead + float64(len(pn.Rows))*rowH
		heights[i] = vg.Length(h) * vg.Inch
		total += h
	}
	f := figureDrawer{W: 8 * vg.Inch, H: vg.Length(total) * vg.Inch, Draw: func(dc draw.Canvas) {
		top := dc.Max.Y
		for i, p := range plots {
			sub := dc
			sub.Max.Y, sub.Min.Y = top, top-heights[i]
			// Room for the longest row label on the left and between
			// one panel's axis label and the next panel's title.
			p.Draw(draw.Crop(sub, vg.Points(6), -vg.Points(6), 0, -vg.Points(10)))
			top -= heights[i]
		}
		sub := dc
		sub.Max.Y = top
		legend.Draw(sub)
	}}
	var parts []string
	for _, pn := range panels {
		for _, row := range pn.Rows {
			parts = append(parts, row.Desc)
		}
	}
	lv := levelPercent(r.Inputs.Plan.Level)
	desc := fmt.Sprintf("Forest plot of pilot %s: each arm's effect against control on each outcome (circles) and within each subgroup level (triangles pre-declared, squares with dashed bars exploratory), with %s intervals and the dotted no-effect line", r.Name, lv)
	if hasTarget {
		desc += "; the last panel compares the effect with the planned target (dashed line)"
	}
	desc += ". " + strings.Join(parts, "; ") + "."
	return render(pilotEffectsPlotName(r.Name), "Effects of pilot "+r.Name+" with "+lv+" intervals", desc, f, withPNG)
}

// pilotForestLegend is the legend drawn below the panels.
func pilotForestLegend(kinds map[forestRowKind]bool, target bool) (plot.Legend, int, error) {
	leg := newPlot("", "", "").Legend
	leg.Top, leg.Left = true, true
	leg.XOffs, leg.YOffs = vg.Points(40), -vg.Points(6)
	n := 0
	for _, k := range []struct {
		kind  forestRowKind
		label string
	}{
		{rowOverall, "overall effect of an arm (the primary analysis)"},
		{rowSubgroupDeclared, "effect within a pre-declared subgroup level"},
		{rowSubgroupExploratory, "effect within an exploratory subgroup level"},
		{rowTarget, "effect compared with the target"},
	} {
		if !kinds[k.kind] {
			continue
		}
		col, glyph, dash := k.kind.style()
		l, s, err := plotter.NewLinePoints(plotter.XYs{{X: 0, Y: 0}})
		if err != nil {
			return leg, 0, err
		}
		l.Color, l.Width, l.Dashes = col, vg.Points(1.6), dash
		s.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(4), Shape: glyph}
		leg.Add(k.label, l, s)
		n++
	}
	zero, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}})
	if err != nil {
		return leg, 0, err
	}
	zero.Color, zero.Width, zero.Dashes = grey, vg.Points(1), dotted
	leg.Add("no effect (0)", zero)
	n++
	if target {
		tl, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}})
		if err != nil {
			return leg, 0, err
		}
		tl.Color, tl.Width, tl.Dashes = color.Black, vg.Points(1.4), []vg.Length{vg.Points(6), vg.Points(3)}
		leg.Add("planned target effect", tl)
		n++
	}
	return leg, n, nil
}

func pilotForestPanel(pn forestPanelSpec) (*plot.Plot, error) {
	p := newPlot(pn.Title, pn.XLabel, "")
	p.Y.Tick.Label.Font.Size = 9
	n := len(pn.Rows)
	lo, hi := 0.0, 0.0
	ticks := make([]plot.Tick, n)
	for i, row := range pn.Rows {
		label := row.Label
		if row.Undefined {
			label += " (not estimable)"
		}
		ticks[i] = plot.Tick{Value: float64(n - 1 - i), Label: label}
		if !row.Undefined {
			lo, hi = math.Min(lo, row.Lower), math.Max(hi, row.Upper)
		}
	}
	if pn.Target != nil {
		lo, hi = math.Min(lo, *pn.Target), math.Max(hi, *pn.Target)
	}
	pad := 0.08 * (hi - lo)
	if pad == 0 {
		pad = 1
	}
	p.X.Min, p.X.Max = lo-pad, hi+pad
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Add(plotter.NewGrid())
	if err := referenceLine(p, plotter.XYs{{X: 0, Y: p.Y.Min}, {X: 0, Y: p.Y.Max}}, dotted, ""); err != nil {
		return nil, err
	}
	if pn.Target != nil {
		l, err := plotter.NewLine(plotter.XYs{{X: *pn.Target, Y: p.Y.Min}, {X: *pn.Target, Y: p.Y.Max}})
		if err != nil {
			return nil, err
		}
		l.Color, l.Width, l.Dashes = color.Black, vg.Points(1.4), []vg.Length{vg.Points(6), vg.Points(3)}
		p.Add(l)
	}
	for i, row := range pn.Rows {
		if row.Undefined {
			continue
		}
		y := float64(n - 1 - i)
		col, glyph, dash := row.Kind.style()
		pt := plotter.XYs{{X: row.Estimate, Y: y}}
		eb, err := plotter.NewXErrorBars(errPoints{pt, []float64{math.Max(0, row.Estimate-row.Lower)}, []float64{math.Max(0, row.Upper-row.Estimate)}})
		if err != nil {
			return nil, err
		}
		eb.Color, eb.Width, eb.Dashes = col, vg.Points(1.6), dash
		s, err := plotter.NewScatter(pt)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(4.5), Shape: glyph}
		p.Add(eb, s)
	}
	return p, nil
}

// powerCurvePlot draws the power of a design against the total sample
// size (both arms), with the target power and the computed sample size
// (or the N the design was evaluated at) marked; nil without a curve.
func powerCurvePlot(pilotName string, out *pilot.PowerOutput, withPNG bool) (*renderedPlot, error) {
	if out == nil || len(out.Curve) == 0 {
		return nil, nil
	}
	req := out.Request
	clustered := req.ClusterSize > 1
	x := func(pt abtest.PowerPoint) float64 { return pt.N1 + pt.N2 }
	xl := "Total units in both arms"
	if clustered {
		x = func(pt abtest.PowerPoint) float64 { return (pt.N1 + pt.N2) / req.ClusterSize }
		xl = fmt.Sprintf("Total clusters in both arms (%s units each)", trimmedDec(req.ClusterSize, 2))
	}
	p := newPlot("Power curve: pilot "+pilotName, xl, "Power (probability of a significant result)")
	p.Add(plotter.NewGrid())
	p.Y.Min, p.Y.Max = 0, 1
	var ticks []plot.Tick
	for i := 0; i <= 10; i++ {
		t := plot.Tick{Value: float64(i) / 10}
		if i%2 == 0 {
			t.Label = dec(t.Value, 1)
		}
		ticks = append(ticks, t)
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	xys := make(plotter.XYs, len(out.Curve))
	for i, pt := range out.Curve {
		xys[i] = plotter.XY{X: x(pt), Y: pt.Power}
	}
	p.X.Min, p.X.Max = 0, xys[len(xys)-1].X*1.04
	if err := referenceLine(p, plotter.XYs{{X: 0, Y: req.Power}, {X: p.X.Max, Y: req.Power}}, []vg.Length{vg.Points(5), vg.Points(3)}, "target power "+wholePercent(req.Power)+"%"); err != nil {
		return nil, err
	}
	if err := addSeries(p, xys, styleOf(0), "power at alpha "+strconv.FormatFloat(req.Alpha, 'g', -1, 64)); err != nil {
		return nil, err
	}
	var mark *plotter.XY
	var markLabel string
	unitsText := func(n1, n2 float64) string {
		s := fmt.Sprintf("%s units (%s treatment, %s control)", sig3(n1+n2), sig3(n1), sig3(n2))
		if clustered {
			s = fmt.Sprintf("%s clusters, %s", sig3((n1+n2)/req.ClusterSize), s)
		}
		return s
	}
	switch {
	case out.SampleSize != nil:
		ss := out.SampleSize
		pt := abtest.PowerPoint{N1: float64(ss.N1Units), N2: float64(ss.N2Units), Power: ss.AchievedPower}
		mark = &plotter.XY{X: x(pt), Y: ss.AchievedPower}
		markLabel = "required: " + unitsText(pt.N1, pt.N2) + ", power " + dec(ss.AchievedPower, 3)
	case out.Power != nil:
		pw := out.Power
		mark = &plotter.XY{X: x(abtest.PowerPoint{N1: pw.N1, N2: pw.N2}), Y: pw.Power}
		markLabel = "planned: " + unitsText(pw.N1, pw.N2) + ", power " + dec(pw.Power, 3)
	}
	if mark != nil {
		l, err := plotter.NewLine(plotter.XYs{{X: mark.X, Y: 0}, {X: mark.X, Y: mark.Y}})
		if err != nil {
			return nil, err
		}
		l.Color, l.Width, l.Dashes = color.Black, vg.Points(1), dotted
		s, err := plotter.NewScatter(plotter.XYs{*mark})
		if err != nil {
			return nil, err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: palette[1], Radius: vg.Points(5), Shape: draw.TriangleGlyph{}}
		p.Add(l, s)
		p.Legend.Add(markLabel, l, s)
	}
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(4), vg.Points(4)
	effect := ""
	switch out.Kind {
	case "proportions":
		t := req.TreatmentRate
		if req.RelativeReduction != 0 {
			effect = fmt.Sprintf("a %s%% relative reduction of the %s%% control rate", sig3(100*req.RelativeReduction), sig3(100*req.ControlRate))
		} else {
			effect = fmt.Sprintf("rates of %s%% (treatment) and %s%% (control)", sig3(100*t), sig3(100*req.ControlRate))
		}
	case "means":
		effect = fmt.Sprintf("a difference in means of %s (sd %s)", sig3(req.MeanDifference), sig3(req.SD))
	}
	design := ""
	if clustered {
		design = fmt.Sprintf(", clusters of %s units with ICC %s", trimmedDec(req.ClusterSize, 2), strconv.FormatFloat(req.ICC, 'g', -1, 64))
	}
	first, last := out.Curve[0], out.Curve[len(out.Curve)-1]
	desc := fmt.Sprintf("Power of the two-sided test at alpha %s to detect %s%s, against the total sample size: from %s at %s to %s at %s. The dashed line is the target power %s%%.",
		strconv.FormatFloat(req.Alpha, 'g', -1, 64), effect, design, dec(first.Power, 3), unitsText(first.N1, first.N2), dec(last.Power, 3), unitsText(last.N1, last.N2), wholePercent(req.Power))
	if mark != nil {
		desc += " Marked: " + markLabel + "."
	}
	return render(pilotPowerPlotName(pilotName), "Power curve of pilot "+pilotName, desc, single(p), withPNG)
}

// trimmedDec writes v with at most digits decimals and no trailing zeros
// (100 × 0.15 is "15", not "15.000000000000002").
func trimmedDec(v float64, digits int) string {
	s := dec(v, digits)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// PowerCurveFiles renders the power curve of a design (pilot.Power's
// output; pilotName names the file) as plots/pilot-power_PILOT.svg and
// .png: power against the total sample size (in clusters when clustered),
// the target power and the required (or evaluated) size marked. No file
// when out has no curve (no effect was given).
func PowerCurveFiles(pilotName string, out *pilot.PowerOutput) ([]File, error) {
	p, err := powerCurvePlot(pilotName, out, true)
	if err != nil || p == nil {
		return nil, err
	}
	return plotFiles([]*renderedPlot{p}), nil
}
