package abtest

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/mat"
)

var errSeparation = errors.New("the logistic model does not converge (separation: some group has only events or only non-events)")

// fitLogistic fits an unpenalized logistic regression of the 0/1 outcome y
// on the design x by iteratively reweighted least squares and returns the
// coefficients and their model-based covariance (the inverse Fisher
// information), as statsmodels Logit.
func fitLogistic(x *mat.Dense, y []float64) (beta []float64, cov *mat.SymDense, err error) {
	n, p := x.Dims()
	beta = make([]float64, p)
	row := make([]float64, p)
	for iter := 0; iter < 100; iter++ {
		info := mat.NewSymDense(p, nil)
		score := make([]float64, p)
		for i := range n {
			mat.Row(row, i, x)
			var eta float64
			for j := range p {
				eta += row[j] * beta[j]
			}
			mu := 1 / (1 + math.Exp(-eta))
			w := mu * (1 - mu)
			info.SymRankOne(info, w, mat.NewVecDense(p, row))
			for j := range p {
				score[j] += row[j] * (y[i] - mu)
			}
		}
		inv, err := invertSPD(info)
		if err != nil {
			return nil, nil, errSeparation
		}
		var step mat.VecDense
		step.MulVec(inv, mat.NewVecDense(p, score))
		maxStep := 0.0
		for j := range p {
			beta[j] += step.AtVec(j)
			maxStep = math.Max(maxStep, math.Abs(step.AtVec(j)))
		}
		for _, b := range beta {
			if math.Abs(b) > 30 {
				return nil, nil, errSeparation
			}
		}
		if maxStep < 1e-10 {
			// Recompute the information at the converged coefficients.
			info := mat.NewSymDense(p, nil)
			for i := range n {
				mat.Row(row, i, x)
				var eta float64
				for j := range p {
					eta += row[j] * beta[j]
				}
				mu := 1 / (1 + math.Exp(-eta))
				info.SymRankOne(info, mu*(1-mu), mat.NewVecDense(p, row))
			}
			cov, err := invertSPD(info)
			if err != nil {
				return nil, nil, errSeparation
			}
			return beta, cov, nil
		}
	}
	return nil, nil, errSeparation
}

// logisticClusterVar returns the cluster-robust sandwich covariance of a
// logistic fit, I⁻¹ (Σ_g s_g s_g') I⁻¹ · G/(G−1)·(N−1)/(N−K), where s_g
// sums the score contributions x_i(y_i − μ_i) of cluster g and I⁻¹ is the
// model covariance (statsmodels Logit cov_type="cluster").
func logisticClusterVar(x *mat.Dense, y, beta []float64, inv *mat.SymDense, groups []int, g int) *mat.Dense {
	n, p := x.Dims()
	scores := make([][]float64, g)
	for k := range scores {
		scores[k] = make([]float64, p)
	}
	row := make([]float64, p)
	for i := range n {
		mat.Row(row, i, x)
		var eta float64
		for j := range p {
			eta += row[j] * beta[j]
		}
		r := y[i] - 1/(1+math.Exp(-eta))
		for j := range p {
			scores[groups[i]][j] += row[j] * r
		}
	}
	meat := mat.NewSymDense(p, nil)
	for _, s := range scores {
		meat.SymRankOne(meat, 1, mat.NewVecDense(p, s))
	}
	var tmp, v mat.Dense
	tmp.Mul(inv, meat)
	v.Mul(&tmp, inv)
	gf, nf, kf := float64(g), float64(n), float64(p)
	v.Scale(gf/(gf-1)*(nf-1)/(nf-kf), &v)
	return &v
}
