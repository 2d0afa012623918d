package models

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// LogisticConfig configures L2-penalized logistic regression with the
// objective of scikit-learn's LogisticRegression(C=C, penalty="l2"):
//
//	½‖w‖² + C · Σ_i s_i · logloss_i
//
// where s_i is the class weight of row i and the intercept is not penalized.
type LogisticConfig struct {
	// C is the inverse regularization strength; it must be > 0.
	C float64
	// Standardize fits on z = (x − mean) / sd with the mean and population
	// sd (ddof 0, as StandardScaler) of the training rows; test rows are
	// transformed with the training mean and sd. A column with sd 0 is only
	// centred (its z is 0 on every training row, so its coefficient is 0).
	Standardize bool
	// Solver is "lbfgs" (also when empty) or "newton".
	//
	// "lbfgs" reproduces scikit-learn 1.2.1's default solver: scipy 1.10.1's
	// L-BFGS-B (10 corrections, Moré–Thuente line search of at most 20
	// steps, scipy's default ftol 2.22e-9) on sklearn's scaling of the
	// objective (divided by C) from all-zero coefficients, stopping when the
	// gradient max-norm is at most Tol, on ftol, or after MaxIter
	// iterations. Like scikit-learn it stops short of the minimizer (often
	// by 1e-5 to 1e-4 in the coefficients), and at the same point as
	// scikit-learn up to floating-point rounding: within 1e-9 relative on
	// well-conditioned data. On ill-conditioned data (features on very
	// different scales, when lbfgs often runs to max_iter) rounding
	// differences grow along the path, and scikit-learn's own answer moves
	// by as much between BLAS libraries (OpenBLAS or the reference BLAS);
	// standardized features avoid this.
	//
	// "newton" is Newton's method to the exact minimizer (to Tol).
	Solver string
	// MaxIter bounds the iterations; 0 means 100 (both solvers). For lbfgs
	// it is scikit-learn's max_iter.
	MaxIter int
	// Tol is the convergence tolerance; 0 means the solver's default. For
	// lbfgs it is scikit-learn's tol (default 1e-4): the bound on the
	// max-norm of the gradient of the objective divided by C. For newton
	// (default 1e-10) the Newton step (which estimates the distance to the
	// optimum) must be at most Tol times the largest parameter (or Tol, if
	// that is below 1), in max-norm.
	Tol float64
	// ClassWeight is "" (every row weight 1) or "balanced": scikit-learn's
	// n / (2 · n_class) for the rows of each class.
	ClassWeight string
}

// Solvers of LogisticConfig.Solver.
const (
	LogisticSolverLBFGS  = "lbfgs"
	LogisticSolverNewton = "newton"
)

// DefaultLogisticConfig returns the harness defaults, scikit-learn's
// LogisticRegression defaults on standardized features: C 1, standardized
// features, solver lbfgs, 100 iterations, the solver's default tolerance
// (Tol 0: 1e-4 for lbfgs, 1e-10 if Solver is changed to newton), no class
// weights.
func DefaultLogisticConfig() LogisticConfig {
	return LogisticConfig{C: 1, Standardize: true, Solver: LogisticSolverLBFGS, MaxIter: 100}
}

// Logistic is an untrained L2-penalized logistic regression.
type Logistic struct {
	Config LogisticConfig
}

// FittedLogistic is a trained logistic regression.
type FittedLogistic struct {
	config    LogisticConfig
	names     []string
	mean, sd  []float64 // per-feature shift and divisor (0 and 1 without Standardize)
	center    []float64 // training mean of each feature, the reference of Explain
	zeroVar   []string  // standardized columns with training sd 0
	coef      []float64 // on the fitted (standardized or raw) scale
	intercept float64
	iter      int
	converged bool
	gradNorm  float64
	stopped   string // lbfgs: scipy's message when it did not converge
}

// Fit trains the model with Config.Solver: "lbfgs" (the default) follows
// scikit-learn 1.2.1's LogisticRegression(solver="lbfgs") step for step and
// returns its coefficients up to floating-point rounding (within 1e-9
// relative in tests against scikit-learn on well-conditioned data; see
// LogisticConfig.Solver; it is not the exact minimizer);
// "newton" runs Newton's method with a backtracking (Armijo) line search on
// the exact objective, whose minimizer is unique: it matches scikit-learn's
// newton-cholesky solution with a tight tol to ~1e-15. rng is not used.
//
// Fit returns an error for a missing or empty training set, labels other than
// 0/1, a single class, NaN or ±Inf features, C <= 0 or NaN, negative MaxIter
// or Tol, an unknown Solver and an unknown ClassWeight. Not converging within
// MaxIter is not an error: Summary reports Converged false with a note.
func (m Logistic) Fit(ctx context.Context, train TrainingSet, _ *rand.Rand) (Fitted, error) {
	return m.FitLogistic(ctx, train)
}

// FitLogistic is Fit returning the concrete type.
func (m Logistic) FitLogistic(ctx context.Context, train TrainingSet) (*FittedLogistic, error) {
	cfg := m.Config
	if !(cfg.C > 0) || math.IsInf(cfg.C, 0) {
		return nil, fmt.Errorf("logistic: C must be a positive finite number, got %v", cfg.C)
	}
	if cfg.MaxIter < 0 || cfg.Tol < 0 || math.IsNaN(cfg.Tol) {
		return nil, fmt.Errorf("logistic: max_iter %d and tol %v must not be negative", cfg.MaxIter, cfg.Tol)
	}
	if cfg.MaxIter == 0 {
		cfg.MaxIter = 100
	}
	switch cfg.Solver {
	case "", LogisticSolverLBFGS:
		cfg.Solver = LogisticSolverLBFGS
		if cfg.Tol == 0 {
			cfg.Tol = 1e-4
		}
	case LogisticSolverNewton:
		if cfg.Tol == 0 {
			cfg.Tol = 1e-10
		}
	default:
		return nil, fmt.Errorf("logistic: solver %q: want %q or %q", cfg.Solver, LogisticSolverLBFGS, LogisticSolverNewton)
	}
	if err := validateTraining("logistic", train, false, true); err != nil {
		return nil, err
	}
	w0, w1, err := classWeights(train.Y, cfg.ClassWeight)
	if err != nil {
		return nil, fmt.Errorf("logistic: %w", err)
	}
	x := train.X
	n, d := x.Rows, x.Cols
	f := &FittedLogistic{config: cfg, names: copyNames(x.Names, d), mean: make([]float64, d), sd: make([]float64, d)}
	for j := range f.sd {
		f.sd[j] = 1
	}
	f.center = make([]float64, d)
	for i := 0; i < n; i++ {
		for j, v := range x.Row(i) {
			f.center[j] += v
		}
	}
	for j := range f.center {
		f.center[j] /= float64(n)
	}
	if cfg.Standardize {
		copy(f.mean, f.center)
		ss := make([]float64, d)
		big := make([]float64, d)
		for i := 0; i < n; i++ {
			for j, v := range x.Row(i) {
				dv := v - f.mean[j]
				ss[j] += dv * dv
				big[j] = math.Max(big[j], math.Abs(v))
			}
		}
		for j := range ss {
			sd := math.Sqrt(ss[j] / float64(n))
			// A column whose values are all equal up to rounding has no
			// spread to scale; dividing by a rounding residue would blow it up.
			if sd <= 1e-12*big[j] || sd == 0 {
				f.zeroVar = append(f.zeroVar, f.names[j])
				sd = 1
				f.mean[j] = x.At(0, j)
			}
			f.sd[j] = sd
		}
	}
	z := make([]float64, n*d)
	for i := 0; i < n; i++ {
		row := x.Row(i)
		zi := z[i*d : (i+1)*d]
		for j, v := range row {
			zi[j] = (v - f.mean[j]) / f.sd[j]
		}
	}
	s := make([]float64, n)
	y := make([]float64, n)
	for i, v := range train.Y {
		y[i] = float64(v)
		if v == 1 {
			s[i] = w1
		} else {
			s[i] = w0
		}
	}
	prob := logisticProblem{z: z, y: y, s: s, n: n, d: d, c: cfg.C}
	if cfg.Solver == LogisticSolverLBFGS {
		params, res, err := prob.solveLBFGS(ctx, cfg.MaxIter, cfg.Tol)
		if err != nil {
			return nil, fmt.Errorf("logistic: lbfgs: %w", err)
		}
		f.coef = params[:d]
		f.intercept = params[d]
		f.iter, f.gradNorm = min(res.Iterations, cfg.MaxIter), res.ProjGradNorm
		f.converged = res.Status == lbfgsbConverged
		if !f.converged {
			f.stopped = res.Message
		}
		return f, nil
	}
	params, iter, converged, gnorm, err := prob.solve(ctx, cfg.MaxIter, cfg.Tol)
	if err != nil {
		return nil, fmt.Errorf("logistic: %w", err)
	}
	f.coef = params[:d]
	f.intercept = params[d]
	f.iter, f.converged, f.gradNorm = iter, converged, gnorm
	return f, nil
}

// logisticProblem is the penalized objective on the fitted-scale design z
// (row-major n x d), labels y, row weights s and C.
type logisticProblem struct {
	z, y, s []float64
	n, d    int
	c       float64
}

// softplus returns log(1 + e^t) without overflow.
func softplus(t float64) float64 {
	if t > 0 {
		return t + math.Log1p(math.Exp(-t))
	}
	return math.Log1p(math.Exp(t))
}

// sigmoid returns 1 / (1 + e^−t) without overflow.
func sigmoid(t float64) float64 {
	if t >= 0 {
		return 1 / (1 + math.Exp(-t))
	}
	e := math.Exp(t)
	return e / (1 + e)
}

// value returns the objective at params (d coefficients then the intercept).
func (p *logisticProblem) value(params []float64) float64 {
	var pen float64
	for _, w := range params[:p.d] {
		pen += w * w
	}
	var loss float64
	for i := 0; i < p.n; i++ {
		eta := params[p.d]
		for j, v := range p.z[i*p.d : (i+1)*p.d] {
			eta += params[j] * v
		}
		loss += p.s[i] * (softplus(eta) - p.y[i]*eta)
	}
	return 0.5*pen + p.c*loss
}

// gradHess fills grad (length d+1) and hess (row-major (d+1)²).
func (p *logisticProblem) gradHess(params, grad, hess []float64) {
	k := p.d + 1
	clear(grad)
	clear(hess)
	zi1 := make([]float64, k)
	for i := 0; i < p.n; i++ {
		copy(zi1, p.z[i*p.d:(i+1)*p.d])
		zi1[p.d] = 1
		eta := 0.0
		for j, v := range zi1 {
			eta += params[j] * v
		}
		mu := sigmoid(eta)
		r := p.c * p.s[i] * (mu - p.y[i])
		h := p.c * p.s[i] * mu * (1 - mu)
		for a, va := range zi1 {
			grad[a] += r * va
			if va == 0 || h == 0 {
				continue
			}
			hv := h * va
			row := hess[a*k : a*k+a+1]
			for b := range row {
				row[b] += hv * zi1[b]
			}
		}
	}
	for j := 0; j < p.d; j++ {
		grad[j] += params[j]
		hess[j*k+j]++
	}
	for a := 0; a < k; a++ {
		for b := 0; b < a; b++ {
			hess[b*k+a] = hess[a*k+b]
		}
	}
}

// solve runs damped Newton from zero until the Newton step's max-norm is at
// most tol·max(1, max-norm of the parameters): the Newton step estimates the
// distance to the optimum, so this bounds the error of the coefficients. It
// returns the parameters, the iterations used, whether it converged and the
// final gradient max-norm.
func (p *logisticProblem) solve(ctx context.Context, maxIter int, tol float64) ([]float64, int, bool, float64, error) {
	k := p.d + 1
	params := make([]float64, k)
	grad := make([]float64, k)
	hess := make([]float64, k*k)
	step := make([]float64, k)
	trial := make([]float64, k)
	p.gradHess(params, grad, hess)
	fval := p.value(params)
	for iter := 0; ; iter++ {
		gn := maxAbs(grad)
		for a := range step {
			step[a] = -grad[a]
		}
		newton := choleskySolve(hess, step, k)
		if gn == 0 || (newton && maxAbs(step) <= tol*math.Max(1, maxAbs(params))) {
			return params, iter, true, gn, nil
		}
		if iter == maxIter {
			return params, iter, false, gn, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, iter, false, gn, err
		}
		if !newton {
			// The Hessian is positive definite in exact arithmetic; if
			// rounding breaks the factorization, fall back to the gradient.
			for a := range step {
				step[a] = -grad[a] / math.Max(1, hess[a*k+a])
			}
		}
		slope := dot(grad, step)
		t := 1.0
		accepted := false
		if -slope <= 1e-10*math.Max(1, math.Abs(fval)) {
			// The predicted decrease is below what objective values resolve
			// in floating point, so Armijo cannot judge the step; this close
			// to the optimum the quadratic model is exact enough to take the
			// full Newton step.
			for a := range params {
				params[a] += step[a]
			}
			fval = p.value(params)
			accepted = true
		}
		for ls := 0; ls < 60 && !accepted; ls++ {
			for a := range trial {
				trial[a] = params[a] + t*step[a]
			}
			ft := p.value(trial)
			if ft <= fval+1e-4*t*slope {
				copy(params, trial)
				fval = ft
				accepted = true
				break
			}
			t /= 2
		}
		if !accepted {
			// No decrease is representable in floating point: the iterate
			// is as good as this precision allows.
			p.gradHess(params, grad, hess)
			return params, iter + 1, false, maxAbs(grad), nil
		}
		p.gradHess(params, grad, hess)
	}
}

// choleskySolve solves A x = b in place (b becomes x) for symmetric positive
// definite A (row-major k x k, not modified). It reports false if A is not
// numerically positive definite.
func choleskySolve(a, b []float64, k int) bool {
	l := make([]float64, k*k)
	for i := 0; i < k; i++ {
		for j := 0; j <= i; j++ {
			sum := a[i*k+j]
			for m := 0; m < j; m++ {
				sum -= l[i*k+m] * l[j*k+m]
			}
			if i == j {
				if !(sum > 0) {
					return false
				}
				l[i*k+i] = math.Sqrt(sum)
			} else {
				l[i*k+j] = sum / l[j*k+j]
			}
		}
	}
	for i := 0; i < k; i++ {
		sum := b[i]
		for m := 0; m < i; m++ {
			sum -= l[i*k+m] * b[m]
		}
		b[i] = sum / l[i*k+i]
	}
	for i := k - 1; i >= 0; i-- {
		sum := b[i]
		for m := i + 1; m < k; m++ {
			sum -= l[m*k+i] * b[m]
		}
		b[i] = sum / l[i*k+i]
	}
	return true
}

func maxAbs(v []float64) float64 {
	var m float64
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// logits returns the linear predictor for each row of rows.
func (f *FittedLogistic) logits(rows Rows) ([]float64, error) {
	if err := validatePredictRows("logistic", rows, f.names, len(f.names), false); err != nil {
		return nil, err
	}
	x := rows.X
	out := make([]float64, x.Rows)
	for i := range out {
		eta := f.intercept
		for j, v := range x.Row(i) {
			eta += f.coef[j] * (v - f.mean[j]) / f.sd[j]
		}
		out[i] = eta
	}
	return out, nil
}

// Predict returns the probability of label 1 for each row. Rows must have
// the training columns (same count; same names in the same order when both
// are named) and finite values.
func (f *FittedLogistic) Predict(ctx context.Context, rows Rows) ([]float64, error) {
	eta, err := f.logits(rows)
	if err != nil {
		return nil, err
	}
	for i, e := range eta {
		eta[i] = sigmoid(e)
	}
	return eta, nil
}

// Coefficients returns the coefficients in column order and the intercept,
// on the fitted scale: standardized features when Config.Standardize, else
// raw features.
func (f *FittedLogistic) Coefficients() (coef []float64, intercept float64) {
	return append([]float64(nil), f.coef...), f.intercept
}

// RawCoefficients returns the coefficients and intercept on the raw feature
// scale: coef_j / sd_j and intercept − Σ coef_j·mean_j/sd_j. Without
// standardization they equal Coefficients.
func (f *FittedLogistic) RawCoefficients() (coef []float64, intercept float64) {
	coef = make([]float64, len(f.coef))
	intercept = f.intercept
	for j, c := range f.coef {
		coef[j] = c / f.sd[j]
		intercept -= coef[j] * f.mean[j]
	}
	return coef, intercept
}

// FeatureNames returns the training column names in order.
func (f *FittedLogistic) FeatureNames() []string { return append([]string(nil), f.names...) }

// Summary reports the parameters (with the solver and the tolerance in
// effect), the coefficients on the fitted scale (CoefficientScale
// "standardized" or "raw"), the intercept, the solver's iterations (for
// lbfgs scikit-learn's n_iter_) and convergence, and notes on zero-variance
// columns and non-convergence (where scikit-learn warns ConvergenceWarning).
func (f *FittedLogistic) Summary() Summary {
	s := Summary{
		Kind: "logistic",
		Params: map[string]any{
			"C": f.config.C, "standardize": f.config.Standardize, "max_iter": f.config.MaxIter,
			"tol": f.config.Tol, "class_weight": f.config.ClassWeight, "solver": f.config.Solver,
		},
		Coefficients: make(map[string]float64, len(f.coef)),
		Iterations:   f.iter,
	}
	for j, c := range f.coef {
		s.Coefficients[f.names[j]] = c
	}
	ic := f.intercept
	s.Intercept = &ic
	conv := f.converged
	s.Converged = &conv
	if f.config.Standardize {
		s.CoefficientScale = "standardized: per standard deviation of the feature in the training rows (population sd), features centred at their training mean"
	} else {
		s.CoefficientScale = "raw: per unit of the feature"
	}
	for _, name := range f.zeroVar {
		s.Notes = append(s.Notes, fmt.Sprintf("feature %q is constant in the training rows: centred, not scaled; its coefficient is 0", name))
	}
	switch {
	case f.converged:
	case f.config.Solver == LogisticSolverLBFGS && strings.HasPrefix(f.stopped, "STOP: TOTAL NO. of ITERATIONS"):
		s.Notes = append(s.Notes, fmt.Sprintf("lbfgs reached max_iter=%d without converging (gradient max-norm %.3g > tol %g); scikit-learn warns ConvergenceWarning here: increase max_iter or scale the features", f.config.MaxIter, f.gradNorm, f.config.Tol))
	case f.config.Solver == LogisticSolverLBFGS:
		s.Notes = append(s.Notes, fmt.Sprintf("lbfgs stopped without converging after %d iterations (scipy: %s; gradient max-norm %.3g > tol %g); scikit-learn warns ConvergenceWarning here", f.iter, f.stopped, f.gradNorm, f.config.Tol))
	default:
		s.Notes = append(s.Notes, fmt.Sprintf("Newton's method stopped after %d iterations with gradient max-norm %.3g (not converged)", f.iter, f.gradNorm))
	}
	return s
}

// Explain splits each row's logit into per-feature contributions and a base
// value: contribution_j = coef_j · (x_j − mean_j) / sd_j on the fitted scale
// (coef·z when standardized; coef·(x − training mean) otherwise) and base =
// the logit at the training mean, so base + Σ_j contribution_j = logit for
// every row. Contributions are on the log-odds scale; base has one
// (identical) value per row.
func (f *FittedLogistic) Explain(ctx context.Context, rows Rows) (contributions [][]float64, base []float64, err error) {
	if err := validatePredictRows("logistic", rows, f.names, len(f.names), false); err != nil {
		return nil, nil, err
	}
	// Without standardization mean is 0 in the fit; contributions are still
	// taken around the training mean.
	x := rows.X
	center := f.center
	b := f.intercept
	for j, c := range f.coef {
		b += c * (center[j] - f.mean[j]) / f.sd[j]
	}
	contributions = make([][]float64, x.Rows)
	base = make([]float64, x.Rows)
	for i := range contributions {
		ci := make([]float64, len(f.coef))
		for j, v := range x.Row(i) {
			ci[j] = f.coef[j] * (v - center[j]) / f.sd[j]
		}
		contributions[i] = ci
		base[i] = b
	}
	return contributions, base, nil
}

// RawScore returns each row's logit (the log-odds of Predict's probability).
func (f *FittedLogistic) RawScore(ctx context.Context, rows Rows) ([]float64, error) {
	return f.logits(rows)
}

// RawScoreScale reports the scale Explain's values add up on.
func (f *FittedLogistic) RawScoreScale() string { return "log-odds" }
