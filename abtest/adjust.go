package abtest

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// splitByArm returns the values of treated and control units.
func splitByArm(y []float64, treated []bool) (t, c []float64) {
	for i, v := range y {
		if treated[i] {
			t = append(t, v)
		} else {
			c = append(c, v)
		}
	}
	return t, c
}

// CUPEDResult is a CUPED (controlled-experiment using pre-experiment data)
// estimate of a difference in means.
type CUPEDResult struct {
	// Theta is cov(x, y)/var(x) over all units.
	Theta float64 `json:"theta"`
	// Effect, SE, T, DF, PValue and CI are Welch's test on the adjusted
	// outcome y − Theta·(x − mean x), treatment minus control.
	Effect float64  `json:"effect"`
	SE     float64  `json:"se"`
	T      float64  `json:"t"`
	DF     float64  `json:"df"`
	PValue float64  `json:"p_value"`
	CI     Interval `json:"ci"`
	// VarianceReduction is 1 − SE²/SE²_unadjusted.
	VarianceReduction float64 `json:"variance_reduction"`
	// Unadjusted is Welch's test on y itself.
	Unadjusted WelchResult `json:"unadjusted"`
	Level      float64     `json:"level"`
}

func checkTreated(n int, treated []bool, what string) (nt, nc int, err error) {
	if len(treated) != n {
		return 0, 0, fmt.Errorf("%s: %d outcomes but %d treatment indicators", what, n, len(treated))
	}
	for _, t := range treated {
		if t {
			nt++
		} else {
			nc++
		}
	}
	return nt, nc, nil
}

// CUPED adjusts the outcome y with the pre-period covariate x (Deng et al.
// 2013): θ = cov(x, y)/var(x) over all units regardless of arm, y_adj =
// y − θ·(x − mean x), and Welch's t test on y_adj compares treated with
// control units. x must vary; each arm needs at least 2 units; values must
// be finite.
func CUPED(y, x []float64, treated []bool, level float64) (CUPEDResult, error) {
	if len(x) != len(y) {
		return CUPEDResult{}, fmt.Errorf("cuped: %d outcomes but %d covariate values", len(y), len(x))
	}
	if _, _, err := checkTreated(len(y), treated, "cuped"); err != nil {
		return CUPEDResult{}, err
	}
	if err := checkFinite("cuped: y", y); err != nil {
		return CUPEDResult{}, err
	}
	if err := checkFinite("cuped: x", x); err != nil {
		return CUPEDResult{}, err
	}
	mx, vx := meanVar(x)
	my, _ := meanVar(y)
	if !(vx > 0) {
		return CUPEDResult{}, fmt.Errorf("cuped: the covariate is constant: theta is undefined")
	}
	var cov float64
	for i := range x {
		cov += (x[i] - mx) * (y[i] - my)
	}
	cov /= float64(len(x) - 1)
	theta := cov / vx
	adj := make([]float64, len(y))
	for i := range y {
		adj[i] = y[i] - theta*(x[i]-mx)
	}
	yt, yc := splitByArm(y, treated)
	raw, err := WelchT(yt, yc, level)
	if err != nil {
		return CUPEDResult{}, fmt.Errorf("cuped: %w", err)
	}
	at, ac := splitByArm(adj, treated)
	w, err := WelchT(at, ac, level)
	if err != nil {
		return CUPEDResult{}, fmt.Errorf("cuped: adjusted outcome: %w", err)
	}
	return CUPEDResult{
		Theta: theta, Effect: w.Diff, SE: w.SE, T: w.T, DF: w.DF, PValue: w.PValue, CI: w.CI,
		VarianceReduction: 1 - w.SE*w.SE/(raw.SE*raw.SE),
		Unadjusted:        raw,
		Level:             level,
	}, nil
}

// Covariate is a named numeric pre-period covariate, one value per unit.
type Covariate struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
}

// RegressionSpec configures RegressionAdjustment.
type RegressionSpec struct {
	// Covariates enter the model linearly beside the intercept and the
	// treatment indicator; none gives the unadjusted difference in means.
	Covariates []Covariate
	// Cluster, when non-nil, holds each unit's cluster label: standard
	// errors are then CR1 cluster-robust with G−1 degrees of freedom.
	// When nil they are HC2 heteroskedasticity-robust with N−K degrees of
	// freedom (as R's estimatr::lm_robust).
	Cluster []string
	// Level is the confidence level, in (0, 1).
	Level float64
}

// Coefficient is one estimated regression coefficient.
type Coefficient struct {
	Name     string  `json:"name"`
	Estimate float64 `json:"estimate"`
	SE       float64 `json:"se"`
}

// RegressionResult is a regression-adjusted treatment effect.
type RegressionResult struct {
	// Effect is the coefficient of the treatment indicator.
	Effect float64  `json:"effect"`
	SE     float64  `json:"se"`
	T      float64  `json:"t"`
	DF     float64  `json:"df"`
	PValue float64  `json:"p_value"`
	CI     Interval `json:"ci"`
	// SEType is "HC2" or "CR1".
	SEType       string        `json:"se_type"`
	N            int           `json:"n"`
	Clusters     int           `json:"clusters,omitempty"`
	Coefficients []Coefficient `json:"coefficients"`
	Level        float64       `json:"level"`
	Warnings     []string      `json:"warnings,omitempty"`
}

// MinClusters is the number of clusters below which cluster-robust
// inference is flagged as unreliable.
const MinClusters = 20

// RegressionAdjustment estimates the treatment effect by OLS of y on an
// intercept, the treatment indicator and the covariates, with HC2 robust
// standard errors (statsmodels cov_type="HC2", t on N−K df) or, when
// spec.Cluster is set, CR1 cluster-robust errors (statsmodels
// cov_type="cluster", t on G−1 df). Both arms must be present, values
// finite, and the covariates not collinear. With clusters, fewer than
// MinClusters clusters add a warning.
func RegressionAdjustment(y []float64, treated []bool, spec RegressionSpec) (RegressionResult, error) {
	n := len(y)
	nt, nc, err := checkTreated(n, treated, "regression adjustment")
	if err != nil {
		return RegressionResult{}, err
	}
	if nt == 0 || nc == 0 {
		return RegressionResult{}, fmt.Errorf("regression adjustment: need treated and control units, got %d and %d", nt, nc)
	}
	if err := checkLevel(spec.Level); err != nil {
		return RegressionResult{}, fmt.Errorf("regression adjustment: %w", err)
	}
	if err := checkFinite("regression adjustment: y", y); err != nil {
		return RegressionResult{}, err
	}
	p := 2 + len(spec.Covariates)
	x := mat.NewDense(n, p, nil)
	names := []string{"(intercept)", "treatment"}
	for i := range n {
		x.Set(i, 0, 1)
		if treated[i] {
			x.Set(i, 1, 1)
		}
	}
	for j, c := range spec.Covariates {
		if len(c.Values) != n {
			return RegressionResult{}, fmt.Errorf("regression adjustment: covariate %q has %d values for %d units", c.Name, len(c.Values), n)
		}
		if err := checkFinite("regression adjustment: covariate "+c.Name, c.Values); err != nil {
			return RegressionResult{}, err
		}
		for i, v := range c.Values {
			x.Set(i, 2+j, v)
		}
		names = append(names, c.Name)
	}
	fit, err := fitOLS(x, y)
	if err != nil {
		return RegressionResult{}, fmt.Errorf("regression adjustment: %w", err)
	}
	res := RegressionResult{N: n, Level: spec.Level}
	var v *mat.Dense
	if spec.Cluster != nil {
		if len(spec.Cluster) != n {
			return RegressionResult{}, fmt.Errorf("regression adjustment: %d cluster labels for %d units", len(spec.Cluster), n)
		}
		groups, g := clusterIndex(spec.Cluster)
		if g < 2 {
			return RegressionResult{}, fmt.Errorf("regression adjustment: %d cluster(s): cluster-robust errors need at least 2", g)
		}
		v = fit.cr1Var(groups, g)
		res.SEType, res.Clusters, res.DF = "CR1", g, float64(g-1)
		if g < MinClusters {
			res.Warnings = append(res.Warnings, fmt.Sprintf("only %d clusters (fewer than %d): cluster-robust standard errors and p-values are unreliable", g, MinClusters))
		}
	} else {
		v, err = fit.hc2Var()
		if err != nil {
			return RegressionResult{}, fmt.Errorf("regression adjustment: %w", err)
		}
		res.SEType, res.DF = "HC2", float64(n-p)
	}
	for j := range p {
		se := math.Sqrt(v.At(j, j))
		if !allFinite(fit.beta[j], se) {
			if !allFinite(fit.beta[j]) || math.IsInf(se, 0) {
				return RegressionResult{}, errOverflow("regression adjustment")
			}
			return RegressionResult{}, fmt.Errorf("regression adjustment: the robust covariance is degenerate for %q (too few observations or clusters for the model)", names[j])
		}
		res.Coefficients = append(res.Coefficients, Coefficient{Name: names[j], Estimate: fit.beta[j], SE: se})
	}
	res.Effect, res.SE = fit.beta[1], math.Sqrt(v.At(1, 1))
	if !(res.SE > 0) {
		return RegressionResult{}, fmt.Errorf("regression adjustment: the standard error of the effect is zero: the outcome is fitted exactly")
	}
	res.T = res.Effect / res.SE
	res.PValue = twoSidedTP(res.T, res.DF)
	// statsmodels is the reference (conf_int with use_t=True), and it takes
	// the critical value from scipy's t.ppf: scipy's DCDFLIB quantile, not
	// the exact one (cdflib.go).
	q, err := scipyTCrit(spec.Level, res.DF)
	if err != nil {
		return RegressionResult{}, fmt.Errorf("regression adjustment: %w", err)
	}
	res.CI = Interval{Lower: res.Effect - q*res.SE, Upper: res.Effect + q*res.SE}
	return res, nil
}

// ClusterRobustResult is the treatment effect of a cluster-randomized pilot.
type ClusterRobustResult struct {
	RegressionResult
	// ICC is the one-way ANOVA intra-cluster correlation of the outcome.
	ICC float64 `json:"icc"`
	// MeanClusterSize is N/G.
	MeanClusterSize float64 `json:"mean_cluster_size"`
	// DesignEffect is 1 + (MeanClusterSize − 1)·ICC, with a negative ICC
	// taken as 0 (a design effect below 1 would claim that clustering adds
	// information).
	DesignEffect float64 `json:"design_effect"`
}

// ClusterRobustEffect estimates the difference in mean outcome between
// treated and control units with OLS y ~ 1 + treatment and CR1
// cluster-robust standard errors, t on G−1 degrees of freedom (statsmodels
// OLS(...).fit(cov_type="cluster")), and reports the outcome's ICC
// (ICCOneWay) and the implied design effect. At least 2 clusters are
// required; fewer than MinClusters add a warning.
func ClusterRobustEffect(y []float64, treated []bool, cluster []string, level float64) (ClusterRobustResult, error) {
	if cluster == nil {
		return ClusterRobustResult{}, fmt.Errorf("cluster-robust effect: no cluster labels")
	}
	reg, err := RegressionAdjustment(y, treated, RegressionSpec{Cluster: cluster, Level: level})
	if err != nil {
		return ClusterRobustResult{}, fmt.Errorf("cluster-robust effect: %w", err)
	}
	icc, err := ICCOneWay(y, cluster)
	if err != nil {
		return ClusterRobustResult{}, fmt.Errorf("cluster-robust effect: %w", err)
	}
	m := float64(len(y)) / float64(reg.Clusters)
	return ClusterRobustResult{RegressionResult: reg, ICC: icc, MeanClusterSize: m, DesignEffect: 1 + (m-1)*math.Max(icc, 0)}, nil
}

// ICCOneWay returns the intra-cluster correlation of y by one-way ANOVA,
// (MSB − MSW)/(MSB + (n0 − 1)·MSW) with n0 = (N − Σn_g²/N)/(G − 1), the
// unbiased-size adjustment for unequal clusters. It can be negative when
// clusters are more alike than chance. It needs at least 2 clusters and
// more units than clusters; values must be finite.
func ICCOneWay(y []float64, cluster []string) (float64, error) {
	if len(y) != len(cluster) {
		return 0, fmt.Errorf("icc: %d values but %d cluster labels", len(y), len(cluster))
	}
	if err := checkFinite("icc: y", y); err != nil {
		return 0, err
	}
	groups, g := clusterIndex(cluster)
	n := len(y)
	if g < 2 || n <= g {
		return 0, fmt.Errorf("icc: %d units in %d clusters: need at least 2 clusters and more units than clusters", n, g)
	}
	sums := make([]float64, g)
	sizes := make([]float64, g)
	var total float64
	for i, v := range y {
		sums[groups[i]] += v
		sizes[groups[i]]++
		total += v
	}
	grand := total / float64(n)
	var ssb, ssw, sumSq float64
	for k := range g {
		m := sums[k] / sizes[k]
		ssb += sizes[k] * (m - grand) * (m - grand)
		sumSq += sizes[k] * sizes[k]
	}
	for i, v := range y {
		d := v - sums[groups[i]]/sizes[groups[i]]
		ssw += d * d
	}
	msb := ssb / float64(g-1)
	msw := ssw / float64(n-g)
	if !allFinite(msb, msw) {
		return 0, errOverflow("icc")
	}
	n0 := (float64(n) - sumSq/float64(n)) / float64(g-1)
	den := msb + (n0-1)*msw
	if !(den > 0) {
		return 0, fmt.Errorf("icc: the outcome is constant: the ICC is undefined")
	}
	return (msb - msw) / den, nil
}
