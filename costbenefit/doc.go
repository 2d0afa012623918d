// Package costbenefit puts an evaluated at-risk model and an intervention
// pilot together into the money side of a deployment: if advisors contact
// the N highest-risk students each term, how many of them are truly at
// risk, how many DFW outcomes (D, F or withdrawal) the contacts prevent,
// and what each prevented outcome costs.
//
// The model behind the numbers, for capacity N, cost per contact c and
// fixed cost F per term:
//
//	reached at risk  R(N) = N · precision(N)
//	prevented        P(N) = R(N) · relative reduction
//	cost per outcome C(N) = (F + N·c) / P(N)
//
// precision(N) is the precision of the model's top N students per term,
// measured on the evaluation's test predictions: capacity is per term, so
// each test term's students are ranked and cut within the term (N scaled
// to the term's size), and the at-risk students reached and the students
// contacted are summed over the terms; R, P and C are the figures of one
// term, the average over the test terms. The relative reduction is the pilot's
// risk difference among contacted students divided by its control-arm
// rate, −(p_treated − p_control)/p_control: a contact can only prevent the
// outcome of a student who would have had it.
//
// Intervals carry both uncertainties by Monte Carlo: each replicate
// resamples the test predictions with replacement within each test term (a
// nonparametric bootstrap of precision at every capacity, stratified by
// term) and draws the pilot's risk
// difference from the normal distribution its reported interval implies
// (standard error = interval width / 2z, so cluster-robust and stratified
// intervals keep their design) jointly with its control rate (binomial
// standard error; covariance −var(rate), as the difference contains the
// control rate with independent arms); the percentile interval of P, R and C across
// replicates is reported. A replicate that prevents nothing gives an
// unbounded cost, so the cost interval may be open above.
package costbenefit
