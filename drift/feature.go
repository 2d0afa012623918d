package drift

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
)

// Method names a drift test.
type Method string

// The drift tests Evidently chooses by default.
const (
	MethodWasserstein   Method = "wasserstein"
	MethodKS            Method = "ks"
	MethodJensenShannon Method = "jensenshannon"
	MethodChiSquare     Method = "chisquare"
	MethodZ             Method = "z"
)

// ErrEmptySample is wrapped by the errors of a comparison whose reference
// or current sample has no value left once missing values are dropped.
var ErrEmptySample = errors.New("no value to compare")

// Kind says how a feature's values are compared.
type Kind string

// Feature kinds.
const (
	Numeric     Kind = "numeric"
	Categorical Kind = "categorical"
)

// Options holds the thresholds. DefaultOptions gives Evidently's.
type Options struct {
	// SmallSample is the largest reference row count tested by KS,
	// chi-square or z (1,000); above it distances are used.
	SmallSample int
	// FewValues is the largest number of distinct values (reference and
	// current together) for which a numeric feature is treated by value (5).
	FewValues int
	// WassersteinThreshold and JensenShannonThreshold flag drift when the
	// distance is at or above them (0.1 each).
	WassersteinThreshold   float64
	JensenShannonThreshold float64
	// PValueThreshold flags drift when a test's p-value is below it (0.05).
	PValueThreshold float64
	// PSIThreshold flags drift when the PSI is at or above it (0.1).
	PSIThreshold float64
	// DatasetShare flags dataset drift when at least this share of the
	// features drifted (0.5).
	DatasetShare float64
	// HistogramValues is the number of distinct reference values above
	// which a numeric feature's PSI bins by Sturges' rule (20).
	HistogramValues int
}

// DefaultOptions returns Evidently's documented defaults.
func DefaultOptions() Options {
	return Options{SmallSample: 1000, FewValues: 5, WassersteinThreshold: 0.1, JensenShannonThreshold: 0.1,
		PValueThreshold: 0.05, PSIThreshold: 0.1, DatasetShare: 0.5, HistogramValues: 20}
}

// Validate reports an option outside its range.
func (o Options) Validate() error {
	switch {
	case o.SmallSample < 0:
		return fmt.Errorf("drift: small-sample row count must not be negative, got %d", o.SmallSample)
	case o.FewValues < 0 || o.HistogramValues < 0:
		return errors.New("drift: value counts must not be negative")
	case !(o.WassersteinThreshold > 0) || !(o.JensenShannonThreshold > 0) || !(o.PSIThreshold > 0):
		return errors.New("drift: distance and PSI thresholds must be positive")
	case !(o.PValueThreshold > 0 && o.PValueThreshold < 1):
		return fmt.Errorf("drift: p-value threshold must lie in (0, 1), got %v", o.PValueThreshold)
	case !(o.DatasetShare > 0 && o.DatasetShare <= 1):
		return fmt.Errorf("drift: dataset share must lie in (0, 1], got %v", o.DatasetShare)
	}
	return nil
}

// FeatureResult is the drift of one feature.
type FeatureResult struct {
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// Method is the test Evidently's defaults choose; Score is its distance
	// or p-value, Threshold the value it is compared with; Drifted says
	// the test flags drift.
	Method    Method  `json:"method"`
	Score     float64 `json:"score"`
	Threshold float64 `json:"threshold"`
	Drifted   bool    `json:"drifted"`
	// Statistic is the test statistic where the score is a p-value (KS D,
	// chi-square, z); zero for distances.
	Statistic float64 `json:"statistic,omitempty"`
	// PSI is the population stability index, PSIBins its number of bins
	// and PSIDrifted whether it reaches the PSI threshold.
	PSI        float64 `json:"psi"`
	PSIBins    int     `json:"psi_bins"`
	PSIDrifted bool    `json:"psi_drifted"`
	// ReferenceRows and CurrentRows count the values compared; the missing
	// counts are the values left out (NaN, ±Inf, empty categories).
	ReferenceRows    int `json:"reference_rows"`
	CurrentRows      int `json:"current_rows"`
	ReferenceMissing int `json:"reference_missing"`
	CurrentMissing   int `json:"current_missing"`
	// Values is the number of distinct values of reference and current
	// together.
	Values int `json:"values"`
}

// NumericReference is the reference sample of a numeric feature, prepared
// once and compared with any number of current samples.
type NumericReference struct {
	// Sorted holds the finite values ascending; Missing counts the others.
	Sorted  []float64 `json:"sorted"`
	Missing int       `json:"missing"`
}

// NewNumericReference sorts a copy of the finite values of x.
func NewNumericReference(x []float64) *NumericReference {
	r := &NumericReference{Sorted: make([]float64, 0, len(x))}
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			r.Missing++
			continue
		}
		r.Sorted = append(r.Sorted, v)
	}
	sortFloats(r.Sorted)
	return r
}

// Std returns the population standard deviation of the reference values.
func (r *NumericReference) Std() float64 {
	var mean float64
	for _, v := range r.Sorted {
		mean += v
	}
	mean /= float64(len(r.Sorted))
	var ss float64
	for _, v := range r.Sorted {
		ss += (v - mean) * (v - mean)
	}
	return math.Sqrt(ss / float64(len(r.Sorted)))
}

// distinctSorted counts the distinct values of a sorted slice.
func distinctSorted(x []float64) int {
	n := 0
	for i := range x {
		if i == 0 || x[i] != x[i-1] {
			n++
		}
	}
	return n
}

// distinctMerged counts the distinct values of two sorted slices together.
func distinctMerged(a, b []float64) int {
	n, i, j := 0, 0, 0
	for i < len(a) || j < len(b) {
		var x float64
		switch {
		case j == len(b) || (i < len(a) && a[i] <= b[j]):
			x = a[i]
		default:
			x = b[j]
		}
		for i < len(a) && a[i] == x {
			i++
		}
		for j < len(b) && b[j] == x {
			j++
		}
		n++
	}
	return n
}

// CompareNumeric measures the drift of the current values of a numeric
// feature from its reference. NaN and ±Inf values are left out and
// counted as missing. It is an error when either side has no value left.
func CompareNumeric(name string, ref *NumericReference, current []float64, opts Options) (FeatureResult, error) {
	cur := make([]float64, 0, len(current))
	res := FeatureResult{Name: name, Kind: Numeric, ReferenceMissing: ref.Missing}
	for _, v := range current {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			res.CurrentMissing++
			continue
		}
		cur = append(cur, v)
	}
	sortFloats(cur)
	return compareSorted(res, ref, cur, opts)
}

// CompareNumericSorted is CompareNumeric for current values already sorted
// ascending and finite (missing counts the values the caller left out).
func CompareNumericSorted(name string, ref *NumericReference, current []float64, missing int, opts Options) (FeatureResult, error) {
	return compareSorted(FeatureResult{Name: name, Kind: Numeric, ReferenceMissing: ref.Missing, CurrentMissing: missing}, ref, current, opts)
}

func compareSorted(res FeatureResult, ref *NumericReference, cur []float64, opts Options) (FeatureResult, error) {
	a := ref.Sorted
	res.ReferenceRows, res.CurrentRows = len(a), len(cur)
	if len(a) == 0 || len(cur) == 0 {
		return res, fmt.Errorf("drift: feature %s: %w: no finite value in the %s sample", res.Name, ErrEmptySample, emptySide(len(a), len(cur)))
	}
	res.Values = distinctMerged(a, cur)
	small := len(a) <= opts.SmallSample
	switch {
	case res.Values <= opts.FewValues:
		ra, ca := numericCounts(a), numericCounts(cur)
		keys := unionKeys(ra, ca)
		rc, cc := countsOf(ra, keys), countsOf(ca, keys)
		res = byValue(res, keys, rc, cc, small, opts)
	case small:
		res.Method, res.Threshold = MethodKS, opts.PValueThreshold
		res.Statistic = KSStatistic(a, cur)
		res.Score = KSPValue(res.Statistic, len(a), len(cur))
		res.Drifted = res.Score < opts.PValueThreshold
	default:
		res.Method, res.Threshold = MethodWasserstein, opts.WassersteinThreshold
		res.Score = Wasserstein(a, cur) / math.Max(ref.Std(), 0.001)
		res.Drifted = res.Score >= opts.WassersteinThreshold
	}
	// PSI: Sturges bins over both samples when the reference has many
	// values, else one bin per value.
	var rs, cs []float64
	if distinctSorted(a) > opts.HistogramValues {
		edges := SturgesEdges(math.Min(a[0], cur[0]), math.Max(a[len(a)-1], cur[len(cur)-1]), len(a)+len(cur))
		rs, cs = histogramShares(a, edges), histogramShares(cur, edges)
	} else {
		ra, ca := numericCounts(a), numericCounts(cur)
		keys := unionKeys(ra, ca)
		rs, cs = shares(countsOf(ra, keys), len(a)), shares(countsOf(ca, keys), len(cur))
	}
	res.PSIBins = len(rs)
	FillEmpty(rs)
	FillEmpty(cs)
	res.PSI = PSI(rs, cs)
	res.PSIDrifted = res.PSI >= opts.PSIThreshold
	return res, nil
}

func emptySide(ref, cur int) string {
	switch {
	case ref == 0 && cur == 0:
		return "reference and current"
	case ref == 0:
		return "reference"
	}
	return "current"
}

// numericCounts counts each distinct value of a sorted slice, keyed by its
// shortest decimal form.
func numericCounts(x []float64) map[string]float64 {
	m := map[string]float64{}
	for i := 0; i < len(x); {
		j := i
		for j < len(x) && x[j] == x[i] {
			j++
		}
		m[strconv.FormatFloat(x[i], 'g', -1, 64)] += float64(j - i)
		i = j
	}
	return m
}

// byValue applies the by-value test: chi-square or z on small references,
// Jensen-Shannon distance otherwise. keys are sorted; rc and cc are the
// reference and current counts per key.
func byValue(res FeatureResult, keys []string, rc, cc []float64, small bool, opts Options) FeatureResult {
	nr, nc := sum(rc), sum(cc)
	switch {
	case small && len(keys) > 2:
		res.Method, res.Threshold = MethodChiSquare, opts.PValueThreshold
		exp := make([]float64, len(keys))
		for i := range rc {
			exp[i] = rc[i] * nc / nr
		}
		res.Statistic, res.Score = ChiSquare(cc, exp)
		res.Drifted = res.Score < opts.PValueThreshold
	case small:
		res.Method, res.Threshold = MethodZ, opts.PValueThreshold
		if len(keys) == 1 {
			res.Score = 1
		} else {
			// The first key in order is 0, the other 1 (Evidently's coding).
			res.Statistic, res.Score = ProportionZ(rc[1], nr, cc[1], nc)
		}
		res.Drifted = res.Score < opts.PValueThreshold
	default:
		res.Method, res.Threshold = MethodJensenShannon, opts.JensenShannonThreshold
		res.Score = JensenShannon(shares(rc, int(nr)), shares(cc, int(nc)), 2)
		res.Drifted = res.Score >= opts.JensenShannonThreshold
	}
	return res
}

// CategoricalReference is the reference sample of a categorical feature:
// the count of each value. The empty string is a missing value.
type CategoricalReference struct {
	Counts  map[string]int `json:"counts"`
	Rows    int            `json:"rows"`
	Missing int            `json:"missing"`
}

// NewCategoricalReference counts the values of x ("" is missing).
func NewCategoricalReference(x []string) *CategoricalReference {
	r := &CategoricalReference{Counts: map[string]int{}}
	for _, v := range x {
		if v == "" {
			r.Missing++
			continue
		}
		r.Counts[v]++
		r.Rows++
	}
	return r
}

// CompareCategorical measures the drift of the current values of a
// categorical feature from its reference ("" is missing and left out).
func CompareCategorical(name string, ref *CategoricalReference, current []string, opts Options) (FeatureResult, error) {
	cur := NewCategoricalReference(current)
	res := FeatureResult{Name: name, Kind: Categorical, ReferenceRows: ref.Rows, CurrentRows: cur.Rows,
		ReferenceMissing: ref.Missing, CurrentMissing: cur.Missing}
	if ref.Rows == 0 || cur.Rows == 0 {
		return res, fmt.Errorf("drift: feature %s: %w: no value in the %s sample", name, ErrEmptySample, emptySide(ref.Rows, cur.Rows))
	}
	rm, cm := floatCounts(ref.Counts), floatCounts(cur.Counts)
	keys := unionKeys(rm, cm)
	rc, cc := countsOf(rm, keys), countsOf(cm, keys)
	res.Values = len(keys)
	res = byValue(res, keys, rc, cc, ref.Rows <= opts.SmallSample, opts)
	rs, cs := shares(rc, ref.Rows), shares(cc, cur.Rows)
	res.PSIBins = len(rs)
	FillEmpty(rs)
	FillEmpty(cs)
	res.PSI = PSI(rs, cs)
	res.PSIDrifted = res.PSI >= opts.PSIThreshold
	return res, nil
}

func floatCounts(m map[string]int) map[string]float64 {
	out := make(map[string]float64, len(m))
	for k, v := range m {
		out[k] = float64(v)
	}
	return out
}

func unionKeys(a, b map[string]float64) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func countsOf(m map[string]float64, keys []string) []float64 {
	out := make([]float64, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

func shares(counts []float64, n int) []float64 {
	out := make([]float64, len(counts))
	for i, c := range counts {
		out[i] = c / float64(n)
	}
	return out
}

func sum(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s
}
