package models

import (
	"context"
	"math"
)

// The lbfgs solver reproduces scikit-learn 1.2.1's
// LogisticRegression(solver="lbfgs") for a binary target: _logistic_regression_path
// minimizes, with scipy.optimize.minimize(method="L-BFGS-B", jac=True,
// options={"gtol": tol, "maxiter": max_iter}) from all-zero coefficients,
//
//	Σ_i s_i · h(y_i, x_i·w + b) + ½ · (1/C) · ‖w‖²,
//
// where h is the half binomial loss log(1 + e^η) − yη (sklearn's
// HalfBinomialLoss) and s_i the class weight of row i. This is the
// objective of LogisticConfig divided by C, so it has the same minimizer,
// but L-BFGS-B stops away from the minimizer (on its relative-reduction test
// or on tol), and where it stops depends on this scaling, on the starting
// point and on every rounding of the path; the arithmetic below follows
// sklearn's: the loss terms and their gradients as in sklearn's Cython
// closs_grad_half_binomial, the sums of per-row terms as numpy's sum does
// them.

// halfBinomialLossGrad returns the half binomial loss log(1 + e^raw) − y·raw
// and its derivative σ(raw) − y with the branches of scikit-learn 1.2.1's
// closs_grad_half_binomial.
func halfBinomialLossGrad(y, raw float64) (loss, grad float64) {
	if raw <= 0 {
		e := math.Exp(raw)
		if raw <= -37 {
			loss = e - y*raw
		} else {
			loss = math.Log1p(e) - y*raw
		}
		return loss, ((1-y)*e - y) / (1 + e)
	}
	e := math.Exp(-raw)
	if raw <= 18 {
		loss = math.Log1p(e) + (1-y)*raw
	} else {
		loss = e + (1-y)*raw
	}
	return loss, ((1 - y) - y*e) / (1 + e)
}

// numpySum adds a the way numpy 1.24's np.sum adds a contiguous float64
// array: blocks of 8192 elements (its buffer size) added in order, each
// summed pairwise with eight accumulators per run of at most 128 elements.
func numpySum(a []float64) float64 {
	var res float64
	for len(a) > 0 {
		k := min(len(a), 8192)
		res += pairwiseSum(a[:k])
		a = a[k:]
	}
	return res
}

// pairwiseSum is numpy's pairwise_sum_DOUBLE.
func pairwiseSum(a []float64) float64 {
	n := len(a)
	switch {
	case n < 8:
		var res float64
		for _, v := range a {
			res += v
		}
		return res
	case n <= 128:
		var r [8]float64
		copy(r[:], a[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			r[0] += a[i]
			r[1] += a[i+1]
			r[2] += a[i+2]
			r[3] += a[i+3]
			r[4] += a[i+4]
			r[5] += a[i+5]
			r[6] += a[i+6]
			r[7] += a[i+7]
		}
		res := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			res += a[i]
		}
		return res
	default:
		n2 := n / 2
		n2 -= n2 % 8
		return pairwiseSum(a[:n2]) + pairwiseSum(a[n2:])
	}
}

// sklearnObjective returns scikit-learn's lbfgs objective (see above) and
// its gradient over params = (w, b) for the problem's design, labels and row
// weights. The returned function reuses two n-length buffers.
func (p *logisticProblem) sklearnObjective() lbfgsbObjective {
	loss := make([]float64, p.n)
	gp := make([]float64, p.n)
	l2 := 1 / p.c
	d := p.d
	return func(params, grad []float64) float64 {
		w, b := params[:d], params[d]
		gw := grad[:d]
		clear(gw)
		for i := 0; i < p.n; i++ {
			zi := p.z[i*d : (i+1)*d]
			var raw float64
			for j, v := range zi {
				raw += v * w[j]
			}
			raw += b
			li, gi := halfBinomialLossGrad(p.y[i], raw)
			loss[i] = p.s[i] * li
			g := p.s[i] * gi
			gp[i] = g
			for j, v := range zi {
				gw[j] += v * g
			}
		}
		f := numpySum(loss) + 0.5*l2*dot(w, w)
		for j := range gw {
			gw[j] += l2 * w[j]
		}
		grad[d] = numpySum(gp)
		return f
	}
}

// solveLBFGS runs scikit-learn's lbfgs path: L-BFGS-B from zero with scipy's
// defaults except gtol = tol and maxiter = maxIter. It returns the
// parameters (d coefficients then the intercept) and the optimizer result.
func (p *logisticProblem) solveLBFGS(ctx context.Context, maxIter int, tol float64) ([]float64, lbfgsbResult, error) {
	settings := scipyLBFGSBDefaults
	settings.Pgtol = tol
	settings.MaxIter = maxIter
	res, err := minimizeLBFGSB(ctx, p.sklearnObjective(), make([]float64, p.d+1), settings)
	if err != nil {
		return nil, res, err
	}
	return res.X, res, nil
}
