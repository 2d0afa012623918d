package abtest

import (
	"fmt"
	"math"
	"sort"
)

// WelchResult is Welch's unequal-variance t test of two means.
type WelchResult struct {
	MeanA float64 `json:"mean_a"`
	MeanB float64 `json:"mean_b"`
	// Diff is MeanA − MeanB.
	Diff float64 `json:"diff"`
	// SE is √(varA/nA + varB/nB).
	SE     float64  `json:"se"`
	T      float64  `json:"t"`
	DF     float64  `json:"df"`
	PValue float64  `json:"p_value"`
	CI     Interval `json:"ci"`
	// CohensD is Diff over the pooled standard deviation
	// √(((nA−1)varA + (nB−1)varB)/(nA+nB−2)); nil when that is zero.
	CohensD *float64 `json:"cohens_d"`
	Level   float64  `json:"level"`
}

// WelchT returns Welch's t test of mean(a) − mean(b), as
// scipy.stats.ttest_ind(a, b, equal_var=False), with the interval
// Diff ± q·SE on the Welch–Satterthwaite degrees of freedom, where q is
// scipy 1.10.1's stats.t.ppf((1+level)/2, DF) to the last few bits (DCDFLIB's
// quantile, within about 1e-9 relative of the exact one that R's
// t.test(a, b) uses, so the bounds agree with R's to about 9 digits). Each sample needs
// at least two finite values and at least one sample must vary.
func WelchT(a, b []float64, level float64) (WelchResult, error) {
	if len(a) < 2 || len(b) < 2 {
		return WelchResult{}, fmt.Errorf("welch t: each group needs at least 2 values, got %d and %d", len(a), len(b))
	}
	if err := checkFinite("welch t: a", a); err != nil {
		return WelchResult{}, err
	}
	if err := checkFinite("welch t: b", b); err != nil {
		return WelchResult{}, err
	}
	if err := checkLevel(level); err != nil {
		return WelchResult{}, fmt.Errorf("welch t: %w", err)
	}
	ma, va := meanVar(a)
	mb, vb := meanVar(b)
	return welchFromMoments(ma, va, float64(len(a)), mb, vb, float64(len(b)), level)
}

// welchFromMoments computes the Welch test from group means, sample
// variances and sizes.
func welchFromMoments(ma, va, na, mb, vb, nb, level float64) (WelchResult, error) {
	vna, vnb := va/na, vb/nb
	se := math.Sqrt(vna + vnb)
	if !(se > 0) {
		return WelchResult{}, fmt.Errorf("welch t: both groups are constant: the t statistic is undefined")
	}
	if !allFinite(ma, mb, se, (vna+vnb)*(vna+vnb)) {
		return WelchResult{}, errOverflow("welch t")
	}
	r := WelchResult{MeanA: ma, MeanB: mb, Diff: ma - mb, SE: se, Level: level}
	r.DF = (vna + vnb) * (vna + vnb) / (vna*vna/(na-1) + vnb*vnb/(nb-1))
	r.T = r.Diff / se
	r.PValue = twoSidedTP(r.T, r.DF)
	// The interval's stated reference is scipy (the shared suite's welch_t
	// row), so the critical value is scipy 1.10.1's t.ppf((1+level)/2, df),
	// which differs from the exact quantile (R's qt) in about the ninth
	// digit; see cdflib.go. The p-value above is exact, as scipy's is.
	q, err := scipyTCrit(level, r.DF)
	if err != nil {
		return WelchResult{}, fmt.Errorf("welch t: the Welch–Satterthwaite degrees of freedom are undefined (%v): %w", r.DF, err)
	}
	r.CI = Interval{Lower: r.Diff - q*se, Upper: r.Diff + q*se}
	pooled := math.Sqrt(((na-1)*va + (nb-1)*vb) / (na + nb - 2))
	if pooled > 0 {
		r.CohensD = defined(r.Diff / pooled)
	}
	return r, nil
}

// CohensD returns Cohen's d, (mean(a) − mean(b)) over the pooled standard
// deviation. It needs at least two values in each sample; ok is false when
// the pooled standard deviation is zero or the input is too short.
func CohensD(a, b []float64) (d float64, ok bool) {
	if len(a) < 2 || len(b) < 2 {
		return 0, false
	}
	ma, va := meanVar(a)
	mb, vb := meanVar(b)
	na, nb := float64(len(a)), float64(len(b))
	pooled := math.Sqrt(((na-1)*va + (nb-1)*vb) / (na + nb - 2))
	d = (ma - mb) / pooled
	if !(pooled > 0) || math.IsNaN(d) {
		return 0, false
	}
	return d, true
}

// MannWhitneyResult is the Mann-Whitney U (Wilcoxon rank-sum) test.
type MannWhitneyResult struct {
	// U is the U statistic of a: the number of pairs (a_i, b_j) with
	// a_i > b_j plus half the number of ties.
	U float64 `json:"u"`
	// Z is the tie- and continuity-corrected normal score of max(U, nA·nB−U).
	Z      float64 `json:"z"`
	PValue float64 `json:"p_value"`
	// CommonLanguage is U/(nA·nB), the probability that a random value of a
	// exceeds one of b (ties count one half).
	CommonLanguage float64 `json:"common_language"`
}

// MannWhitney returns the two-sided Mann-Whitney U test of a against b with
// the normal approximation, tie correction and continuity correction, as
// scipy.stats.mannwhitneyu(a, b, method="asymptotic"). Both samples must be
// non-empty and finite, and not every value may be tied.
func MannWhitney(a, b []float64) (MannWhitneyResult, error) {
	if len(a) == 0 || len(b) == 0 {
		return MannWhitneyResult{}, fmt.Errorf("mann-whitney: both groups need values, got %d and %d", len(a), len(b))
	}
	if err := checkFinite("mann-whitney: a", a); err != nil {
		return MannWhitneyResult{}, err
	}
	if err := checkFinite("mann-whitney: b", b); err != nil {
		return MannWhitneyResult{}, err
	}
	n1, n2 := float64(len(a)), float64(len(b))
	all := make([]float64, 0, len(a)+len(b))
	all = append(all, a...)
	all = append(all, b...)
	ranks, tieTerm := midranks(all)
	var r1 float64
	for i := range a {
		r1 += ranks[i]
	}
	u1 := r1 - n1*(n1+1)/2
	u := math.Max(u1, n1*n2-u1)
	n := n1 + n2
	s := math.Sqrt(n1 * n2 / 12 * ((n + 1) - tieTerm/(n*(n-1))))
	if !(s > 0) {
		return MannWhitneyResult{}, fmt.Errorf("mann-whitney: all values are tied: the test is undefined")
	}
	z := (u - n1*n2/2 - 0.5) / s
	p := math.Min(1, math.Max(0, 2*normalSurvival(z)))
	return MannWhitneyResult{U: u1, Z: z, PValue: p, CommonLanguage: u1 / (n1 * n2)}, nil
}

// midranks returns the 1-based ranks of xs with ties given their average
// rank, and the tie term Σ(t³ − t) over groups of t tied values.
func midranks(xs []float64) (ranks []float64, tieTerm float64) {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool { return xs[idx[i]] < xs[idx[j]] })
	ranks = make([]float64, len(xs))
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && xs[idx[j]] == xs[idx[i]] {
			j++
		}
		r := float64(i+j+1) / 2 // average of ranks i+1 .. j
		for k := i; k < j; k++ {
			ranks[idx[k]] = r
		}
		t := float64(j - i)
		tieTerm += t*t*t - t
		i = j
	}
	return ranks, tieTerm
}
