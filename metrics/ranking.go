package metrics

import (
	"fmt"
	"math"
)

// TopKResult describes flagging the k highest-scored rows.
type TopKResult struct {
	K int `json:"k"`
	// Threshold is the k-th highest score.
	Threshold float64 `json:"threshold"`
	// TruePositives is the expected number of positives among the k rows
	// flagged; it is fractional when rows tied at Threshold straddle the
	// k-th place (see TopK).
	TruePositives float64 `json:"true_positives"`
	// Precision is TruePositives / K.
	Precision float64 `json:"precision_at_k"`
	// Recall is TruePositives / positives; nil when there are no positives.
	Recall *float64 `json:"recall_at_k"`
	// TiedAtBoundary is true when rows scored Threshold lie on both sides
	// of the k-th place.
	TiedAtBoundary bool `json:"tied_at_boundary"`
}

// TopK returns precision and recall of flagging the k highest scores,
// 1 <= k <= len(y). When rows tied at the k-th highest score straddle the
// boundary, exactly k rows are still flagged and the tied rows share the
// remaining places equally: they contribute (places left) × (positives in
// the tie)/(rows in the tie) expected true positives. The result is the
// mean over every ordering of the ties, so it never depends on row order;
// without ties at the boundary it is the plain count.
// Errors: empty input, length mismatch, labels other than 0/1, a NaN score,
// k outside [1, len(y)].
func TopK(y []uint8, score []float64, k int) (TopKResult, error) {
	pos, err := checkBinary(y, score, nil)
	if err != nil {
		return TopKResult{}, fmt.Errorf("top k: %w", err)
	}
	if k < 1 || k > len(y) {
		return TopKResult{}, fmt.Errorf("top k: k = %d outside [1, %d]: %w", k, len(y), ErrParameter)
	}
	g := groupScores(y, score, nil)
	var above, tpAbove float64 // rows and positives in groups before the current one
	r := TopKResult{K: k}
	for i, v := range g.value {
		size := g.pos[i] + g.neg[i]
		if above+size >= float64(k) {
			left := float64(k) - above
			r.Threshold = v
			r.TruePositives = tpAbove + left*g.pos[i]/size
			r.TiedAtBoundary = left < size
			break
		}
		above += size
		tpAbove += g.pos[i]
	}
	r.Precision = r.TruePositives / float64(k)
	if pos > 0 {
		r.Recall = ptr(r.TruePositives / float64(pos))
	}
	return r, nil
}

// RecallThreshold is a threshold chosen to reach a target recall, with the
// confusion counts of flagging score >= Threshold on the data it was chosen
// on.
type RecallThreshold struct {
	Threshold float64   `json:"threshold"`
	Recall    float64   `json:"recall"`
	Precision float64   `json:"precision"`
	Flagged   int       `json:"flagged"`
	Confusion Confusion `json:"confusion"`
}

// ThresholdForRecall returns the largest score t such that flagging
// score >= t has recall >= target, with target in (0, 1]. t is always one of
// the scores, so flagging at t includes all rows tied at t. Recall is
// computed as TP/positives and compared with target in floating point.
// Errors: those of TopK, no positive labels, target outside (0, 1].
func ThresholdForRecall(y []uint8, score []float64, target float64) (RecallThreshold, error) {
	pos, err := checkBinary(y, score, nil)
	if err != nil {
		return RecallThreshold{}, fmt.Errorf("threshold for recall: %w", err)
	}
	if math.IsNaN(target) || target <= 0 || target > 1 {
		return RecallThreshold{}, fmt.Errorf("threshold for recall: target %g outside (0, 1]: %w", target, ErrParameter)
	}
	if pos == 0 {
		return RecallThreshold{}, fmt.Errorf("threshold for recall: no positive labels: %w", ErrSingleClass)
	}
	g := groupScores(y, score, nil)
	P := float64(pos)
	var tps, fps float64
	for i, v := range g.value {
		tps += g.pos[i]
		fps += g.neg[i]
		if tps/P >= target {
			c := Confusion{TP: int(tps), FP: int(fps), FN: pos - int(tps), TN: len(y) - pos - int(fps)}
			return RecallThreshold{Threshold: v, Recall: tps / P, Precision: tps / (tps + fps),
				Flagged: int(tps + fps), Confusion: c}, nil
		}
	}
	// Unreachable: at the lowest score recall is 1 >= target.
	return RecallThreshold{}, fmt.Errorf("threshold for recall: target %g not reached", target)
}
