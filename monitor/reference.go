package monitor

import (
	"github.com/evalrun/evalrun/bundle"
	"github.com/evalrun/evalrun/drift"
)

// NumericReference rebuilds the training sample of a numeric feature from
// its schema. With value counts (features of at most
// bundle.MaxDistinctValues values) the sample is exact; otherwise it is the
// Count points of the quantile function through the 101 stored
// percentiles at the type-7 plotting positions i/(Count−1), which match the
// training sample at every percentile and interpolate between them (a KS
// statistic differs from the exact one by at most 0.01, a Wasserstein
// distance by the interpolation error within each percentile). exact says
// which. A schema without values gives nil.
func NumericReference(fs *bundle.FeatureSchema) (ref *drift.NumericReference, exact bool) {
	if fs.Count == 0 {
		return nil, false
	}
	r := &drift.NumericReference{Missing: fs.Missing, Sorted: make([]float64, 0, fs.Count)}
	if len(fs.Values) > 0 && len(fs.Values) == len(fs.ValueCounts) {
		for i, v := range fs.Values {
			for k := 0; k < fs.ValueCounts[i]; k++ {
				r.Sorted = append(r.Sorted, v)
			}
		}
		return r, true
	}
	if len(fs.Quantiles) != 101 {
		return nil, false
	}
	r.Sorted = quantileSample(fs.Quantiles, fs.Count)
	return r, false
}

// quantileSample returns n points of the quantile function through the
// 101 percentiles q at the type-7 positions i/(n−1).
func quantileSample(q []float64, n int) []float64 {
	out := make([]float64, 0, n)
	for i := 0; i < n; i++ {
		p := 0.0
		if n > 1 {
			p = float64(i) / float64(n-1)
		}
		h := p * 100
		k := int(h)
		if k >= 100 {
			out = append(out, q[100])
			continue
		}
		out = append(out, q[k]+(h-float64(k))*(q[k+1]-q[k]))
	}
	return out
}

// percentiles returns the 0th to 100th type-7 percentiles of sorted.
func percentiles(sorted []float64) []float64 {
	q := make([]float64, 101)
	for k := range q {
		h := float64(k) / 100 * float64(len(sorted)-1)
		i := int(h)
		if i+1 >= len(sorted) {
			q[k] = sorted[len(sorted)-1]
			continue
		}
		q[k] = sorted[i] + (h-float64(i))*(sorted[i+1]-sorted[i])
	}
	return q
}

// CategoricalReference rebuilds the level counts of a categorical feature.
func CategoricalReference(fs *bundle.FeatureSchema) *drift.CategoricalReference {
	r := &drift.CategoricalReference{Counts: map[string]int{}, Missing: fs.Missing}
	for i, l := range fs.Levels {
		if i < len(fs.LevelCounts) {
			r.Counts[l] = fs.LevelCounts[i]
			r.Rows += fs.LevelCounts[i]
		}
	}
	return r
}
