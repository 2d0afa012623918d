package abtest

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Sample sizes are searched in [minArmSize, maxArmSize] units per arm, as R's
// power.prop.test and power.t.test search n in [2, 1e7].
const (
	minArmSize = 2
	maxArmSize = 1e7
)

// ClusterDesign describes cluster randomization (whole sections or advisors
// assigned to an arm). The zero value means individual randomization.
type ClusterDesign struct {
	// ICC is the intra-cluster correlation of the outcome, in [0, 1).
	ICC float64 `json:"icc"`
	// ClusterSize is the mean number of units per cluster; 0 or 1 means
	// individual randomization.
	ClusterSize float64 `json:"cluster_size"`
}

// DesignEffect returns 1 + (ClusterSize − 1)·ICC, the factor by which
// clustering inflates the variance of an arm mean (1 without clustering).
func (c ClusterDesign) DesignEffect() float64 {
	if c.ClusterSize <= 1 {
		return 1
	}
	return 1 + (c.ClusterSize-1)*c.ICC
}

func (c ClusterDesign) clustered() bool { return c.ClusterSize > 1 }

func (c ClusterDesign) validate() error {
	if !(c.ICC >= 0 && c.ICC < 1) {
		return fmt.Errorf("ICC must be in [0, 1), got %v", c.ICC)
	}
	if !(c.ClusterSize >= 0) || math.IsInf(c.ClusterSize, 0) {
		return fmt.Errorf("cluster size must be finite and non-negative, got %v", c.ClusterSize)
	}
	if c.ICC > 0 && !c.clustered() {
		return fmt.Errorf("ICC %v given without a cluster size above 1", c.ICC)
	}
	return nil
}

// ProportionsDesign is a planned two-arm comparison of event proportions
// with a two-sided test.
type ProportionsDesign struct {
	// P1 is the expected treatment-arm proportion and P2 the control-arm
	// proportion, each in (0, 1). MDETwoProportions ignores P1.
	P1 float64 `json:"p1"`
	P2 float64 `json:"p2"`
	// Alpha is the two-sided significance level, in (0, 1).
	Alpha float64 `json:"alpha"`
	// Ratio is the allocation ratio n1/n2 (treatment units per control
	// unit); 0 means 1.
	Ratio float64 `json:"ratio"`
	// Cluster describes cluster randomization; the zero value means none.
	Cluster ClusterDesign `json:"cluster"`
}

// MeansDesign is a planned two-arm comparison of means with a two-sided
// two-sample t test.
type MeansDesign struct {
	// Delta is the true difference in means (treatment − control); its sign
	// is ignored. MDETwoMeans ignores it.
	Delta float64 `json:"delta"`
	// SD is the common within-arm standard deviation, positive.
	SD float64 `json:"sd"`
	// Alpha is the two-sided significance level, in (0, 1).
	Alpha float64 `json:"alpha"`
	// Ratio is the allocation ratio n1/n2; 0 means 1.
	Ratio float64 `json:"ratio"`
	// Cluster describes cluster randomization; the zero value means none.
	Cluster ClusterDesign `json:"cluster"`
}

// PowerResult is the power of a design at given arm sizes.
type PowerResult struct {
	// N1 and N2 are the treatment- and control-arm sizes in units.
	N1 float64 `json:"n1"`
	N2 float64 `json:"n2"`
	// Clusters1 and Clusters2 are N1 and N2 divided by the cluster size
	// (zero without clustering).
	Clusters1    float64 `json:"clusters1,omitempty"`
	Clusters2    float64 `json:"clusters2,omitempty"`
	DesignEffect float64 `json:"design_effect"`
	Power        float64 `json:"power"`
	Alpha        float64 `json:"alpha"`
}

// SampleSizeResult is the arm size a design needs for a target power.
type SampleSizeResult struct {
	// N2 is the unrounded control-arm size in units that gives exactly the
	// target power (R's n), and N1 = Ratio·N2 the treatment-arm size.
	N1 float64 `json:"n1"`
	N2 float64 `json:"n2"`
	// N1Units and N2Units round N1 and N2 up to whole units (to whole
	// clusters, times the cluster size, when clustered), and Total is their
	// sum.
	N1Units int `json:"n1_units"`
	N2Units int `json:"n2_units"`
	Total   int `json:"total"`
	// Clusters1 and Clusters2 are the whole clusters per arm (zero without
	// clustering).
	Clusters1    int     `json:"clusters1,omitempty"`
	Clusters2    int     `json:"clusters2,omitempty"`
	DesignEffect float64 `json:"design_effect"`
	// TargetPower is the power asked for; AchievedPower the power at the
	// rounded sizes.
	TargetPower   float64  `json:"target_power"`
	AchievedPower float64  `json:"achieved_power"`
	Alpha         float64  `json:"alpha"`
	Warnings      []string `json:"warnings,omitempty"`
}

// MDEResult is the minimum detectable effect of a design.
type MDEResult struct {
	N1    float64 `json:"n1"`
	N2    float64 `json:"n2"`
	Power float64 `json:"power"`
	Alpha float64 `json:"alpha"`
	// For proportions: Decrease is the largest treatment proportion below
	// the control proportion, and Increase the smallest above it, that are
	// detected with the given power; nil when no proportion in (0, 1) is.
	// For means both hold the detectable difference in means (−Delta,
	// +Delta).
	Decrease *float64 `json:"decrease"`
	Increase *float64 `json:"increase"`
	// RelativeDecrease is 1 − Decrease/P2 for proportions (the relative
	// reduction detectable), nil otherwise.
	RelativeDecrease *float64 `json:"relative_decrease,omitempty"`
}

// PowerPoint is one point of a power curve.
type PowerPoint struct {
	N1    float64 `json:"n1"`
	N2    float64 `json:"n2"`
	Power float64 `json:"power"`
}

func ratioOrOne(r float64) float64 {
	if r == 0 {
		return 1
	}
	return r
}

func checkAlpha(alpha float64) error {
	if !(alpha > 0 && alpha < 1) {
		return fmt.Errorf("alpha must be in (0, 1), got %v", alpha)
	}
	return nil
}

func checkRatio(r float64) error {
	if !(r >= 0) || math.IsInf(r, 0) {
		return fmt.Errorf("allocation ratio must be positive and finite, got %v", r)
	}
	return nil
}

func checkProb(name string, p float64) error {
	if !(p > 0 && p < 1) {
		return fmt.Errorf("%s must be in (0, 1), got %v", name, p)
	}
	return nil
}

func (d ProportionsDesign) validate(needP1 bool) error {
	if needP1 {
		if err := checkProb("p1", d.P1); err != nil {
			return err
		}
	}
	if err := checkProb("p2", d.P2); err != nil {
		return err
	}
	if err := checkAlpha(d.Alpha); err != nil {
		return err
	}
	if err := checkRatio(d.Ratio); err != nil {
		return err
	}
	return d.Cluster.validate()
}

// powerProp is the power of the two-sided pooled z test for p1 against p2
// with n2 control units: R's power.prop.test (strict = FALSE) generalized to
// unequal allocation and clustering,
//
//	Φ((|p1−p2| − z·√(DE·p̄q̄(1/n1+1/n2))) / √(DE·(p1q1/n1 + p2q2/n2)))
//
// with p̄ = (n1p1 + n2p2)/(n1+n2), which is R's formula when n1 = n2.
func (d ProportionsDesign) powerProp(p1, n2 float64) float64 {
	return d.powerPropSizes(p1, ratioOrOne(d.Ratio)*n2, n2)
}

// powerPropSizes is powerProp at arm sizes n1 and n2.
func (d ProportionsDesign) powerPropSizes(p1, n1, n2 float64) float64 {
	de := d.Cluster.DesignEffect()
	pbar := (n1*p1 + n2*d.P2) / (n1 + n2)
	z := -stdNormal.Quantile(d.Alpha / 2)
	null := math.Sqrt(de * pbar * (1 - pbar) * (1/n1 + 1/n2))
	alt := math.Sqrt(de * (p1*(1-p1)/n1 + d.P2*(1-d.P2)/n2))
	return stdNormal.CDF((math.Abs(p1-d.P2) - z*null) / alt)
}

// PowerTwoProportions returns the power of the design with n2 control
// units (and Ratio·n2 treatment units), as R's
// power.prop.test(n, p1, p2, sig.level) when Ratio is 1 and there is no
// clustering. Clustering divides each arm's effective size by the design
// effect. n2 must be positive.
func PowerTwoProportions(d ProportionsDesign, n2 float64) (PowerResult, error) {
	if err := d.validate(true); err != nil {
		return PowerResult{}, fmt.Errorf("power of two proportions: %w", err)
	}
	if !(n2 > 0) || math.IsInf(n2, 0) {
		return PowerResult{}, fmt.Errorf("power of two proportions: arm size must be positive and finite, got %v", n2)
	}
	p := d.powerProp(d.P1, n2)
	if math.IsNaN(p) {
		return PowerResult{}, fmt.Errorf("power of two proportions: the power is not computable for this design")
	}
	return powerResult(ratioOrOne(d.Ratio), n2, d.Cluster, d.Alpha, p), nil
}

func powerResult(k, n2 float64, c ClusterDesign, alpha, power float64) PowerResult {
	r := PowerResult{N1: k * n2, N2: n2, DesignEffect: c.DesignEffect(), Power: power, Alpha: alpha}
	if c.clustered() {
		r.Clusters1, r.Clusters2 = r.N1/c.ClusterSize, r.N2/c.ClusterSize
	}
	return r
}

// SampleSizeTwoProportions returns the arm sizes that give the target
// power, solving the power equation of PowerTwoProportions for the control
// arm size exactly (R's power.prop.test(p1, p2, sig.level, power)$n when
// Ratio is 1 and there is no clustering). P1 and P2 must differ and power
// must lie in (0, 1).
func SampleSizeTwoProportions(d ProportionsDesign, power float64) (SampleSizeResult, error) {
	if err := d.validate(true); err != nil {
		return SampleSizeResult{}, fmt.Errorf("sample size for two proportions: %w", err)
	}
	if d.P1 == d.P2 {
		return SampleSizeResult{}, fmt.Errorf("sample size for two proportions: p1 equals p2: no sample size detects a zero effect")
	}
	r, err := solveSampleSize(func(n1, n2 float64) float64 { return d.powerPropSizes(d.P1, n1, n2) }, power, ratioOrOne(d.Ratio), d.Cluster, d.Alpha)
	if err != nil {
		return SampleSizeResult{}, fmt.Errorf("sample size for two proportions: %w", err)
	}
	return r, nil
}

// solveSampleSize solves pow(k·n2, n2) = target for n2 and rounds the
// arm sizes up.
func solveSampleSize(pow func(n1, n2 float64) float64, target, k float64, c ClusterDesign, alpha float64) (SampleSizeResult, error) {
	if !(target > 0 && target < 1) {
		return SampleSizeResult{}, fmt.Errorf("target power must be in (0, 1), got %v", target)
	}
	res := SampleSizeResult{DesignEffect: c.DesignEffect(), TargetPower: target, Alpha: alpha}
	f := func(n float64) float64 { return pow(k*n, n) - target }
	lo, hi := float64(minArmSize), maxArmSize
	if c.clustered() {
		// At least three clusters in all, so that a cluster-level
		// analysis has a degree of freedom.
		lo = math.Max(lo, 3*c.ClusterSize/(1+k))
	}
	flo, fhi := f(lo), f(hi)
	var n2 float64
	switch {
	case flo >= 0:
		n2 = lo
		res.Warnings = append(res.Warnings, fmt.Sprintf("the effect is so large that the smallest design searched (%g units in the control arm) already reaches the target power", lo))
	case fhi < 0:
		return SampleSizeResult{}, fmt.Errorf("more than %g units per arm would be needed", maxArmSize)
	default:
		var err error
		n2, err = zeroin(f, lo, hi, flo, fhi, 1e-10)
		if err != nil {
			return SampleSizeResult{}, err
		}
	}
	res.N2, res.N1 = n2, k*n2
	if c.clustered() {
		res.Clusters1 = int(math.Ceil(res.N1/c.ClusterSize - 1e-9))
		res.Clusters2 = int(math.Ceil(res.N2/c.ClusterSize - 1e-9))
		res.N1Units = int(math.Ceil(float64(res.Clusters1)*c.ClusterSize - 1e-9))
		res.N2Units = int(math.Ceil(float64(res.Clusters2)*c.ClusterSize - 1e-9))
		if res.Clusters1+res.Clusters2 < 20 {
			res.Warnings = append(res.Warnings, fmt.Sprintf("only %d clusters in all: cluster-robust inference with fewer than 20 clusters is unreliable", res.Clusters1+res.Clusters2))
		}
	} else {
		res.N1Units = int(math.Ceil(res.N1 - 1e-9))
		res.N2Units = int(math.Ceil(res.N2 - 1e-9))
	}
	res.Total = res.N1Units + res.N2Units
	res.AchievedPower = pow(float64(res.N1Units), float64(res.N2Units))
	return res, nil
}

// MDETwoProportions returns the treatment proportions closest to d.P2 (on
// each side) that the design detects with the given power with n2 control
// units; d.P1 is ignored. The decrease is what an intervention that cuts a
// DFW rate must achieve.
func MDETwoProportions(d ProportionsDesign, n2, power float64) (MDEResult, error) {
	if err := d.validate(false); err != nil {
		return MDEResult{}, fmt.Errorf("minimum detectable proportion: %w", err)
	}
	if !(n2 > 0) || math.IsInf(n2, 0) {
		return MDEResult{}, fmt.Errorf("minimum detectable proportion: arm size must be positive and finite, got %v", n2)
	}
	if !(power > 0 && power < 1) {
		return MDEResult{}, fmt.Errorf("minimum detectable proportion: power must be in (0, 1), got %v", power)
	}
	k := ratioOrOne(d.Ratio)
	r := MDEResult{N1: k * n2, N2: n2, Power: power, Alpha: d.Alpha}
	f := func(p1 float64) float64 { return d.powerProp(p1, n2) - power }
	const edge = 1e-12
	if lo, hi := edge, d.P2; f(lo) > 0 {
		if p, err := zeroin(f, lo, hi, f(lo), f(hi), 1e-13); err == nil {
			r.Decrease = &p
			rel := 1 - p/d.P2
			r.RelativeDecrease = &rel
		}
	}
	if lo, hi := d.P2, 1-edge; f(hi) > 0 {
		if p, err := zeroin(f, lo, hi, f(lo), f(hi), 1e-13); err == nil {
			r.Increase = &p
		}
	}
	return r, nil
}

// PowerCurveTwoProportions returns the power of the design at each control
// arm size in n2s (each positive).
func PowerCurveTwoProportions(d ProportionsDesign, n2s []float64) ([]PowerPoint, error) {
	out := make([]PowerPoint, 0, len(n2s))
	for _, n := range n2s {
		p, err := PowerTwoProportions(d, n)
		if err != nil {
			return nil, err
		}
		out = append(out, PowerPoint{N1: p.N1, N2: p.N2, Power: p.Power})
	}
	return out, nil
}

func (d MeansDesign) validate(needDelta bool) error {
	if needDelta && (math.IsNaN(d.Delta) || math.IsInf(d.Delta, 0)) {
		return fmt.Errorf("delta must be finite, got %v", d.Delta)
	}
	if !(d.SD > 0) || math.IsInf(d.SD, 0) {
		return fmt.Errorf("sd must be positive and finite, got %v", d.SD)
	}
	if err := checkAlpha(d.Alpha); err != nil {
		return err
	}
	if err := checkRatio(d.Ratio); err != nil {
		return err
	}
	return d.Cluster.validate()
}

// powerMeans is the power of the two-sided two-sample t test, R's
// power.t.test (strict = FALSE):
//
//	P(T'(ν, λ) > t(1−α/2, ν)),  λ = |δ| / (sd·√(DE·(1/n1 + 1/n2)))
//
// with T' noncentral t, ν = n1 + n2 − 2 (R: 2·max(1e-7, n−1)), and for a
// cluster-randomized design ν = clusters − 2, the degrees of freedom of a
// cluster-level analysis.
func (d MeansDesign) powerMeans(delta, n2 float64) float64 {
	return d.powerMeansSizes(delta, ratioOrOne(d.Ratio)*n2, n2)
}

// powerMeansSizes is powerMeans at arm sizes n1 and n2.
func (d MeansDesign) powerMeansSizes(delta, n1, n2 float64) float64 {
	nu := math.Max(1e-7, n2-1) * 2
	if n1 != n2 {
		nu = math.Max(1e-7, n1+n2-2)
	}
	if d.Cluster.clustered() {
		nu = math.Max(1e-7, (n1+n2)/d.Cluster.ClusterSize-2)
	}
	ncp := math.Abs(delta) / (d.SD * math.Sqrt(d.Cluster.DesignEffect()*(1/n1+1/n2)))
	// R's power.t.test is the reference, and R's qt is exact: the exact
	// quantile, not scipy's (cdflib.go).
	q := tUpper(d.Alpha/2, nu)
	return noncentralTSurvival(q, nu, ncp)
}

// PowerTwoMeans returns the power of the design with n2 control units, as
// R's power.t.test(n, delta, sd, sig.level) when Ratio is 1 and there is no
// clustering. Each arm needs at least 2 units.
func PowerTwoMeans(d MeansDesign, n2 float64) (PowerResult, error) {
	if err := d.validate(true); err != nil {
		return PowerResult{}, fmt.Errorf("power of two means: %w", err)
	}
	k := ratioOrOne(d.Ratio)
	if !(n2 >= minArmSize && k*n2 >= minArmSize) || math.IsInf(n2, 0) {
		return PowerResult{}, fmt.Errorf("power of two means: each arm needs at least %d units, got %v and %v", minArmSize, k*n2, n2)
	}
	p := d.powerMeans(d.Delta, n2)
	if math.IsNaN(p) {
		return PowerResult{}, fmt.Errorf("power of two means: the power is not computable for this design (too few clusters or degrees of freedom)")
	}
	return powerResult(k, n2, d.Cluster, d.Alpha, p), nil
}

// SampleSizeTwoMeans returns the arm sizes that give the target power,
// solving the power equation exactly (R's power.t.test(delta, sd,
// sig.level, power)$n when Ratio is 1 and there is no clustering). Delta
// must be non-zero.
func SampleSizeTwoMeans(d MeansDesign, power float64) (SampleSizeResult, error) {
	if err := d.validate(true); err != nil {
		return SampleSizeResult{}, fmt.Errorf("sample size for two means: %w", err)
	}
	if d.Delta == 0 {
		return SampleSizeResult{}, fmt.Errorf("sample size for two means: delta is zero: no sample size detects a zero effect")
	}
	r, err := solveSampleSize(func(n1, n2 float64) float64 { return d.powerMeansSizes(d.Delta, n1, n2) }, power, ratioOrOne(d.Ratio), d.Cluster, d.Alpha)
	if err != nil {
		return SampleSizeResult{}, fmt.Errorf("sample size for two means: %w", err)
	}
	return r, nil
}

// MDETwoMeans returns the smallest difference in means that the design
// detects with the given power with n2 control units (d.Delta is ignored),
// as R's power.t.test(n, sd, sig.level, power)$delta.
func MDETwoMeans(d MeansDesign, n2, power float64) (MDEResult, error) {
	if err := d.validate(false); err != nil {
		return MDEResult{}, fmt.Errorf("minimum detectable difference: %w", err)
	}
	if !(n2 > 0) || math.IsInf(n2, 0) {
		return MDEResult{}, fmt.Errorf("minimum detectable difference: arm size must be positive and finite, got %v", n2)
	}
	if !(power > 0 && power < 1) {
		return MDEResult{}, fmt.Errorf("minimum detectable difference: power must be in (0, 1), got %v", power)
	}
	k := ratioOrOne(d.Ratio)
	f := func(delta float64) float64 { return d.powerMeans(delta, n2) - power }
	lo, hi := d.SD*1e-7, d.SD*1e7
	delta, err := zeroin(f, lo, hi, f(lo), f(hi), 1e-12*d.SD)
	if err != nil {
		return MDEResult{}, fmt.Errorf("minimum detectable difference: %w", err)
	}
	neg := -delta
	return MDEResult{N1: k * n2, N2: n2, Power: power, Alpha: d.Alpha, Decrease: &neg, Increase: &delta}, nil
}

// PowerCurveTwoMeans returns the power of the design at each control arm
// size in n2s (each positive).
func PowerCurveTwoMeans(d MeansDesign, n2s []float64) ([]PowerPoint, error) {
	out := make([]PowerPoint, 0, len(n2s))
	for _, n := range n2s {
		p, err := PowerTwoMeans(d, n)
		if err != nil {
			return nil, err
		}
		out = append(out, PowerPoint{N1: p.N1, N2: p.N2, Power: p.Power})
	}
	return out, nil
}

// noncentralTSurvival returns P(T > t) for T noncentral t with nu degrees of
// freedom and noncentrality ncp (Lenth's algorithm AS 243, as R's pt).
func noncentralTSurvival(t, nu, ncp float64) float64 {
	return 1 - distuv.NoncentralT{Nu: nu, Mu: ncp}.CDF(t)
}
