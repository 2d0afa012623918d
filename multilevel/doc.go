// Package multilevel fits random-intercept logistic regression for nested
// data (students within courses, students within sections): a generalized
// linear mixed model
//
//	logit P(y_i = 1) = [1 x_i]·β + σ·v_g(i),   v_g ~ N(0, 1) independently,
//
// by maximum likelihood as lme4's glmer(y ~ x + (1 | group), binomial) does:
// the Laplace approximation (nAGQ = 1) or adaptive Gauss-Hermite quadrature
// with more nodes (nAGQ > 1; a single scalar random intercept), with each
// group's conditional mode found by Newton's method for every (β, σ) and the
// likelihood maximised over (β, σ ≥ 0) jointly with analytic gradients. The
// fit reports the fixed effects with Wald standard errors from the observed
// information of (β, σ), the random-intercept SD, its latent-scale intraclass
// correlation σ²/(σ² + π²/3), each group's conditional mode, and a singular
// fit (σ estimated at 0) as lme4 does.
//
// FitRandomIntercept is the entry point; Fit.Predict scores new rows with
// their group's conditional mode, or at the population level (random
// intercept 0) for a group the fit has not seen.
package multilevel
