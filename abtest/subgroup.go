package abtest

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// EffectScale is the scale on which subgroup effects and their interaction
// are modelled.
type EffectScale string

const (
	// ScaleDifference models the outcome linearly (risk or mean
	// difference) by OLS with HC2 robust errors.
	ScaleDifference EffectScale = "difference"
	// ScaleLogOdds models a binary outcome by logistic regression: effects
	// are log odds ratios with model-based (Wald) errors.
	ScaleLogOdds EffectScale = "log-odds"
)

// SubgroupLevel is the treatment effect within one level of a subgroup
// attribute.
type SubgroupLevel struct {
	Level string `json:"level"`
	// N1 and N2 are the treated and control units in the level.
	N1 int `json:"n1"`
	N2 int `json:"n2"`
	// Effect is the treatment effect in the level on the model scale
	// (difference, or log odds ratio), with its standard error, interval
	// and two-sided p-value.
	Effect float64  `json:"effect"`
	SE     float64  `json:"se"`
	CI     Interval `json:"ci"`
	PValue float64  `json:"p_value"`
	// OddsRatio is exp(Effect) with its interval, on the log-odds scale
	// only.
	OddsRatio   *float64  `json:"odds_ratio,omitempty"`
	OddsRatioCI *Interval `json:"odds_ratio_ci,omitempty"`
}

// SubgroupOptions configures SubgroupEffects.
type SubgroupOptions struct {
	// Scale is the effect scale ("" means ScaleDifference).
	Scale EffectScale
	// Cluster, when non-nil, holds each unit's cluster: errors are then
	// cluster-robust (CR1; on the difference scale t and F tests on G − 1
	// denominator degrees of freedom, as statsmodels cov_type="cluster").
	Cluster []string
	// Level is the confidence level, in (0, 1).
	Level float64
	// MinLevelSize suppresses levels with fewer units (both arms
	// together): they are excluded with a warning, so that no effect or
	// rate of a small group is reported (a small-cell rule). 0 keeps every
	// level.
	MinLevelSize int
}

// SubgroupResult is a subgroup analysis: per-level effects and a test that
// the effect is the same in every level (treatment × subgroup
// interaction).
type SubgroupResult struct {
	Scale  EffectScale     `json:"scale"`
	Levels []SubgroupLevel `json:"levels"`
	// InteractionStat is the Wald statistic for equal effects across
	// levels with InteractionDF restrictions (levels − 1). On the difference
	// scale the p-value is from F(InteractionDF, N − 2·levels) of
	// InteractionStat/InteractionDF (t² for two levels), with G − 1
	// denominator degrees of freedom when clustered; on the log-odds scale
	// from chi-square(InteractionDF).
	InteractionStat float64  `json:"interaction_stat"`
	InteractionDF   int      `json:"interaction_df"`
	InteractionP    float64  `json:"interaction_p"`
	Level           float64  `json:"level"`
	Warnings        []string `json:"warnings,omitempty"`
}

// SubgroupEffects estimates the treatment effect within each level of the
// subgroup attribute groups (one label per unit, "" for missing: such units
// are excluded and counted in Warnings) and tests the interaction, in the
// model y ~ level + treatment:level (one intercept and one treatment effect
// per level; equivalent to the model with a treatment × subgroup
// interaction term). The difference scale uses OLS with HC2 errors (CR1
// when clustered), the log-odds scale logistic regression with model-based
// errors (cluster-robust sandwich with the CR1 factor when clustered).
// Levels lacking treated or control units are excluded with a warning; at
// least two levels must remain. On the log-odds scale y must be 0/1 and no
// level × arm cell may hold only events or only non-events (the logistic
// estimate would not exist).
func SubgroupEffects(y []float64, treated []bool, groups []string, opts SubgroupOptions) (SubgroupResult, error) {
	scale, level := opts.Scale, opts.Level
	if scale == "" {
		scale = ScaleDifference
	}
	if opts.Cluster != nil && len(opts.Cluster) != len(y) {
		return SubgroupResult{}, fmt.Errorf("subgroup effects: %d outcomes but %d cluster labels", len(y), len(opts.Cluster))
	}
	if _, _, err := checkTreated(len(y), treated, "subgroup effects"); err != nil {
		return SubgroupResult{}, err
	}
	if len(groups) != len(y) {
		return SubgroupResult{}, fmt.Errorf("subgroup effects: %d outcomes but %d subgroup labels", len(y), len(groups))
	}
	if err := checkLevel(level); err != nil {
		return SubgroupResult{}, fmt.Errorf("subgroup effects: %w", err)
	}
	if err := checkFinite("subgroup effects: y", y); err != nil {
		return SubgroupResult{}, err
	}
	if scale != ScaleDifference && scale != ScaleLogOdds {
		return SubgroupResult{}, fmt.Errorf("subgroup effects: unknown scale %q", scale)
	}
	res := SubgroupResult{Scale: scale, Level: level}
	type cell struct{ n1, n2, ev1, ev2 int }
	cells := map[string]*cell{}
	missing := 0
	for i, g := range groups {
		if g == "" {
			missing++
			continue
		}
		c := cells[g]
		if c == nil {
			c = &cell{}
			cells[g] = c
		}
		if scale == ScaleLogOdds && y[i] != 0 && y[i] != 1 {
			return SubgroupResult{}, fmt.Errorf("subgroup effects: log-odds scale needs a 0/1 outcome, got y[%d] = %v", i, y[i])
		}
		if treated[i] {
			c.n1++
			c.ev1 += int(y[i])
		} else {
			c.n2++
			c.ev2 += int(y[i])
		}
	}
	if missing > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d units with no subgroup label excluded", missing))
	}
	all := make([]string, 0, len(cells))
	for g := range cells {
		all = append(all, g)
	}
	sort.Strings(all)
	var levels []string
	for _, g := range all {
		c := cells[g]
		if c.n1+c.n2 < opts.MinLevelSize {
			res.Warnings = append(res.Warnings, fmt.Sprintf("subgroup %q has fewer than %d units (min_group_size): suppressed, excluded from the analysis", g, opts.MinLevelSize))
			continue
		}
		if c.n1 == 0 || c.n2 == 0 {
			res.Warnings = append(res.Warnings, fmt.Sprintf("subgroup %q has units in one arm only: excluded", g))
			continue
		}
		if scale == ScaleLogOdds && (c.ev1 == 0 || c.ev1 == c.n1 || c.ev2 == 0 || c.ev2 == c.n2) {
			return SubgroupResult{}, fmt.Errorf("subgroup effects: subgroup %q has an arm with only events or only non-events: the log odds ratio does not exist; use the difference scale", g)
		}
		levels = append(levels, g)
	}
	if len(levels) < 2 {
		return SubgroupResult{}, fmt.Errorf("subgroup effects: %d usable subgroup level(s): an interaction needs at least 2", len(levels))
	}
	index := make(map[string]int, len(levels))
	for k, g := range levels {
		index[g] = k
	}
	var rows []int
	for i, g := range groups {
		if _, ok := index[g]; ok {
			rows = append(rows, i)
		}
	}
	L := len(levels)
	x := mat.NewDense(len(rows), 2*L, nil)
	yy := make([]float64, len(rows))
	for r, i := range rows {
		k := index[groups[i]]
		x.Set(r, k, 1)
		if treated[i] {
			x.Set(r, L+k, 1)
		}
		yy[r] = y[i]
	}
	var clusterIdx []int
	var g int
	if opts.Cluster != nil {
		clusterIdx, g = clusterIndex(pickStrings(opts.Cluster, rows))
		if g < 2 {
			return SubgroupResult{}, fmt.Errorf("subgroup effects: %d cluster(s): cluster-robust errors need at least 2", g)
		}
		if g < MinClusters {
			res.Warnings = append(res.Warnings, fmt.Sprintf("only %d clusters (fewer than %d): cluster-robust standard errors and p-values are unreliable", g, MinClusters))
		}
	}
	var beta []float64
	var cov mat.Matrix
	var df float64
	if scale == ScaleDifference {
		fit, err := fitOLS(x, yy)
		if err != nil {
			return SubgroupResult{}, fmt.Errorf("subgroup effects: %w", err)
		}
		if clusterIdx != nil {
			beta, cov, df = fit.beta, fit.cr1Var(clusterIdx, g), float64(g-1)
		} else {
			v, err := fit.hc2Var()
			if err != nil {
				return SubgroupResult{}, fmt.Errorf("subgroup effects: %w", err)
			}
			beta, cov, df = fit.beta, v, float64(len(rows)-2*L)
		}
	} else {
		b, v, err := fitLogistic(x, yy)
		if err != nil {
			return SubgroupResult{}, fmt.Errorf("subgroup effects: %w", err)
		}
		beta, cov = b, v
		if clusterIdx != nil {
			cov = logisticClusterVar(x, yy, b, v, clusterIdx, g)
		}
	}
	for k, g := range levels {
		j := L + k
		se := math.Sqrt(cov.At(j, j))
		if !(se > 0) || !allFinite(se, beta[j]) {
			return SubgroupResult{}, fmt.Errorf("subgroup effects: the effect in subgroup %q has no usable standard error (%v): too few units or clusters", g, se)
		}
		lv := SubgroupLevel{Level: g, N1: cells[g].n1, N2: cells[g].n2, Effect: beta[j], SE: se}
		var q float64
		if scale == ScaleDifference {
			// statsmodels is the reference, and its conf_int takes scipy's
			// t.ppf: scipy's DCDFLIB quantile (cdflib.go).
			var err error
			if q, err = scipyTCrit(level, df); err != nil {
				return SubgroupResult{}, fmt.Errorf("subgroup effects: subgroup %q: %w", g, err)
			}
			lv.PValue = twoSidedTP(beta[j]/se, df)
		} else {
			q = zCrit(level)
			lv.PValue = twoSidedNormalP(beta[j] / se)
		}
		lv.CI = Interval{Lower: beta[j] - q*se, Upper: beta[j] + q*se}
		if scale == ScaleLogOdds {
			lv.OddsRatio = defined(math.Exp(beta[j]))
			lv.OddsRatioCI = &Interval{Lower: math.Exp(lv.CI.Lower), Upper: math.Exp(lv.CI.Upper)}
		}
		res.Levels = append(res.Levels, lv)
	}
	// Contrasts: effect of level k minus effect of level 0, k = 1..L-1.
	c := mat.NewDense(L-1, 2*L, nil)
	for k := 1; k < L; k++ {
		c.Set(k-1, L, -1)
		c.Set(k-1, L+k, 1)
	}
	w, q, err := waldTest(beta, cov, c)
	if err != nil {
		return SubgroupResult{}, fmt.Errorf("subgroup effects: interaction test: %w", err)
	}
	res.InteractionStat, res.InteractionDF = w, q
	if scale == ScaleDifference {
		res.InteractionP = fSurvival(w/float64(q), float64(q), df)
	} else {
		res.InteractionP = chiSquareP(w, float64(q))
	}
	return res, nil
}
