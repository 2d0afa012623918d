package multilevel

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/evalrun/evalrun/internal/workpool"
)

// newton maximises the objective over theta = (β, σ) in place (over β
// alone, σ held, when fixSigma) by a Newton method with the analytic
// gradient, Levenberg-Marquardt damping when the Hessian is not negative
// definite, and a backtracking (Armijo) line search. σ is kept
// non-negative by reflection (the objective is even in σ).
//
// The Hessian is the forward-difference Hessian of the gradient when there
// are at most 8 parameters. With more, each iteration uses lme4's PIRLS
// curvature for β (−Xᵀ W X plus, per group, σ²/H_g·(Σ w x)(Σ w x)ᵀ: the
// Schur complement over the modes, which leaves out the small change of
// the log-determinant with β) and a difference of the gradient for the σ
// row and column; should the Newton decrement stop falling fast, the
// iterations switch to the full difference Hessian (with σ held, the PIRLS
// curvature is the exact Hessian of the logistic likelihood).
//
// It stops converged when the relative step falls below 1e-10 or the
// Newton decrement below 1e-12, and not converged after maxIter
// iterations or five large steps that gain less than 1e-8 (estimates
// running off to infinity under separation). It returns the
// objective at the end, the iterations and whether it converged.
func (pr *problem) newton(ctx context.Context, theta []float64, fixSigma bool, maxIter int) (float64, int, bool, error) {
	nb := pr.p
	m := nb + 1
	if fixSigma {
		m = nb
	}
	ws := newWorkspace(pr)
	trial := newWorkspace(pr)
	probe := newWorkspace(pr)
	grad := make([]float64, nb+1)
	tgrad := make([]float64, nb+1)
	hess := make([]float64, m*m)
	mat := make([]float64, m*m)
	step := make([]float64, m)
	next := make([]float64, nb+1)
	pr.setBeta(ws, theta[:nb])
	ll := pr.eval(ws, theta[nb], grad, true)
	if math.IsNaN(ll) {
		return 0, 0, false, errors.New("multilevel: the likelihood is not a number at the start")
	}
	full := m <= 8
	prevDecrement := math.Inf(1)
	creeping := 0
	for iter := 1; iter <= maxIter; iter++ {
		if err := ctx.Err(); err != nil {
			return 0, iter, false, err
		}
		if full {
			pr.hessian(ws, probe, theta, grad, hess, m, false)
		} else {
			pr.pirlsHessian(ws, probe, theta, grad, hess, m)
		}
		// Newton direction: (−H + λ·I) step = g, λ from 0 upwards until
		// the matrix is positive definite.
		scale := 0.0
		for j := 0; j < m; j++ {
			scale = math.Max(scale, math.Abs(hess[j*m+j]))
		}
		lambda := 0.0
		for {
			for a := 0; a < m; a++ {
				for b := 0; b < m; b++ {
					mat[a*m+b] = -hess[a*m+b]
				}
				mat[a*m+a] += lambda
				step[a] = grad[a]
			}
			if choleskySolve(mat, step, m) {
				break
			}
			if lambda == 0 {
				lambda = 1e-8 * math.Max(scale, 1)
			} else {
				lambda *= 10
			}
			if lambda > 1e12*math.Max(scale, 1) {
				return ll, iter, false, fmt.Errorf("multilevel: the Newton system is singular (iteration %d)", iter)
			}
		}
		decrement := 0.0
		for a := 0; a < m; a++ {
			decrement += grad[a] * step[a]
		}
		if !full && !fixSigma && iter >= 4 && decrement > 0.05*prevDecrement && decrement > 1e-14 {
			full = true // slow: the left-out curvature matters here
		}
		prevDecrement = decrement
		// Backtracking line search on the objective.
		t := 1.0
		var nll float64
		accepted := false
		for ls := 0; ls < 40; ls++ {
			copy(next, theta)
			for a := 0; a < m; a++ {
				next[a] += t * step[a]
			}
			next[nb] = math.Abs(next[nb])
			copy(trial.u, ws.u)
			pr.setBeta(trial, next[:nb])
			nll = pr.eval(trial, next[nb], tgrad, true)
			if nll >= ll+1e-4*t*decrement || (decrement < 1e-12 && nll >= ll-1e-12*math.Max(1, math.Abs(ll))) {
				accepted = true
				break
			}
			t /= 2
		}
		if !accepted {
			// No ascent is left at floating-point resolution: converged if
			// the Newton decrement says the optimum is here.
			return ll, iter, decrement < 1e-8, nil
		}
		rel := 0.0
		for a := 0; a < m; a++ {
			rel = math.Max(rel, math.Abs(next[a]-theta[a])/math.Max(1, math.Abs(theta[a])))
		}
		copy(theta, next)
		ws, trial = trial, ws
		grad, tgrad = tgrad, grad
		gain := nll - ll
		ll = nll
		// Converged: the relative step is below 1e-10, or the Newton
		// decrement (twice the predicted remaining gain) below 1e-12.
		if rel < 1e-10 || decrement < 1e-12 {
			return ll, iter, true, nil
		}
		// Under separation the estimates run off to infinity while the
		// likelihood creeps towards its supremum: after five such steps
		// (large moves, gains below 1e-8) stop, not converged.
		if rel > 1e-3 && gain < 1e-8 {
			creeping++
			if creeping >= 5 {
				return ll, iter, false, nil
			}
		} else {
			creeping = 0
		}
	}
	return ll, maxIter, false, nil
}

// probeGradient evaluates the gradient at theta with coordinate j moved by
// dh, starting every group's mode from ws's (so that the result does not
// depend on which probes ran before).
func (pr *problem) probeGradient(ws, probe *workspace, theta []float64, j int, dh float64, out []float64) {
	nb := pr.p
	copy(probe.u, ws.u)
	if j < nb {
		for i := 0; i < pr.n; i++ {
			probe.o[i] = ws.o[i] + dh*pr.x[i*nb+j]
		}
		pr.eval(probe, theta[nb], out, false)
		return
	}
	copy(probe.o, ws.o)
	pr.eval(probe, theta[nb]+dh, out, false)
}

// step returns the difference step of coordinate j.
func diffStep(theta []float64, j int, central bool) float64 {
	h := 1e-6
	if central {
		h = 1e-4
	}
	return h * math.Max(1, math.Abs(theta[j]))
}

// hessian fills hess (m×m) with finite differences of the gradient at
// theta: forward differences from grad (already at theta, with ws at
// theta), or central ones when central is set. With more than 8
// parameters the probes run on two goroutines; each starts from ws, so the
// result does not depend on their order.
func (pr *problem) hessian(ws, probe *workspace, theta, grad, hess []float64, m int, central bool) {
	nb := pr.p
	column := func(j int, probe *workspace, gp, gm []float64) {
		h := diffStep(theta, j, central)
		pr.probeGradient(ws, probe, theta, j, h, gp)
		if central {
			pr.probeGradient(ws, probe, theta, j, -h, gm)
			for a := 0; a < m; a++ {
				hess[a*m+j] = (gp[a] - gm[a]) / (2 * h)
			}
		} else {
			for a := 0; a < m; a++ {
				hess[a*m+j] = (gp[a] - grad[a]) / h
			}
		}
	}
	workers := 1
	if m > 8 {
		workers = 2
	}
	workpool.ForWorkers(m, workers, func(w int) func(j int) {
		pw := probe
		if w > 0 {
			pw = newWorkspace(pr)
		}
		gp, gm := make([]float64, nb+1), make([]float64, nb+1)
		return func(j int) { column(j, pw, gp, gm) }
	})
	symmetrize(hess, m)
}

func symmetrize(hess []float64, m int) {
	for a := 0; a < m; a++ {
		for b := 0; b < a; b++ {
			v := (hess[a*m+b] + hess[b*m+a]) / 2
			hess[a*m+b], hess[b*m+a] = v, v
		}
	}
}

// pirlsHessian fills hess (m = p+1) with the PIRLS curvature in β, from
// the weights ws holds at theta, and a forward difference of the gradient
// in σ for the last row and column.
func (pr *problem) pirlsHessian(ws, probe *workspace, theta, grad, hess []float64, m int) {
	nb := pr.p
	for i := range hess {
		hess[i] = 0
	}
	sigma := theta[nb]
	// −Xᵀ W X from the columns: p(p+1)/2 dot products of length n.
	if len(ws.wx) != pr.n {
		ws.wx = make([]float64, pr.n)
	}
	for a := 0; a < nb; a++ {
		col := pr.xt[a*pr.n : (a+1)*pr.n]
		for i, v := range col {
			ws.wx[i] = ws.w[i] * v
		}
		for b := 0; b <= a; b++ {
			hess[a*m+b] = -floats.Dot(ws.wx, pr.xt[b*pr.n:(b+1)*pr.n])
		}
	}
	// Plus σ²/H_g·(Σ w x)(Σ w x)ᵀ per group.
	v := make([]float64, nb)
	for g := 0; g+1 < len(pr.start); g++ {
		for j := range v {
			v[j] = 0
		}
		for i := pr.start[g]; i < pr.start[g+1]; i++ {
			w := ws.w[i]
			for a, xa := range pr.x[i*nb : i*nb+nb] {
				v[a] += w * xa
			}
		}
		c := sigma * sigma / ws.h[g]
		for a := 0; a < nb; a++ {
			for b := 0; b <= a; b++ {
				hess[a*m+b] += c * v[a] * v[b]
			}
		}
	}
	for a := 0; a < nb; a++ {
		for b := 0; b < a; b++ {
			hess[b*m+a] = hess[a*m+b]
		}
	}
	if m == nb+1 {
		gp := make([]float64, nb+1)
		h := diffStep(theta, nb, false)
		pr.probeGradient(ws, probe, theta, nb, h, gp)
		for a := 0; a <= nb; a++ {
			d := (gp[a] - grad[a]) / h
			hess[a*m+nb], hess[nb*m+a] = d, d
		}
	}
}

// covariance returns the inverse of the observed information (minus the
// central-difference Hessian) over (β, σ) at theta, restricted to β, on the
// internal scale. A singular fit uses the Hessian in β alone (at σ = 0 the
// cross derivatives vanish: the objective is even in σ).
func (pr *problem) covariance(theta []float64, singular bool) ([][]float64, error) {
	nb := pr.p
	m := nb + 1
	if singular {
		m = nb
	}
	ws := newWorkspace(pr)
	probe := newWorkspace(pr)
	grad := make([]float64, nb+1)
	pr.setBeta(ws, theta[:nb])
	pr.eval(ws, theta[nb], grad, false)
	hess := make([]float64, m*m)
	pr.hessian(ws, probe, theta, grad, hess, m, true)
	cov := make([][]float64, nb)
	for j := range cov {
		cov[j] = make([]float64, nb)
	}
	info := make([]float64, m*m)
	for j := 0; j < nb; j++ {
		for a := 0; a < m; a++ {
			for b := 0; b < m; b++ {
				info[a*m+b] = -hess[a*m+b]
			}
		}
		col := make([]float64, m)
		col[j] = 1
		if !choleskySolve(info, col, m) {
			return nil, errors.New("multilevel: the observed information is not positive definite at the optimum (the fixed effects are not identified)")
		}
		for a := 0; a < nb; a++ {
			cov[a][j] = col[a]
		}
	}
	return cov, nil
}

// choleskySolve solves a·x = b in place for symmetric positive definite a
// (m×m, overwritten by its Cholesky factor), reporting false when a is not
// positive definite.
func choleskySolve(a, b []float64, m int) bool {
	for j := 0; j < m; j++ {
		s := a[j*m+j]
		for k := 0; k < j; k++ {
			s -= a[j*m+k] * a[j*m+k]
		}
		if !(s > 0) {
			return false
		}
		d := math.Sqrt(s)
		a[j*m+j] = d
		for i := j + 1; i < m; i++ {
			v := a[i*m+j]
			for k := 0; k < j; k++ {
				v -= a[i*m+k] * a[j*m+k]
			}
			a[i*m+j] = v / d
		}
	}
	for i := 0; i < m; i++ {
		v := b[i]
		for k := 0; k < i; k++ {
			v -= a[i*m+k] * b[k]
		}
		b[i] = v / a[i*m+i]
	}
	for i := m - 1; i >= 0; i-- {
		v := b[i]
		for k := i + 1; k < m; k++ {
			v -= a[k*m+i] * b[k]
		}
		b[i] = v / a[i*m+i]
	}
	return true
}
