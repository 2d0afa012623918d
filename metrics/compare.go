package metrics

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// CorrectedTTest is the result of NadeauBengio.
type CorrectedTTest struct {
	Mean   float64 `json:"mean"` // mean difference over splits
	SE     float64 `json:"se"`   // corrected standard error
	T      float64 `json:"t"`
	DF     int     `json:"df"`
	PValue float64 `json:"p_value"` // two-sided
	Lower  float64 `json:"lower"`
	Upper  float64 `json:"upper"`
	Level  float64 `json:"level"`
}

// NadeauBengio returns the corrected resampled t-test (Nadeau and Bengio
// 2003) of the per-split differences diffs (model A minus model B, one per
// train/test split, at least 2): with J splits, mean d̄ and sample
// variance s² (denominator J-1), the variance of d̄ is corrected for the
// overlap of training sets to (1/J + nTest/nTrain)·s², t = d̄/SE on J-1
// degrees of freedom, and the interval is d̄ ± t_{J-1}·SE at level. nTrain
// and nTest are the training and test sizes (means, if they vary across
// splits). For rolling (temporal) splits the correction is the customary
// approximation; it was derived for random splits. Errors: fewer than 2
// differences, a NaN difference, non-positive sizes, level outside
// (0, 1), zero variance across splits.
func NadeauBengio(diffs []float64, nTrain, nTest, level float64) (CorrectedTTest, error) {
	J := len(diffs)
	if J < 2 {
		return CorrectedTTest{}, fmt.Errorf("corrected t-test: %d splits, need at least 2: %w", J, ErrParameter)
	}
	if !(nTrain > 0) || !(nTest > 0) || math.IsInf(nTrain, 0) || math.IsInf(nTest, 0) {
		return CorrectedTTest{}, fmt.Errorf("corrected t-test: sizes %g and %g: %w", nTrain, nTest, ErrParameter)
	}
	if !(level > 0 && level < 1) {
		return CorrectedTTest{}, fmt.Errorf("corrected t-test: level %g is not in (0, 1): %w", level, ErrParameter)
	}
	var mean float64
	for i, d := range diffs {
		if math.IsNaN(d) || math.IsInf(d, 0) {
			return CorrectedTTest{}, fmt.Errorf("corrected t-test: difference %d is %g: %w", i, d, ErrNaN)
		}
		mean += d
	}
	mean /= float64(J)
	var ss float64
	for _, d := range diffs {
		ss += (d - mean) * (d - mean)
	}
	variance := ss / float64(J-1)
	se := math.Sqrt((1/float64(J) + nTest/nTrain) * variance)
	if se == 0 {
		return CorrectedTTest{}, fmt.Errorf("corrected t-test: the differences do not vary across splits: %w", ErrParameter)
	}
	dist := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(J - 1)}
	t := mean / se
	q := dist.Quantile((1 + level) / 2)
	return CorrectedTTest{
		Mean: mean, SE: se, T: t, DF: J - 1,
		PValue: 2 * dist.Survival(math.Abs(t)),
		Lower:  mean - q*se, Upper: mean + q*se, Level: level,
	}, nil
}

// HolmAdjust returns Holm's step-down adjusted p-values, in the order of
// p, as R p.adjust(p, method = "holm"): with p sorted ascending,
// adjusted_(i) = max over j <= i of min(1, (m - j + 1)·p_(j)). Ties keep
// their input order (which does not change the values). Errors: a NaN p or
// one outside [0, 1]. An empty input gives an empty result.
func HolmAdjust(p []float64) ([]float64, error) {
	for i, v := range p {
		if math.IsNaN(v) || v < 0 || v > 1 {
			return nil, fmt.Errorf("holm adjustment: p-value %d is %g: %w", i, v, ErrProbability)
		}
	}
	m := len(p)
	idx := make([]int, m)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(p[a], p[b]) })
	out := make([]float64, m)
	running := 0.0
	for rank, i := range idx {
		running = max(running, min(1, float64(m-rank)*p[i]))
		out[i] = running
	}
	return out, nil
}
