package metrics

import (
	"fmt"
	"math"
)

// Confusion is the confusion matrix of a thresholded score: TP and FP count
// rows flagged (score >= threshold) whose label is 1 and 0; FN and TN count
// rows not flagged whose label is 1 and 0.
//
// Its ratio methods return (value, ok); ok is false when the ratio's
// denominator is zero, which means the ratio is undefined (scikit-learn
// would warn and substitute 0; that 0 is not reported here).
type Confusion struct {
	TP, FP, TN, FN int
}

// ConfusionAt returns the confusion matrix of flagging score >= threshold.
// Errors: empty input, length mismatch, a label other than 0/1, a NaN score
// or a NaN threshold. A threshold of -Inf flags every row; +Inf flags only
// rows scored +Inf.
func ConfusionAt(y []uint8, score []float64, threshold float64) (Confusion, error) {
	if _, err := checkLabels(y); err != nil {
		return Confusion{}, fmt.Errorf("confusion: %w", err)
	}
	if err := checkScores("scores", score, len(y)); err != nil {
		return Confusion{}, fmt.Errorf("confusion: %w", err)
	}
	if math.IsNaN(threshold) {
		return Confusion{}, fmt.Errorf("confusion: threshold: %w", ErrNaN)
	}
	var c Confusion
	for i, s := range score {
		flagged := s >= threshold
		switch {
		case flagged && y[i] == 1:
			c.TP++
		case flagged:
			c.FP++
		case y[i] == 1:
			c.FN++
		default:
			c.TN++
		}
	}
	return c, nil
}

// N returns the number of rows.
func (c Confusion) N() int { return c.TP + c.FP + c.TN + c.FN }

// Positives returns the number of rows labelled 1 (TP + FN).
func (c Confusion) Positives() int { return c.TP + c.FN }

// Negatives returns the number of rows labelled 0 (TN + FP).
func (c Confusion) Negatives() int { return c.TN + c.FP }

// Flagged returns the number of rows predicted positive (TP + FP).
func (c Confusion) Flagged() int { return c.TP + c.FP }

// Precision returns TP / (TP + FP), the positive predictive value.
func (c Confusion) Precision() (float64, bool) { return ratio(float64(c.TP), float64(c.TP+c.FP)) }

// PPV is Precision.
func (c Confusion) PPV() (float64, bool) { return c.Precision() }

// Recall returns TP / (TP + FN), the sensitivity or true positive rate.
func (c Confusion) Recall() (float64, bool) { return ratio(float64(c.TP), float64(c.TP+c.FN)) }

// TPR is Recall.
func (c Confusion) TPR() (float64, bool) { return c.Recall() }

// Specificity returns TN / (TN + FP), the true negative rate.
func (c Confusion) Specificity() (float64, bool) { return ratio(float64(c.TN), float64(c.TN+c.FP)) }

// TNR is Specificity.
func (c Confusion) TNR() (float64, bool) { return c.Specificity() }

// FPR returns FP / (FP + TN), the false positive rate.
func (c Confusion) FPR() (float64, bool) { return ratio(float64(c.FP), float64(c.FP+c.TN)) }

// FNR returns FN / (FN + TP), the false negative (miss) rate.
func (c Confusion) FNR() (float64, bool) { return ratio(float64(c.FN), float64(c.FN+c.TP)) }

// NPV returns TN / (TN + FN), the negative predictive value.
func (c Confusion) NPV() (float64, bool) { return ratio(float64(c.TN), float64(c.TN+c.FN)) }

// FDR returns FP / (FP + TP), the false discovery rate.
func (c Confusion) FDR() (float64, bool) { return ratio(float64(c.FP), float64(c.FP+c.TP)) }

// FOR returns FN / (FN + TN), the false omission rate.
func (c Confusion) FOR() (float64, bool) { return ratio(float64(c.FN), float64(c.FN+c.TN)) }

// SelectionRate returns (TP + FP) / N, the share of rows flagged.
func (c Confusion) SelectionRate() (float64, bool) {
	return ratio(float64(c.TP+c.FP), float64(c.N()))
}

// Accuracy returns (TP + TN) / N.
func (c Confusion) Accuracy() (float64, bool) { return ratio(float64(c.TP+c.TN), float64(c.N())) }

// F1 returns 2TP / (2TP + FP + FN), the harmonic mean of precision and
// recall. It is undefined only when there are no positives and nothing is
// flagged (TP = FP = FN = 0); when precision alone is undefined (nothing
// flagged but positives exist) F1 is 0, as in scikit-learn.
func (c Confusion) F1() (float64, bool) {
	return ratio(float64(2*c.TP), float64(2*c.TP+c.FP+c.FN))
}

// FBeta returns (1+b²)TP / ((1+b²)TP + b²FN + FP) for beta > 0; ok is false
// when the denominator is zero or beta is not positive and finite.
func (c Confusion) FBeta(beta float64) (float64, bool) {
	if !(beta > 0) || math.IsInf(beta, 0) {
		return 0, false
	}
	b2 := beta * beta
	tp := float64(c.TP)
	return ratio((1+b2)*tp, (1+b2)*tp+b2*float64(c.FN)+float64(c.FP))
}

// BalancedAccuracy returns (Recall + Specificity) / 2. It is undefined when
// either is (one class absent); scikit-learn would instead average only the
// class present.
func (c Confusion) BalancedAccuracy() (float64, bool) {
	r, ok1 := c.Recall()
	s, ok2 := c.Specificity()
	if !ok1 || !ok2 {
		return 0, false
	}
	return (r + s) / 2, true
}
