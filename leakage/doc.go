// Package leakage screens the features of a training set for target
// leakage: a feature that predicts the outcome too well on its own has
// probably been measured after the outcome was decided (a withdrawal
// date, a missing registration date that is only missing for students
// who left), and a model built on it looks better than it can be when
// used on the prediction day.
//
// Screen flags two things, on the training rows only:
//
//   - a single feature (missing-value indicators and one-hot levels
//     included) whose AUC alone exceeds Options.AUC (default 0.9), in
//     either direction (max(AUC, 1 − AUC), scikit-learn's roc_auc_score
//     with ties counted half);
//   - missingness that nearly determines the outcome: a missing-value
//     indicator with at least Options.MinMissing (default 10) training
//     rows missing the feature, where at least Options.Purity (default
//     95%) of those rows share one outcome while fewer than half of the
//     rows with the feature present have that outcome. The second
//     condition keeps a rare outcome from flagging every indicator: with
//     a 3% at-risk rate, rows missing a feature are 97% not at risk
//     without telling anything.
//
// A suspect is a prompt to look at how the feature is measured, not a
// proof of leakage; results carry the numbers so a reader can judge.
package leakage
