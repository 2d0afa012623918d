package metrics

import (
	"errors"
	"fmt"
	"math"
)

// Sentinel errors; callers can test for them with errors.Is.
var (
	// ErrEmpty is returned for inputs with no rows.
	ErrEmpty = errors.New("metrics: empty input")
	// ErrLength is returned when paired slices differ in length.
	ErrLength = errors.New("metrics: length mismatch")
	// ErrSingleClass is returned when a metric needs both classes and the
	// labels (or their positive weights) hold only one.
	ErrSingleClass = errors.New("metrics: only one class present")
	// ErrLabel is returned for a label other than 0 or 1.
	ErrLabel = errors.New("metrics: label is not 0 or 1")
	// ErrNaN is returned for a NaN score, probability, weight or parameter.
	ErrNaN = errors.New("metrics: NaN value")
	// ErrProbability is returned for a probability outside [0, 1].
	ErrProbability = errors.New("metrics: probability outside [0, 1]")
	// ErrWeight is returned for a negative or infinite weight.
	ErrWeight = errors.New("metrics: weight is negative or not finite")
	// ErrParameter is returned for an invalid parameter (level, bins, k...).
	ErrParameter = errors.New("metrics: invalid parameter")
)

// checkLabels verifies that every label is 0 or 1 and returns the number of
// positives.
func checkLabels(y []uint8) (positives int, err error) {
	if len(y) == 0 {
		return 0, ErrEmpty
	}
	for i, v := range y {
		switch v {
		case 0:
		case 1:
			positives++
		default:
			return 0, fmt.Errorf("row %d: label %d: %w", i, v, ErrLabel)
		}
	}
	return positives, nil
}

// checkScores verifies len(score) == n and that no score is NaN.
func checkScores(name string, score []float64, n int) error {
	if len(score) != n {
		return fmt.Errorf("%s has %d values for %d labels: %w", name, len(score), n, ErrLength)
	}
	for i, s := range score {
		if math.IsNaN(s) {
			return fmt.Errorf("%s row %d: %w", name, i, ErrNaN)
		}
	}
	return nil
}

// checkProbabilities verifies len(p) == n and that every p is in [0, 1].
func checkProbabilities(p []float64, n int) error {
	if len(p) != n {
		return fmt.Errorf("probabilities have %d values for %d labels: %w", len(p), n, ErrLength)
	}
	for i, v := range p {
		if math.IsNaN(v) {
			return fmt.Errorf("probability row %d: %w", i, ErrNaN)
		}
		if v < 0 || v > 1 {
			return fmt.Errorf("probability row %d is %g: %w", i, v, ErrProbability)
		}
	}
	return nil
}

// checkWeights verifies that w is nil or has n finite non-negative values.
func checkWeights(w []float64, n int) error {
	if w == nil {
		return nil
	}
	if len(w) != n {
		return fmt.Errorf("weights have %d values for %d labels: %w", len(w), n, ErrLength)
	}
	for i, v := range w {
		if math.IsNaN(v) {
			return fmt.Errorf("weight row %d: %w", i, ErrNaN)
		}
		if v < 0 || math.IsInf(v, 0) {
			return fmt.Errorf("weight row %d is %g: %w", i, v, ErrWeight)
		}
	}
	return nil
}

// checkBinary validates labels, scores and optional weights for a ranking
// metric and returns the number of positive labels.
func checkBinary(y []uint8, score, w []float64) (int, error) {
	pos, err := checkLabels(y)
	if err != nil {
		return 0, err
	}
	if err := checkScores("scores", score, len(y)); err != nil {
		return 0, err
	}
	if err := checkWeights(w, len(y)); err != nil {
		return 0, err
	}
	return pos, nil
}

// ptr returns a pointer to a copy of v, for optional result fields.
func ptr(v float64) *float64 { return &v }

// ratio returns num/den and whether it is defined (den != 0).
func ratio(num, den float64) (float64, bool) {
	if den == 0 {
		return 0, false
	}
	return num / den, true
}
