// Package drift measures how far a current sample of a feature, or of a
// model's scores, has moved from a reference sample, with Evidently's
// documented defaults so that users get the numbers they know, and
// estimates a model's precision and recall from its calibrated risks
// before outcomes exist (the CBPE idea of NannyML).
//
// Method choice per feature (Evidently's default stattest, on the rows
// that are not missing; "values" counts the distinct values of reference
// and current together):
//
//   - numeric, reference at most 1,000 rows: two-sample Kolmogorov-Smirnov
//     (scipy ks_2samp, method "auto"), drift when p < 0.05; with at most 5
//     values, chi-square (3 to 5 values) or the two-proportion z test (1 or
//     2 values), drift when p < 0.05;
//   - numeric, reference above 1,000 rows: Wasserstein distance divided by
//     the reference's standard deviation (population, floored at 0.001),
//     drift when >= 0.1; with at most 5 values, Jensen-Shannon distance;
//   - categorical, reference at most 1,000 rows: chi-square of the current
//     counts against the reference proportions (3 or more values) or the
//     z test (1 or 2 values), drift when p < 0.05;
//   - categorical, reference above 1,000 rows: Jensen-Shannon distance
//     (base 2) of the value shares, drift when >= 0.1.
//
// The population stability index is reported for every feature: numeric
// features with more than 20 reference values are binned by Sturges' rule
// over reference and current together (numpy's "sturges" edges), others by
// value; an empty bin's share becomes 0.0001 (or the smallest non-empty
// share divided by 10^6 when that share is itself at most 0.0001), and
// PSI >= 0.1 flags drift. The dataset drifts when at least half of the
// features drift.
//
// The package knows nothing of bundles, specs or reports: callers pass
// reference summaries (NumericReference, CategoricalReference) and current
// values, and get plain result values back.
package drift
