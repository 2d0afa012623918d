package reports

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/evalrun/evalrun/costbenefit"
)

// WriteCostBenefit prints a cost-benefit analysis: the VP sentence, the
// pilot effect, the sensitivity table and how the intervals were made.
func WriteCostBenefit(w io.Writer, r *costbenefit.Result) error {
	fmt.Fprintf(w, "%s\n\n", r.Summary)
	e := r.Effect
	fmt.Fprintf(w, "model %s on %d test students of %d test terms, ranked and cut within each term (%d scored per term); pilot %s: %s on %s, risk difference %s (%s to %s, %s), control DFW rate %s of %d\n",
		r.Model, r.TestRows, r.TestTerms, r.StudentsPerTerm, e.Pilot, e.Arm, e.Outcome, dec(e.RiskDifference, 3), dec(e.Lower, 3), dec(e.Upper, 3), e.Method, dec(e.ControlRate, 3), e.ControlN)
	fmt.Fprintf(w, "relative reduction of DFW among contacted students at risk: %s (%s to %s)\n", dec(r.RelativeReduction.Value, 3), dec(r.RelativeReduction.Lower, 3), dec(r.RelativeReduction.Upper, 3))
	fmt.Fprintf(w, "cost: %s per contact, %s fixed per term\n\n", cbMoney(r.Currency, r.CostPerContact), cbMoney(r.Currency, r.FixedCost))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "capacity\tprecision\treached at risk\tDFW prevented\tcost per term\tcost per outcome prevented\t\n")
	for _, row := range r.Rows {
		mark := ""
		if row.Capacity == r.Planned.Capacity {
			mark = " (planned)"
		}
		if row.Capacity == r.Best {
			mark += " (lowest cost per outcome)"
		}
		fmt.Fprintf(tw, "%d%s\t%s (%s-%s)\t%s (%s-%s)\t%s (%s-%s)\t%s\t%s (%s-%s)\t\n", row.Capacity, mark,
			dec(row.Precision.Value, 3), dec(row.Precision.Lower, 3), dec(row.Precision.Upper, 3),
			dec(row.ReachedAtRisk.Value, 1), dec(row.ReachedAtRisk.Lower, 1), dec(row.ReachedAtRisk.Upper, 1),
			dec(row.Prevented.Value, 1), dec(row.Prevented.Lower, 1), dec(row.Prevented.Upper, 1),
			cbMoney(r.Currency, row.Cost), cbMoney(r.Currency, row.CostPerOutcome.Value), cbMoney(r.Currency, row.CostPerOutcome.Lower), cbMoney(r.Currency, row.CostPerOutcome.Upper))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nintervals: %.0f%% %s\n", 100*r.Level, r.Interval)
	for _, wn := range r.Warnings {
		fmt.Fprintf(w, "warning: %s\n", wn)
	}
	return nil
}

func cbMoney(cur string, v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "unbounded"
	case v >= 100:
		return fmt.Sprintf("%s%.0f", cur, v)
	}
	return fmt.Sprintf("%s%.2f", cur, v)
}

// CostBenefitSVG draws DFW outcomes prevented and cost per outcome
// prevented over capacity, each with its interval band, as two panels of
// one SVG.
func CostBenefitSVG(r *costbenefit.Result) ([]byte, error) {
	prevented := newPlot("DFW outcomes prevented per term", "students contacted per term", "DFW prevented")
	cost := newPlot("Cost per DFW outcome prevented", "students contacted per term", "cost per outcome ("+r.Currency+")")
	var pv, pl, ph, cv, cl, ch plotter.XYs
	maxCost := 0.0
	for _, row := range r.Rows {
		x := float64(row.Capacity)
		pv = append(pv, plotter.XY{X: x, Y: row.Prevented.Value})
		pl = append(pl, plotter.XY{X: x, Y: row.Prevented.Lower})
		ph = append(ph, plotter.XY{X: x, Y: row.Prevented.Upper})
		if !math.IsInf(row.CostPerOutcome.Value, 1) {
			cv = append(cv, plotter.XY{X: x, Y: row.CostPerOutcome.Value})
			maxCost = math.Max(maxCost, row.CostPerOutcome.Value)
		}
		if !math.IsInf(row.CostPerOutcome.Lower, 1) {
			cl = append(cl, plotter.XY{X: x, Y: row.CostPerOutcome.Lower})
		}
		if !math.IsInf(row.CostPerOutcome.Upper, 1) {
			ch = append(ch, plotter.XY{X: x, Y: row.CostPerOutcome.Upper})
		}
	}
	st := styleOf(0)
	bound := seriesStyle{Color: st.Color, Dashes: dotted, Glyph: st.Glyph}
	band := fmt.Sprintf("%.0f%% interval", 100*r.Level)
	for _, s := range []struct {
		p         *plot.Plot
		v, lo, hi plotter.XYs
	}{{prevented, pv, pl, ph}, {cost, cv, cl, ch}} {
		if err := addSeries(s.p, s.v, st, "estimate"); err != nil {
			return nil, err
		}
		if err := addSeries(s.p, s.lo, bound, band); err != nil {
			return nil, err
		}
		if len(s.hi) > 0 {
			l, err := plotter.NewLine(s.hi)
			if err != nil {
				return nil, err
			}
			l.Color, l.Width, l.Dashes = bound.Color, vg.Points(1.6), bound.Dashes
			s.p.Add(l)
		}
	}
	if maxCost > 0 {
		// Upper bounds near zero prevented outcomes explode; keep the
		// estimates readable.
		cost.Y.Max = math.Min(cost.Y.Max, 4*maxCost)
		cost.Y.Min = 0
	}
	planned := plotter.XYs{{X: float64(r.Planned.Capacity), Y: r.Planned.Prevented.Value}}
	if err := addPoint(prevented, planned[0], styleOf(1), fmt.Sprintf("planned: %d", r.Planned.Capacity)); err != nil {
		return nil, err
	}
	prevented.Y.Min = math.Min(prevented.Y.Min, 0)
	prevented.Legend.Top, prevented.Legend.Left = true, true
	cost.Legend.Top = true
	f := figureDrawer{W: plotWidth, H: 2 * plotHeight, Draw: stackDrawer(prevented, cost)}
	out, err := render("costbenefit", "Cost-benefit over capacity", "DFW outcomes prevented and cost per outcome prevented against the number of students contacted per term, with interval bands", f, false)
	if err != nil {
		return nil, err
	}
	return out.SVG, nil
}

// stackDrawer draws plots one above the other, axes aligned.
func stackDrawer(plots ...*plot.Plot) func(dc draw.Canvas) {
	return func(dc draw.Canvas) {
		grid := make([][]*plot.Plot, len(plots))
		for i, p := range plots {
			grid[i] = []*plot.Plot{p}
		}
		tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadY: vg.Points(10), PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
		cs := plot.Align(grid, tiles, dc)
		for i, p := range plots {
			p.Draw(cs[i][0])
		}
	}
}
