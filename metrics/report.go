package metrics

import (
	"fmt"
	"math"
)

// Report is the evaluation of one score vector against labels at one
// threshold, ready for results.json. Every optional value is a *float64
// that encodes as JSON null when undefined, never 0 and never NaN; the
// Undefined map gives the reason for each null, keyed by its JSON name.
// encoding/json writes map keys sorted, so the encoding is deterministic.
type Report struct {
	N         int     `json:"n"`
	Positives int     `json:"positives"`
	BaseRate  float64 `json:"base_rate"`

	AUC              *float64 `json:"auc"`
	AveragePrecision *float64 `json:"average_precision"`
	// Brier and LogLoss are defined only when every score is a
	// probability in [0, 1].
	Brier   *float64 `json:"brier"`
	LogLoss *float64 `json:"log_loss"`

	Threshold float64 `json:"threshold"`
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	TN        int     `json:"tn"`
	FN        int     `json:"fn"`
	Flagged   int     `json:"flagged"`

	Precision        *float64 `json:"precision"`
	Recall           *float64 `json:"recall"`
	F1               *float64 `json:"f1"`
	Accuracy         *float64 `json:"accuracy"`
	Specificity      *float64 `json:"specificity"`
	BalancedAccuracy *float64 `json:"balanced_accuracy"`

	Undefined map[string]string `json:"undefined,omitempty"`
}

// Confusion returns the report's confusion matrix.
func (r Report) Confusion() Confusion { return Confusion{TP: r.TP, FP: r.FP, TN: r.TN, FN: r.FN} }

// Reasons for undefined report values.
const (
	reasonOneClassAUC    = "labels hold a single class"
	reasonNoPositives    = "no positive labels"
	reasonNotProbability = "scores are not probabilities in [0, 1]"
	reasonNothingFlagged = "nothing flagged (TP + FP = 0)"
	reasonNoNegatives    = "no negative labels"
)

// Evaluate returns the Report of score against labels y, flagging
// score >= threshold. AUC (ROCAUC) is null with one class; average
// precision (AveragePrecision) is null without positives; Brier and log
// loss are null unless every score is in [0, 1]; ratios with a zero
// denominator (see Confusion) are null. Errors: empty input, length
// mismatch, labels other than 0/1, NaN scores, a non-finite threshold
// (use a finite threshold below every score to flag all rows).
func Evaluate(y []uint8, score []float64, threshold float64) (Report, error) {
	pos, err := checkBinary(y, score, nil)
	if err != nil {
		return Report{}, fmt.Errorf("evaluate: %w", err)
	}
	if math.IsNaN(threshold) || math.IsInf(threshold, 0) {
		return Report{}, fmt.Errorf("evaluate: threshold %g is not finite: %w", threshold, ErrParameter)
	}
	g := groupScores(y, score, nil)
	cm, _ := ConfusionAt(y, score, threshold) // inputs already validated
	n := len(y)
	r := Report{N: n, Positives: pos, BaseRate: float64(pos) / float64(n), Threshold: threshold}
	r.TP, r.FP, r.TN, r.FN, r.Flagged = cm.TP, cm.FP, cm.TN, cm.FN, cm.Flagged()
	undefined := map[string]string{}
	P, N := float64(pos), float64(n-pos)
	switch {
	case pos == 0:
		undefined["auc"], undefined["average_precision"] = reasonOneClassAUC, reasonNoPositives
	case pos == n:
		undefined["auc"] = reasonOneClassAUC
		r.AveragePrecision = ptr(apFromCounts(g.pos, g.neg, P))
	default:
		r.AUC = ptr(aucFromCounts(g.pos, g.neg, P, N))
		r.AveragePrecision = ptr(apFromCounts(g.pos, g.neg, P))
	}
	if probabilityScores(score) {
		b, _ := Brier(y, score)
		l, _ := LogLoss(y, score)
		r.Brier, r.LogLoss = ptr(b), ptr(l)
	} else {
		undefined["brier"], undefined["log_loss"] = reasonNotProbability, reasonNotProbability
	}
	set := func(dst **float64, name, reason string, v float64, ok bool) {
		if ok {
			*dst = ptr(v)
		} else {
			undefined[name] = reason
		}
	}
	v, ok := cm.Precision()
	set(&r.Precision, "precision", reasonNothingFlagged, v, ok)
	v, ok = cm.Recall()
	set(&r.Recall, "recall", reasonNoPositives, v, ok)
	v, ok = cm.F1()
	set(&r.F1, "f1", "no positive labels and nothing flagged", v, ok)
	v, ok = cm.Accuracy()
	set(&r.Accuracy, "accuracy", "no rows", v, ok)
	v, ok = cm.Specificity()
	set(&r.Specificity, "specificity", reasonNoNegatives, v, ok)
	v, ok = cm.BalancedAccuracy()
	set(&r.BalancedAccuracy, "balanced_accuracy", reasonOneClassAUC, v, ok)
	if len(undefined) > 0 {
		r.Undefined = undefined
	}
	return r, nil
}

// probabilityScores reports whether every score is in [0, 1].
func probabilityScores(score []float64) bool {
	for _, s := range score {
		if !(s >= 0 && s <= 1) {
			return false
		}
	}
	return true
}
