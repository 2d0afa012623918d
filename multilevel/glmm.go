package multilevel

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
)

// Options configure FitRandomIntercept.
type Options struct {
	// NAGQ is the number of adaptive Gauss-Hermite nodes per group: 0 or 1
	// for the Laplace approximation (lme4's default nAGQ = 1), up to
	// MaxNAGQ for adaptive quadrature.
	NAGQ int
	// MaxIter bounds the Newton iterations of the outer optimisation
	// (0 means 100).
	MaxIter int
}

// Data is the input of a fit: n rows of covariates (no intercept column;
// the fit adds one), 0/1 outcomes and each row's group label.
type Data struct {
	// X holds n·Cols covariates, row i at X[i*Cols:(i+1)*Cols]. Cols may
	// be 0 (an intercept-only model).
	X    []float64
	Cols int
	// Names are the Cols covariate names (optional; used in messages).
	Names []string
	// Y holds the outcomes, each 0 or 1.
	Y []float64
	// Group holds each row's group label (non-empty).
	Group []string
}

// SingularTol is the SD below which a fit is singular, as lme4's isSingular
// (tol 1e-4 on the relative covariance factor, which is the SD here).
const SingularTol = 1e-4

// Fit is a fitted random-intercept logistic regression.
type Fit struct {
	// Beta are the fixed effects, intercept first, then one per covariate
	// on the covariates' own scale. A covariate dropped because it is
	// collinear with earlier columns (lme4 drops such columns too) has
	// coefficient 0 and is listed in Dropped.
	Beta []float64
	// SE are Beta's Wald standard errors: square roots of the diagonal of
	// the inverse observed information of (β, σ) (lme4's vcov with the
	// Hessian of (θ, β)); 0 for dropped columns. Cov is that covariance
	// of Beta. Both are nil when the observed information is not positive
	// definite at the estimates (the fixed effects are not identified, as
	// under separation); Warnings then says so.
	SE  []float64
	Cov [][]float64
	// Warnings are cautions a report must show (no convergence, no
	// standard errors).
	Warnings []string
	// Dropped lists covariate indexes (0-based, into Data's columns)
	// dropped as collinear.
	Dropped []int
	// SD is the random-intercept standard deviation σ (logit scale).
	SD float64
	// Singular reports an SD estimated at (or within SingularTol of) zero,
	// as lme4's isSingular; the fit then equals plain logistic regression.
	Singular bool
	// LogLik is the maximised log-likelihood approximation: the Laplace
	// approximation with NAGQ 1 (lme4's logLik, Bernoulli form), the
	// adaptive Gauss-Hermite one otherwise.
	LogLik float64
	NAGQ   int
	// Groups are the group labels in sorted order; Modes the conditional
	// modes b̂_g = σ·v̂_g of their random intercepts (lme4's ranef) and
	// GroupRows their row counts.
	Groups    []string
	Modes     []float64
	GroupRows []int
	// N is the number of rows; Iterations the outer Newton iterations;
	// Converged whether they met the tolerance.
	N          int
	Iterations int
	Converged  bool

	modeOf map[string]float64
}

// ResidualVarianceLogit is the variance π²/3 of the standard logistic
// distribution: the level-1 variance of the latent-variable formulation.
const ResidualVarianceLogit = math.Pi * math.Pi / 3

// ICC returns the latent-scale intraclass correlation σ²/(σ² + π²/3).
func (f *Fit) ICC() float64 {
	v := f.SD * f.SD
	return v / (v + ResidualVarianceLogit)
}

// Mode returns the conditional mode of a group's random intercept, and
// false (with 0) for a group the fit has not seen.
func (f *Fit) Mode(group string) (float64, bool) {
	m, ok := f.modeOf[group]
	return m, ok
}

// LinearPredictor returns [1 x]·β for one row of Cols covariates: the
// population-level log-odds (random intercept 0).
func (f *Fit) LinearPredictor(x []float64) float64 {
	eta := f.Beta[0]
	for j, v := range x {
		eta += f.Beta[j+1] * v
	}
	return eta
}

// Predict returns P(y = 1) for one row: with its group's conditional mode
// added to the log-odds when the group is known, else at the population
// level (known false).
func (f *Fit) Predict(x []float64, group string) (p float64, known bool) {
	eta := f.LinearPredictor(x)
	b, ok := f.modeOf[group]
	return sigmoid(eta + b), ok
}

// validate checks the data and returns the sorted group labels and each
// row's group index.
func (d Data) validate() ([]string, []int, error) {
	n := len(d.Y)
	if n == 0 {
		return nil, nil, errors.New("multilevel: no rows")
	}
	if d.Cols < 0 || len(d.X) != n*d.Cols {
		return nil, nil, fmt.Errorf("multilevel: %d covariate values for %d rows of %d columns", len(d.X), n, d.Cols)
	}
	if len(d.Group) != n {
		return nil, nil, fmt.Errorf("multilevel: %d group labels for %d rows", len(d.Group), n)
	}
	if d.Names != nil && len(d.Names) != d.Cols {
		return nil, nil, fmt.Errorf("multilevel: %d column names for %d columns", len(d.Names), d.Cols)
	}
	for i, v := range d.Y {
		if v != 0 && v != 1 {
			return nil, nil, fmt.Errorf("multilevel: row %d: outcome %v is not 0 or 1", i+1, v)
		}
	}
	for i, v := range d.X {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil, fmt.Errorf("multilevel: row %d: %s is %v", i/d.Cols+1, d.colName(i%d.Cols), v)
		}
	}
	index := map[string]int{}
	for i, g := range d.Group {
		if g == "" {
			return nil, nil, fmt.Errorf("multilevel: row %d has no group label", i+1)
		}
		index[g] = 0
	}
	if len(index) < 2 {
		return nil, nil, fmt.Errorf("multilevel: a random intercept needs at least two groups, got %d", len(index))
	}
	labels := make([]string, 0, len(index))
	for g := range index {
		labels = append(labels, g)
	}
	sort.Strings(labels)
	for i, g := range labels {
		index[g] = i
	}
	gi := make([]int, n)
	for i, g := range d.Group {
		gi[i] = index[g]
	}
	return labels, gi, nil
}

func (d Data) colName(j int) string {
	if d.Names != nil {
		return fmt.Sprintf("column %q", d.Names[j])
	}
	return fmt.Sprintf("column %d", j+1)
}

// FitRandomIntercept fits logit P(y=1) = [1 x]·β + σ·v_g by maximising the
// Laplace approximation of the marginal likelihood (opt.NAGQ ≤ 1) or its
// adaptive Gauss-Hermite approximation with opt.NAGQ nodes, over β and
// σ ≥ 0, as lme4's glmer(y ~ x + (1 | group), family = binomial, nAGQ).
//
// For each (β, σ) every group's conditional mode v̂_g is found by Newton's
// method (the PIRLS step of lme4 for one scalar effect); the outer problem
// is solved by Newton's method on (β, σ) with the analytic gradient and a
// finite-difference Hessian, from the plain logistic fit and σ = 1 (lme4's
// start), with a second start at σ = 3 when the first ends at σ = 0. The
// answer is the maximiser itself, which lme4 reaches only approximately
// with its default tolerances (to about 1e-4 relative; see the conformance
// README). Covariates are standardized internally; results are on their
// own scale.
//
// Errors: no rows, mismatched lengths, outcomes other than 0/1, NaN or
// infinite covariates, empty group labels, fewer than two groups, NAGQ out
// of range, and an all-0 or all-1 outcome.
func FitRandomIntercept(ctx context.Context, d Data, opt Options) (*Fit, error) {
	labels, gi, err := d.validate()
	if err != nil {
		return nil, err
	}
	nagq := opt.NAGQ
	if nagq == 0 {
		nagq = 1
	}
	if nagq < 1 || nagq > MaxNAGQ {
		return nil, fmt.Errorf("multilevel: n_agq %d: need 1 (Laplace) to %d", opt.NAGQ, MaxNAGQ)
	}
	ones := 0.0
	for _, v := range d.Y {
		ones += v
	}
	if ones == 0 || ones == float64(len(d.Y)) {
		return nil, fmt.Errorf("multilevel: every outcome is %v: nothing to fit", d.Y[0])
	}
	maxIter := opt.MaxIter
	if maxIter <= 0 {
		maxIter = 100
	}
	zq, wq, err := GaussHermite(nagq)
	if err != nil {
		return nil, err
	}
	pr, std := buildProblem(d, gi, len(labels), zq, wq)
	nb := pr.p

	// Plain logistic regression (σ = 0) first: the start, and the answer
	// when the fit is singular.
	glm := make([]float64, nb+1)
	glmLL, glmIt, glmOK, err := pr.newton(ctx, glm, true, maxIter)
	if err != nil {
		return nil, err
	}
	best := append([]float64(nil), glm...)
	best[nb] = 1
	bestLL, iters, conv, err := pr.newton(ctx, best, false, maxIter)
	if err != nil {
		return nil, err
	}
	iters += glmIt
	if best[nb] < SingularTol {
		alt := append([]float64(nil), glm...)
		alt[nb] = 3
		altLL, it2, conv2, err := pr.newton(ctx, alt, false, maxIter)
		if err != nil {
			return nil, err
		}
		iters += it2
		if altLL > bestLL+1e-9 && alt[nb] >= SingularTol {
			best, bestLL, conv = alt, altLL, conv2
		}
	}
	// σ = 0 is always a stationary point (the objective is even in σ):
	// keep it when it is at least as good as the point Newton reached.
	singular := best[nb] < SingularTol
	if glmLL > bestLL+1e-9 {
		singular = true
	}
	if singular && glmLL >= bestLL-1e-9 {
		best, bestLL, conv = glm, glmLL, glmOK
	}
	cov, covErr := pr.covariance(best, singular)
	fit := std.toFit(best, cov)
	if covErr != nil {
		fit.SE, fit.Cov = nil, nil
		fit.Warnings = append(fit.Warnings, "the observed information is not positive definite at the estimates: the fixed effects are not identified (separation or near-collinearity), so there are no standard errors")
	}
	if !conv {
		fit.Warnings = append(fit.Warnings, "the likelihood maximisation did not converge (estimates may be diverging: separation?)")
	}
	fit.LogLik = bestLL
	fit.Singular = singular
	fit.NAGQ = nagq
	fit.N = len(d.Y)
	fit.Iterations = iters
	fit.Converged = conv
	fit.Groups = labels
	fit.GroupRows = make([]int, len(labels))
	fit.Modes = make([]float64, len(labels))
	fit.modeOf = make(map[string]float64, len(labels))
	ws := newWorkspace(pr)
	pr.setBeta(ws, best[:nb])
	pr.eval(ws, best[nb], nil, false)
	for g := range labels {
		fit.GroupRows[g] = pr.start[g+1] - pr.start[g]
		fit.Modes[g] = best[nb] * ws.u[g]
		fit.modeOf[labels[g]] = fit.Modes[g]
	}
	return fit, nil
}

// standardization maps the internal standardized, collinearity-free design
// back to the covariates.
type standardization struct {
	cols        int
	kept        []int // covariate index of internal column j+1
	mean, scale []float64
	dropped     []int
}

// buildProblem standardizes the covariates (mean 0, SD 1), drops columns
// collinear with the intercept and earlier columns (relative tolerance
// 1e-7 on the residual norm, as lme4's rank check), and sorts rows by group.
func buildProblem(d Data, gi []int, groups int, zq, wq []float64) (*problem, *standardization) {
	n, c := len(d.Y), d.Cols
	std := &standardization{cols: c, mean: make([]float64, c), scale: make([]float64, c)}
	for j := 0; j < c; j++ {
		m := 0.0
		for i := 0; i < n; i++ {
			m += d.X[i*c+j]
		}
		m /= float64(n)
		v := 0.0
		for i := 0; i < n; i++ {
			e := d.X[i*c+j] - m
			v += e * e
		}
		std.mean[j], std.scale[j] = m, math.Sqrt(v/float64(n))
	}
	// Standardized columns, column-major, for the rank check.
	zc := make([][]float64, c)
	for j := 0; j < c; j++ {
		if std.scale[j] == 0 || std.scale[j] < 1e-12*math.Max(1, math.Abs(std.mean[j])) {
			continue
		}
		col := make([]float64, n)
		for i := range col {
			col[i] = (d.X[i*c+j] - std.mean[j]) / std.scale[j]
		}
		zc[j] = col
	}
	// Greedy rank check in column order, as lme4's (a pivot-free QR with
	// relative tolerance 1e-7): Gram-Schmidt with reorthogonalization
	// against the intercept and the kept columns; a column whose residual
	// norm is at most 1e-7 of its norm is dropped.
	var kept []int
	q := [][]float64{make([]float64, n)} // orthonormal basis, intercept first
	for i := range q[0] {
		q[0][i] = 1 / math.Sqrt(float64(n))
	}
	for j := 0; j < c; j++ {
		if zc[j] == nil {
			std.dropped = append(std.dropped, j)
			continue
		}
		v := append([]float64(nil), zc[j]...)
		norm0 := 0.0
		for _, x := range v {
			norm0 += x * x
		}
		for pass := 0; pass < 2; pass++ {
			for _, qk := range q {
				d := 0.0
				for i, x := range v {
					d += x * qk[i]
				}
				for i := range v {
					v[i] -= d * qk[i]
				}
			}
		}
		norm := 0.0
		for _, x := range v {
			norm += x * x
		}
		if norm <= 1e-14*norm0 {
			std.dropped = append(std.dropped, j)
			continue
		}
		inv := 1 / math.Sqrt(norm)
		for i := range v {
			v[i] *= inv
		}
		q = append(q, v)
		kept = append(kept, j)
	}
	std.kept = kept
	p := len(kept) + 1
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return gi[order[a]] < gi[order[b]] })
	pr := &problem{n: n, p: p, x: make([]float64, n*p), y: make([]float64, n), start: make([]int, groups+1), z: zq, logw: make([]float64, len(wq))}
	for q, w := range wq {
		pr.logw[q] = math.Log(w)
	}
	for r, i := range order {
		pr.y[r] = d.Y[i]
		row := pr.x[r*p : r*p+p]
		row[0] = 1
		for a, j := range kept {
			row[a+1] = zc[j][i]
		}
		pr.start[gi[i]+1]++
	}
	for g := 0; g < groups; g++ {
		pr.start[g+1] += pr.start[g]
	}
	pr.xt = make([]float64, n*p)
	for i := 0; i < n; i++ {
		for a, v := range pr.x[i*p : i*p+p] {
			pr.xt[a*n+i] = v
		}
	}
	return pr, std
}

// toFit maps internal (b, σ) and the covariance of b to the covariates'
// scale: β_j = b_j/s_j and β_0 = b_0 − Σ b_j·m_j/s_j, a linear map T with
// Cov(β) = T·Cov(b)·Tᵀ.
func (s *standardization) toFit(theta []float64, cov [][]float64) *Fit {
	if cov == nil {
		p := len(s.kept) + 1
		cov = make([][]float64, p)
		for a := range cov {
			cov[a] = make([]float64, p)
		}
	}
	p := len(s.kept) + 1
	// t[r] is row r of T over the p internal coefficients.
	t := make([][]float64, s.cols+1)
	for r := range t {
		t[r] = make([]float64, p)
	}
	t[0][0] = 1
	for a, j := range s.kept {
		t[j+1][a+1] = 1 / s.scale[j]
		t[0][a+1] = -s.mean[j] / s.scale[j]
	}
	f := &Fit{Beta: make([]float64, s.cols+1), SE: make([]float64, s.cols+1), Cov: make([][]float64, s.cols+1), SD: theta[p], Dropped: s.dropped}
	for r := range t {
		for a := 0; a < p; a++ {
			f.Beta[r] += t[r][a] * theta[a]
		}
		f.Cov[r] = make([]float64, s.cols+1)
	}
	for r := range t {
		for q := range t {
			v := 0.0
			for a := 0; a < p; a++ {
				if t[r][a] == 0 {
					continue
				}
				for b := 0; b < p; b++ {
					v += t[r][a] * cov[a][b] * t[q][b]
				}
			}
			f.Cov[r][q] = v
		}
		f.SE[r] = math.Sqrt(math.Max(f.Cov[r][r], 0))
	}
	return f
}
