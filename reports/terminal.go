package reports

import (
	"fmt"
	"io"
	"strconv"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

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
	for _, d := range run.Datasets {
		fmt.Fprintf(w, "\ndataset %s (%s)\n", d.Name, d.Kind)
		for _, c := range d.Cutoffs {
			fmt.Fprintf(w, "  %s: %d students, %d at risk (%.1f%%)\n", cutoffText(c.Day), c.Rows, c.Positives, percent(c.Positives, c.Rows))
		}
		for _, split := range splitsOf(run, d.Name) {
			fmt.Fprintf(w, "\nsplit %s\n", split)
			table := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
			table.Header("cutoff", "model", "test n", "base", "AUC", "AP", "prec", "recall", "F1", "Brier", "flagged")
			for _, e := range run.Evaluations {
				if e.Dataset != d.Name || e.Split != split {
					continue
				}
				m := e.Metrics
				if err := table.Append(
					cutoffValue(e.Cutoff), e.Model, strconv.Itoa(m.N), num(&m.BaseRate),
					num(m.AUC), num(m.AveragePrecision), num(m.Precision), num(m.Recall), num(m.F1), num(m.Brier),
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
	return nil
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
