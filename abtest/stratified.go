package abtest

import (
	"fmt"
	"math"
)

// Stratum2x2 is one stratum's 2×2 table: rows are the arms (treatment,
// control), columns (event, no event): {{t_yes, t_no}, {c_yes, c_no}}.
type Stratum2x2 [2][2]int

// CMHResult is the Cochran-Mantel-Haenszel test of a common odds ratio of 1
// across strata, with the Mantel-Haenszel estimate of the common odds ratio.
type CMHResult struct {
	// Statistic is the CMH chi-square statistic on one degree of freedom.
	Statistic float64 `json:"statistic"`
	PValue    float64 `json:"p_value"`
	// CommonOddsRatio is the Mantel-Haenszel estimate
	// Σ(a·d/n) / Σ(b·c/n); nil when it is infinite or undefined.
	CommonOddsRatio *float64 `json:"common_odds_ratio"`
	// CI is the Robins-Breslow-Greenland interval of the common odds ratio;
	// nil when undefined.
	Lower    *float64 `json:"lower"`
	Upper    *float64 `json:"upper"`
	Strata   int      `json:"strata"`
	Level    float64  `json:"level"`
	Warnings []string `json:"warnings,omitempty"`
}

func checkStrata(strata []Stratum2x2, what string) error {
	if len(strata) == 0 {
		return fmt.Errorf("%s: no strata", what)
	}
	for k, s := range strata {
		for i := range 2 {
			for j := range 2 {
				if s[i][j] < 0 {
					return fmt.Errorf("%s: stratum %d cell [%d][%d] is negative (%d)", what, k, i, j, s[i][j])
				}
			}
		}
	}
	return nil
}

// CochranMantelHaenszel returns the CMH test over 2×2 strata, as R's
// mantelhaen.test(x, correct = correct) for a 2×2×K table: the statistic
// (|Σ(a − E a)| − ½)² / Σ var(a), the ½ applied when correct is true and
// |Σ(a − E a)| >= ½, with the Mantel-Haenszel common odds ratio and its
// Robins-Breslow-Greenland interval. Every stratum needs at least 2 units
// (R's requirement); a stratum holding one arm only, or one outcome only,
// contributes nothing to the statistic and is reported in Warnings.
func CochranMantelHaenszel(strata []Stratum2x2, correct bool, level float64) (CMHResult, error) {
	if err := checkStrata(strata, "cochran-mantel-haenszel"); err != nil {
		return CMHResult{}, err
	}
	if err := checkLevel(level); err != nil {
		return CMHResult{}, fmt.Errorf("cochran-mantel-haenszel: %w", err)
	}
	res := CMHResult{Strata: len(strata), Level: level}
	var delta, variance, sDiag, sOffd float64
	var rgbPR, rgbPSQR, rgbQS float64
	for k, s := range strata {
		a, b := float64(s[0][0]), float64(s[0][1])
		c, d := float64(s[1][0]), float64(s[1][1])
		n := a + b + c + d
		if n < 2 {
			return CMHResult{}, fmt.Errorf("cochran-mantel-haenszel: stratum %d has %v units: every stratum needs at least 2", k, n)
		}
		m, nn := a+b, a+c // first row and first column totals
		if m == 0 || m == n {
			res.Warnings = append(res.Warnings, fmt.Sprintf("stratum %d holds one arm only: it carries no information", k))
		} else if nn == 0 || nn == n {
			res.Warnings = append(res.Warnings, fmt.Sprintf("stratum %d has a single outcome value: it carries no information on the test", k))
		}
		delta += a - m*nn/n
		variance += m * (n - m) * nn * (n - nn) / (n * n * (n - 1))
		sDiag += a * d / n
		sOffd += b * c / n
		p, q := (a+d)/n, (b+c)/n
		r, sv := a*d/n, b*c/n
		rgbPR += p * r
		rgbPSQR += p*sv + q*r
		rgbQS += q * sv
	}
	if !(variance > 0) {
		return CMHResult{}, fmt.Errorf("cochran-mantel-haenszel: no stratum holds both arms and both outcomes: the statistic is undefined")
	}
	yates := 0.0
	if correct && math.Abs(delta) >= 0.5 {
		yates = 0.5
	}
	res.Statistic = (math.Abs(delta) - yates) * (math.Abs(delta) - yates) / variance
	res.PValue = chiSquareP(res.Statistic, 1)
	est := sDiag / sOffd
	res.CommonOddsRatio = defined(est)
	if res.CommonOddsRatio != nil && est > 0 {
		sd := math.Sqrt(rgbPR/(2*sDiag*sDiag) + rgbPSQR/(2*sDiag*sOffd) + rgbQS/(2*sOffd*sOffd))
		z := zCrit(level)
		res.Lower = defined(est * math.Exp(-z*sd))
		res.Upper = defined(est * math.Exp(z*sd))
	}
	return res, nil
}

// StratumWeighting chooses how stratum-specific risk differences are
// combined.
type StratumWeighting string

const (
	// WeightMantelHaenszel weights stratum k by n1k·n2k/(n1k+n2k), the
	// Mantel-Haenszel weights: efficient when the effect is common.
	WeightMantelHaenszel StratumWeighting = "mantel-haenszel"
	// WeightStratumSize weights stratum k by its size n1k+n2k: the
	// estimand is the average effect over the pilot population even when
	// effects differ between strata.
	WeightStratumSize StratumWeighting = "stratum-size"
)

// StratifiedRDResult is a stratum-weighted risk difference.
type StratifiedRDResult struct {
	// Diff is Σ w_k·d_k / Σ w_k over strata with both arms.
	Diff float64 `json:"diff"`
	// SE is √(Σ w_k²·v_k) / Σ w_k with v_k = p1q1/n1 + p2q2/n2 per stratum.
	SE     float64  `json:"se"`
	Z      *float64 `json:"z"`
	PValue *float64 `json:"p_value"`
	CI     Interval `json:"ci"`
	// StrataUsed counts strata with both arms; the others are excluded and
	// listed in Warnings.
	StrataUsed int              `json:"strata_used"`
	Weighting  StratumWeighting `json:"weighting"`
	Level      float64          `json:"level"`
	Warnings   []string         `json:"warnings,omitempty"`
}

// StratifiedRiskDifference combines the per-stratum risk differences
// p1k − p2k with the chosen weights and a Wald interval from the
// per-stratum unpooled variances. A stratum missing an arm is excluded
// with a warning; at least one stratum must hold both arms.
func StratifiedRiskDifference(strata []Stratum2x2, weighting StratumWeighting, level float64) (StratifiedRDResult, error) {
	if err := checkStrata(strata, "stratified risk difference"); err != nil {
		return StratifiedRDResult{}, err
	}
	if err := checkLevel(level); err != nil {
		return StratifiedRDResult{}, fmt.Errorf("stratified risk difference: %w", err)
	}
	if weighting != WeightMantelHaenszel && weighting != WeightStratumSize {
		return StratifiedRDResult{}, fmt.Errorf("stratified risk difference: unknown weighting %q", weighting)
	}
	res := StratifiedRDResult{Weighting: weighting, Level: level}
	var wsum, wd, wv float64
	for k, s := range strata {
		n1 := float64(s[0][0] + s[0][1])
		n2 := float64(s[1][0] + s[1][1])
		if n1 == 0 || n2 == 0 {
			res.Warnings = append(res.Warnings, fmt.Sprintf("stratum %d holds one arm only: excluded", k))
			continue
		}
		p1, p2 := float64(s[0][0])/n1, float64(s[1][0])/n2
		w := n1 * n2 / (n1 + n2)
		if weighting == WeightStratumSize {
			w = n1 + n2
		}
		wsum += w
		wd += w * (p1 - p2)
		wv += w * w * (p1*(1-p1)/n1 + p2*(1-p2)/n2)
		res.StrataUsed++
	}
	if res.StrataUsed == 0 {
		return StratifiedRDResult{}, fmt.Errorf("stratified risk difference: no stratum holds both arms")
	}
	res.Diff = wd / wsum
	res.SE = math.Sqrt(wv) / wsum
	z := zCrit(level)
	res.CI = Interval{Lower: res.Diff - z*res.SE, Upper: res.Diff + z*res.SE}
	if res.SE > 0 {
		zs := res.Diff / res.SE
		res.Z = &zs
		res.PValue = defined(twoSidedNormalP(zs))
	} else {
		res.Warnings = append(res.Warnings, "every stratum's proportions are 0 or 1: the standard error is zero and no test is possible")
	}
	return res, nil
}
