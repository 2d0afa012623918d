package abtest

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// olsFit is an ordinary least squares fit of y on the columns of X.
type olsFit struct {
	n, p   int
	beta   []float64
	resid  []float64
	xtxInv *mat.SymDense
	x      *mat.Dense
}

var errCollinear = errors.New("the design matrix is rank deficient (a covariate is constant or collinear with others)")

// fitOLS regresses y on the n×p design x (which includes any intercept).
func fitOLS(x *mat.Dense, y []float64) (*olsFit, error) {
	n, p := x.Dims()
	if n <= p {
		return nil, fmt.Errorf("%d observations for %d coefficients: need more observations than coefficients", n, p)
	}
	var xtx mat.SymDense
	xtx.SymOuterK(1, x.T())
	xtxInv, err := invertSPD(&xtx)
	if err != nil {
		return nil, err
	}
	yv := mat.NewVecDense(n, y)
	var xty mat.VecDense
	xty.MulVec(x.T(), yv)
	var b mat.VecDense
	b.MulVec(xtxInv, &xty)
	fit := &olsFit{n: n, p: p, beta: make([]float64, p), resid: make([]float64, n), xtxInv: xtxInv, x: x}
	for j := range p {
		fit.beta[j] = b.AtVec(j)
	}
	for i := range n {
		var yhat float64
		for j := range p {
			yhat += x.At(i, j) * fit.beta[j]
		}
		fit.resid[i] = y[i] - yhat
	}
	return fit, nil
}

// invertSPD inverts a symmetric positive definite matrix, scaling it to
// unit diagonal first so that the conditioning check does not depend on
// the units of the covariates. It returns errCollinear for a singular or
// badly conditioned matrix.
func invertSPD(a *mat.SymDense) (*mat.SymDense, error) {
	p := a.SymmetricDim()
	scale := make([]float64, p)
	for j := range p {
		d := a.At(j, j)
		if !(d > 0) {
			return nil, errCollinear
		}
		scale[j] = 1 / math.Sqrt(d)
	}
	scaled := mat.NewSymDense(p, nil)
	for i := range p {
		for j := i; j < p; j++ {
			scaled.SetSym(i, j, a.At(i, j)*scale[i]*scale[j])
		}
	}
	var chol mat.Cholesky
	if ok := chol.Factorize(scaled); !ok {
		return nil, errCollinear
	}
	if c := chol.Cond(); c > 1e12 || math.IsNaN(c) {
		return nil, errCollinear
	}
	var inv mat.SymDense
	if err := chol.InverseTo(&inv); err != nil {
		return nil, errCollinear
	}
	out := mat.NewSymDense(p, nil)
	for i := range p {
		for j := i; j < p; j++ {
			out.SetSym(i, j, inv.At(i, j)*scale[i]*scale[j])
		}
	}
	return out, nil
}

// waldTest returns the Wald statistic (Cb)'(C V C')⁻¹(Cb) of the linear
// hypothesis C b = 0 and its number of restrictions.
func waldTest(b []float64, v mat.Matrix, c *mat.Dense) (float64, int, error) {
	q, _ := c.Dims()
	cb := mat.NewVecDense(q, nil)
	cb.MulVec(c, mat.NewVecDense(len(b), b))
	var cv, cvc mat.Dense
	cv.Mul(c, v)
	cvc.Mul(&cv, c.T())
	sym := mat.NewSymDense(q, nil)
	for i := range q {
		for j := i; j < q; j++ {
			sym.SetSym(i, j, (cvc.At(i, j)+cvc.At(j, i))/2)
		}
	}
	inv, err := invertSPD(sym)
	if err != nil {
		return 0, q, err
	}
	return mat.Inner(cb, inv, cb), q, nil
}

// sandwich returns (X'X)⁻¹ M (X'X)⁻¹ for the meat M.
func (f *olsFit) sandwich(meat *mat.SymDense) *mat.Dense {
	var tmp, v mat.Dense
	tmp.Mul(f.xtxInv, meat)
	v.Mul(&tmp, f.xtxInv)
	return &v
}

// classicalVar returns the homoskedastic covariance s²(X'X)⁻¹.
func (f *olsFit) classicalVar() *mat.Dense {
	var ss float64
	for _, r := range f.resid {
		ss += r * r
	}
	s2 := ss / float64(f.n-f.p)
	var v mat.Dense
	v.Scale(s2, f.xtxInv)
	return &v
}

// hc2Var returns the HC2 heteroskedasticity-robust covariance: the meat
// Σ x_i x_i' e_i²/(1 − h_ii) with leverages h_ii = x_i'(X'X)⁻¹x_i, as
// statsmodels cov_type="HC2". Units with leverage 1 make HC2 undefined.
func (f *olsFit) hc2Var() (*mat.Dense, error) {
	meat := mat.NewSymDense(f.p, nil)
	xi := make([]float64, f.p)
	for i := range f.n {
		mat.Row(xi, i, f.x)
		v := mat.NewVecDense(f.p, xi)
		h := mat.Inner(v, f.xtxInv, v)
		if 1-h < 1e-10 {
			return nil, fmt.Errorf("observation %d has leverage 1: HC2 standard errors are undefined", i)
		}
		w := f.resid[i] * f.resid[i] / (1 - h)
		meat.SymRankOne(meat, w, v)
	}
	return f.sandwich(meat), nil
}

// cr1Var returns the CR1 cluster-robust covariance, as statsmodels
// cov_type="cluster": (X'X)⁻¹ Σ_g X_g'e_g e_g'X_g (X'X)⁻¹ ·
// G/(G−1)·(N−1)/(N−K). groups[i] is the cluster index of row i in [0, G).
func (f *olsFit) cr1Var(groups []int, g int) *mat.Dense {
	scores := make([][]float64, g)
	for k := range scores {
		scores[k] = make([]float64, f.p)
	}
	for i := range f.n {
		s := scores[groups[i]]
		for j := range f.p {
			s[j] += f.x.At(i, j) * f.resid[i]
		}
	}
	meat := mat.NewSymDense(f.p, nil)
	for _, s := range scores {
		meat.SymRankOne(meat, 1, mat.NewVecDense(f.p, s))
	}
	v := f.sandwich(meat)
	gf, nf, kf := float64(g), float64(f.n), float64(f.p)
	v.Scale(gf/(gf-1)*(nf-1)/(nf-kf), v)
	return v
}

// clusterIndex maps cluster labels to indices 0..G-1 in order of first
// appearance and returns the index of each row and G.
func clusterIndex(labels []string) ([]int, int) {
	seen := make(map[string]int)
	idx := make([]int, len(labels))
	for i, l := range labels {
		k, ok := seen[l]
		if !ok {
			k = len(seen)
			seen[l] = k
		}
		idx[i] = k
	}
	return idx, len(seen)
}
