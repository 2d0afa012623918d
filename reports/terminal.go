package reports

import (
	"fmt"
	"io"
	"strconv"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/evalrun/evalrun/fairness"
	"github.com/evalrun/evalrun/results"
)

// WriteTerminal writes one table per dataset: a row per cutoff, split and
// model with the test-set size, base rate and the main metrics at the
// chosen threshold, one table per split. Undefined values print as "-".
// Tables fit in 100 columns.
func WriteTerminal(w io.Writer, run *results.Run) error {
	fmt.Fprintf(w, "%s (seed %d), threshold: %s\n", run.Experiment, run.Seed, run.ThresholdPolicy)
	for _, warning := range run.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warning)
	}
	for _, r := range leakageRows(run) {
		fmt.Fprintf(w, "warning: leakage suspect in %s, %s, split %s: %s\n", r.dataset, cutoffText(r.cutoff), r.split, r.suspect.Reason)
	}
	if err := writeVerdicts(w, run); err != nil {
		return err
	}
	for _, d := range run.Datasets {
		fmt.Fprintf(w, "\ndataset %s (%s)\n", d.Name, d.Kind)
		for _, c := range d.Cutoffs {
			fmt.Fprintf(w, "  %s: %d students, %d at risk (%.1f%%)\n", cutoffText(c.Day), c.Rows, c.Positives, percent(c.Positives, c.Rows))
		}
		for _, split := range splitsOf(run, d.Name) {
			fmt.Fprintf(w, "\nsplit %s\n", split)
			table := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
			table.Header("day", "model", "n", "base", "AUC", ciHeader(run), "AP", "prec", "rec", "F1", "flags")
			for _, e := range run.Evaluations {
				if e.Dataset != d.Name || e.Split != split {
					continue
				}
				m := e.Metrics
				if err := table.Append(
					cutoffValue(e.Cutoff), e.Model, strconv.Itoa(m.N), num(&m.BaseRate),
					num(m.AUC), aucInterval(e), num(m.AveragePrecision), num(m.Precision), num(m.Recall), num(m.F1),
					strconv.Itoa(m.Flagged),
				); err != nil {
					return fmt.Errorf("terminal table: %w", err)
				}
			}
			if err := table.Render(); err != nil {
				return fmt.Errorf("terminal table: %w", err)
			}
		}
	}
	writeRandomIntercepts(w, run)
	if err := writeComparisons(w, run); err != nil {
		return err
	}
	for _, p := range run.Abtests {
		fmt.Fprintln(w)
		if err := WritePilot(w, p); err != nil {
			return err
		}
	}
	return nil
}

// writeVerdicts writes the fairness verdicts first: a governance board
// reads them before anything else.
func writeVerdicts(w io.Writer, run *results.Run) error {
	audited := false
	for _, e := range run.Evaluations {
		audited = audited || (e.Fairness != nil && len(e.Fairness.Verdicts) > 0)
	}
	if !audited {
		return nil
	}
	fmt.Fprintf(w, "\nfairness audit: %s\n", run.FairnessStatus)
	for _, c := range FailingChecks(run) {
		fmt.Fprintf(w, "failing: %s\n", c)
	}
	for _, e := range run.Evaluations {
		if e.Fairness == nil || len(e.Fairness.Verdicts) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s, %s, split %s (%s)\n", e.Model, cutoffText(e.Cutoff), e.Split, e.Fairness.Status)
		if err := writeVerdictTable(w, e.Fairness.Verdicts); err != nil {
			return err
		}
	}
	return nil
}

// borderless is the layout of the wide fairness tables: no borders, one
// rule under the header, two spaces between columns.
func borderless(w io.Writer) *tablewriter.Table {
	return tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: "  ", Overwrite: true}),
		tablewriter.WithRendition(tw.Rendition{
			Borders:  tw.BorderNone,
			Settings: tw.Settings{Separators: tw.SeparatorsNone, Lines: tw.Lines{ShowHeaderLine: tw.On}},
		}))
}

func writeVerdictTable(w io.Writer, verdicts []fairness.Verdict) error {
	table := borderless(w)
	table.Header("verdict", "gap", "attribute", "group vs ref", "value", "CI", "allowed")
	for _, v := range verdicts {
		groups := v.Group + " vs " + v.Reference
		if v.Group == "" {
			groups = "(" + v.Reference + ")" // e.g. max - min between groups
		}
		ci := "-"
		if v.Lower.Defined && v.Upper.Defined {
			ci = estimate(v.Lower) + ", " + estimate(v.Upper)
		}
		if err := table.Append(string(v.Outcome), gapLabel(v.Metric), v.Attribute, groups,
			estimate(v.Estimate), ci, allowed(v.AllowedLow, v.AllowedHigh)); err != nil {
			return fmt.Errorf("verdict table: %w", err)
		}
	}
	if err := table.Render(); err != nil {
		return fmt.Errorf("verdict table: %w", err)
	}
	return nil
}

// WriteAudit writes a fairness audit for the terminal: the status and
// verdicts first, then per attribute the groups' rates (suppressed groups
// listed without numbers) and the gaps with their intervals and adjusted
// permutation p-values.
func WriteAudit(w io.Writer, res *fairness.AuditResult) error {
	fmt.Fprintf(w, "fairness audit of %d rows at threshold %s: %s\n", res.Rows, strconv.FormatFloat(res.Threshold, 'g', 6, 64), res.Status)
	for _, warning := range res.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warning)
	}
	if len(res.Verdicts) > 0 {
		fmt.Fprintln(w)
		if err := writeVerdictTable(w, res.Verdicts); err != nil {
			return err
		}
	}
	for _, a := range res.Attributes {
		fmt.Fprintf(w, "\n%s (reference: %s)\n", a.Name, a.Reference)
		groups := borderless(w)
		groups.Header("group", "n", "base", "selection_rate", "TPR", "FPR", "FNR", "PPV", "AUC", "ECE")
		for _, g := range a.Groups {
			if g.Suppressed {
				if err := groups.Append(g.Group, "suppressed: "+g.SuppressedReason, "", "", "", "", "", "", "", ""); err != nil {
					return err
				}
				continue
			}
			n := "-"
			if g.Count != nil {
				n = strconv.Itoa(*g.Count)
			}
			if err := groups.Append(g.Group, n, estimate(g.BaseRate), estimate(g.SelectionRate), estimate(g.TPR), estimate(g.FPR),
				estimate(g.FNR), estimate(g.PPV), estimate(g.AUC), estimate(g.ECE)); err != nil {
				return err
			}
		}
		if err := groups.Render(); err != nil {
			return err
		}
		gaps := borderless(w)
		gaps.Header("gap", "group vs ref", "value", "CI", "p adj", "min. detectable")
		for _, g := range a.Gaps {
			vs := g.Group + " vs " + g.Reference
			if g.Group == "" {
				vs = "(" + g.Reference + ")"
			}
			ci := "-"
			if g.Lower.Defined && g.Upper.Defined {
				ci = estimate(g.Lower) + ", " + estimate(g.Upper)
			}
			if err := gaps.Append(gapLabel(g.Metric), vs, estimate(g.Estimate), ci, estimate(g.AdjustedPValue), estimate(g.MinDetectableGap)); err != nil {
				return err
			}
		}
		fmt.Fprintln(w)
		if err := gaps.Render(); err != nil {
			return err
		}
		for _, warning := range a.Warnings {
			fmt.Fprintf(w, "warning: %s\n", warning)
		}
	}
	return nil
}

// WriteAuditSweep writes a fairness audit at several thresholds for the
// terminal, as Fairness Indicators show a model at several thresholds:
// the worst status, then each group's rates at each threshold, then every
// verdict with its threshold.
func WriteAuditSweep(w io.Writer, audits []fairness.AuditResult, status fairness.Outcome) error {
	fmt.Fprintf(w, "fairness audit at %d thresholds: %s (the worst of the audits)\n", len(audits), status)
	for _, a := range audits {
		for _, warning := range a.Warnings {
			fmt.Fprintf(w, "warning at threshold %s: %s\n", threshold(a.Threshold), warning)
		}
	}
	fmt.Fprintln(w)
	rates := borderless(w)
	rates.Header("threshold", "attribute", "group", "n", "selection_rate", "tpr", "fpr", "fnr", "ppv")
	for _, a := range audits {
		for _, attr := range a.Attributes {
			for _, g := range attr.Groups {
				row := []string{threshold(a.Threshold), attr.Name, g.Group}
				if g.Suppressed {
					row = append(row, "suppressed: "+g.SuppressedReason, "", "", "", "", "")
				} else {
					n := "-"
					if g.Count != nil {
						n = strconv.Itoa(*g.Count)
					}
					row = append(row, n, estimate(g.SelectionRate), estimate(g.TPR), estimate(g.FPR), estimate(g.FNR), estimate(g.PPV))
				}
				if err := rates.Append(row); err != nil {
					return err
				}
			}
		}
	}
	if err := rates.Render(); err != nil {
		return err
	}
	var rows [][]string
	for _, a := range audits {
		for _, v := range a.Verdicts {
			groups := v.Group + " vs " + v.Reference
			if v.Group == "" {
				groups = "(" + v.Reference + ")"
			}
			ci := "-"
			if v.Lower.Defined && v.Upper.Defined {
				ci = estimate(v.Lower) + ", " + estimate(v.Upper)
			}
			rows = append(rows, []string{threshold(a.Threshold), string(v.Outcome), gapLabel(v.Metric), v.Attribute, groups, estimate(v.Estimate), ci, allowed(v.AllowedLow, v.AllowedHigh)})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	verdicts := borderless(w)
	verdicts.Header("threshold", "verdict", "gap", "attribute", "group vs ref", "value", "CI", "allowed")
	for _, r := range rows {
		if err := verdicts.Append(r); err != nil {
			return err
		}
	}
	return verdicts.Render()
}

func threshold(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

func allowed(lo, hi float64) string {
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
	if lo == -hi {
		return "±" + g(hi)
	}
	return g(lo) + "-" + g(hi)
}

func estimate(e fairness.Estimate) string {
	if !e.Defined {
		return "-"
	}
	return strconv.FormatFloat(e.Value, 'f', 3, 64)
}

// writeComparisons writes the "model vs baseline" table: AUC differences
// with DeLong's paired test and Holm-adjusted p-values.
func writeComparisons(w io.Writer, run *results.Run) error {
	if len(run.Comparisons) == 0 {
		return nil
	}
	for _, d := range run.Datasets {
		table := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
		table.Header("cutoff", "split", "model", "vs", "dAUC", "CI", "p", "p Holm")
		rows := 0
		for _, c := range run.Comparisons {
			if c.Dataset != d.Name {
				continue
			}
			diff, ci, p, ph := "-", "-", "-", "-"
			if dl := c.DeLong; dl != nil {
				diff = signed(dl.Diff)
				ci = signed(dl.Lower) + " to " + signed(dl.Upper)
				p, ph = pValue(dl.PValue), pValue(dl.PHolm)
			}
			if err := table.Append(cutoffValue(c.Cutoff), c.Split, c.ModelA, c.ModelB, diff, ci, p, ph); err != nil {
				return fmt.Errorf("comparison table: %w", err)
			}
			rows++
		}
		if rows == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s: AUC difference (model - vs), DeLong paired test, p Holm-adjusted over all %d tests\n", d.Name, len(run.Comparisons))
		if err := table.Render(); err != nil {
			return fmt.Errorf("comparison table: %w", err)
		}
	}
	return nil
}

func ciHeader(run *results.Run) string {
	for _, e := range run.Evaluations {
		if e.Uncertainty != nil {
			return strconv.FormatFloat(100*e.Uncertainty.Level, 'g', -1, 64) + "% CI"
		}
	}
	return "CI"
}

// aucInterval shows the DeLong interval of the AUC.
func aucInterval(e results.Evaluation) string {
	if e.Uncertainty == nil || e.Uncertainty.AUCDeLong == nil {
		return "-"
	}
	d := e.Uncertainty.AUCDeLong
	return strconv.FormatFloat(d.Lower, 'f', 3, 64) + "-" + strconv.FormatFloat(d.Upper, 'f', 3, 64)
}

func signed(v float64) string {
	return strconv.FormatFloat(v, 'f', 3, 64)
}

func pValue(p float64) string {
	if p < 0.001 {
		return "<0.001"
	}
	return strconv.FormatFloat(p, 'f', 3, 64)
}

// splitsOf lists the splits evaluated on a dataset in result order.
func splitsOf(run *results.Run, dataset string) []string {
	var splits []string
	seen := map[string]bool{}
	for _, e := range run.Evaluations {
		if e.Dataset == dataset && !seen[e.Split] {
			seen[e.Split] = true
			splits = append(splits, e.Split)
		}
	}
	return splits
}

func percent(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return 100 * float64(part) / float64(whole)
}

func num(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v, 'f', 3, 64)
}

func cutoffValue(day *int) string {
	if day == nil {
		return "-"
	}
	return strconv.Itoa(*day)
}

func cutoffText(day *int) string {
	if day == nil {
		return "all rows"
	}
	return "day " + strconv.Itoa(*day)
}
