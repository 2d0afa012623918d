package abtest

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// ArmCount is the number of units assigned to an arm.
type ArmCount struct {
	Arm   string `json:"arm"`
	Units int    `json:"units"`
	// Clusters counts the arm's clusters (cluster-randomized pilots only).
	Clusters int `json:"clusters,omitempty"`
}

// OutcomeAttrition is the attrition check of one outcome.
type OutcomeAttrition struct {
	Outcome string `json:"outcome"`
	AttritionResult
}

// ArmBalance is the covariate balance of one arm against control.
type ArmBalance struct {
	Arm  string       `json:"arm"`
	Rows []BalanceRow `json:"rows"`
	// Suppressed counts, per categorical covariate, the levels with fewer
	// units than the small-cell rule allows, which have no row.
	Suppressed []SuppressedLevels `json:"suppressed,omitempty"`
}

// Checks are the checks a report shows before any effect.
type Checks struct {
	ArmSizes []ArmCount `json:"arm_sizes"`
	// SRM tests the assigned arm sizes against the planned allocation.
	SRM       SRMResult          `json:"srm"`
	Attrition []OutcomeAttrition `json:"attrition"`
	Balance   []ArmBalance       `json:"balance,omitempty"`
	// Problems lists balance rows that could not be computed (a covariate
	// missing in nearly a whole arm).
	Problems []string `json:"problems,omitempty"`
}

// Effect is the comparison of one arm with control on one outcome.
type Effect struct {
	Arm     string      `json:"arm"`
	Outcome string      `json:"outcome"`
	Kind    OutcomeKind `json:"kind"`
	Primary bool        `json:"primary"`
	// N1 and N2 are the treated and control units analysed.
	N1 int `json:"n1"`
	N2 int `json:"n2"`
	// Method names the analysis that gives Estimate, CI and PValue:
	// "cluster-robust" (OLS with any declared covariates, the outcome's
	// pre-period measure and stratum indicators, CR1, G−1 df),
	// "regression-hc2" (OLS with the declared covariates and pre-period
	// measure, and stratum indicators when stratified), "cuped" (the
	// pre-period measure is the only adjustment), "cmh" (CMH test,
	// Mantel-Haenszel-weighted risk difference), "fisher-exact" (small
	// expected counts), "z-test" (pooled z, Newcombe interval) or "welch".
	Method string `json:"method"`
	// Estimate is the difference treatment − control (risk difference or
	// difference in means).
	Estimate float64  `json:"estimate"`
	CI       Interval `json:"ci"`
	PValue   float64  `json:"p_value"`
	// AdjustedP and Rejected apply the plan's multiplicity control across
	// all arms and outcomes; Reason explains a procedural non-rejection.
	AdjustedP float64 `json:"adjusted_p"`
	Rejected  bool    `json:"rejected"`
	Reason    string  `json:"reason,omitempty"`

	// Binary outcomes.
	Proportions *TwoProportionsResult `json:"proportions,omitempty"`
	RiskRatio   *RatioResult          `json:"risk_ratio,omitempty"`
	OddsRatio   *RatioResult          `json:"odds_ratio,omitempty"`
	NNT         *NNTResult            `json:"nnt,omitempty"`
	Fisher      *FisherResult         `json:"fisher,omitempty"`
	// Continuous outcomes.
	Welch       *WelchResult       `json:"welch,omitempty"`
	MannWhitney *MannWhitneyResult `json:"mann_whitney,omitempty"`
	// Adjusted and design-based analyses, when they apply.
	CUPED        *CUPEDResult         `json:"cuped,omitempty"`
	Regression   *RegressionResult    `json:"regression,omitempty"`
	Cluster      *ClusterRobustResult `json:"cluster,omitempty"`
	CMH          *CMHResult           `json:"cmh,omitempty"`
	StratifiedRD *StratifiedRDResult  `json:"stratified_rd,omitempty"`
	Warnings     []string             `json:"warnings,omitempty"`

	// Mixed is the random-intercept logistic sensitivity analysis of a
	// cluster-randomized binary outcome (MixedLogisticEffect), beside the
	// cluster-robust analysis that gives Estimate; nil otherwise.
	Mixed *MixedEffectResult `json:"mixed,omitempty"`
}

// SubgroupAnalysis is one subgroup analysis of one arm on one primary
// outcome.
type SubgroupAnalysis struct {
	Arm       string `json:"arm"`
	Outcome   string `json:"outcome"`
	Attribute string `json:"attribute"`
	// Exploratory is true unless the subgroup was pre-declared.
	Exploratory bool `json:"exploratory"`
	SubgroupResult
	// AdjustedP is the interaction p-value adjusted with the plan's method
	// over all subgroup analyses that could be run.
	AdjustedP float64 `json:"adjusted_p"`
	// Error says why the analysis could not be run (too few usable
	// levels, separation on the log-odds scale); the other fields are then
	// empty.
	Error string `json:"error,omitempty"`
}

// ComplianceAnalysis is the complier average effect of one arm on one
// primary outcome.
type ComplianceAnalysis struct {
	Arm     string `json:"arm"`
	Outcome string `json:"outcome"`
	CACEResult
}

// Analysis is the complete analysis of a pilot.
type Analysis struct {
	Checks     Checks               `json:"checks"`
	Exclusions []Exclusion          `json:"exclusions,omitempty"`
	Effects    []Effect             `json:"effects"`
	Subgroups  []SubgroupAnalysis   `json:"subgroups,omitempty"`
	Compliance []ComplianceAnalysis `json:"compliance,omitempty"`
	Target     *TargetComparison    `json:"target,omitempty"`
	// Warnings collects the warnings a report must show prominently,
	// the sample-ratio-mismatch alarm first.
	Warnings []string `json:"warnings,omitempty"`
}

// Analyze runs the planned analysis of a pilot: checks (arm sizes, sample
// ratio mismatch, attrition, balance), then every arm against control on
// every outcome with multiplicity control, subgroup analyses of the
// primary outcomes, complier average effects when treatment received is
// recorded, and the comparison with the target. Units with a missing
// outcome are left out of that outcome's analysis (complete cases) and
// reported in Exclusions, as are units missing an adjustment covariate and
// units of strata that lack an arm. A subgroup analysis or balance row
// that cannot be computed is reported (SubgroupAnalysis.Error,
// Checks.Problems, Warnings) without stopping the analysis.
//
// Errors: an invalid plan; data the plan cannot be applied to (columns of
// the wrong length, unknown arm labels, a unit in two arms or listed twice,
// a cluster in two arms of a cluster-randomized pilot, a binary outcome
// with values other than 0/1), returned as an error wrapping a *DataError
// that lists every problem; and an arm left with fewer than 2 units with
// an outcome, or a model that cannot be fitted (collinear covariates), for
// which the error names the arm and outcome.
func Analyze(p Pilot, plan Plan) (Analysis, error) {
	if err := plan.validate(); err != nil {
		return Analysis{}, err
	}
	d, exclusions, err := validatePilot(p, plan)
	if err != nil {
		return Analysis{}, fmt.Errorf("analyze: %w", err)
	}
	a := Analysis{Exclusions: exclusions}
	if err := a.runChecks(d, plan); err != nil {
		return Analysis{}, fmt.Errorf("analyze: %w", err)
	}
	for _, o := range plan.Outcomes {
		for _, arm := range plan.Arms {
			if arm == plan.Control {
				continue
			}
			e, ex, err := analyzeEffect(d, plan, o, arm)
			if err != nil {
				return Analysis{}, fmt.Errorf("analyze: %s vs %s on %s: %w", arm, plan.Control, o.Name, err)
			}
			a.Exclusions = append(a.Exclusions, ex...)
			a.Effects = append(a.Effects, e)
		}
	}
	hyps := make([]Hypothesis, len(a.Effects))
	for i, e := range a.Effects {
		hyps[i] = Hypothesis{Name: e.Arm + " vs " + plan.Control + ": " + e.Outcome, PValue: e.PValue, Primary: e.Primary}
	}
	decisions, err := MultipleTesting(hyps, plan.Multiplicity)
	if err != nil {
		return Analysis{}, fmt.Errorf("analyze: %w", err)
	}
	for i := range a.Effects {
		a.Effects[i].AdjustedP = decisions[i].AdjustedP
		a.Effects[i].Rejected = decisions[i].Rejected
		a.Effects[i].Reason = decisions[i].Reason
	}
	if err := a.runSubgroups(d, plan); err != nil {
		return Analysis{}, fmt.Errorf("analyze: %w", err)
	}
	if err := a.runCompliance(d, plan); err != nil {
		return Analysis{}, fmt.Errorf("analyze: %w", err)
	}
	if plan.Target != nil {
		tc, err := compareTarget(a.Effects, plan)
		if err != nil {
			return Analysis{}, fmt.Errorf("analyze: %w", err)
		}
		a.Target = &tc
	}
	a.collectWarnings(plan)
	return a, nil
}

func (a *Analysis) runChecks(d *unitData, plan Plan) error {
	counts := make([]int, len(plan.Arms))
	weights := plan.Allocation
	if weights == nil {
		weights = make([]float64, len(plan.Arms))
		for i := range weights {
			weights[i] = 1
		}
	}
	clusters := map[string]map[string]bool{}
	for i, arm := range d.arms {
		if d.clusters != nil {
			if clusters[arm] == nil {
				clusters[arm] = map[string]bool{}
			}
			clusters[arm][d.clusters[i]] = true
		}
	}
	for i, arm := range plan.Arms {
		counts[i] = d.assigned[arm]
		ac := ArmCount{Arm: arm, Units: d.assigned[arm]}
		if plan.ClusterRandomized {
			ac.Clusters = len(clusters[arm])
		}
		a.Checks.ArmSizes = append(a.Checks.ArmSizes, ac)
	}
	srm, err := SampleRatioMismatch(counts, weights)
	if err != nil {
		return err
	}
	a.Checks.SRM = srm
	for _, o := range plan.Outcomes {
		missing := make([]bool, d.n)
		for i, v := range d.outcomes[o.Name] {
			missing[i] = math.IsNaN(v)
		}
		att, err := Attrition(d.arms, missing, plan.Arms)
		if err != nil {
			return err
		}
		a.Checks.Attrition = append(a.Checks.Attrition, OutcomeAttrition{Outcome: o.Name, AttritionResult: att})
	}
	covNames := balanceCovariates(plan)
	for _, arm := range plan.Arms {
		if arm == plan.Control {
			continue
		}
		rows, treated := armRows(d, arm, plan.Control)
		ab := ArmBalance{Arm: arm}
		for _, name := range covNames {
			vals := pick(d.covs[name], rows)
			r, err := BalanceNumeric(name, vals, treated)
			if err != nil {
				a.Checks.Problems = append(a.Checks.Problems, fmt.Sprintf("arm %s: %v", arm, err))
				continue
			}
			ab.Rows = append(ab.Rows, r)
		}
		for _, s := range plan.Subgroups {
			vals := pickStrings(d.attrs[s.Attribute], rows)
			rs, suppressed, err := BalanceCategorical(s.Attribute, vals, treated, plan.MinGroupSize)
			if err != nil {
				a.Checks.Problems = append(a.Checks.Problems, fmt.Sprintf("arm %s: %v", arm, err))
				continue
			}
			ab.Rows = append(ab.Rows, rs...)
			if suppressed > 0 {
				ab.Suppressed = append(ab.Suppressed, SuppressedLevels{Covariate: s.Attribute, Levels: suppressed, MinGroupSize: plan.MinGroupSize})
			}
		}
		if len(ab.Rows) > 0 || len(ab.Suppressed) > 0 {
			a.Checks.Balance = append(a.Checks.Balance, ab)
		}
	}
	return nil
}

// balanceCovariates lists the covariates named anywhere in the plan, in
// first-mention order.
func balanceCovariates(plan Plan) []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, c := range plan.AdjustFor {
		add(c)
	}
	for _, o := range plan.Outcomes {
		add(o.PrePeriod)
	}
	return out
}

// armRows returns the rows of units in arm or control and, for each, whether
// it is in arm.
func armRows(d *unitData, arm, control string) ([]int, []bool) {
	var rows []int
	var treated []bool
	for i, a := range d.arms {
		if a == arm || a == control {
			rows = append(rows, i)
			treated = append(treated, a == arm)
		}
	}
	return rows, treated
}

func pick(xs []float64, rows []int) []float64 {
	out := make([]float64, len(rows))
	for k, i := range rows {
		out[k] = xs[i]
	}
	return out
}

func pickStrings(xs []string, rows []int) []string {
	out := make([]string, len(rows))
	for k, i := range rows {
		out[k] = xs[i]
	}
	return out
}

// completeRows keeps the rows of arm and control whose outcome and every
// needed covariate are present, recording the exclusions.
func completeRows(d *unitData, plan Plan, o OutcomePlan, arm string, covs []string) (rows []int, treated []bool, ex []Exclusion) {
	all, _ := armRows(d, arm, plan.Control)
	missOut := Exclusion{Outcome: o.Name, Reason: fmt.Sprintf("missing outcome (%s vs %s)", arm, plan.Control), ByArm: map[string]int{}}
	missCov := Exclusion{Outcome: o.Name, Reason: fmt.Sprintf("missing adjustment covariate (%s vs %s)", arm, plan.Control), ByArm: map[string]int{}}
	for _, i := range all {
		if math.IsNaN(d.outcomes[o.Name][i]) {
			missOut.Units++
			missOut.ByArm[d.arms[i]]++
			continue
		}
		ok := true
		for _, c := range covs {
			if math.IsNaN(d.covs[c][i]) {
				ok = false
			}
		}
		if !ok {
			missCov.Units++
			missCov.ByArm[d.arms[i]]++
			continue
		}
		rows = append(rows, i)
		treated = append(treated, d.arms[i] == arm)
	}
	for _, e := range []Exclusion{missOut, missCov} {
		if e.Units > 0 {
			ex = append(ex, e)
		}
	}
	return rows, treated, ex
}

func analyzeEffect(d *unitData, plan Plan, o OutcomePlan, arm string) (Effect, []Exclusion, error) {
	e := Effect{Arm: arm, Outcome: o.Name, Kind: o.Kind, Primary: o.Primary}
	// CUPED when the outcome's pre-period measure is the only adjustment;
	// otherwise the pre-period measure joins the regression covariates.
	cuped := len(plan.AdjustFor) == 0 && o.PrePeriod != "" && !plan.ClusterRandomized
	covs := append([]string(nil), plan.AdjustFor...)
	if o.PrePeriod != "" && !slices.Contains(covs, o.PrePeriod) {
		covs = append(covs, o.PrePeriod)
	}
	rows, treated, ex := completeRows(d, plan, o, arm, covs)
	if d.strata != nil {
		var sx []Exclusion
		rows, treated, sx = usableStrata(d, o.Name, arm, plan.Control, rows, treated)
		ex = append(ex, sx...)
	}
	y := pick(d.outcomes[o.Name], rows)
	var yt, yc []float64
	for k, t := range treated {
		if t {
			yt = append(yt, y[k])
		} else {
			yc = append(yc, y[k])
		}
	}
	e.N1, e.N2 = len(yt), len(yc)
	if e.N1 < 2 || e.N2 < 2 {
		return Effect{}, nil, fmt.Errorf("%d treated and %d control units with the outcome: need at least 2 in each arm", e.N1, e.N2)
	}
	level := plan.Level

	// Descriptive comparisons that every report shows.
	if o.Kind == Binary {
		x1, x2 := sumInt(yt), sumInt(yc)
		tp, err := TwoProportions(x1, e.N1, x2, e.N2, level)
		if err != nil {
			return Effect{}, nil, err
		}
		rr, err := RiskRatio(x1, e.N1, x2, e.N2, level)
		if err != nil {
			return Effect{}, nil, err
		}
		or, err := OddsRatio(x1, e.N1, x2, e.N2, level)
		if err != nil {
			return Effect{}, nil, err
		}
		nnt, err := NumberNeededToTreat(x1, e.N1, x2, e.N2, level)
		if err != nil {
			return Effect{}, nil, err
		}
		fi, err := FisherExact([2][2]int{{x1, e.N1 - x1}, {x2, e.N2 - x2}})
		if err != nil {
			return Effect{}, nil, err
		}
		e.Proportions, e.RiskRatio, e.OddsRatio, e.NNT, e.Fisher = &tp, &rr, &or, &nnt, &fi
	} else {
		w, err := WelchT(yt, yc, level)
		if err != nil {
			return Effect{}, nil, err
		}
		mw, err := MannWhitney(yt, yc)
		if err != nil {
			return Effect{}, nil, err
		}
		e.Welch, e.MannWhitney = &w, &mw
	}

	switch {
	case plan.ClusterRandomized:
		spec := RegressionSpec{Cluster: pickStrings(d.clusters, rows), Level: level}
		for _, c := range covs {
			spec.Covariates = append(spec.Covariates, Covariate{Name: c, Values: pick(d.covs[c], rows)})
		}
		if d.strata != nil {
			spec.Covariates = append(spec.Covariates, stratumIndicators(pickStrings(d.strata, rows))...)
		}
		reg, err := RegressionAdjustment(y, treated, spec)
		if err != nil {
			return Effect{}, nil, err
		}
		icc, err := ICCOneWay(y, spec.Cluster)
		if err != nil {
			return Effect{}, nil, err
		}
		m := float64(len(y)) / float64(reg.Clusters)
		cr := ClusterRobustResult{RegressionResult: reg, ICC: icc, MeanClusterSize: m, DesignEffect: 1 + (m-1)*math.Max(icc, 0)}
		e.Cluster = &cr
		e.Method, e.Estimate, e.CI, e.PValue = "cluster-robust", reg.Effect, reg.CI, reg.PValue
		e.Warnings = append(e.Warnings, reg.Warnings...)
		if o.Kind == Binary {
			// The GLMM is a sensitivity analysis: when it cannot be fitted
			// the primary analysis stands and the report says why.
			mixed, err := MixedLogisticEffect(y, treated, spec.Cluster, level)
			if err != nil {
				e.Warnings = append(e.Warnings, fmt.Sprintf("no random-intercept sensitivity analysis: %v", err))
			} else {
				e.Mixed = &mixed
			}
		}
	case cuped:
		x := pick(d.covs[o.PrePeriod], rows)
		c, err := CUPED(y, x, treated, level)
		if err != nil {
			return Effect{}, nil, err
		}
		e.CUPED = &c
		e.Method, e.Estimate, e.CI, e.PValue = "cuped", c.Effect, c.CI, c.PValue
	case len(covs) > 0 || (d.strata != nil && o.Kind == Continuous):
		spec := RegressionSpec{Level: level}
		for _, c := range covs {
			spec.Covariates = append(spec.Covariates, Covariate{Name: c, Values: pick(d.covs[c], rows)})
		}
		if d.strata != nil {
			spec.Covariates = append(spec.Covariates, stratumIndicators(pickStrings(d.strata, rows))...)
		}
		reg, err := RegressionAdjustment(y, treated, spec)
		if err != nil {
			return Effect{}, nil, err
		}
		e.Regression = &reg
		e.Method, e.Estimate, e.CI, e.PValue = "regression-hc2", reg.Effect, reg.CI, reg.PValue
		e.Warnings = append(e.Warnings, reg.Warnings...)
	case d.strata != nil:
		strata := stratumTables(y, treated, pickStrings(d.strata, rows))
		cmh, err := CochranMantelHaenszel(strata, true, level)
		if err != nil {
			return Effect{}, nil, err
		}
		srd, err := StratifiedRiskDifference(strata, WeightMantelHaenszel, level)
		if err != nil {
			return Effect{}, nil, err
		}
		e.CMH, e.StratifiedRD = &cmh, &srd
		e.Method, e.Estimate, e.CI, e.PValue = "cmh", srd.Diff, srd.CI, cmh.PValue
		e.Warnings = append(e.Warnings, cmh.Warnings...)
	case o.Kind == Binary:
		e.Estimate, e.CI = e.Proportions.Diff, e.Proportions.Newcombe
		if smallExpected(e.Proportions, e.N1, e.N2) || e.Proportions.PValue == nil {
			e.Method, e.PValue = "fisher-exact", e.Fisher.PValue
		} else {
			e.Method, e.PValue = "z-test", *e.Proportions.PValue
		}
	default:
		e.Method, e.Estimate, e.CI, e.PValue = "welch", e.Welch.Diff, e.Welch.CI, e.Welch.PValue
	}
	if e.Proportions != nil {
		e.Warnings = append(e.Warnings, e.Proportions.Warnings...)
	}
	return e, ex, nil
}

// usableStrata drops, for one outcome and comparison, the units of strata
// that after exclusions lack the treated or the control arm: they carry no
// within-stratum information and would make stratified estimators
// undefined.
func usableStrata(d *unitData, outcome, arm, control string, rows []int, treated []bool) ([]int, []bool, []Exclusion) {
	n1, n2 := map[string]int{}, map[string]int{}
	for k, i := range rows {
		if treated[k] {
			n1[d.strata[i]]++
		} else {
			n2[d.strata[i]]++
		}
	}
	drop := map[string]bool{}
	for _, m := range []map[string]int{n1, n2} {
		for s := range m {
			if n1[s] == 0 || n2[s] == 0 {
				drop[s] = true
			}
		}
	}
	if len(drop) == 0 {
		return rows, treated, nil
	}
	var ex []Exclusion
	for _, s := range sortedKeys(drop) {
		lacking := "treated"
		if n2[s] == 0 {
			lacking = "control"
		}
		e := Exclusion{Outcome: outcome, Reason: fmt.Sprintf("stratum %q has no %s units with this outcome (%s vs %s)", s, lacking, arm, control), ByArm: map[string]int{}}
		e.Units = n1[s] + n2[s]
		if n1[s] > 0 {
			e.ByArm[arm] = n1[s]
		}
		if n2[s] > 0 {
			e.ByArm[control] = n2[s]
		}
		ex = append(ex, e)
	}
	var keptRows []int
	var keptTreated []bool
	for k, i := range rows {
		if !drop[d.strata[i]] {
			keptRows = append(keptRows, i)
			keptTreated = append(keptTreated, treated[k])
		}
	}
	return keptRows, keptTreated, ex
}

func sumInt(xs []float64) int {
	s := 0
	for _, x := range xs {
		s += int(x)
	}
	return s
}

// smallExpected reports whether any expected cell count of the 2×2 table is
// below 5, where Fisher's exact test replaces the z test.
func smallExpected(tp *TwoProportionsResult, n1, n2 int) bool {
	pool := (tp.P1*float64(n1) + tp.P2*float64(n2)) / float64(n1+n2)
	for _, n := range []float64{float64(n1), float64(n2)} {
		if n*pool < 5 || n*(1-pool) < 5 {
			return true
		}
	}
	return false
}

// stratumIndicators returns one 0/1 column per stratum but the first
// (sorted), for regression.
func stratumIndicators(strata []string) []Covariate {
	levels := map[string]bool{}
	for _, s := range strata {
		levels[s] = true
	}
	names := sortedKeys(levels)
	var out []Covariate
	for _, name := range names[1:] {
		v := make([]float64, len(strata))
		for i, s := range strata {
			if s == name {
				v[i] = 1
			}
		}
		out = append(out, Covariate{Name: "stratum=" + name, Values: v})
	}
	return out
}

// stratumTables builds the 2×2 table of each stratum (sorted by label).
func stratumTables(y []float64, treated []bool, strata []string) []Stratum2x2 {
	index := map[string]int{}
	for _, s := range strata {
		index[s] = 0
	}
	names := sortedKeys(index)
	for k, s := range names {
		index[s] = k
	}
	out := make([]Stratum2x2, len(names))
	for i, s := range strata {
		row := 1
		if treated[i] {
			row = 0
		}
		col := 1
		if y[i] == 1 {
			col = 0
		}
		out[index[s]][row][col]++
	}
	return out
}

func (a *Analysis) runSubgroups(d *unitData, plan Plan) error {
	scale := plan.SubgroupScale
	if scale == "" {
		scale = ScaleDifference
	}
	start := len(a.Subgroups)
	for _, o := range plan.Outcomes {
		if !o.Primary {
			continue
		}
		for _, arm := range plan.Arms {
			if arm == plan.Control {
				continue
			}
			rows, treated, _ := completeRows(d, plan, o, arm, nil)
			y := pick(d.outcomes[o.Name], rows)
			for _, s := range plan.Subgroups {
				sc := scale
				if o.Kind == Continuous {
					sc = ScaleDifference
				}
				sa := SubgroupAnalysis{Arm: arm, Outcome: o.Name, Attribute: s.Attribute, Exploratory: !s.PreDeclared}
				opts := SubgroupOptions{Scale: sc, Level: plan.Level, MinLevelSize: plan.MinGroupSize}
				if plan.ClusterRandomized {
					opts.Cluster = pickStrings(d.clusters, rows)
				}
				r, err := SubgroupEffects(y, treated, pickStrings(d.attrs[s.Attribute], rows), opts)
				if err != nil {
					sa.Error = err.Error()
				} else {
					sa.SubgroupResult = r
				}
				a.Subgroups = append(a.Subgroups, sa)
			}
		}
	}
	var p []float64
	var idx []int
	for k, s := range a.Subgroups[start:] {
		if s.Error == "" {
			p = append(p, s.InteractionP)
			idx = append(idx, start+k)
		}
	}
	method := plan.Multiplicity.Method
	if method == "" {
		method = AdjustHolm
	}
	adj, err := AdjustPValues(p, method)
	if err != nil {
		return err
	}
	for k, i := range idx {
		a.Subgroups[i].AdjustedP = adj[k]
	}
	return nil
}

func (a *Analysis) runCompliance(d *unitData, plan Plan) error {
	if d.received == nil {
		return nil
	}
	for _, o := range plan.Outcomes {
		if !o.Primary {
			continue
		}
		for _, arm := range plan.Arms {
			if arm == plan.Control {
				continue
			}
			rows, treated, _ := completeRows(d, plan, o, arm, nil)
			var y, rec []float64
			var tr []bool
			unknown := 0
			for k, i := range rows {
				if math.IsNaN(d.received[i]) {
					unknown++
					continue
				}
				y = append(y, d.outcomes[o.Name][i])
				rec = append(rec, d.received[i])
				tr = append(tr, treated[k])
			}
			c, err := ComplierAverageEffect(y, rec, tr, plan.Level)
			if err != nil {
				return fmt.Errorf("compliance, %s vs %s on %s: %w", arm, plan.Control, o.Name, err)
			}
			if unknown > 0 {
				c.Warnings = append(c.Warnings, fmt.Sprintf("%d units with unknown treatment received excluded", unknown))
			}
			a.Compliance = append(a.Compliance, ComplianceAnalysis{Arm: arm, Outcome: o.Name, CACEResult: c})
		}
	}
	return nil
}

var errTarget = errors.New("target")

// TargetNote documents how Analysis.Target is computed, for reports.
const TargetNote = "relative reduction 1 − RR with the log-RR Wald interval (variance inflated by the estimated design effect when cluster-randomized; covariate and stratum adjustment not used); a continuous outcome's target is compared with the primary analysis' interval of the difference in means"

func compareTarget(effects []Effect, plan Plan) (TargetComparison, error) {
	t := plan.Target
	arm := t.Arm
	if arm == "" {
		for _, a := range plan.Arms {
			if a != plan.Control {
				arm = a
				break
			}
		}
	}
	label := t.Label
	if label == "" {
		label = t.Outcome
	}
	for _, e := range effects {
		if e.Arm != arm || e.Outcome != t.Outcome {
			continue
		}
		if e.Kind == Binary {
			if t.RelativeReduction == 0 {
				return TargetComparison{}, fmt.Errorf("%w: binary outcome %q needs a relative reduction target", errTarget, t.Outcome)
			}
			// Cluster-randomized: the log-RR variance is inflated by the
			// estimated design effect (Donner and Klar); adjustment for
			// covariates or strata is not used for the relative reduction.
			de := 1.0
			if e.Cluster != nil && e.Cluster.DesignEffect > 1 {
				de = e.Cluster.DesignEffect
			}
			p := e.Proportions
			return relativeReductionVsTarget(label, p.X1, p.N1, p.X2, p.N2, t.RelativeReduction, plan.Level, de)
		}
		return CompareToTarget("difference in "+label, e.Estimate, e.CI, t.Difference, false, plan.Level)
	}
	return TargetComparison{}, fmt.Errorf("%w: no effect of arm %q on outcome %q", errTarget, arm, t.Outcome)
}

func (a *Analysis) collectWarnings(plan Plan) {
	var w []string
	w = append(w, a.Checks.SRM.Warnings...)
	if plan.ClusterRandomized {
		w = append(w, "cluster-randomized: each effect's descriptive tests and intervals (proportions, ratios, NNT, Fisher, Welch, Mann-Whitney) ignore clustering; the cluster-robust estimate is the analysis")
	}
	for _, at := range a.Checks.Attrition {
		for _, s := range at.Warnings {
			w = append(w, at.Outcome+": "+s)
		}
	}
	for _, b := range a.Checks.Balance {
		for _, sl := range b.Suppressed {
			w = append(w, fmt.Sprintf("balance of arm %s: %s", b.Arm, sl))
		}
		for _, r := range b.Rows {
			if r.Imbalanced {
				name := r.Covariate
				if r.Level != "" {
					name += "=" + r.Level
				}
				smd := "undefined"
				if r.SMD != nil {
					smd = fmt.Sprintf("%.2f", *r.SMD)
				}
				w = append(w, fmt.Sprintf("covariate imbalance in arm %s: %s has standardized mean difference %s (threshold %.1f)", b.Arm, name, smd, SMDThreshold))
			}
		}
	}
	w = append(w, a.Checks.Problems...)
	for _, ex := range a.Exclusions {
		w = append(w, fmt.Sprintf("excluded %d units: %s", ex.Units, ex.Reason))
	}
	for _, e := range a.Effects {
		for _, s := range e.Warnings {
			w = append(w, fmt.Sprintf("%s vs control on %s: %s", e.Arm, e.Outcome, s))
		}
	}
	for _, s := range a.Subgroups {
		if s.Error != "" {
			w = append(w, fmt.Sprintf("subgroup analysis by %s (%s, %s) could not be run: %s", s.Attribute, s.Arm, s.Outcome, s.Error))
			continue
		}
		if s.Exploratory {
			w = append(w, fmt.Sprintf("subgroup analysis by %s (%s, %s) is exploratory: it was not pre-declared", s.Attribute, s.Arm, s.Outcome))
		}
		for _, x := range s.Warnings {
			w = append(w, fmt.Sprintf("subgroup %s (%s, %s): %s", s.Attribute, s.Arm, s.Outcome, x))
		}
	}
	for _, c := range a.Compliance {
		for _, x := range c.Warnings {
			w = append(w, fmt.Sprintf("complier effect (%s, %s): %s", c.Arm, c.Outcome, x))
		}
	}
	a.Warnings = w
}
