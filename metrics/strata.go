package metrics

import (
	"fmt"
	"math"
	"slices"
)

// StratumReport is the Report of one stratum (course, module, ...).
type StratumReport struct {
	Stratum string `json:"stratum"`
	Report
}

// MacroValue is the unweighted mean of one metric over the strata where
// it is defined; Value is nil when it is defined in none.
type MacroValue struct {
	Metric string   `json:"metric"`
	Value  *float64 `json:"value"`
	Strata int      `json:"strata"` // strata where the metric is defined
}

// StrataReport holds a Report per stratum, sorted by stratum name, and
// macro averages of every metric in ReportMetrics order.
type StrataReport struct {
	Strata []StratumReport `json:"strata"`
	Macro  []MacroValue    `json:"macro"`
}

// EvaluateStrata returns Evaluate of each stratum (strata holds one name
// per row) at the common threshold, and the macro average of each metric:
// the plain mean over the strata where the metric is defined (a stratum
// with one class has no AUC and is left out of the AUC average; Strata
// says how many were averaged). Errors: those of Evaluate, and strata of
// the wrong length.
func EvaluateStrata(y []uint8, score []float64, threshold float64, strata []string) (StrataReport, error) {
	if len(strata) != len(y) {
		return StrataReport{}, fmt.Errorf("evaluate strata: %d stratum names for %d rows: %w", len(strata), len(y), ErrLength)
	}
	if _, err := checkBinary(y, score, nil); err != nil {
		return StrataReport{}, fmt.Errorf("evaluate strata: %w", err)
	}
	rows := map[string][]int{}
	for i, s := range strata {
		rows[s] = append(rows[s], i)
	}
	names := make([]string, 0, len(rows))
	for s := range rows {
		names = append(names, s)
	}
	slices.Sort(names)
	var out StrataReport
	var sum [nMetrics]float64
	var count [nMetrics]int
	for _, name := range names {
		ys := make([]uint8, len(rows[name]))
		ss := make([]float64, len(rows[name]))
		for j, i := range rows[name] {
			ys[j], ss[j] = y[i], score[i]
		}
		r, err := Evaluate(ys, ss, threshold)
		if err != nil {
			return StrataReport{}, fmt.Errorf("evaluate strata: stratum %q: %w", name, err)
		}
		out.Strata = append(out.Strata, StratumReport{Stratum: name, Report: r})
		for k, v := range r.values() {
			if !math.IsNaN(v) {
				sum[k] += v
				count[k]++
			}
		}
	}
	for k, name := range ReportMetrics {
		mv := MacroValue{Metric: name, Strata: count[k]}
		if count[k] > 0 {
			mv.Value = ptr(sum[k] / float64(count[k]))
		}
		out.Macro = append(out.Macro, mv)
	}
	return out, nil
}

// values returns the report's metrics in ReportMetrics order, NaN where
// undefined (internal use only).
func (r Report) values() [nMetrics]float64 {
	var v [nMetrics]float64
	ps := [nMetrics]*float64{&r.BaseRate, r.AUC, r.AveragePrecision, r.Brier, r.LogLoss, r.Precision,
		r.Recall, r.F1, r.Accuracy, r.Specificity, r.BalancedAccuracy}
	for k, p := range ps {
		if p == nil {
			v[k] = math.NaN()
		} else {
			v[k] = *p
		}
	}
	return v
}
