// Package fairness audits a binary at-risk classifier for gaps between
// groups of students: per-group confusion-matrix rates, ranking and
// calibration metrics, fairness gaps (demographic parity, equal
// opportunity, equalized odds, predictive parity, FNR and FOR gaps,
// calibration and AUC gaps, ABROCA) with stratified bootstrap intervals,
// permutation-test p-values, multiple-testing adjustment and threshold
// verdicts for governance reviews.
//
// Conventions shared by every function:
//
//   - Labels are []uint8 holding 0 or 1; 1 is the positive class (the at-risk
//     outcome the model flags). Scores are []float64, higher meaning more at
//     risk; a prediction is positive (the student is flagged) when
//     score >= threshold. NaN scores and labels other than 0/1 are errors.
//   - Groups are given as one string per row. The empty string is a missing
//     value and forms its own group named MissingGroup ("(missing)"), which is
//     reported like any other group, never dropped. An intersectional group is
//     its components' labels joined with "|" (for example "F|<35").
//   - A value that is undefined on valid input (a rate whose denominator is
//     zero, the AUC of a group holding one class) is an Estimate with
//     Defined false and a Reason; it encodes as JSON null and its reason is
//     listed in the enclosing struct's "undefined" map. It is never 0 and
//     never NaN. Gaps skip groups whose metric is undefined and name them.
//   - Randomness (bootstrap, permutations) comes only from PCG generators of
//     math/rand/v2 seeded from AuditOptions.Seed and a stable task name (one
//     generator per bootstrap replicate or permutation, one per ABROCA
//     test), so results do not depend on GOMAXPROCS or on the number of
//     workers.
//   - Warnings ("group X has 12 rows: suppressed") are returned as data in
//     the results, never logged.
//
// # Audit results as JSON
//
// AuditResult encodes (encoding/json) as one object: the settings the audit
// ran with ("rows", "threshold", "min_group_size", "calibration_bins",
// "bootstrap_replicates", "permutations", "permutation_stop_after",
// "confidence_level", "seed", "p_value_adjustment", "verdict_rule",
// "power", "alpha", "metrics"), then
//
//   - "attributes": one object per attribute and then per intersection, in
//     input order: "name", "components" (intersections only),
//     "reference_mode" ("largest", "group" or "between"), "reference" (the
//     comparator group), "groups" (GroupMetrics: "group", "missing",
//     "suppressed", "suppressed_reason", "count", "confusion" {"tp", "fp",
//     "tn", "fn"}, the rates, "auc", "average_precision", "brier", "ece",
//     "calibration_in_the_large", "undefined"), "disparity"
//     (GroupDisparity rows), "gaps" (Gap: "metric", "group", "reference",
//     "estimate", "lower", "upper", "standard_error", "p_value",
//     "adjusted_p_value", "min_detectable_gap", "skipped_groups",
//     "bootstrap_undefined", "permutations_run", "undefined") and
//     "warnings";
//   - "verdicts": one Verdict per threshold and matching gap ("attribute",
//     "metric", "group", "reference", "allowed_low", "allowed_high",
//     "rule", "estimate", "lower", "upper", "min_detectable_gap",
//     "outcome", "reason");
//   - "status": "PASS", "FAIL", "INCONCLUSIVE" or "NOT_EVALUATED" (no
//     thresholds), which Outcome.ExitCode maps to ExitPass, ExitFail or
//     ExitInconclusive;
//   - "warnings": audit-wide warnings.
//
// Every number that does not exist is null, and the "undefined" map of the
// object holding it gives the reason under the field's name. A suppressed
// group has null for every number, its count included.
//
// Per-group ROC AUC, average precision, Brier score and calibration come
// from package metrics; this package adds the group bookkeeping, exact
// ABROCA, the resampling engine and the verdicts. Reference values are named
// beside each function (fairlearn demographic_parity_* and
// equalized_odds_*, Aequitas disparities, scikit-learn 1.2.1); the
// conformance suite ../shared/conformance/fairness.json checks them.
package fairness
