package metrics

import (
	"fmt"
	"math"
)

// logLossEps is scikit-learn 1.2.1's default clipping bound for log_loss:
// eps="auto", numpy.finfo(float64).eps = 2^-52. (Before 1.2 the default
// was 1e-15.)
const logLossEps = 0x1p-52

// probabilityInput validates labels and probabilities of the same length.
func probabilityInput(name string, y []uint8, p []float64) error {
	if _, err := checkLabels(y); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := checkProbabilities(p, len(y)); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// Brier returns the Brier score, the mean of (p_i - y_i)^2, as scikit-learn
// 1.2.1 brier_score_loss(y, p) does. p must hold probabilities in [0, 1].
// A single class is allowed. Errors: empty input, length mismatch, a label
// other than 0/1, a NaN probability or one outside [0, 1].
func Brier(y []uint8, p []float64) (float64, error) {
	if err := probabilityInput("brier", y, p); err != nil {
		return 0, err
	}
	var s float64
	for i, v := range p {
		d := v - float64(y[i])
		s += d * d
	}
	return s / float64(len(y)), nil
}

// LogLoss returns the mean negative natural-log likelihood of y under the
// probabilities p, as scikit-learn 1.2.1 log_loss(y, p) does: each p is
// first clipped to [eps, 1-eps] with scikit-learn 1.2's default
// eps = numpy.finfo(float64).eps = 2^-52 ≈ 2.22e-16 (versions before 1.2
// used 1e-15), so a confident wrong prediction costs 52·ln 2 ≈ 36.04
// rather than +Inf. p must be in [0, 1] (scikit-learn would clip values
// outside; here they are an error). Unlike scikit-learn, which refuses a
// single class only because it cannot infer the label set, a single class
// is allowed. Errors: as Brier.
func LogLoss(y []uint8, p []float64) (float64, error) {
	if err := probabilityInput("log loss", y, p); err != nil {
		return 0, err
	}
	var s float64
	for i, v := range p {
		v = min(max(v, logLossEps), 1-logLossEps)
		if y[i] == 1 {
			s -= math.Log(v)
		} else {
			s -= math.Log(1 - v)
		}
	}
	return s / float64(len(y)), nil
}
