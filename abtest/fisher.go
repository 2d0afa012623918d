package abtest

import (
	"fmt"
	"math"
)

// FisherResult is Fisher's exact test of a 2×2 table.
type FisherResult struct {
	// OddsRatio is the sample odds ratio t[0][0]·t[1][1] / (t[0][1]·t[1][0]);
	// nil when it is infinite or undefined (a zero in the denominator).
	OddsRatio *float64 `json:"odds_ratio"`
	// PValue is the two-sided p-value.
	PValue float64 `json:"p_value"`
}

// FisherExact returns Fisher's exact test of the 2×2 table whose rows are the
// arms and whose columns are (event, no event), as scipy.stats.fisher_exact
// with alternative="two-sided": the p-value sums the probabilities of all
// tables with the observed margins that are no more likely than the observed
// one (with scipy's relative tolerance of 1e-14). A table with an empty row
// or column has p-value 1. Cells must be non-negative.
func FisherExact(table [2][2]int) (FisherResult, error) {
	for i := range 2 {
		for j := range 2 {
			if table[i][j] < 0 {
				return FisherResult{}, fmt.Errorf("fisher exact: cell [%d][%d] is negative (%d)", i, j, table[i][j])
			}
		}
	}
	a, b, c, d := table[0][0], table[0][1], table[1][0], table[1][1]
	r := FisherResult{OddsRatio: defined(float64(a) * float64(d) / (float64(b) * float64(c)))}
	if c == 0 || b == 0 {
		r.OddsRatio = nil
	}
	n1, n2, n := a+b, c+d, a+c
	if n1 == 0 || n2 == 0 || n == 0 || b+d == 0 {
		r.PValue = 1
		return r, nil
	}
	h := newHypergeom(n1, n2, n)
	const epsilon = 1e-14
	const gamma = 1 + epsilon
	mode := int(float64((n+1)*(n1+1)) / float64(n1+n2+2))
	pexact := h.pmf(a)
	pmode := h.pmf(mode)
	if math.Abs(pexact-pmode)/math.Max(pexact, pmode) <= epsilon {
		r.PValue = 1
		return r, nil
	}
	var p float64
	if a < mode {
		plower := h.cdf(a)
		if h.pmf(n) > pexact*gamma {
			r.PValue = plower
			return r, nil
		}
		guess := binarySearch(func(x int) float64 { return -h.pmf(x) }, -pexact*gamma, mode, n)
		p = plower + h.sf(guess)
	} else {
		pupper := h.sf(a - 1)
		if h.pmf(0) > pexact*gamma {
			r.PValue = pupper
			return r, nil
		}
		guess := binarySearch(h.pmf, pexact*gamma, 0, mode)
		p = pupper + h.cdf(guess)
	}
	r.PValue = math.Min(p, 1)
	return r, nil
}

// hypergeom is the distribution of the top-left cell of a 2×2 table with row
// totals n1, n2 and first-column total n. Probabilities are built by the
// ratio recurrence from the mode and normalized, which keeps full relative
// precision far into the tails.
type hypergeom struct {
	lo, hi int
	prob   []float64 // prob[k-lo]
}

func newHypergeom(n1, n2, n int) hypergeom {
	lo, hi := max(0, n-n2), min(n1, n)
	w := make([]float64, hi-lo+1)
	mode := int(float64((n+1)*(n1+1)) / float64(n1+n2+2))
	mode = min(max(mode, lo), hi)
	w[mode-lo] = 1
	// pmf(k+1)/pmf(k) = (n1−k)(n−k) / ((k+1)(n2−n+k+1)).
	for k := mode; k < hi; k++ {
		w[k+1-lo] = w[k-lo] * float64(n1-k) * float64(n-k) / (float64(k+1) * float64(n2-n+k+1))
	}
	for k := mode; k > lo; k-- {
		w[k-1-lo] = w[k-lo] * float64(k) * float64(n2-n+k) / (float64(n1-k+1) * float64(n-k+1))
	}
	var total float64
	for _, v := range w {
		total += v
	}
	for i := range w {
		w[i] /= total
	}
	return hypergeom{lo: lo, hi: hi, prob: w}
}

func (h hypergeom) pmf(k int) float64 {
	if k < h.lo || k > h.hi {
		return 0
	}
	return h.prob[k-h.lo]
}

// cdf returns P(X <= k), summing from the smaller tail.
func (h hypergeom) cdf(k int) float64 {
	if k < h.lo {
		return 0
	}
	if k >= h.hi {
		return 1
	}
	var s float64
	for i := h.lo; i <= k; i++ {
		s += h.prob[i-h.lo]
	}
	return s
}

// sf returns P(X > k).
func (h hypergeom) sf(k int) float64 {
	if k < h.lo {
		return 1
	}
	if k >= h.hi {
		return 0
	}
	var s float64
	for i := h.hi; i > k; i-- {
		s += h.prob[i-h.lo]
	}
	return s
}

// binarySearch returns i in [lo, hi] with f(i) <= d < f(i+1) for f
// ascending on [lo, hi], as scipy's _binary_search_for_binom_tst.
func binarySearch(f func(int) float64, d float64, lo, hi int) int {
	for lo < hi {
		mid := lo + (hi-lo)/2
		v := f(mid)
		switch {
		case v < d:
			lo = mid + 1
		case v > d:
			hi = mid - 1
		default:
			return mid
		}
	}
	if f(lo) <= d {
		return lo
	}
	return lo - 1
}
