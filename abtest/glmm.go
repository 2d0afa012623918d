package abtest

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/evalrun/evalrun/multilevel"
)

// MixedEffectNote says what MixedLogisticEffect estimates; reports print it
// beside the result.
const MixedEffectNote = "sensitivity analysis: random-intercept logistic regression (treatment fixed, a random intercept per cluster; lme4 glmer, Laplace approximation). Its odds ratio is conditional (the effect within a cluster), not the population-average difference the cluster-robust analysis estimates; its ICC is on the latent (log-odds) scale, with residual variance π²/3"

// MixedEffectResult is the GLMM analysis of a cluster-randomized binary
// outcome: logit P(y = 1) = β0 + β1·treated + σ·v_cluster, v ~ N(0, 1).
type MixedEffectResult struct {
	// OddsRatio is the conditional (cluster-specific) odds ratio exp(β1)
	// with its Wald interval exp(β1 ± z·SE) and Wald z-test p-value.
	OddsRatio float64  `json:"conditional_odds_ratio"`
	CI        Interval `json:"ci"`
	PValue    float64  `json:"p_value"`
	// LogOddsRatio is β1 and SE its standard error (from the observed
	// information of (β, σ), as lme4's vcov).
	LogOddsRatio float64 `json:"log_odds_ratio"`
	SE           float64 `json:"se"`
	// ClusterSD is σ, the SD of the clusters' random intercepts; ICC is
	// σ²/(σ² + π²/3), the latent-scale intraclass correlation.
	ClusterSD float64 `json:"cluster_sd"`
	ICC       float64 `json:"icc"`
	// SingularFit says σ was estimated at 0 (lme4's singular fit): the
	// analysis is then plain logistic regression, ignoring clustering.
	SingularFit bool    `json:"singular_fit"`
	Clusters    int     `json:"clusters"`
	LogLik      float64 `json:"loglik"`
	// Note says what the analysis is (MixedEffectNote).
	Note     string   `json:"note"`
	Warnings []string `json:"warnings,omitempty"`
}

// MixedLogisticEffect fits the random-intercept logistic regression of a
// 0/1 outcome on treatment with a random intercept per cluster by the
// Laplace approximation (package multilevel; lme4 glmer(y ~ treated +
// (1 | cluster), binomial)) and returns the conditional odds ratio of
// treatment with its Wald interval at level, the cluster SD and the
// latent-scale ICC. It is a sensitivity analysis beside the cluster-robust
// one, not a replacement: the two estimate different quantities.
//
// Errors: lengths that differ, outcomes other than 0/1, fewer than two
// clusters, no treated or no control unit, an outcome that never or always
// occurs, a level outside (0, 1), and a fit that does not converge, has no
// standard errors or an interval beyond exp(±700) (separation). Fewer than MinClusters clusters and a singular fit add
// warnings.
func MixedLogisticEffect(y []float64, treated []bool, cluster []string, level float64) (MixedEffectResult, error) {
	if err := checkLevel(level); err != nil {
		return MixedEffectResult{}, fmt.Errorf("mixed-effects analysis: %w", err)
	}
	if len(treated) != len(y) || len(cluster) != len(y) {
		return MixedEffectResult{}, fmt.Errorf("mixed-effects analysis: %d outcomes, %d treatment flags, %d cluster labels", len(y), len(treated), len(cluster))
	}
	d := multilevel.Data{Cols: 1, Names: []string{"treated"}, X: make([]float64, len(y)), Y: y, Group: cluster}
	var n1 int
	for i, t := range treated {
		if t {
			d.X[i] = 1
			n1++
		}
	}
	if n1 == 0 || n1 == len(y) {
		return MixedEffectResult{}, fmt.Errorf("mixed-effects analysis: %d of %d units treated: need both arms", n1, len(y))
	}
	fit, err := multilevel.FitRandomIntercept(context.Background(), d, multilevel.Options{})
	if err != nil {
		return MixedEffectResult{}, fmt.Errorf("mixed-effects analysis: %w", err)
	}
	if fit.SE == nil || len(fit.Dropped) > 0 || !fit.Converged {
		return MixedEffectResult{}, fmt.Errorf("mixed-effects analysis: the treatment effect is not identified (separation or too few events): %s", strings.Join(fit.Warnings, "; "))
	}
	b, se := fit.Beta[1], fit.SE[1]
	z := zCrit(level)
	if lo, hi := b-z*se, b+z*se; math.IsNaN(se) || math.Abs(lo) > 700 || math.Abs(hi) > 700 {
		return MixedEffectResult{}, fmt.Errorf("mixed-effects analysis: the log odds ratio interval (%g to %g) is unbounded: separation or too few events", lo, hi)
	}
	r := MixedEffectResult{
		OddsRatio: math.Exp(b), CI: Interval{Lower: math.Exp(b - z*se), Upper: math.Exp(b + z*se)},
		PValue:       2 * stdNormal.Survival(math.Abs(b/se)),
		LogOddsRatio: b, SE: se, ClusterSD: fit.SD, ICC: fit.ICC(), SingularFit: fit.Singular,
		Clusters: len(fit.Groups), LogLik: fit.LogLik, Note: MixedEffectNote, Warnings: fit.Warnings,
	}
	if r.Clusters < MinClusters {
		r.Warnings = append(r.Warnings, fmt.Sprintf("only %d clusters (fewer than %d): the random-intercept SD and the Wald interval are imprecise", r.Clusters, MinClusters))
	}
	if r.SingularFit {
		r.Warnings = append(r.Warnings, "singular fit: the cluster SD is estimated at 0, so this is plain logistic regression")
	}
	return r, nil
}
