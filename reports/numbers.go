package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/evalrun/evalrun/fairness"
	"github.com/evalrun/evalrun/metrics"
	"github.com/evalrun/evalrun/results"
)

// undefinedCell is how the Markdown and HTML reports show a number that
// does not exist (a rate with a zero denominator, a missing interval).
const undefinedCell = "—"

// interval is a two-sided interval of a reported estimate.
type interval struct {
	Lower, Upper float64
}

// dec formats v with the given number of decimals.
func dec(v float64, digits int) string { return strconv.FormatFloat(v, 'f', digits, 64) }

// decOpt formats an optional value with three decimals, undefinedCell when nil.
func decOpt(v *float64) string {
	if v == nil {
		return undefinedCell
	}
	return dec(*v, 3)
}

// wholePercent formats a proportion as a whole percentage without the sign,
// e.g. 0.714 -> "71".
func wholePercent(v float64) string { return dec(100*v, 0) }

// rangeText joins two bounds as "lo-hi", or "lo to hi" when either is
// negative so the minus sign is not mistaken for the dash.
func rangeText(lo, hi string) string {
	if strings.HasPrefix(lo, "-") || strings.HasPrefix(hi, "-") {
		return lo + " to " + hi
	}
	return lo + "-" + hi
}

// withInterval formats "0.798 (0.779-0.818)", or only the estimate when
// the interval is missing, or undefinedCell when the estimate is.
func withInterval(v *float64, iv *interval) string {
	if v == nil {
		return undefinedCell
	}
	if iv == nil {
		return dec(*v, 3)
	}
	return dec(*v, 3) + " (" + rangeText(dec(iv.Lower, 3), dec(iv.Upper, 3)) + ")"
}

// intervalKind returns the bootstrap interval kind the run's reports show
// ("bca" or "percentile"), from the first evaluation with intervals.
func intervalKind(run *results.Run) string {
	for _, e := range run.Evaluations {
		if e.Uncertainty != nil && e.Uncertainty.Interval != "" {
			return e.Uncertainty.Interval
		}
	}
	return "bca"
}

// pickBounds returns the interval of the chosen kind, nil when absent.
func pickBounds(iv metrics.BootstrapInterval, kind string) *interval {
	b := iv.BCa
	if kind == "percentile" {
		b = iv.Percentile
	}
	if b == nil {
		return nil
	}
	return &interval{b.Lower, b.Upper}
}

// aucDeLong returns the DeLong interval of an evaluation's AUC, nil when
// absent.
func aucDeLong(e *results.Evaluation) *interval {
	if e.Uncertainty == nil || e.Uncertainty.AUCDeLong == nil {
		return nil
	}
	d := e.Uncertainty.AUCDeLong
	return &interval{d.Lower, d.Upper}
}

// bootInterval returns the bootstrap interval of a test metric (named as
// in metrics.ReportMetrics) of the kind the spec chose, nil when absent.
func bootInterval(e *results.Evaluation, metric string) *interval {
	if e.Uncertainty == nil || e.Uncertainty.Bootstrap == nil {
		return nil
	}
	iv, ok := e.Uncertainty.Bootstrap.Interval(metric)
	if !ok {
		return nil
	}
	kind := e.Uncertainty.Interval
	return pickBounds(iv, kind)
}

// levelPercent returns the confidence level of an evaluation's intervals
// as "95%", or "" without intervals.
func levelPercent(level float64) string {
	if level <= 0 {
		return ""
	}
	return strconv.FormatFloat(100*level, 'g', 4, 64) + "%"
}

// runLevel returns the confidence level of the run's intervals (0 when
// none has one).
func runLevel(run *results.Run) float64 {
	for _, e := range run.Evaluations {
		if e.Uncertainty != nil && e.Uncertainty.Level > 0 {
			return e.Uncertainty.Level
		}
	}
	return 0
}

// estCell formats a fairness estimate with three decimals, undefinedCell
// when undefined.
func estCell(e fairness.Estimate) string {
	if !e.Defined {
		return undefinedCell
	}
	return dec(e.Value, 3)
}

// estInterval formats a fairness interval "lo-hi", undefinedCell when
// either bound is undefined.
func estInterval(lo, hi fairness.Estimate) string {
	if !lo.Defined || !hi.Defined {
		return undefinedCell
	}
	return rangeText(dec(lo.Value, 3), dec(hi.Value, 3))
}

// pCell formats a p-value: "<0.001" below 0.001, else three decimals.
func pCell(p float64) string {
	if math.IsNaN(p) {
		return undefinedCell
	}
	return pValue(p)
}

// dayText says "day 28", or "all rows" for a dataset without cutoffs.
func dayText(c *int) string { return cutoffText(c) }

// evalLabel names an evaluation for headings: "logistic, day 28, split
// 2013-to-2014".
func evalLabel(e *results.Evaluation) string {
	return fmt.Sprintf("%s, %s, split %s", e.Model, dayText(e.Cutoff), e.Split)
}

// sameCutoff reports whether two optional cutoffs are equal.
func sameCutoff(a, b *int) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// isReferenceModel reports whether a model kind is a baseline (a base rate
// or a single-feature rule) rather than a fitted model.
func isReferenceModel(kind string) bool { return kind == "prior" || kind == "rule" }

// focusEvaluation returns the evaluation the summary and the detailed
// sections describe: the risk list's (same dataset, cutoff, split and
// model), else the first evaluation of a fitted model (neither a base rate
// nor a rule), else the first evaluation; nil for a run without
// evaluations.
func focusEvaluation(run *results.Run, risk *results.RiskList) *results.Evaluation {
	if risk != nil {
		for i := range run.Evaluations {
			e := &run.Evaluations[i]
			if e.Dataset == risk.Dataset && sameCutoff(e.Cutoff, risk.Cutoff) && e.Split == risk.Split && e.Model == risk.Model {
				return e
			}
		}
	}
	for i := range run.Evaluations {
		if !isReferenceModel(run.Evaluations[i].ModelKind) {
			return &run.Evaluations[i]
		}
	}
	if len(run.Evaluations) > 0 {
		return &run.Evaluations[0]
	}
	return nil
}

// focusAudit returns the audited evaluation the detailed fairness section
// shows: the focus evaluation when it was audited, else the first audited
// one; nil when nothing was audited.
func focusAudit(run *results.Run, focus *results.Evaluation) *results.Evaluation {
	if focus != nil && focus.Fairness != nil {
		return focus
	}
	for i := range run.Evaluations {
		if run.Evaluations[i].Fairness != nil {
			return &run.Evaluations[i]
		}
	}
	return nil
}

// modelOrder lists model names in the order they first appear.
func modelOrder(run *results.Run) []string {
	var names []string
	seen := map[string]bool{}
	for _, e := range run.Evaluations {
		if !seen[e.Model] {
			seen[e.Model] = true
			names = append(names, e.Model)
		}
	}
	return names
}

// foldKey identifies the evaluations of one dataset, cutoff and split.
type foldKey struct {
	Dataset string
	Cutoff  string
	Split   string
}

func keyOf(e *results.Evaluation) foldKey {
	return foldKey{e.Dataset, cutoffCell(e.Cutoff), e.Split}
}

// folds lists each dataset, cutoff and split in result order with the
// indexes of its evaluations.
func folds(run *results.Run) ([]foldKey, map[foldKey][]int) {
	var order []foldKey
	idx := map[foldKey][]int{}
	for i := range run.Evaluations {
		k := keyOf(&run.Evaluations[i])
		if _, ok := idx[k]; !ok {
			order = append(order, k)
		}
		idx[k] = append(idx[k], i)
	}
	return order, idx
}

// slug turns a name into a file-name part: letters, digits, '-', '_' and '.'
// kept, everything else '-'.
func slug(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "x"
	}
	return b.String()
}

// foldSlug is the file-name part of one dataset, cutoff and split.
func foldSlug(dataset string, cutoff *int, split string) string {
	day := "all"
	if cutoff != nil {
		day = "day" + strconv.Itoa(*cutoff)
	}
	return slug(dataset) + "_" + day + "_" + slug(split)
}

// datasetSplit identifies the evaluations of one dataset and split over
// every cutoff.
type datasetSplit struct {
	ds, split string
}

// datasetSplits lists each dataset and split in result order.
func datasetSplits(run *results.Run) []datasetSplit {
	var out []datasetSplit
	seen := map[datasetSplit]bool{}
	for _, e := range run.Evaluations {
		k := datasetSplit{e.Dataset, e.Split}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}
