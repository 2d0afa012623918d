package abtest

import (
	"fmt"
	"math"
)

// Wilson returns the Wilson score interval for a proportion of x events in n
// trials, as statsmodels proportion_confint(x, n, alpha=1-level,
// method="wilson"). It requires 0 <= x <= n and n > 0.
func Wilson(x, n int, level float64) (Interval, error) {
	if err := checkCounts(x, n, "wilson"); err != nil {
		return Interval{}, err
	}
	if err := checkLevel(level); err != nil {
		return Interval{}, fmt.Errorf("wilson: %w", err)
	}
	return wilson(float64(x), float64(n), zCrit(level)), nil
}

// wilson is Wilson with the critical value z. Its ends are 0 at x = 0 and
// 1 at x = n exactly, where rounding would leave them a hair outside the
// proportion.
func wilson(x, n, z float64) Interval {
	p := x / n
	z2 := z * z
	denom := 1 + z2/n
	center := (p + z2/(2*n)) / denom
	dist := z * math.Sqrt(p*(1-p)/n+z2/(4*n*n)) / denom
	iv := Interval{Lower: center - dist, Upper: center + dist}
	if x == 0 {
		iv.Lower = 0
	}
	if x == n {
		iv.Upper = 1
	}
	return iv
}

// TwoProportionsResult compares the event proportions of two arms.
type TwoProportionsResult struct {
	// X1 of N1 treated and X2 of N2 control units had the event.
	X1 int     `json:"x1"`
	N1 int     `json:"n1"`
	X2 int     `json:"x2"`
	N2 int     `json:"n2"`
	P1 float64 `json:"p1"`
	P2 float64 `json:"p2"`
	// Diff is the risk difference P1 - P2.
	Diff float64 `json:"diff"`
	// Z is the pooled two-proportion z statistic; nil when the pooled
	// proportion is 0 or 1 (no unit, or every unit, had the event).
	Z *float64 `json:"z"`
	// PValue is the two-sided p-value of Z; nil when Z is.
	PValue *float64 `json:"p_value"`
	// Wald is the unpooled Wald interval of Diff.
	Wald Interval `json:"wald"`
	// Newcombe is Newcombe's hybrid score interval of Diff (method 10 of
	// Newcombe 1998), built from the two Wilson intervals.
	Newcombe Interval `json:"newcombe"`
	// CohensH is 2·asin(√P1) − 2·asin(√P2).
	CohensH  float64  `json:"cohens_h"`
	Level    float64  `json:"level"`
	Warnings []string `json:"warnings,omitempty"`
}

// TwoProportions compares x1 events of n1 units (treatment) with x2 of n2
// (control). The z test pools the proportions as statsmodels
// proportions_ztest; the Wald and Newcombe intervals are those of
// statsmodels confint_proportions_2indep (method "wald" and "newcomb").
// Counts must satisfy 0 <= x <= n and n > 0. A warning is added when an arm
// has fewer than 5 events or non-events, where the normal approximation is
// poor and Fisher's exact test should be preferred.
func TwoProportions(x1, n1, x2, n2 int, level float64) (TwoProportionsResult, error) {
	if err := checkCounts(x1, n1, "two proportions: arm 1"); err != nil {
		return TwoProportionsResult{}, err
	}
	if err := checkCounts(x2, n2, "two proportions: arm 2"); err != nil {
		return TwoProportionsResult{}, err
	}
	if err := checkLevel(level); err != nil {
		return TwoProportionsResult{}, fmt.Errorf("two proportions: %w", err)
	}
	fx1, fn1, fx2, fn2 := float64(x1), float64(n1), float64(x2), float64(n2)
	p1, p2 := fx1/fn1, fx2/fn2
	diff := p1 - p2
	r := TwoProportionsResult{X1: x1, N1: n1, X2: x2, N2: n2, P1: p1, P2: p2, Diff: diff, Level: level}

	pool := (fx1 + fx2) / (fn1 + fn2)
	if se := math.Sqrt(pool * (1 - pool) * (1/fn1 + 1/fn2)); se > 0 {
		z := diff / se
		r.Z = &z
		r.PValue = defined(twoSidedNormalP(z))
	} else {
		r.Warnings = append(r.Warnings, "the pooled proportion is 0 or 1: the z test is undefined")
	}

	zc := zCrit(level)
	seW := math.Sqrt(p1*(1-p1)/fn1 + p2*(1-p2)/fn2)
	r.Wald = Interval{Lower: diff - zc*seW, Upper: diff + zc*seW}

	w1 := wilson(fx1, fn1, zc)
	w2 := wilson(fx2, fn2, zc)
	r.Newcombe = Interval{
		Lower: diff - math.Sqrt((p1-w1.Lower)*(p1-w1.Lower)+(w2.Upper-p2)*(w2.Upper-p2)),
		Upper: diff + math.Sqrt((p2-w2.Lower)*(p2-w2.Lower)+(w1.Upper-p1)*(w1.Upper-p1)),
	}
	r.CohensH = CohensH(p1, p2)
	if min(x1, n1-x1, x2, n2-x2) < 5 {
		r.Warnings = append(r.Warnings, "an arm has fewer than 5 events or non-events: the normal approximation is poor; prefer Fisher's exact test")
	}
	return r, nil
}

// CohensH returns Cohen's h effect size for two proportions,
// 2·asin(√p1) − 2·asin(√p2). Proportions must lie in [0, 1] (NaN otherwise).
func CohensH(p1, p2 float64) float64 {
	return 2*math.Asin(math.Sqrt(p1)) - 2*math.Asin(math.Sqrt(p2))
}

// RatioResult is a ratio of arm 1 to arm 2 (risk ratio or odds ratio) with a
// Wald interval on the log scale.
type RatioResult struct {
	// Estimate is the ratio from the observed counts; nil when it is
	// undefined or infinite (a zero denominator).
	Estimate *float64 `json:"estimate"`
	// Lower and Upper bound the interval; nil when undefined. When a cell is
	// zero the interval (and only the interval) uses the Haldane-Anscombe
	// correction, adding 0.5 to every cell, and a warning says so.
	Lower    *float64 `json:"lower"`
	Upper    *float64 `json:"upper"`
	Level    float64  `json:"level"`
	Warnings []string `json:"warnings,omitempty"`
}

// RiskRatio returns the risk ratio (x1/n1)/(x2/n2) with the Wald interval of
// its logarithm, exp(log RR ± z·√(1/x1 − 1/n1 + 1/x2 − 1/n2)).
// Counts must satisfy 0 <= x <= n and n > 0.
func RiskRatio(x1, n1, x2, n2 int, level float64) (RatioResult, error) {
	return riskRatio(x1, n1, x2, n2, level, 1)
}

// riskRatio is RiskRatio with the variance of log RR multiplied by
// inflation (a design effect for cluster-randomized data).
func riskRatio(x1, n1, x2, n2 int, level, inflation float64) (RatioResult, error) {
	if err := checkCounts(x1, n1, "risk ratio: arm 1"); err != nil {
		return RatioResult{}, err
	}
	if err := checkCounts(x2, n2, "risk ratio: arm 2"); err != nil {
		return RatioResult{}, err
	}
	if err := checkLevel(level); err != nil {
		return RatioResult{}, fmt.Errorf("risk ratio: %w", err)
	}
	r := RatioResult{Level: level}
	a, n1f, c, n2f := float64(x1), float64(n1), float64(x2), float64(n2)
	r.Estimate = defined((a / n1f) / (c / n2f))
	if x1 == 0 || x2 == 0 {
		a, c, n1f, n2f = a+0.5, c+0.5, n1f+1, n2f+1
		r.Warnings = append(r.Warnings, "an arm has no events: the interval adds 0.5 to every cell (Haldane-Anscombe)")
	}
	est := (a / n1f) / (c / n2f)
	se := math.Sqrt(inflation * (1/a - 1/n1f + 1/c - 1/n2f))
	z := zCrit(level)
	r.Lower = defined(est * math.Exp(-z*se))
	r.Upper = defined(est * math.Exp(z*se))
	return r, nil
}

// OddsRatio returns the sample odds ratio (x1·(n2−x2))/((n1−x1)·x2) with
// Woolf's logit interval exp(log OR ± z·√(1/a + 1/b + 1/c + 1/d)).
// Counts must satisfy 0 <= x <= n and n > 0.
func OddsRatio(x1, n1, x2, n2 int, level float64) (RatioResult, error) {
	if err := checkCounts(x1, n1, "odds ratio: arm 1"); err != nil {
		return RatioResult{}, err
	}
	if err := checkCounts(x2, n2, "odds ratio: arm 2"); err != nil {
		return RatioResult{}, err
	}
	if err := checkLevel(level); err != nil {
		return RatioResult{}, fmt.Errorf("odds ratio: %w", err)
	}
	r := RatioResult{Level: level}
	a, b := float64(x1), float64(n1-x1)
	c, d := float64(x2), float64(n2-x2)
	r.Estimate = defined(a * d / (b * c))
	if a == 0 || b == 0 || c == 0 || d == 0 {
		a, b, c, d = a+0.5, b+0.5, c+0.5, d+0.5
		r.Warnings = append(r.Warnings, "a cell is zero: the interval adds 0.5 to every cell (Haldane-Anscombe)")
	}
	est := a * d / (b * c)
	se := math.Sqrt(1/a + 1/b + 1/c + 1/d)
	z := zCrit(level)
	r.Lower = defined(est * math.Exp(-z*se))
	r.Upper = defined(est * math.Exp(z*se))
	return r, nil
}

// NNTResult is the number needed to treat, 1/|risk difference|, with the
// interval of Altman (1998) obtained by inverting the Newcombe interval of
// the risk difference.
type NNTResult struct {
	// NNT is 1/|P1 − P2|; nil when the difference is zero.
	NNT *float64 `json:"nnt"`
	// TreatmentHigher is true when arm 1 has the higher event proportion:
	// NNT units must be treated for one additional event (for an outcome
	// such as DFW that is one additional failure).
	TreatmentHigher bool `json:"treatment_higher"`
	// DiffInterval is the Newcombe interval of the risk difference that the
	// NNT interval inverts.
	DiffInterval Interval `json:"diff_interval"`
	// When DiffInterval excludes zero, the NNT interval is [Lower, Upper]
	// and Lower, Upper are set. When it includes zero the interval passes
	// through infinity: it consists of NNT >= HigherAtLeast for arm 1 higher
	// and NNT >= LowerAtLeast for arm 1 lower (each nil when that side of
	// DiffInterval is zero), and Lower, Upper are nil.
	Lower         *float64 `json:"lower"`
	Upper         *float64 `json:"upper"`
	HigherAtLeast *float64 `json:"higher_at_least"`
	LowerAtLeast  *float64 `json:"lower_at_least"`
	Level         float64  `json:"level"`
}

// NumberNeededToTreat returns the NNT for x1 events of n1 (treatment) against
// x2 of n2 (control). Counts must satisfy 0 <= x <= n and n > 0.
func NumberNeededToTreat(x1, n1, x2, n2 int, level float64) (NNTResult, error) {
	tp, err := TwoProportions(x1, n1, x2, n2, level)
	if err != nil {
		return NNTResult{}, fmt.Errorf("number needed to treat: %w", err)
	}
	r := NNTResult{
		NNT:             defined(1 / math.Abs(tp.Diff)),
		TreatmentHigher: tp.Diff > 0,
		DiffInterval:    tp.Newcombe,
		Level:           level,
	}
	lo, hi := tp.Newcombe.Lower, tp.Newcombe.Upper
	switch {
	case lo > 0 || hi < 0:
		a, b := 1/math.Abs(lo), 1/math.Abs(hi)
		r.Lower, r.Upper = defined(math.Min(a, b)), defined(math.Max(a, b))
	default:
		if hi > 0 {
			r.HigherAtLeast = defined(1 / hi)
		}
		if lo < 0 {
			r.LowerAtLeast = defined(-1 / lo)
		}
	}
	return r, nil
}
