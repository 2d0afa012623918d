// Package metrics computes the evaluation statistics of binary at-risk
// prediction: ranking metrics (ROC AUC, average precision), probability
// scores (Brier, log loss), confusion-matrix ratios at a threshold,
// calibration, DeLong intervals and tests, threshold policies, seeded
// bootstrap intervals and model-comparison tests.
//
// Conventions shared by every function:
//
//   - Labels are []uint8 holding 0 or 1; 1 is the positive class (the at-risk
//     outcome the model flags). Any other label value is an error.
//   - Scores are []float64; higher means more at risk. A prediction is
//     positive when score >= threshold. NaN scores are an error; infinite
//     scores are allowed where only their order matters.
//   - Probabilities (Brier, LogLoss, Calibration) must lie in [0, 1].
//   - Weights, where accepted, may be nil (unweighted); otherwise they must be
//     finite and non-negative, one per row.
//   - Mismatched lengths, empty input and a single class where a metric
//     needs both classes are errors, never panics and never NaN results.
//   - A value that is undefined on valid input (a ratio with a zero
//     denominator, say) is reported as such: an ok=false bool or a nil
//     *float64, which encodes as JSON null. It is never 0 and never NaN.
//
// Contents:
//
//   - Ranking: ROCAUC, ROCCurve, AveragePrecision, PrecisionRecallCurve,
//     TopK, ThresholdForRecall.
//   - Probabilities: Brier, LogLoss, Calibration (ECE, slope,
//     calibration-in-the-large, reliability bins), FitPlatt, FitIsotonic.
//   - Thresholds: ConfusionAt and Confusion's ratios; ThresholdPolicy
//     chooses a threshold on training labels or by capacity.
//   - Reports: Evaluate (one Report, JSON-ready), EvaluateStrata (per
//     stratum with macro averages).
//   - Uncertainty and comparison: DeLongCI, DeLongPaired, Bootstrap and
//     PairedBootstrap (seeded, stratified or cluster, percentile and BCa),
//     NadeauBengio (corrected resampled t-test across splits), HolmAdjust.
//
// Reference implementations are named in each function's documentation
// (scikit-learn 1.2.1, R pROC 1.18.0, statsmodels 0.13.5); the conformance
// suite in ../shared/conformance/metrics.json checks them.
package metrics
