package multilevel

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// MaxNAGQ is the largest number of quadrature nodes FitRandomIntercept
// accepts (lme4 accepts at most 25 as well).
const MaxNAGQ = 25

// GaussHermite returns the n nodes z (ascending) and weights w of the
// Gauss-Hermite rule for the standard normal density: Σ_k w_k f(z_k)
// approximates E f(Z), Z ~ N(0, 1), exactly for polynomials of degree up to
// 2n−1, and Σ_k w_k = 1. The rule is the Golub-Welsch eigen-decomposition of
// the Jacobi matrix of the probabilists' Hermite polynomials (the rule
// lme4's GHrule tabulates). n must lie in [1, MaxNAGQ].
func GaussHermite(n int) (z, w []float64, err error) {
	if n < 1 || n > MaxNAGQ {
		return nil, nil, fmt.Errorf("multilevel: Gauss-Hermite rule of %d nodes: need 1 to %d", n, MaxNAGQ)
	}
	if n == 1 {
		return []float64{0}, []float64{1}, nil
	}
	j := mat.NewSymDense(n, nil)
	for k := 1; k < n; k++ {
		j.SetSym(k-1, k, math.Sqrt(float64(k)))
	}
	var eig mat.EigenSym
	if !eig.Factorize(j, true) {
		return nil, nil, fmt.Errorf("multilevel: Gauss-Hermite rule of %d nodes: eigen-decomposition failed", n)
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return vals[idx[a]] < vals[idx[b]] })
	z, w = make([]float64, n), make([]float64, n)
	for k, i := range idx {
		z[k] = vals[i]
		v := vecs.At(0, i)
		w[k] = v * v
	}
	// The rule is symmetric: enforce it exactly (and the middle node of an
	// odd rule at 0) so that the quadrature has no rounding bias.
	for k := 0; k < n/2; k++ {
		a := (z[n-1-k] - z[k]) / 2
		z[k], z[n-1-k] = -a, a
		b := (w[k] + w[n-1-k]) / 2
		w[k], w[n-1-k] = b, b
	}
	if n%2 == 1 {
		z[n/2] = 0
	}
	total := 0.0
	for _, v := range w {
		total += v
	}
	for k := range w {
		w[k] /= total
	}
	return z, w, nil
}
