package metrics

import "fmt"

// rankingInput validates (y, score, w) and groups it. needNegatives says
// whether the metric needs negative mass too (ROC) or only positive (AP).
func rankingInput(name string, y []uint8, score, w []float64, needNegatives bool) (scoreGroups, float64, float64, error) {
	if _, err := checkBinary(y, score, w); err != nil {
		return scoreGroups{}, 0, 0, fmt.Errorf("%s: %w", name, err)
	}
	g := groupScores(y, score, w)
	P, N := g.totals()
	if P == 0 {
		return scoreGroups{}, 0, 0, fmt.Errorf("%s: no positive labels (or all have zero weight): %w", name, ErrSingleClass)
	}
	if needNegatives && N == 0 {
		return scoreGroups{}, 0, 0, fmt.Errorf("%s: no negative labels (or all have zero weight): %w", name, ErrSingleClass)
	}
	return g, P, N, nil
}

// ROCAUC returns the area under the ROC curve of score for labels y, with
// optional non-negative sample weights w (nil = unweighted).
//
// It equals scikit-learn 1.2.1 roc_auc_score(y, score, sample_weight=w): the
// trapezoidal area through every distinct threshold, so a tie between a
// positive and a negative counts one half, and with weights each pair counts
// w_pos*w_neg. Errors: empty input, length mismatch, a label other than 0/1,
// a NaN score, a negative/NaN/infinite weight, or a missing class (no
// positive or no negative mass).
func ROCAUC(y []uint8, score, w []float64) (float64, error) {
	g, P, N, err := rankingInput("roc auc", y, score, w, true)
	if err != nil {
		return 0, err
	}
	return aucFromCounts(g.pos, g.neg, P, N), nil
}

// ROCCurve returns the ROC curve of score for labels y with optional weights
// w, as scikit-learn 1.2.1 roc_curve(y, score, sample_weight=w,
// drop_intermediate=False) does: one point per distinct score in decreasing
// order, preceded by the point (0, 0) whose threshold is the largest score
// plus 1 (scikit-learn 1.2.1's convention; 1.3 and later use +Inf). Point i
// is the rate of rows with score >= thresholds[i]. Rows with zero weight add
// no threshold. Errors are those of ROCAUC.
func ROCCurve(y []uint8, score, w []float64) (fpr, tpr, thresholds []float64, err error) {
	g, P, N, err := rankingInput("roc curve", y, score, w, true)
	if err != nil {
		return nil, nil, nil, err
	}
	n := len(g.value) + 1
	fpr = make([]float64, 1, n)
	tpr = make([]float64, 1, n)
	thresholds = make([]float64, 1, n)
	thresholds[0] = g.value[0] + 1
	var tps, fps float64
	for i, v := range g.value {
		tps += g.pos[i]
		fps += g.neg[i]
		fpr = append(fpr, fps/N)
		tpr = append(tpr, tps/P)
		thresholds = append(thresholds, v)
	}
	return fpr, tpr, thresholds, nil
}

// AveragePrecision returns scikit-learn 1.2.1 average_precision_score(y,
// score, sample_weight=w): the step-function sum over distinct thresholds t
// in decreasing order of (R(t) - R(previous t)) * P(t), where P and R are
// the precision and recall of flagging score >= t. There is no
// interpolation. Negatives are not required (AP is then 1); positives are.
// Errors: those of ROCAUC, except that only the positive class is required.
func AveragePrecision(y []uint8, score, w []float64) (float64, error) {
	g, P, _, err := rankingInput("average precision", y, score, w, false)
	if err != nil {
		return 0, err
	}
	return apFromCounts(g.pos, g.neg, P), nil
}

// PrecisionRecallCurve returns the precision-recall curve in scikit-learn
// 1.2.1 precision_recall_curve's layout (since 1.1 it no longer stops at
// full recall): thresholds are all distinct scores in increasing order;
// precision[i] and recall[i] are those of flagging score >= thresholds[i],
// so precision[0] is the (weighted) base rate and recall[0] is 1; the final
// entries, precision 1 and recall 0, have no threshold, so len(precision)
// == len(recall) == len(thresholds)+1. Rows with zero weight add no
// threshold. Errors are those of AveragePrecision.
func PrecisionRecallCurve(y []uint8, score, w []float64) (precision, recall, thresholds []float64, err error) {
	g, P, _, err := rankingInput("precision-recall curve", y, score, w, false)
	if err != nil {
		return nil, nil, nil, err
	}
	var tps, fps float64
	for i, v := range g.value {
		tps += g.pos[i]
		fps += g.neg[i]
		precision = append(precision, tps/(tps+fps))
		recall = append(recall, tps/P)
		thresholds = append(thresholds, v)
	}
	reverse(precision)
	reverse(recall)
	reverse(thresholds)
	precision = append(precision, 1)
	recall = append(recall, 0)
	return precision, recall, thresholds, nil
}

func reverse(s []float64) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}
