package abtest

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
)

// Interval is a two-sided confidence interval.
type Interval struct {
	Lower float64 `json:"lower"`
	Upper float64 `json:"upper"`
}

// Contains reports whether v lies in the closed interval.
func (iv Interval) Contains(v float64) bool { return iv.Lower <= v && v <= iv.Upper }

var stdNormal = distuv.UnitNormal

// normalSurvival is P(Z > x) for a standard normal Z, from erfc: gonum's
// Normal.Survival computes 1 − erf and loses all relative precision in
// the upper tail (5e-6 relative error at x = 7).
func normalSurvival(x float64) float64 {
	return math.Erfc(x/math.Sqrt2) / 2
}

// normalPDF is the standard normal density (inlined in the integration
// loops of the group-sequential computations).
func normalPDF(x float64) float64 {
	return math.Exp(-x*x/2) / math.Sqrt(2*math.Pi)
}

// fSurvival returns P(F > x) for F with d1 and d2 degrees of freedom, as
// the regularized incomplete beta I_{d2/(d2+d1·x)}(d2/2, d1/2): gonum's
// F.Survival is 1 − CDF and loses precision for small p-values.
func fSurvival(x, d1, d2 float64) float64 {
	if x <= 0 {
		return 1
	}
	return mathext.RegIncBeta(d2/2, d1/2, d2/(d2+d1*x))
}

// errLevel is returned for a confidence level outside (0, 1).
var errLevel = errors.New("confidence level must be in (0, 1)")

func checkLevel(level float64) error {
	if !(level > 0 && level < 1) {
		return fmt.Errorf("%w: got %v", errLevel, level)
	}
	return nil
}

// zCrit returns the two-sided standard normal critical value for level.
func zCrit(level float64) float64 {
	return -stdNormal.Quantile((1 - level) / 2)
}

// tUpper returns the exact q with P(T_df > q) = tail, as R's qt: gonum's
// quantile (an inverse incomplete beta), computed from the lower tail (no
// loss of precision for small tails), refined by Newton steps on the upper
// tail, which brings it to full double precision for non-integer df. Where
// scipy or statsmodels is the reference, scipyTCrit gives their (less
// accurate) value instead.
func tUpper(tail, df float64) float64 {
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	q := -t.Quantile(tail)
	for range 3 {
		pdf := t.Prob(q)
		if !(pdf > 0) {
			break
		}
		step := (t.Survival(q) - tail) / pdf
		q += step
		if math.Abs(step) <= 1e-16*math.Abs(q) {
			break
		}
	}
	return q
}

// twoSidedNormalP returns 2·P(Z > |z|).
func twoSidedNormalP(z float64) float64 {
	return math.Min(1, 2*normalSurvival(math.Abs(z)))
}

// twoSidedTP returns 2·P(T_df > |t|).
func twoSidedTP(t, df float64) float64 {
	return math.Min(1, 2*distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(math.Abs(t)))
}

// chiSquareP returns P(X > x) for X chi-square with df degrees of freedom.
func chiSquareP(x, df float64) float64 {
	return distuv.ChiSquared{K: df}.Survival(x)
}

// defined returns a pointer to v, or nil when v is NaN or infinite.
func defined(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// checkFinite returns an error naming what when any value is NaN or infinite.
func checkFinite(what string, xs []float64) error {
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%s[%d] is %v: values must be finite (drop missing values first)", what, i, x)
		}
	}
	return nil
}

func checkCounts(x, n int, name string) error {
	if n <= 0 {
		return fmt.Errorf("%s: n must be positive, got %d", name, n)
	}
	if x < 0 || x > n {
		return fmt.Errorf("%s: count %d out of range [0, %d]", name, x, n)
	}
	return nil
}

// meanVar returns the mean and the sample variance (denominator n-1) of xs
// using a two-pass algorithm. The variance is NaN for fewer than two values.
func meanVar(xs []float64) (mean, variance float64) {
	n := float64(len(xs))
	var s float64
	for _, x := range xs {
		s += x
	}
	mean = s / n
	var ss, comp float64
	for _, x := range xs {
		d := x - mean
		ss += d * d
		comp += d
	}
	if len(xs) < 2 {
		return mean, math.NaN()
	}
	variance = (ss - comp*comp/n) / (n - 1)
	return mean, variance
}

// allFinite reports whether no value is NaN or infinite.
func allFinite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// errOverflow is returned when finite inputs are so large that a statistic
// overflows.
func errOverflow(what string) error {
	return fmt.Errorf("%s: values too large in magnitude: the statistic overflows (rescale the data)", what)
}
