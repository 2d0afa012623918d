// Package explain says why a model scores students as it does: globally, by
// permutation importance (how much the test AUC drops when one feature's
// values are shuffled), and per student, by the features that push the
// student's score up the most (from a model's additive contributions).
package explain

import (
	"context"
	"math"
	"sort"

	"github.com/evalrun/evalrun/models"
)

// Reason is one feature that raised a student's score.
type Reason struct {
	Feature string
	// Value is the student's (encoded) feature value.
	Value float64
	// Contribution is the feature's share of the raw score above the
	// model's base value (log-odds or probability; see the model).
	Contribution float64
	// OutsideTraining is the feature's range on the training rows when
	// Value lies outside it (nil otherwise): the model extrapolates there
	// and the contribution deserves less trust.
	OutsideTraining *Range
	// Group is the student's group label when the reason is the group's
	// random intercept under a model with one (mixed_logistic): Feature
	// then names the grouping column, Value is 0 and Contribution is the
	// group's conditional mode on the log-odds scale. Empty for a feature.
	Group string `json:",omitempty"`
}

// IsGroupEffect reports whether the reason is a group's random intercept
// rather than a feature.
func (r Reason) IsGroupEffect() bool { return r.Group != "" }

// Range summarises one feature column on the training rows: its least
// and greatest values, mean and sample standard deviation (0 for fewer
// than two rows).
type Range struct {
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
}

// SDsFromMean returns how many standard deviations v lies from the
// mean (positive above it); 0 when the SD is 0.
func (r Range) SDsFromMean(v float64) float64 {
	if r.SD == 0 {
		return 0
	}
	return (v - r.Mean) / r.SD
}

// TrainingRanges returns the Range of every column of x, in column
// order; NaN values are skipped (a column of NaNs has NaN bounds).
func TrainingRanges(x *models.Matrix) []Range {
	out := make([]Range, x.Cols)
	for j := range out {
		lo, hi, sum, n := math.Inf(1), math.Inf(-1), 0.0, 0
		for i := 0; i < x.Rows; i++ {
			v := x.At(i, j)
			if math.IsNaN(v) {
				continue
			}
			lo, hi, sum, n = math.Min(lo, v), math.Max(hi, v), sum+v, n+1
		}
		if n == 0 {
			out[j] = Range{Min: math.NaN(), Max: math.NaN(), Mean: math.NaN(), SD: math.NaN()}
			continue
		}
		m := sum / float64(n)
		ss := 0.0
		for i := 0; i < x.Rows; i++ {
			if v := x.At(i, j); !math.IsNaN(v) {
				ss += (v - m) * (v - m)
			}
		}
		sd := 0.0
		if n > 1 {
			sd = math.Sqrt(ss / float64(n-1))
		}
		out[j] = Range{Min: lo, Max: hi, Mean: m, SD: sd}
	}
	return out
}

// MarkOutsideTraining sets OutsideTraining on every reason whose value
// lies outside its feature's training range; names are the columns the
// ranges describe (TrainingRanges of the training matrix).
func MarkOutsideTraining(reasons [][]Reason, names []string, ranges []Range) {
	col := make(map[string]int, len(names))
	for j, n := range names {
		col[n] = j
	}
	for _, rs := range reasons {
		for i := range rs {
			j, ok := col[rs[i].Feature]
			if !ok || rs[i].IsGroupEffect() {
				continue
			}
			r := ranges[j]
			if v := rs[i].Value; v < r.Min || v > r.Max {
				rr := r
				rs[i].OutsideTraining = &rr
			}
		}
	}
}

// TopReasons returns, for each row, the k features with the largest
// positive contributions, largest first (ties by column order). Rows with
// fewer than k positive contributions get fewer reasons.
func TopReasons(contributions [][]float64, x *models.Matrix, k int) [][]Reason {
	out := make([][]Reason, len(contributions))
	idx := make([]int, 0, x.Cols)
	for i, c := range contributions {
		idx = idx[:0]
		for j, v := range c {
			if v > 0 {
				idx = append(idx, j)
			}
		}
		sort.SliceStable(idx, func(a, b int) bool { return c[idx[a]] > c[idx[b]] })
		if len(idx) > k {
			idx = idx[:k]
		}
		reasons := make([]Reason, len(idx))
		for r, j := range idx {
			reasons[r] = Reason{Feature: x.Names[j], Value: x.At(i, j), Contribution: c[j]}
		}
		out[i] = reasons
	}
	return out
}

// StudentReasons explains rows with m and returns each row's top k
// reasons (TopReasons). Under a model whose score holds a random effect of
// the row's group (models.GroupEffectExplainer: mixed_logistic), the
// group's random intercept competes with the features as a reason of its
// own (Group set, Feature the grouping column) when it raises the score,
// instead of staying hidden in the base value; ties with a feature go to
// the feature. A row of a group unseen in training has no group reason
// (it is scored at the population level).
func StudentReasons(ctx context.Context, m models.Explainer, rows models.Rows, k int) ([][]Reason, error) {
	contrib, _, err := m.Explain(ctx, rows)
	if err != nil {
		return nil, err
	}
	top := TopReasons(contrib, rows.X, k)
	g, ok := m.(models.GroupEffectExplainer)
	if !ok {
		return top, nil
	}
	effects, err := g.GroupEffects(rows)
	if err != nil {
		return nil, err
	}
	for i, e := range effects {
		if !(e > 0) || k < 1 {
			continue
		}
		rs := top[i]
		at := len(rs)
		for at > 0 && rs[at-1].Contribution < e {
			at--
		}
		if at >= k {
			continue
		}
		rs = append(rs, Reason{})
		copy(rs[at+1:], rs[at:])
		rs[at] = Reason{Feature: g.GroupColumn(), Group: rows.Groups[i], Contribution: e}
		if len(rs) > k {
			rs = rs[:k]
		}
		top[i] = rs
	}
	return top, nil
}
