// Package abtest provides the statistics of randomized intervention pilots:
// effect estimates, tests and intervals for binary and continuous outcomes,
// covariate adjustment (CUPED, OLS with HC2), cluster- and stratum-aware
// analyses (CR1 cluster-robust errors, Cochran-Mantel-Haenszel), multiplicity
// control, pre-analysis checks (sample ratio mismatch, attrition, balance),
// complier average effects, power and sample size, group-sequential
// boundaries (Lan-DeMets alpha spending), and reproducible hash-based
// assignment.
//
// # Entry points
//
// Analysis of a finished pilot: Analyze takes the data (Pilot, one entry
// per unit in every column) and the pre-declared Plan and returns an
// Analysis: checks first (arm sizes, SampleRatioMismatch, Attrition,
// balance), then one Effect per arm and outcome with multiplicity control
// (MultipleTesting), subgroup analyses (SubgroupEffects), complier average
// effects (ComplierAverageEffect) and the comparison with the target
// (RelativeReductionVsTarget, CompareToTarget). Each Effect names the
// analysis that gives its estimate, interval and p-value:
//
//   - cluster-randomized: OLS with CR1 errors on G−1 degrees of freedom
//     (RegressionAdjustment with clusters; ClusterRobustEffect adds the ICC),
//     and for binary outcomes a random-intercept logistic sensitivity
//     analysis beside it (MixedLogisticEffect: conditional odds ratio,
//     latent-scale ICC);
//   - declared covariates: OLS with HC2 errors (RegressionAdjustment);
//   - a pre-period measure of the outcome: CUPED;
//   - stratified: CochranMantelHaenszel with StratifiedRiskDifference for
//     binary outcomes, OLS with stratum indicators for continuous ones;
//   - otherwise TwoProportions (FisherExact when an expected count is
//     below 5) or WelchT.
//
// The descriptive statistics (RiskRatio, OddsRatio, NumberNeededToTreat,
// CohensH, MannWhitney, CohensD) are reported beside them. Every function
// is also usable on its own.
//
// Design: PowerTwoProportions, SampleSizeTwoProportions, MDETwoProportions
// and their TwoMeans counterparts (R's power.prop.test and power.t.test,
// extended with an allocation ratio and cluster randomization through
// ClusterDesign), PowerCurveTwoProportions and PowerCurveTwoMeans.
// Monitoring: GroupSequentialBoundaries, MonitorSequential, and for planning
// SequentialPower and SequentialInflationFactor. Assignment: Assign and
// AssignmentBalance.
//
// # Conventions
//
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
//   - Randomness: only the bootstrap takes a *rand.Rand; assignment is a
//     deterministic function of a SHA-256 hash of seed, experiment and id.
//
// The numbers match the implementations that analysts already use: scipy
// 1.10, statsmodels 0.13 and R 4.2 (stats, rpact); each function's comment
// names its reference, and testdata/gen_reference.py regenerates the
// package's own reference cases.
package abtest
