package reports

import (
	"bytes"
	"encoding/csv"
	"sort"
	"strconv"
	"strings"

	"github.com/evalrun/evalrun/fairness"
	"github.com/evalrun/evalrun/results"
)

// FairnessHeader is the header of fairness.csv. Columns:
//
//   - dataset, cutoff, split, model: the audited evaluation (cutoff empty
//     for datasets without prediction days).
//   - attribute: the attribute or intersection (components joined by "|").
//   - kind: "group" (one group's rate), "disparity" (a group's rate over
//     the reference group's, Aequitas style), "gap" (a fairness gap) or
//     "verdict" (a threshold's decision on a gap).
//   - group, reference: the group and its comparator; for a gap between
//     groups (max − min, min / max) group is empty and reference says
//     "between groups".
//   - metric: the rate (base_rate, selection_rate, tpr, fpr, fnr, tnr,
//     ppv, npv, fdr, for, auc, average_precision, brier, ece,
//     calibration_in_the_large) or the gap (e.g. fnr_difference,
//     selection_rate_ratio, abroca); empty on a suppressed group's row.
//   - value, lower, upper: the estimate and its bootstrap interval (gaps
//     and verdicts); empty when undefined, with the reason in note.
//   - p_value, adjusted_p_value: the permutation p-value of a gap and its
//     multiple-testing adjustment across the audit.
//   - min_detectable_gap: the smallest true gap the group sizes could
//     detect (gaps and verdicts).
//   - allowed_low, allowed_high, outcome: a verdict's inclusive allowed
//     range and its PASS, FAIL or INCONCLUSIVE.
//   - count: the group's number of students (group rows).
//   - suppressed: "true" for a group below the minimum size (one row, no
//     numbers), else "false" on group rows and empty otherwise.
//   - note: why a value is undefined, a suppressed group's reason, groups
//     a gap skipped, or a verdict's reason.
//
// Numbers are written in full precision (Go's shortest 'g' form).
var FairnessHeader = []string{
	"dataset", "cutoff", "split", "model", "attribute", "kind", "group", "reference", "metric",
	"value", "lower", "upper", "p_value", "adjusted_p_value", "min_detectable_gap",
	"allowed_low", "allowed_high", "outcome", "count", "suppressed", "note",
}

// fairnessRow is one row of fairness.csv by column name.
type fairnessRow map[string]string

// FairnessCSV writes fairness.csv (columns in FairnessHeader) for every
// audited evaluation of run: for each attribute, the rates of each group
// (suppressed groups as one row without numbers), the disparities, the
// gaps, then the audit's verdicts. A run without audits yields the header
// only.
func FairnessCSV(run *results.Run) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(FairnessHeader); err != nil {
		return nil, err
	}
	for i := range run.Evaluations {
		e := &run.Evaluations[i]
		if e.Fairness == nil {
			continue
		}
		write := func(r fairnessRow) error {
			r["dataset"], r["cutoff"], r["split"], r["model"] = e.Dataset, cutoffCell(e.Cutoff), e.Split, e.Model
			rec := make([]string, len(FairnessHeader))
			for j, col := range FairnessHeader {
				rec[j] = r[col]
			}
			return w.Write(rec)
		}
		for _, attr := range e.Fairness.Attributes {
			for _, g := range attr.Groups {
				if g.Suppressed {
					if err := write(fairnessRow{"attribute": attr.Name, "kind": "group", "group": g.Group, "reference": attr.Reference, "count": optInt(g.Count), "suppressed": "true", "note": g.SuppressedReason}); err != nil {
						return nil, err
					}
					continue
				}
				for _, name := range groupRates {
					est, _ := g.Rate(name)
					r := fairnessRow{"attribute": attr.Name, "kind": "group", "group": g.Group, "reference": attr.Reference, "metric": name, "count": optInt(g.Count), "suppressed": "false"}
					putEstimate(r, "value", est)
					if err := write(r); err != nil {
						return nil, err
					}
				}
			}
			for _, d := range attr.Disparity {
				for _, m := range []struct {
					name string
					est  fairness.Estimate
				}{{"selection_rate", d.SelectionRate}, {"tpr", d.TPR}, {"fpr", d.FPR}, {"fnr", d.FNR}, {"ppv", d.PPV}, {"fdr", d.FDR}, {"for", d.FOR}} {
					r := fairnessRow{"attribute": attr.Name, "kind": "disparity", "group": d.Group, "reference": d.Reference, "metric": m.name + "_ratio"}
					putEstimate(r, "value", m.est)
					if err := write(r); err != nil {
						return nil, err
					}
				}
			}
			for _, gap := range attr.Gaps {
				r := fairnessRow{"attribute": attr.Name, "kind": "gap", "group": gap.Group, "reference": gap.Reference, "metric": gap.Metric}
				putEstimate(r, "value", gap.Estimate)
				putEstimate(r, "lower", gap.Lower)
				putEstimate(r, "upper", gap.Upper)
				putEstimate(r, "p_value", gap.PValue)
				putEstimate(r, "adjusted_p_value", gap.AdjustedPValue)
				putEstimate(r, "min_detectable_gap", gap.MinDetectableGap)
				if len(gap.SkippedGroups) > 0 {
					addNote(r, "skipped groups: "+strings.Join(gap.SkippedGroups, ", "))
				}
				if gap.BootstrapUndefined > 0 {
					addNote(r, "undefined in "+strconv.Itoa(gap.BootstrapUndefined)+" bootstrap replicates")
				}
				if err := write(r); err != nil {
					return nil, err
				}
			}
		}
		for _, v := range e.Fairness.Verdicts {
			r := fairnessRow{"attribute": v.Attribute, "kind": "verdict", "group": v.Group, "reference": v.Reference, "metric": v.Metric,
				"allowed_low": g(v.AllowedLow), "allowed_high": g(v.AllowedHigh), "outcome": string(v.Outcome)}
			putEstimate(r, "value", v.Estimate)
			putEstimate(r, "lower", v.Lower)
			putEstimate(r, "upper", v.Upper)
			putEstimate(r, "min_detectable_gap", v.MinDetectableGap)
			addNote(r, v.Reason)
			if err := write(r); err != nil {
				return nil, err
			}
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// groupRates are the per-group rates fairness.csv lists, in order.
var groupRates = []string{"base_rate", "selection_rate", "tpr", "fpr", "fnr", "tnr", "ppv", "npv", "fdr", "for", "auc", "average_precision", "brier", "ece", "calibration_in_the_large"}

func optInt(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

// putEstimate writes a defined estimate into column col, or leaves it
// empty and notes why it is undefined.
func putEstimate(r fairnessRow, col string, e fairness.Estimate) {
	if e.Defined {
		r[col] = g(e.Value)
		return
	}
	reason := e.Reason
	if reason == "" {
		reason = "undefined"
	}
	addNote(r, col+": "+reason)
}

// addNote appends a note, keeping notes unique and sorted so the column is
// deterministic.
func addNote(r fairnessRow, note string) {
	if note == "" {
		return
	}
	var notes []string
	if r["note"] != "" {
		notes = strings.Split(r["note"], "; ")
	}
	for _, n := range notes {
		if n == note {
			return
		}
	}
	notes = append(notes, note)
	sort.Strings(notes)
	r["note"] = strings.Join(notes, "; ")
}
