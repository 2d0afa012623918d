package metrics

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Recalibration methods.
const (
	RecalibrationPlatt    = "platt"
	RecalibrationIsotonic = "isotonic"
)

// Recalibrator maps scores to calibrated probabilities. It is fitted on
// training or validation data and applied, unchanged, to other data.
type Recalibrator interface {
	// Apply returns one probability per score; NaN scores are an error.
	Apply(score []float64) ([]float64, error)
	// Method returns RecalibrationPlatt or RecalibrationIsotonic.
	Method() string
}

// FitRecalibration fits the named method ("platt" or "isotonic") on labels
// y and scores; see FitPlatt and FitIsotonic.
func FitRecalibration(method string, y []uint8, score []float64) (Recalibrator, error) {
	switch method {
	case RecalibrationPlatt:
		return FitPlatt(y, score)
	case RecalibrationIsotonic:
		return FitIsotonic(y, score)
	}
	return nil, fmt.Errorf("recalibration: unknown method %q (want platt or isotonic): %w", method, ErrParameter)
}

// PlattScaling maps a score s to 1/(1 + exp(-(Slope·s + Intercept))).
// scikit-learn's _SigmoidCalibration writes the same map as
// 1/(1 + exp(a·s + b)), so a = -Slope and b = -Intercept.
type PlattScaling struct {
	Slope     float64 `json:"slope"`
	Intercept float64 `json:"intercept"`
}

// FitPlatt fits Platt scaling (Platt 1999) on labels y and scores as
// scikit-learn 1.2.1 CalibratedClassifierCV(method="sigmoid") does: a
// logistic regression of Platt's smoothed targets, (P+1)/(P+2) for
// positives and 1/(N+2) for negatives, on the score, by maximum
// likelihood. The scores are used as given (for a model that outputs
// probabilities, scikit-learn also uses them as given). Errors: those of
// ROCAUC (both classes are needed), all scores equal.
func FitPlatt(y []uint8, score []float64) (PlattScaling, error) {
	pos, err := checkBinary(y, score, nil)
	if err != nil {
		return PlattScaling{}, fmt.Errorf("platt scaling: %w", err)
	}
	if pos == 0 || pos == len(y) {
		return PlattScaling{}, fmt.Errorf("platt scaling: %w", ErrSingleClass)
	}
	for _, s := range score {
		if math.IsInf(s, 0) {
			return PlattScaling{}, fmt.Errorf("platt scaling: infinite score: %w", ErrParameter)
		}
	}
	P, N := float64(pos), float64(len(y)-pos)
	hi, lo := (P+1)/(P+2), 1/(N+2)
	targets := make([]float64, len(y))
	for i, v := range y {
		if v == 1 {
			targets[i] = hi
		} else {
			targets[i] = lo
		}
	}
	a, b, ok := newtonLogistic(targets, score, false)
	if !ok {
		return PlattScaling{}, fmt.Errorf("platt scaling: no finite fit (are all scores equal?): %w", ErrParameter)
	}
	return PlattScaling{Slope: b, Intercept: a}, nil
}

// Method returns RecalibrationPlatt.
func (PlattScaling) Method() string { return RecalibrationPlatt }

// Apply returns the calibrated probability of each score.
func (p PlattScaling) Apply(score []float64) ([]float64, error) {
	out := make([]float64, len(score))
	for i, s := range score {
		if math.IsNaN(s) {
			return nil, fmt.Errorf("platt scaling: score %d: %w", i, ErrNaN)
		}
		out[i] = sigmoid(p.Slope*s + p.Intercept)
	}
	return out, nil
}

// IsotonicCalibration is a non-decreasing step-and-ramp map from scores to
// probabilities: Y[i] at X[i] (X strictly increasing), linear between
// neighbouring X, and clipped to Y[0] below X[0] and Y[len-1] above the
// last X.
type IsotonicCalibration struct {
	X []float64 `json:"x"`
	Y []float64 `json:"y"`
}

// FitIsotonic fits isotonic regression of y on score as scikit-learn 1.2.1
// IsotonicRegression(out_of_bounds="clip") inside CalibratedClassifierCV(
// method="isotonic"): rows with equal scores are first pooled into their
// mean label, then the pool-adjacent-violators algorithm finds the
// non-decreasing fit minimizing squared error (weighted by the pooled row
// counts). Errors: those of ROCAUC except that a single class is allowed
// (the fit is then constant), infinite scores.
func FitIsotonic(y []uint8, score []float64) (IsotonicCalibration, error) {
	if _, err := checkBinary(y, score, nil); err != nil {
		return IsotonicCalibration{}, fmt.Errorf("isotonic calibration: %w", err)
	}
	idx := make([]int, len(y))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(score[a], score[b]) })
	// Pool ties, then PAV over blocks of (x, mean, weight).
	var xs, means, weights []float64
	for _, i := range idx {
		if math.IsInf(score[i], 0) {
			return IsotonicCalibration{}, fmt.Errorf("isotonic calibration: infinite score: %w", ErrParameter)
		}
		if n := len(xs); n > 0 && xs[n-1] == score[i] {
			w := weights[n-1]
			means[n-1] = (means[n-1]*w + float64(y[i])) / (w + 1)
			weights[n-1] = w + 1
			continue
		}
		xs = append(xs, score[i])
		means = append(means, float64(y[i]))
		weights = append(weights, 1)
	}
	fitted := pav(means, weights)
	return IsotonicCalibration{X: xs, Y: fitted}, nil
}

// pav returns the weighted least-squares non-decreasing fit to v.
func pav(v, w []float64) []float64 {
	type block struct {
		mean, weight float64
		count        int
	}
	var blocks []block
	for i := range v {
		blocks = append(blocks, block{v[i], w[i], 1})
		for len(blocks) > 1 {
			last, prev := blocks[len(blocks)-1], blocks[len(blocks)-2]
			if prev.mean <= last.mean {
				break
			}
			wt := prev.weight + last.weight
			blocks = blocks[:len(blocks)-2]
			blocks = append(blocks, block{(prev.mean*prev.weight + last.mean*last.weight) / wt, wt, prev.count + last.count})
		}
	}
	out := make([]float64, 0, len(v))
	for _, b := range blocks {
		for range b.count {
			out = append(out, b.mean)
		}
	}
	return out
}

// Method returns RecalibrationIsotonic.
func (IsotonicCalibration) Method() string { return RecalibrationIsotonic }

// Apply returns the calibrated probability of each score (numpy.interp on
// X, Y, which clips outside [X[0], X[last]]).
func (c IsotonicCalibration) Apply(score []float64) ([]float64, error) {
	if len(c.X) == 0 || len(c.X) != len(c.Y) {
		return nil, fmt.Errorf("isotonic calibration: not fitted: %w", ErrParameter)
	}
	out := make([]float64, len(score))
	last := len(c.X) - 1
	for i, s := range score {
		if math.IsNaN(s) {
			return nil, fmt.Errorf("isotonic calibration: score %d: %w", i, ErrNaN)
		}
		switch {
		case s <= c.X[0]:
			out[i] = c.Y[0]
		case s >= c.X[last]:
			out[i] = c.Y[last]
		default:
			j, _ := slices.BinarySearch(c.X, s) // X[j-1] < s <= X[j]
			if c.X[j] == s {
				out[i] = c.Y[j]
				continue
			}
			x0, x1, y0, y1 := c.X[j-1], c.X[j], c.Y[j-1], c.Y[j]
			out[i] = y0 + (s-x0)*(y1-y0)/(x1-x0)
		}
	}
	return out, nil
}
