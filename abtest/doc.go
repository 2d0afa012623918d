// Package abtest provides the statistics of randomized intervention pilots:
// effect estimates, tests and intervals for binary and continuous outcomes,
// covariate adjustment (CUPED, OLS with HC2), cluster- and stratum-aware
// analyses (CR1 cluster-robust errors, Cochran-Mantel-Haenszel), multiplicity
// control, pre-analysis checks (sample ratio mismatch, attrition, balance),
// complier average effects, power and sample size, group-sequential
// boundaries (Lan-DeMets alpha spending), and reproducible hash-based
// assignment.
//
// Conventions used throughout:
//   - Arm 1 is the treatment and arm 2 the control; every difference is arm 1
//     minus arm 2 and every ratio is arm 1 over arm 2.
//   - level is a confidence level in (0, 1), such as 0.95.
//   - A value that is undefined for the data at hand (a risk ratio when the
//     control arm has no events, a z statistic when no unit had the outcome)
//     is a nil *float64, never 0 or NaN, so results always encode as JSON.
//   - Input that makes a statistic meaningless (a group with too few units,
//     counts out of range, NaN values) is an error, never a panic.
//   - Cautions that a report must show ("fewer than 20 clusters") are carried
//     in each result's Warnings field.
//
// The numbers match the implementations that analysts already use: scipy
// 1.10, statsmodels 0.13 and R 4.2 (stats); each function's comment names its
// reference.
package abtest
