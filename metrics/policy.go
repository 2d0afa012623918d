package metrics

import (
	"fmt"
	"math"
	"strconv"
)

// Threshold policy kinds.
const (
	// PolicyValue flags score >= Value.
	PolicyValue = "value"
	// PolicyTopFraction flags at most floor(Fraction·n) of the n scored
	// (test) rows, highest scores first.
	PolicyTopFraction = "top_fraction"
	// PolicyTopK flags at most K of the scored (test) rows.
	PolicyTopK = "top_k"
	// PolicyTargetRecall picks the largest training score reaching recall
	// TargetRecall on the training labels.
	PolicyTargetRecall = "target_recall"
	// PolicyMaxF1 picks the training score maximizing F1 on the training
	// labels.
	PolicyMaxF1 = "max_f1"
	// PolicyMinCost picks the training score minimizing
	// CostFN·FN + CostFP·FP on the training labels.
	PolicyMinCost = "min_cost"
)

// ThresholdPolicy says how the decision threshold of an intervention is
// chosen. Only the fields of its Kind are used:
//
//	value          Value (finite)
//	top_fraction   Fraction in (0, 1]
//	top_k          K >= 1
//	target_recall  TargetRecall in (0, 1]
//	max_f1         (none)
//	min_cost       CostFN, CostFP >= 0, finite, not both 0
//
// Label-based kinds (target_recall, max_f1, min_cost) are chosen on the
// training (or validation) labels and scores only, never on test labels;
// the threshold is then applied to test scores unchanged. Capacity kinds
// (top_fraction, top_k) model an advisor's capacity ("we can call 50
// students a week"): they rank the scored (test) population itself, which
// uses no labels, and never flag more rows than the capacity.
type ThresholdPolicy struct {
	Kind         string  `json:"kind" toml:"kind"`
	Value        float64 `json:"value,omitempty" toml:"value"`
	Fraction     float64 `json:"fraction,omitempty" toml:"fraction"`
	K            int     `json:"k,omitempty" toml:"k"`
	TargetRecall float64 `json:"target_recall,omitempty" toml:"target_recall"`
	CostFN       float64 `json:"cost_fn,omitempty" toml:"cost_fn"`
	CostFP       float64 `json:"cost_fp,omitempty" toml:"cost_fp"`
}

// Validate reports whether the policy's kind is known and its parameters
// are in range.
func (p ThresholdPolicy) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("threshold policy %s: "+format+": %w", append([]any{p.Kind}, append(args, ErrParameter)...)...)
	}
	switch p.Kind {
	case PolicyValue:
		if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
			return bad("value %g is not finite", p.Value)
		}
	case PolicyTopFraction:
		if !(p.Fraction > 0 && p.Fraction <= 1) {
			return bad("fraction %g outside (0, 1]", p.Fraction)
		}
	case PolicyTopK:
		if p.K < 1 {
			return bad("k = %d, need k >= 1", p.K)
		}
	case PolicyTargetRecall:
		if !(p.TargetRecall > 0 && p.TargetRecall <= 1) {
			return bad("target recall %g outside (0, 1]", p.TargetRecall)
		}
	case PolicyMaxF1:
	case PolicyMinCost:
		for _, c := range []float64{p.CostFN, p.CostFP} {
			if !(c >= 0) || math.IsInf(c, 0) {
				return bad("cost %g is negative or not finite", c)
			}
		}
		if p.CostFN == 0 && p.CostFP == 0 {
			return bad("both costs are zero")
		}
	default:
		return fmt.Errorf("threshold policy: unknown kind %q (want value, top_fraction, top_k, target_recall, max_f1 or min_cost): %w",
			p.Kind, ErrParameter)
	}
	return nil
}

// UsesLabels reports whether the policy is chosen on training labels
// (target_recall, max_f1, min_cost) rather than on the scored population.
func (p ThresholdPolicy) UsesLabels() bool {
	switch p.Kind {
	case PolicyTargetRecall, PolicyMaxF1, PolicyMinCost:
		return true
	}
	return false
}

// String returns a compact description such as "top_k(50)" or
// "min_cost(fn=5,fp=1)".
func (p ThresholdPolicy) String() string {
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	switch p.Kind {
	case PolicyValue:
		return "value(" + g(p.Value) + ")"
	case PolicyTopFraction:
		return "top_fraction(" + g(p.Fraction) + ")"
	case PolicyTopK:
		return "top_k(" + strconv.Itoa(p.K) + ")"
	case PolicyTargetRecall:
		return "target_recall(" + g(p.TargetRecall) + ")"
	case PolicyMaxF1:
		return "max_f1"
	case PolicyMinCost:
		return "min_cost(fn=" + g(p.CostFN) + ",fp=" + g(p.CostFP) + ")"
	}
	return fmt.Sprintf("unknown(%q)", p.Kind)
}

// Threshold returns the decision threshold of the policy; rows with
// score >= threshold are flagged.
//
//   - value: Value; no data is used (all slices may be nil).
//   - top_fraction and top_k: computed on testScore only (the train
//     arguments may be nil). The capacity is K, or floor(Fraction·n + 1e-9)
//     for n test rows (the 1e-9 absorbs decimal rounding, so 0.29·100 is
//     29). The threshold is the lowest test score s such that at most
//     capacity rows score >= s. Ties at the boundary are never split: if
//     flagging a tie group would exceed the capacity, none of it is
//     flagged, so fewer rows than the capacity may be flagged (Report's
//     Flagged says how many). If even the highest score's group exceeds
//     the capacity (or the capacity is 0), the threshold is the next
//     float64 above the highest test score and nothing is flagged.
//   - target_recall: ThresholdForRecall on the training data.
//   - max_f1: the training score t maximizing the training F1 of
//     score >= t; among equal F1 the largest t (fewest flagged) wins.
//     Needs a training positive.
//   - min_cost: the candidate minimizing CostFN·FN + CostFP·FP on the
//     training data, candidates being every training score and "flag
//     none" (the next float64 above the highest training score); among
//     equal costs the largest threshold wins.
//
// Errors: an invalid policy, invalid inputs for the data the kind uses
// (empty, length mismatch, labels not 0/1, NaN scores), no training
// positives for target_recall and max_f1, an infinite top score where the
// threshold must lie above it.
func (p ThresholdPolicy) Threshold(trainY []uint8, trainScore []float64, testScore []float64) (float64, error) {
	if err := p.Validate(); err != nil {
		return 0, err
	}
	switch p.Kind {
	case PolicyValue:
		return p.Value, nil
	case PolicyTopFraction, PolicyTopK:
		if len(testScore) == 0 {
			return 0, fmt.Errorf("threshold policy %s: no test scores: %w", p, ErrEmpty)
		}
		if err := checkScores("test scores", testScore, len(testScore)); err != nil {
			return 0, fmt.Errorf("threshold policy %s: %w", p, err)
		}
		capacity := p.K
		if p.Kind == PolicyTopFraction {
			capacity = int(math.Floor(p.Fraction*float64(len(testScore)) + 1e-9))
		}
		t, err := capacityThreshold(testScore, capacity)
		if err != nil {
			return 0, fmt.Errorf("threshold policy %s: %w", p, err)
		}
		return t, nil
	}
	// Label-based kinds.
	pos, err := checkBinary(trainY, trainScore, nil)
	if err != nil {
		return 0, fmt.Errorf("threshold policy %s: training data: %w", p, err)
	}
	switch p.Kind {
	case PolicyTargetRecall:
		r, err := ThresholdForRecall(trainY, trainScore, p.TargetRecall)
		if err != nil {
			return 0, fmt.Errorf("threshold policy %s: %w", p, err)
		}
		return r.Threshold, nil
	case PolicyMaxF1:
		if pos == 0 {
			return 0, fmt.Errorf("threshold policy %s: no training positives: %w", p, ErrSingleClass)
		}
		return maxF1Threshold(trainY, trainScore), nil
	default: // PolicyMinCost
		t, err := minCostThreshold(trainY, trainScore, p.CostFN, p.CostFP)
		if err != nil {
			return 0, fmt.Errorf("threshold policy %s: %w", p, err)
		}
		return t, nil
	}
}

// above returns the smallest float64 greater than v, a threshold that
// flags nothing scored at most v.
func above(v float64) (float64, error) {
	if math.IsInf(v, 1) {
		return 0, fmt.Errorf("highest score is +Inf: no threshold flags nothing: %w", ErrParameter)
	}
	return math.Nextafter(v, math.Inf(1)), nil
}

// capacityThreshold returns the lowest score s with #(score >= s) <= capacity.
func capacityThreshold(score []float64, capacity int) (float64, error) {
	idx := sortDescending(score)
	t, err := above(score[idx[0]])
	if err != nil {
		return 0, err
	}
	flagged := 0
	for i := 0; i < len(idx); {
		// The tie group of score[idx[i]] spans idx[i:j].
		j := i + 1
		for j < len(idx) && score[idx[j]] == score[idx[i]] {
			j++
		}
		if flagged+(j-i) > capacity {
			break
		}
		flagged += j - i
		t = score[idx[i]]
		i = j
	}
	return t, nil
}

// maxF1Threshold returns the largest distinct score maximizing F1; the
// training data must hold a positive.
func maxF1Threshold(y []uint8, score []float64) float64 {
	g := groupScores(y, score, nil)
	P, _ := g.totals()
	var tps, fps, best float64
	bestT := g.value[0]
	for i, v := range g.value {
		tps += g.pos[i]
		fps += g.neg[i]
		f1 := 2 * tps / (tps + fps + P) // 2TP / (2TP + FP + FN), FN = P - TP
		if f1 > best {
			best, bestT = f1, v
		}
	}
	return bestT
}

// minCostThreshold returns the threshold minimizing cFN·FN + cFP·FP.
func minCostThreshold(y []uint8, score []float64, cFN, cFP float64) (float64, error) {
	g := groupScores(y, score, nil)
	P, _ := g.totals()
	bestT, err := above(g.value[0])
	if err != nil {
		return 0, err
	}
	best := cFN * P // flag none: every positive missed
	var tps, fps float64
	for i, v := range g.value {
		tps += g.pos[i]
		fps += g.neg[i]
		if c := cFN*(P-tps) + cFP*fps; c < best {
			best, bestT = c, v
		}
	}
	return bestT, nil
}
