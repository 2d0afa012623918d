package fairness

// Gap is one fairness gap of an attribute or intersection.
//
// In the named- or largest-reference modes, Group is the compared group
// and Reference its comparator; a difference is Group's value minus
// Reference's (signed), a ratio Group's over Reference's. In
// ReferenceBetween mode, summaries have Group "" and Reference
// BetweenGroups: a difference is the largest minus the smallest group value
// and a ratio the smallest over the largest, over the groups whose value is
// defined (the others are named in SkippedGroups). abroca is always one
// group against the comparator group.
//
// equalized_odds_difference is the larger of |TPR gap| and |FPR gap| (so
// it is non-negative); equalized_odds_ratio is, with a reference group, the
// TPR or FPR ratio farther from 1 on the log scale, and between groups the
// smaller of the two min/max ratios (fairlearn). ece_difference is the
// calibration gap: the difference of expected calibration errors (ECE is
// biased upward in small groups, so a small group tends to look worse).
// abroca and between-groups differences are non-negative and biased
// upward, so their percentile intervals can sit above the estimate in
// small groups; read them with their p-values.
//
// Lower and Upper are the percentile bootstrap interval at the audit's
// confidence level (R quantile type 7 over the replicates where the gap is
// defined) and StandardError the replicates' standard deviation; they are
// undefined without bootstrap replicates or when the gap is undefined in
// more than 10% of replicates (BootstrapUndefined counts them). PValue is
// the two-sided permutation p-value (1 + #{|T*| >= |T|}) / (1 + B) over
// the B permutations where the statistic is defined, and AdjustedPValue
// its multiple-testing adjustment across the audit (PermutationsRun counts
// the permutations behind it, fewer than requested when an ABROCA test
// stopped early, see AuditOptions.PermutationStopAfter); ratios are not tested
// separately (their difference is), and fnr_difference and fdr_difference
// carry the p-value of tpr_difference and ppv_difference, the same test.
// MinDetectableGap is the smallest true gap the sizes could detect (see
// MinDetectableGap); for a ratio it is the smallest detectable |ratio - 1|.
type Gap struct {
	Metric             string            `json:"metric"`
	Group              string            `json:"group,omitempty"`
	Reference          string            `json:"reference"`
	Estimate           Estimate          `json:"estimate"`
	Lower              Estimate          `json:"lower"`
	Upper              Estimate          `json:"upper"`
	StandardError      Estimate          `json:"standard_error"`
	PValue             Estimate          `json:"p_value"`
	AdjustedPValue     Estimate          `json:"adjusted_p_value"`
	MinDetectableGap   Estimate          `json:"min_detectable_gap"`
	SkippedGroups      []string          `json:"skipped_groups,omitempty"`
	BootstrapUndefined int               `json:"bootstrap_undefined"`
	PermutationsRun    int               `json:"permutations_run"`
	Undefined          map[string]string `json:"undefined,omitempty"`
}

func (g *Gap) fields() []namedEstimate {
	return []namedEstimate{
		{"estimate", g.Estimate}, {"lower", g.Lower}, {"upper", g.Upper},
		{"standard_error", g.StandardError}, {"p_value", g.PValue},
		{"adjusted_p_value", g.AdjustedPValue}, {"min_detectable_gap", g.MinDetectableGap},
	}
}

// AttributeResult is the audit of one attribute or intersection.
// Reference is the comparator group: the named or largest group, or in
// ReferenceBetween mode the largest group (used by abroca and Disparity);
// it is "" when no group is reported. Groups lists every group, suppressed
// ones included, by name with missing groups last. Disparity holds every
// reported group's Aequitas disparities against Reference.
type AttributeResult struct {
	Name          string           `json:"name"`
	Components    []string         `json:"components,omitempty"`
	ReferenceMode ReferenceMode    `json:"reference_mode"`
	Reference     string           `json:"reference"`
	Groups        []GroupMetrics   `json:"groups"`
	Disparity     []GroupDisparity `json:"disparity"`
	Gaps          []Gap            `json:"gaps"`
	Warnings      []string         `json:"warnings"`
}

// AuditResult is the result of Audit: the options it ran with, each
// attribute's and intersection's results in input order (attributes, then
// intersections), the verdicts and the overall status.
type AuditResult struct {
	Rows                 int               `json:"rows"`
	Threshold            float64           `json:"threshold"`
	MinGroupSize         int               `json:"min_group_size"`
	CalibrationBins      int               `json:"calibration_bins"`
	BootstrapReplicates  int               `json:"bootstrap_replicates"`
	Permutations         int               `json:"permutations"`
	PermutationStopAfter int               `json:"permutation_stop_after"`
	ConfidenceLevel      float64           `json:"confidence_level"`
	Seed                 uint64            `json:"seed"`
	PValueAdjustment     Adjustment        `json:"p_value_adjustment"`
	VerdictRule          VerdictRule       `json:"verdict_rule"`
	Power                float64           `json:"power"`
	Alpha                float64           `json:"alpha"`
	Metrics              []string          `json:"metrics"`
	Attributes           []AttributeResult `json:"attributes"`
	Verdicts             []Verdict         `json:"verdicts"`
	Status               Outcome           `json:"status"`
	Warnings             []string          `json:"warnings"`
}
