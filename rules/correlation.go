package rules

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/evalrun/evalrun/abtest"
)

// Correlation is a rank correlation with its two-sided p-value; both are
// nil when undefined (a constant input).
type Correlation struct {
	Coef *float64 `json:"coef"`
	P    *float64 `json:"p"`
	N    int      `json:"n"`
}

func checkPair(x, y []float64, what string) error {
	if len(x) != len(y) {
		return fmt.Errorf("rules: %s: x has %d values, y %d", what, len(x), len(y))
	}
	if len(x) < 3 {
		return fmt.Errorf("rules: %s: %d pairs: need at least 3", what, len(x))
	}
	for i := range x {
		if math.IsNaN(x[i]) || math.IsNaN(y[i]) || math.IsInf(x[i], 0) || math.IsInf(y[i], 0) {
			return fmt.Errorf("rules: %s: pair %d is not finite (drop missing values first)", what, i)
		}
	}
	return nil
}

// Spearman returns Spearman's rank correlation of x and y with its
// two-sided p-value, as scipy.stats.spearmanr: the Pearson correlation of
// the average ranks, p from Student's t with n−2 degrees of freedom (0 when
// |rho| = 1); both nil when an input is constant. It is an error when the
// lengths differ, fewer than 3 pairs are given, or a value is not finite.
func Spearman(x, y []float64) (Correlation, error) {
	if err := checkPair(x, y, "spearman"); err != nil {
		return Correlation{}, err
	}
	n := len(x)
	rx, ry := averageRanks(x), averageRanks(y)
	var mx, my float64
	for i := range rx {
		mx += rx[i]
		my += ry[i]
	}
	mx /= float64(n)
	my /= float64(n)
	var sxy, sxx, syy float64
	for i := range rx {
		dx, dy := rx[i]-mx, ry[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	c := Correlation{N: n}
	if sxx == 0 || syy == 0 {
		return c, nil
	}
	rho := math.Max(-1, math.Min(1, sxy/math.Sqrt(sxx*syy)))
	dof := float64(n - 2)
	var p float64
	if math.Abs(rho) < 1 {
		t := rho * math.Sqrt(math.Max(0, dof/((rho+1)*(1-rho))))
		p = 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: dof}.Survival(math.Abs(t))
	}
	c.Coef, c.P = &rho, &p
	return c, nil
}

// averageRanks returns 1-based ranks, ties given their mean rank.
func averageRanks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	r := make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && v[idx[j+1]] == v[idx[i]] {
			j++
		}
		avg := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = avg
		}
		i = j + 1
	}
	return r
}

// KendallTauB returns Kendall's tau-b of x and y with its two-sided p-value,
// as scipy.stats.kendalltau(variant="b", method="asymptotic"): tau-b =
// (C−D)/√((n0−n1)(n0−n2)) with n0 = n(n−1)/2 and n1, n2 the pairs tied in x
// and in y; the p-value is normal from the tie-corrected variance of C−D
// (also for small samples without ties, where scipy's default would use the
// exact distribution). Both are nil when an input is constant. Pairs are
// counted in O(n log n) (Knight's algorithm). It is an error when the
// lengths differ, fewer than 3 pairs are given, or a value is not finite.
func KendallTauB(x, y []float64) (Correlation, error) {
	if err := checkPair(x, y, "kendall tau-b"); err != nil {
		return Correlation{}, err
	}
	n := len(x)
	c := Correlation{N: n}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool {
		if x[idx[a]] != x[idx[b]] {
			return x[idx[a]] < x[idx[b]]
		}
		return y[idx[a]] < y[idx[b]]
	})
	// Ties in x, and in both x and y (runs of the (x, y) order).
	xtie, x0, x1 := tieSums(n, func(i int) bool { return x[idx[i]] == x[idx[i-1]] })
	ntie, _, _ := tieSums(n, func(i int) bool { return x[idx[i]] == x[idx[i-1]] && y[idx[i]] == y[idx[i-1]] })
	ys := make([]float64, n)
	for i, k := range idx {
		ys[i] = y[k]
	}
	// Discordant pairs: strict inversions of y in the (x, y) order.
	dis := float64(countInversions(ys, make([]float64, n)))
	sorted := append([]float64(nil), ys...)
	sort.Float64s(sorted)
	ytie, y0, y1 := tieSums(n, func(i int) bool { return sorted[i] == sorted[i-1] })
	fn := float64(n)
	tot := fn * (fn - 1) / 2
	if xtie == tot || ytie == tot {
		return c, nil
	}
	conMinusDis := tot - xtie - ytie + ntie - 2*dis
	tau := conMinusDis / math.Sqrt(tot-xtie) / math.Sqrt(tot-ytie)
	tau = math.Max(-1, math.Min(1, tau))
	m := fn * (fn - 1)
	v := (m*(2*fn+5)-x1-y1)/18 + (2*xtie*ytie)/m
	if n > 2 {
		v += x0 * y0 / (9 * m * (fn - 2))
	}
	z := conMinusDis / math.Sqrt(v)
	p := math.Erfc(math.Abs(z) / math.Sqrt2)
	c.Coef, c.P = &tau, &p
	return c, nil
}

// tieSums returns, over the runs of tied values (same(i) says element i
// ties with i−1), Σ t(t−1)/2, Σ t(t−1)(t−2) and Σ t(t−1)(2t+5).
func tieSums(n int, same func(i int) bool) (pairs, a, b float64) {
	run := 1
	flush := func() {
		t := float64(run)
		pairs += t * (t - 1) / 2
		a += t * (t - 1) * (t - 2)
		b += t * (t - 1) * (2*t + 5)
	}
	for i := 1; i < n; i++ {
		if same(i) {
			run++
			continue
		}
		flush()
		run = 1
	}
	if n > 0 {
		flush()
	}
	return
}

// countInversions sorts v (merge sort, buf as scratch) and returns the
// number of pairs i < j with v[i] > v[j].
func countInversions(v, buf []float64) int64 {
	n := len(v)
	if n < 2 {
		return 0
	}
	mid := n / 2
	inv := countInversions(v[:mid], buf[:mid]) + countInversions(v[mid:], buf[mid:])
	i, j, k := 0, mid, 0
	for i < mid && j < n {
		if v[j] < v[i] {
			buf[k] = v[j]
			inv += int64(mid - i)
			j++
		} else {
			buf[k] = v[i]
			i++
		}
		k++
	}
	k += copy(buf[k:], v[i:mid])
	copy(buf[k:], v[j:n])
	copy(v, buf[:n])
	return inv
}

// FeatureCorrelation is one feature's rank correlations with the outcome.
type FeatureCorrelation struct {
	Feature  string      `json:"feature"`
	Spearman Correlation `json:"spearman"`
	Kendall  Correlation `json:"kendall"`
	// SpearmanQ and KendallQ are Benjamini-Hochberg adjusted over the
	// features with a defined correlation (nil otherwise).
	SpearmanQ *float64 `json:"spearman_q"`
	KendallQ  *float64 `json:"kendall_q"`
	// Significant: both adjusted p-values are at most the FDR.
	Significant bool `json:"significant"`
}

// Correlations returns, for each named feature column, its Spearman and
// Kendall tau-b correlation with outcome over the rows where both are
// finite (a NaN is a missing value), with Benjamini-Hochberg across the
// features for each method at level fdr.
func Correlations(names []string, columns [][]float64, outcome []float64, fdr float64) ([]FeatureCorrelation, error) {
	if len(names) != len(columns) {
		return nil, fmt.Errorf("rules: correlations: %d names for %d columns", len(names), len(columns))
	}
	if !(fdr > 0 && fdr < 1) {
		return nil, fmt.Errorf("rules: correlations: fdr %v must be in (0, 1)", fdr)
	}
	out := make([]FeatureCorrelation, len(names))
	var sp, kp []float64
	var si, ki []int
	for f, col := range columns {
		if len(col) != len(outcome) {
			return nil, fmt.Errorf("rules: correlations: feature %q has %d rows, outcome %d", names[f], len(col), len(outcome))
		}
		var x, y []float64
		for i := range col {
			if isFinite(col[i]) && isFinite(outcome[i]) {
				x = append(x, col[i])
				y = append(y, outcome[i])
			}
		}
		out[f].Feature = names[f]
		if len(x) < 3 {
			continue
		}
		s, err := Spearman(x, y)
		if err != nil {
			return nil, fmt.Errorf("rules: feature %q: %w", names[f], err)
		}
		k, err := KendallTauB(x, y)
		if err != nil {
			return nil, fmt.Errorf("rules: feature %q: %w", names[f], err)
		}
		out[f].Spearman, out[f].Kendall = s, k
		if s.P != nil {
			sp, si = append(sp, *s.P), append(si, f)
		}
		if k.P != nil {
			kp, ki = append(kp, *k.P), append(ki, f)
		}
	}
	sq, err := abtest.AdjustPValues(sp, abtest.AdjustBH)
	if err != nil {
		return nil, err
	}
	kq, err := abtest.AdjustPValues(kp, abtest.AdjustBH)
	if err != nil {
		return nil, err
	}
	for i, f := range si {
		out[f].SpearmanQ = &sq[i]
	}
	for i, f := range ki {
		out[f].KendallQ = &kq[i]
	}
	for f := range out {
		out[f].Significant = out[f].SpearmanQ != nil && out[f].KendallQ != nil && *out[f].SpearmanQ <= fdr && *out[f].KendallQ <= fdr
	}
	return out, nil
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
