package bundle

import (
	"fmt"
	"math"
	"slices"

	"github.com/evalrun/evalrun/datasets"
)

// Schema is the training distribution of every feature the model reads,
// measured on the raw values of the training rows before encoding
// (missing values are counted, not imputed).
//
// For drift measures against new data it keeps, per numeric feature, the
// 101 percentiles (type-7 linear interpolation, numpy's default) and, when
// the feature takes at most MaxDistinctValues values, every value with its
// count; per categorical feature every level with its count. Percentiles
// bound the error of a Kolmogorov-Smirnov statistic computed from them by
// 0.01 and give the quantile function for a Wasserstein distance and the
// bins of a PSI; exact value counts allow chi-square tests and exact PSI on
// discrete features.
type Schema struct {
	// Rows is the number of training rows described.
	Rows     int             `json:"rows"`
	Features []FeatureSchema `json:"features"`
}

// MaxDistinctValues is the largest number of distinct values for which a
// numeric feature's values are kept with their counts.
const MaxDistinctValues = 64

// FeatureSchema is the training distribution of one feature.
type FeatureSchema struct {
	Name string `json:"name"`
	// Type is "numeric" or "categorical".
	Type string `json:"type"`
	// Count is the rows with a value; Missing the rows without.
	Count   int `json:"count"`
	Missing int `json:"missing"`
	// Numeric features (nil when no row has a value).
	Min  *float64 `json:"min,omitempty"`
	Max  *float64 `json:"max,omitempty"`
	Mean *float64 `json:"mean,omitempty"`
	// SD is the population standard deviation.
	SD *float64 `json:"sd,omitempty"`
	// Quantiles are the 0th, 1st, ..., 100th percentiles.
	Quantiles []float64 `json:"quantiles,omitempty"`
	// Values and ValueCounts list every distinct value (ascending) and its
	// rows when there are at most MaxDistinctValues.
	Values      []float64 `json:"values,omitempty"`
	ValueCounts []int     `json:"value_counts,omitempty"`
	// Categorical features: the levels seen (byte order) and their rows.
	Levels      []string `json:"levels,omitempty"`
	LevelCounts []int    `json:"level_counts,omitempty"`
}

// Feature returns the schema of the named feature.
func (s *Schema) Feature(name string) (*FeatureSchema, bool) {
	for i := range s.Features {
		if s.Features[i].Name == name {
			return &s.Features[i], true
		}
	}
	return nil, false
}

// DescribeFeatures measures the schema of the named numeric and
// categorical columns of f over rows (indexes into f). A column f lacks is
// an error.
func DescribeFeatures(f *datasets.Frame, rows []int, numeric, categorical []string) (Schema, error) {
	s := Schema{Rows: len(rows)}
	vals := make([]float64, 0, len(rows))
	for _, name := range numeric {
		col, ok := f.NumericByName(name)
		if !ok {
			return Schema{}, fmt.Errorf("schema: no numeric column %q", name)
		}
		vals = vals[:0]
		for _, i := range rows {
			if v := col.Values[i]; !math.IsNaN(v) {
				vals = append(vals, v)
			}
		}
		s.Features = append(s.Features, numericSchema(name, vals, len(rows)-len(vals)))
	}
	for _, name := range categorical {
		col, ok := f.CategoricalByName(name)
		if !ok {
			return Schema{}, fmt.Errorf("schema: no categorical column %q", name)
		}
		counts := map[string]int{}
		fs := FeatureSchema{Name: name, Type: "categorical"}
		for _, i := range rows {
			if v := col.Values[i]; v == "" {
				fs.Missing++
			} else {
				counts[v]++
				fs.Count++
			}
		}
		for l := range counts {
			fs.Levels = append(fs.Levels, l)
		}
		slices.Sort(fs.Levels)
		for _, l := range fs.Levels {
			fs.LevelCounts = append(fs.LevelCounts, counts[l])
		}
		s.Features = append(s.Features, fs)
	}
	return s, nil
}

// ScoreFeature names the score distribution of Model.Scores.
const ScoreFeature = "score"

// DescribeScores summarises a model's scores on its training rows as
// DescribeFeatures summarises a numeric feature (NaN scores count as
// missing). scores is not modified.
func DescribeScores(scores []float64) FeatureSchema {
	vals := make([]float64, 0, len(scores))
	for _, v := range scores {
		if !math.IsNaN(v) {
			vals = append(vals, v)
		}
	}
	return numericSchema(ScoreFeature, vals, len(scores)-len(vals))
}

// numericSchema summarises vals (no NaN; sorted in place).
func numericSchema(name string, vals []float64, missing int) FeatureSchema {
	fs := FeatureSchema{Name: name, Type: "numeric", Count: len(vals), Missing: missing}
	if len(vals) == 0 {
		return fs
	}
	slices.Sort(vals)
	lo, hi := vals[0], vals[len(vals)-1]
	var sum float64
	for _, v := range vals {
		sum += v
	}
	mean := sum / float64(len(vals))
	var ss float64
	for _, v := range vals {
		ss += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(ss / float64(len(vals)))
	fs.Min, fs.Max, fs.Mean, fs.SD = &lo, &hi, &mean, &sd
	fs.Quantiles = make([]float64, 101)
	for k := range fs.Quantiles {
		fs.Quantiles[k] = quantile7(vals, float64(k)/100)
	}
	var values []float64
	var counts []int
	for i, v := range vals {
		if i == 0 || v != vals[i-1] {
			if len(values) == MaxDistinctValues {
				values, counts = nil, nil
				break
			}
			values = append(values, v)
			counts = append(counts, 0)
		}
		counts[len(counts)-1]++
	}
	fs.Values, fs.ValueCounts = values, counts
	return fs
}

// quantile7 is the type-7 (linear) quantile of sorted values.
func quantile7(sorted []float64, q float64) float64 {
	h := q * float64(len(sorted)-1)
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (h-lo)*(sorted[i+1]-sorted[i])
}

// Out-of-range checks: a numeric value outside [Min, Max] of training is an
// extrapolation; a categorical level not in Levels was never seen.

// OutOfRange reports whether v lies outside the training range (false for
// NaN and for features without training values).
func (fs *FeatureSchema) OutOfRange(v float64) bool {
	if fs.Min == nil || math.IsNaN(v) {
		return false
	}
	return v < *fs.Min || v > *fs.Max
}

// Unseen reports whether a categorical level never occurred in training
// ("" is missing, not unseen).
func (fs *FeatureSchema) Unseen(level string) bool {
	if level == "" {
		return false
	}
	_, found := slices.BinarySearch(fs.Levels, level)
	return !found
}
