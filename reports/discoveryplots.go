package reports

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/evalrun/evalrun/discovery"
)

func sequencePlotName(analysis string) string { return "plots/sequences_" + slug(analysis) }
func rulePlotName(analysis string) string     { return "plots/rules_" + slug(analysis) }
func networkPlotName(analysis string) string  { return "plots/network_" + slug(analysis) }

// Plot limits: a sequence plot shows the patterns with the smallest
// p-values (results order), a rule plot the rules with the smallest.
const (
	maxPlottedPatterns = 15
	maxPlottedRules    = 60
)

// Colours and markers of the two outcome groups, shared by the discovery
// plots: at risk vermillion triangles, the others blue circles.
var (
	atRiskColor = palette[1]
	otherColor  = palette[0]
)

// intervalRow is one labelled row of a dot plot: up to two estimates with
// intervals (at risk above, others below).
type intervalRow struct {
	Label string
	// Points: nil Value means nothing to draw (suppressed or undefined).
	Points []intervalPoint
}

type intervalPoint struct {
	Value, Lower, Upper *float64
	Color               color.NRGBA
	Glyph               draw.GlyphDrawer
	Offset              float64
}

// dotPlot draws rows top to bottom with their estimates and intervals on
// a share axis fixed to [0, 1].
func dotPlot(title, xLabel string, rows []intervalRow) (*plot.Plot, error) {
	p := newPlot(title, xLabel, "")
	p.Y.Tick.Label.Font.Size = 9
	n := len(rows)
	ticks := make([]plot.Tick, n)
	for i, r := range rows {
		ticks[i] = plot.Tick{Value: float64(n - 1 - i), Label: r.Label}
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
	p.X.Min, p.X.Max = 0, 1
	var xt []plot.Tick
	for i := 0; i <= 10; i++ {
		t := plot.Tick{Value: float64(i) / 10}
		if i%2 == 0 {
			t.Label = pctOf(t.Value)
		}
		xt = append(xt, t)
	}
	p.X.Tick.Marker = plot.ConstantTicks(xt)
	p.Add(plotter.NewGrid())
	for i, r := range rows {
		for _, pt := range r.Points {
			if pt.Value == nil {
				continue
			}
			y := float64(n-1-i) + pt.Offset
			xy := plotter.XYs{{X: *pt.Value, Y: y}}
			if pt.Lower != nil && pt.Upper != nil {
				eb, err := plotter.NewXErrorBars(errPoints{xy, []float64{math.Max(0, *pt.Value-*pt.Lower)}, []float64{math.Max(0, *pt.Upper-*pt.Value)}})
				if err != nil {
					return nil, err
				}
				eb.Color, eb.Width = pt.Color, vg.Points(1.4)
				p.Add(eb)
			}
			s, err := plotter.NewScatter(xy)
			if err != nil {
				return nil, err
			}
			s.GlyphStyle = draw.GlyphStyle{Color: pt.Color, Radius: vg.Points(3.5), Shape: pt.Glyph}
			p.Add(s)
		}
	}
	return p, nil
}

// legendGlyph adds a legend entry drawn as a marker of the given style
// (the scatter is not added to the plot: only its thumbnail is drawn).
func legendGlyph(p *plot.Plot, label string, c color.NRGBA, g draw.GlyphDrawer) error {
	s, err := plotter.NewScatter(plotter.XYs{{}})
	if err != nil {
		return err
	}
	s.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(3.5), Shape: g}
	p.Legend.Add(label, s)
	return nil
}

// shortLabel keeps a row label to n runes.
func shortLabel(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// rowsHeight is the height of a figure of n dot-plot rows.
func rowsHeight(n int) vg.Length {
	return max(plotHeight, vg.Length(n)*vg.Points(22)+2*vg.Inch)
}

// sequencePlot draws, for each reported pattern, the share of at-risk and
// of other students whose sessions hold it, with Wilson intervals; nil
// without patterns.
func sequencePlot(d *discovery.Result, withPNG bool) (*renderedPlot, error) {
	q := d.Sequences
	if q == nil || len(q.Patterns) == 0 {
		return nil, nil
	}
	pats := q.Patterns[:min(len(q.Patterns), maxPlottedPatterns)]
	lv := pctOf(q.Level)
	var rows []intervalRow
	var parts []string
	for _, pt := range pats {
		label := strings.Join(pt.Pattern, " → ")
		if pt.Significant {
			label += " *"
		}
		rows = append(rows, intervalRow{Label: shortLabel(label, 48), Points: []intervalPoint{
			{Value: &pt.ShareAtRisk, Lower: pt.ShareAtRiskLower, Upper: pt.ShareAtRiskUpper, Color: atRiskColor, Glyph: draw.PyramidGlyph{}, Offset: 0.17},
			{Value: &pt.ShareOther, Lower: pt.ShareOtherLower, Upper: pt.ShareOtherUpper, Color: otherColor, Glyph: draw.CircleGlyph{}, Offset: -0.17},
		}})
		sig := ""
		if pt.Significant {
			sig = ", significant"
		}
		parts = append(parts, fmt.Sprintf("%s: %s of at-risk students %s, %s of others %s (q %s%s)",
			strings.Join(pt.Pattern, " then "), pctOf(pt.ShareAtRisk), intervalText(pt.ShareAtRiskLower, pt.ShareAtRiskUpper),
			pctOf(pt.ShareOther), intervalText(pt.ShareOtherLower, pt.ShareOtherUpper), qText(pt.Q), sig))
	}
	title := "Sequences: " + d.Name
	p, err := dotPlot(title, fmt.Sprintf("Share of students whose sessions hold the pattern (%s Wilson intervals)", lv), rows)
	if err != nil {
		return nil, err
	}
	if err := legendGlyph(p, fmt.Sprintf("at risk (%d students)", q.AtRiskStudents), atRiskColor, draw.PyramidGlyph{}); err != nil {
		return nil, err
	}
	if err := legendGlyph(p, fmt.Sprintf("not at risk (%d students)", q.OtherStudents), otherColor, draw.CircleGlyph{}); err != nil {
		return nil, err
	}
	p.Legend.Top = true
	desc := fmt.Sprintf("Dot plot of the %d patterns with the smallest p-values of %s (training terms %s; * significant after Benjamini-Hochberg), each with the share of at-risk and of other students whose sessions hold it and %s Wilson intervals: %s.",
		len(pats), d.Name, strings.Join(d.TrainTerms, ", "), lv, strings.Join(parts, "; "))
	return render(sequencePlotName(d.Name), title, desc, figureDrawer{plotWidth + 2*vg.Inch, rowsHeight(2 * len(rows)), func(dc draw.Canvas) { p.Draw(dc) }}, withPNG)
}

// qText is "= 0.012" or "< 0.001".
func qText(q float64) string {
	if q < 0.001 {
		return "< 0.001"
	}
	return "= " + dec(q, 3)
}

func intervalText(lo, hi *float64) string {
	if lo == nil || hi == nil {
		return "(no interval)"
	}
	return "[" + pctOf(*lo) + ", " + pctOf(*hi) + "]"
}

// rulePlot draws each rule's confidence (with its Wilson interval) against
// its support, filled markers for the significant rules, and the at-risk
// rate of all students (lift 1) for each consequent; nil without rules.
func rulePlot(d *discovery.Result, withPNG bool) (*renderedPlot, error) {
	r := d.Rules
	if r == nil || len(r.Rules) == 0 {
		return nil, nil
	}
	rules := r.Rules[:min(len(r.Rules), maxPlottedRules)]
	lv := pctOf(r.Level)
	title := "Association rules: " + d.Name
	p := newPlot(title, "Support (share of students with the antecedent and the outcome)", fmt.Sprintf("Confidence (%s Wilson interval)", lv))
	maxSupport := 0.0
	for _, x := range rules {
		maxSupport = math.Max(maxSupport, x.Support)
	}
	p.X.Min, p.X.Max = 0, math.Min(1, math.Max(0.1, math.Ceil(maxSupport*11)/10))
	p.Y.Min, p.Y.Max = 0, 1
	p.Add(plotter.NewGrid())
	base := map[string]float64{"at risk": r.AtRiskRate, "not at risk": 1 - r.AtRiskRate}
	kinds := []struct {
		consequent  string
		col         color.NRGBA
		sig, nonsig draw.GlyphDrawer
		dash        []vg.Length
		significant int
		total       int
	}{
		{consequent: "at risk", col: atRiskColor, sig: draw.PyramidGlyph{}, nonsig: draw.TriangleGlyph{}, dash: []vg.Length{vg.Points(6), vg.Points(3)}},
		{consequent: "not at risk", col: otherColor, sig: draw.CircleGlyph{}, nonsig: draw.RingGlyph{}, dash: dotted},
	}
	var parts []string
	for k := range kinds {
		kd := &kinds[k]
		for _, x := range rules {
			if x.Consequent != kd.consequent {
				continue
			}
			kd.total++
			xy := plotter.XYs{{X: x.Support, Y: x.Confidence}}
			if x.ConfidenceLower != nil && x.ConfidenceUpper != nil {
				eb, err := plotter.NewYErrorBars(errPoints{xy, []float64{math.Max(0, x.Confidence-*x.ConfidenceLower)}, []float64{math.Max(0, *x.ConfidenceUpper-x.Confidence)}})
				if err != nil {
					return nil, err
				}
				eb.Color, eb.Width = kd.col, vg.Points(1)
				p.Add(eb)
			}
			s, err := plotter.NewScatter(xy)
			if err != nil {
				return nil, err
			}
			g := kd.nonsig
			if x.Significant {
				g = kd.sig
				kd.significant++
			}
			s.GlyphStyle = draw.GlyphStyle{Color: kd.col, Radius: vg.Points(3.5), Shape: g}
			p.Add(s)
		}
		if kd.total == 0 {
			continue
		}
		l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: base[kd.consequent]}, {X: p.X.Max, Y: base[kd.consequent]}})
		if err != nil {
			return nil, err
		}
		l.Color, l.Width, l.Dashes = kd.col, vg.Points(1.2), kd.dash
		p.Add(l)
		if kd.significant > 0 {
			if err := legendGlyph(p, fmt.Sprintf("→ %s, q ≤ %s", kd.consequent, dec(r.FDR, 2)), kd.col, kd.sig); err != nil {
				return nil, err
			}
		}
		if kd.significant < kd.total {
			if err := legendGlyph(p, fmt.Sprintf("→ %s, not significant", kd.consequent), kd.col, kd.nonsig); err != nil {
				return nil, err
			}
		}
		p.Legend.Add(fmt.Sprintf("%s among all students (lift 1): %s", kd.consequent, pctOf(base[kd.consequent])), l)
		noun := "rules"
		if kd.total == 1 {
			noun = "rule"
		}
		parts = append(parts, fmt.Sprintf("%d %s for %s (%d significant; %s of all students are %s)", kd.total, noun, kd.consequent, kd.significant, pctOf(base[kd.consequent]), kd.consequent))
	}
	// Rules have at least the minimum confidence: the lower right is
	// the emptiest corner.
	p.Legend.Top, p.Legend.Left = false, false
	var best []string
	for i, x := range rules {
		if i == 5 {
			break
		}
		best = append(best, fmt.Sprintf("%s → %s: support %s, confidence %s %s, lift %s, q %s",
			strings.Join(x.Antecedent, " + "), x.Consequent, pctOf(x.Support), pctOf(x.Confidence), intervalText(x.ConfidenceLower, x.ConfidenceUpper), dec(x.Lift, 2), qText(x.Q)))
	}
	desc := fmt.Sprintf("Scatter plot of the %d rules with the smallest p-values of %s: confidence with its %s Wilson interval against support, filled markers for rules significant at FDR %s, and lines at each outcome's rate among all students (a rule on its line has lift 1). %s. Smallest p-values: %s.",
		len(rules), d.Name, lv, dec(r.FDR, 2), strings.Join(parts, "; "), strings.Join(best, "; "))
	return render(rulePlotName(d.Name), title, desc, single(p), withPNG)
}

// networkPlot draws the at-risk rate of isolated students and of connected
// students by degree band, with Wilson intervals; nil without groups.
func networkPlot(d *discovery.Result, withPNG bool) (*renderedPlot, error) {
	n := d.Network
	if n == nil || len(n.OutcomeGroups) == 0 {
		return nil, nil
	}
	lv := pctOf(n.Level)
	var rows []intervalRow
	var parts []string
	for _, g := range n.OutcomeGroups {
		if g.Suppressed {
			rows = append(rows, intervalRow{Label: g.Group + " (suppressed)"})
			parts = append(parts, g.Group+": suppressed (too few students)")
			continue
		}
		col, glyph := otherColor, draw.GlyphDrawer(draw.CircleGlyph{})
		if g.Group == "isolated" {
			col, glyph = atRiskColor, draw.PyramidGlyph{}
		}
		label := fmt.Sprintf("%s (%d students)", g.Group, g.Students)
		rows = append(rows, intervalRow{Label: label, Points: []intervalPoint{{Value: g.Rate, Lower: g.Lower, Upper: g.Upper, Color: col, Glyph: glyph}}})
		rate := "–"
		if g.Rate != nil {
			rate = pctOf(*g.Rate)
		}
		parts = append(parts, fmt.Sprintf("%s, %d students: %s at risk %s", g.Group, g.Students, rate, intervalText(g.Lower, g.Upper)))
	}
	title := "Forum network: " + d.Name
	p, err := dotPlot(title, fmt.Sprintf("At-risk rate of training students (%s Wilson intervals)", lv), rows)
	if err != nil {
		return nil, err
	}
	desc := fmt.Sprintf("Dot plot of the at-risk rate of the isolated training students of %s (no reply edge once staff are out) and of the connected ones in bands of their degree (edges), with %s Wilson intervals; groups below the minimum group size are suppressed: %s.",
		d.Name, lv, strings.Join(parts, "; "))
	return render(networkPlotName(d.Name), title, desc, figureDrawer{plotWidth, rowsHeight(len(rows)), func(dc draw.Canvas) { p.Draw(dc) }}, withPNG)
}
