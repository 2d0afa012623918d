package abtest

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// OutcomeKind says whether an outcome is binary (0/1) or continuous.
type OutcomeKind string

// Outcome kinds.
const (
	// Binary outcomes take the values 0 and 1 (1 = the event, such as a
	// DFW grade).
	Binary OutcomeKind = "binary"
	// Continuous outcomes are any finite numbers (a grade, a GPA).
	Continuous OutcomeKind = "continuous"
)

// Outcome is one outcome column of a pilot; NaN marks a missing value.
type Outcome struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
}

// Attribute is a categorical column (subgroup attribute such as
// first-generation status); "" marks a missing value.
type Attribute struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// Pilot holds the data of an intervention pilot: one entry per unit in
// every column.
type Pilot struct {
	// IDs identify units; each must be non-empty and appear once.
	IDs []string
	// Arms holds each unit's assigned arm label.
	Arms []string
	// Clusters holds each unit's cluster (section, advisor); nil when
	// there are none.
	Clusters []string
	// Strata holds each unit's randomization stratum (course); nil when
	// randomization was not stratified.
	Strata []string
	// Outcomes are the outcome columns; NaN is missing.
	Outcomes []Outcome
	// Covariates are pre-period numeric columns; NaN is missing.
	Covariates []Covariate
	// Attributes are categorical columns for subgroups and balance.
	Attributes []Attribute
	// Received is the treatment each unit actually received (1 yes, 0 no,
	// fractions for partial dose; NaN unknown); nil when compliance was not
	// recorded.
	Received []float64
}

// OutcomePlan declares one outcome of the analysis.
type OutcomePlan struct {
	Name string      `json:"name"`
	Kind OutcomeKind `json:"kind"`
	// Primary marks the primary outcome(s).
	Primary bool `json:"primary"`
	// PrePeriod names a covariate holding the same measure before the
	// pilot. When it is the only adjustment of an individually randomized
	// pilot the outcome is analysed with CUPED on it; otherwise it joins
	// the regression covariates.
	PrePeriod string `json:"pre_period,omitempty"`
}

// SubgroupPlan declares a subgroup analysis by one attribute.
type SubgroupPlan struct {
	Attribute string `json:"attribute"`
	// PreDeclared marks subgroups named in the pre-analysis plan; all
	// others are labelled exploratory.
	PreDeclared bool `json:"pre_declared"`
}

// TargetPlan declares the effect the pilot was designed to detect.
type TargetPlan struct {
	Outcome string `json:"outcome"`
	// Arm is the treatment arm compared with control ("" means the first
	// non-control arm).
	Arm string `json:"arm,omitempty"`
	// RelativeReduction is the target relative reduction of a binary
	// outcome's rate (0.15 for 15%); Difference the target difference in
	// means of a continuous outcome (treatment − control). Set the one
	// that fits the outcome.
	RelativeReduction float64 `json:"relative_reduction,omitempty"`
	Difference        float64 `json:"difference,omitempty"`
	// Label names the outcome in the statement ("DFW"); "" uses Outcome.
	Label string `json:"label,omitempty"`
}

// Plan is the pre-declared analysis of a pilot.
type Plan struct {
	// Arms lists every arm label, the control included; a unit with any
	// other label is an error.
	Arms []string `json:"arms"`
	// Control is the control arm label.
	Control string `json:"control"`
	// Allocation holds the planned weight of each arm of Arms (nil means
	// equal allocation), for the sample-ratio-mismatch check.
	Allocation []float64 `json:"allocation,omitempty"`
	// ClusterRandomized says whole clusters were assigned: every cluster
	// must lie in one arm, and effects use CR1 cluster-robust errors.
	ClusterRandomized bool `json:"cluster_randomized"`
	// Outcomes lists the outcomes in their declared order (the testing
	// order of a fixed sequence).
	Outcomes []OutcomePlan `json:"outcomes"`
	// AdjustFor names covariates for regression adjustment (OLS with HC2,
	// or CR1 when cluster-randomized).
	AdjustFor []string `json:"adjust_for,omitempty"`
	// Subgroups lists subgroup analyses, run on the primary outcomes.
	Subgroups []SubgroupPlan `json:"subgroups,omitempty"`
	// SubgroupScale is the scale of subgroup effects ("" means
	// difference).
	SubgroupScale EffectScale `json:"subgroup_scale,omitempty"`
	// Multiplicity controls the error rate over arms and outcomes.
	Multiplicity MultiplicityPlan `json:"multiplicity"`
	// Level is the confidence level of intervals, in (0, 1).
	Level float64 `json:"level"`
	// Target, when set, is compared with the estimated effect.
	Target *TargetPlan `json:"target,omitempty"`
	// MinGroupSize suppresses subgroup levels with fewer units (the
	// small-cell rule of SubgroupOptions.MinLevelSize); 0 keeps every
	// level. A privacy setting, not part of the pre-registered plan.
	MinGroupSize int `json:"-"`
}

// Exclusion records units left out of an analysis and why.
type Exclusion struct {
	// Outcome is the outcome the exclusion applies to ("" for all).
	Outcome string `json:"outcome,omitempty"`
	Reason  string `json:"reason"`
	Units   int    `json:"units"`
	// ByArm counts the excluded units per arm.
	ByArm map[string]int `json:"by_arm,omitempty"`
}

// DataError lists every problem found in a pilot's data; Analyze returns
// it (wrapped) when the data cannot be analysed as planned.
type DataError struct {
	Problems []string
}

// Error lists the first ten problems and counts the rest.
func (e *DataError) Error() string {
	const show = 10
	msg := strings.Join(e.Problems[:min(len(e.Problems), show)], "; ")
	if len(e.Problems) > show {
		msg += fmt.Sprintf("; and %d more", len(e.Problems)-show)
	}
	return "pilot data: " + msg
}

func (p *Plan) validate() error {
	if len(p.Arms) < 2 {
		return fmt.Errorf("plan: need at least 2 arms, got %d", len(p.Arms))
	}
	seen := map[string]bool{}
	for _, a := range p.Arms {
		if a == "" {
			return fmt.Errorf("plan: an arm label is empty")
		}
		if seen[a] {
			return fmt.Errorf("plan: arm %q declared twice", a)
		}
		seen[a] = true
	}
	if !seen[p.Control] {
		return fmt.Errorf("plan: control arm %q is not among the arms %v", p.Control, p.Arms)
	}
	if p.Allocation != nil && len(p.Allocation) != len(p.Arms) {
		return fmt.Errorf("plan: %d allocation weights for %d arms", len(p.Allocation), len(p.Arms))
	}
	if len(p.Outcomes) == 0 {
		return fmt.Errorf("plan: no outcomes")
	}
	primary := 0
	names := map[string]bool{}
	for _, o := range p.Outcomes {
		if names[o.Name] {
			return fmt.Errorf("plan: outcome %q declared twice", o.Name)
		}
		names[o.Name] = true
		if o.Kind != Binary && o.Kind != Continuous {
			return fmt.Errorf("plan: outcome %q has kind %q (want binary or continuous)", o.Name, o.Kind)
		}
		if o.Primary {
			primary++
		}
	}
	if primary == 0 {
		return fmt.Errorf("plan: no primary outcome")
	}
	if err := checkLevel(p.Level); err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	if err := checkAlpha(p.Multiplicity.Alpha); err != nil {
		return fmt.Errorf("plan: multiplicity: %w", err)
	}
	if p.Multiplicity.Strategy != StrategyFixedSequence {
		if _, err := AdjustPValues(nil, p.Multiplicity.Method); err != nil {
			return fmt.Errorf("plan: multiplicity method %q: want holm, hochberg, BH, BY, bonferroni or none", p.Multiplicity.Method)
		}
	}
	if p.SubgroupScale != "" && p.SubgroupScale != ScaleDifference && p.SubgroupScale != ScaleLogOdds {
		return fmt.Errorf("plan: unknown subgroup scale %q", p.SubgroupScale)
	}
	return nil
}

// unitData is a pilot checked against its plan, with units that cannot be
// analysed removed.
type unitData struct {
	n        int
	arms     []string
	clusters []string
	strata   []string
	outcomes map[string][]float64
	covs     map[string][]float64
	attrs    map[string][]string
	received []float64
	// assigned counts every unit of every arm before exclusions, for SRM.
	assigned map[string]int
}

// validatePilot checks the pilot against the plan. Structural problems
// (columns of the wrong length, unknown arm labels, duplicate or empty unit
// ids, a unit listed in two arms, a cluster spread over two arms in a
// cluster-randomized pilot, a binary outcome with values other than 0/1)
// are returned together as a *DataError. Units in a stratum that holds a
// single arm are excluded and reported.
func validatePilot(p Pilot, plan Plan) (*unitData, []Exclusion, error) {
	n := len(p.IDs)
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if n == 0 {
		return nil, nil, &DataError{Problems: []string{"no units"}}
	}
	if len(p.Arms) != n {
		bad("%d arm labels for %d unit ids", len(p.Arms), n)
	}
	if p.Clusters != nil && len(p.Clusters) != n {
		bad("%d cluster labels for %d unit ids", len(p.Clusters), n)
	}
	if p.Strata != nil && len(p.Strata) != n {
		bad("%d stratum labels for %d unit ids", len(p.Strata), n)
	}
	if p.Received != nil && len(p.Received) != n {
		bad("%d treatment-received values for %d unit ids", len(p.Received), n)
	}
	outcomes := map[string][]float64{}
	for _, o := range p.Outcomes {
		if len(o.Values) != n {
			bad("outcome %q has %d values for %d units", o.Name, len(o.Values), n)
		}
		outcomes[o.Name] = o.Values
	}
	covs := map[string][]float64{}
	for _, c := range p.Covariates {
		if len(c.Values) != n {
			bad("covariate %q has %d values for %d units", c.Name, len(c.Values), n)
		}
		covs[c.Name] = c.Values
	}
	attrs := map[string][]string{}
	for _, a := range p.Attributes {
		if len(a.Values) != n {
			bad("attribute %q has %d values for %d units", a.Name, len(a.Values), n)
		}
		attrs[a.Name] = a.Values
	}
	for _, o := range plan.Outcomes {
		if _, ok := outcomes[o.Name]; !ok {
			bad("outcome %q of the plan is not in the data", o.Name)
		}
		if o.PrePeriod != "" {
			if _, ok := covs[o.PrePeriod]; !ok {
				bad("pre-period covariate %q of outcome %q is not in the data", o.PrePeriod, o.Name)
			}
		}
	}
	for _, c := range plan.AdjustFor {
		if _, ok := covs[c]; !ok {
			bad("adjustment covariate %q is not in the data", c)
		}
	}
	for _, s := range plan.Subgroups {
		if _, ok := attrs[s.Attribute]; !ok {
			bad("subgroup attribute %q is not in the data", s.Attribute)
		}
	}
	if plan.ClusterRandomized && p.Clusters == nil {
		bad("the plan is cluster-randomized but the data has no clusters")
	}
	if len(problems) > 0 {
		return nil, nil, &DataError{Problems: problems}
	}

	declared := map[string]bool{}
	for _, a := range plan.Arms {
		declared[a] = true
	}
	unknown := map[string][]string{}
	firstArm := map[string]string{}
	for i, id := range p.IDs {
		if id == "" {
			bad("row %d has an empty unit id", i+1)
			continue
		}
		arm := p.Arms[i]
		if !declared[arm] {
			unknown[arm] = append(unknown[arm], id)
		}
		if prev, ok := firstArm[id]; ok {
			if prev != arm {
				bad("unit %q is in two arms (%q and %q)", id, prev, arm)
			} else {
				bad("unit %q appears twice", id)
			}
			continue
		}
		firstArm[id] = arm
	}
	for _, arm := range sortedKeys(unknown) {
		ids := unknown[arm]
		bad("unknown arm label %q (declared arms: %s) on %d unit(s), e.g. %q", arm, strings.Join(plan.Arms, ", "), len(ids), ids[0])
	}
	if plan.ClusterRandomized {
		clusterArm := map[string]string{}
		reported := map[string]bool{}
		for i, c := range p.Clusters {
			if c == "" {
				bad("unit %q has no cluster in a cluster-randomized pilot", p.IDs[i])
				continue
			}
			if prev, ok := clusterArm[c]; ok && prev != p.Arms[i] && !reported[c] {
				bad("cluster %q is in two arms (%q and %q): whole clusters must be assigned", c, prev, p.Arms[i])
				reported[c] = true
			} else if !ok {
				clusterArm[c] = p.Arms[i]
			}
		}
	}
	for _, o := range plan.Outcomes {
		if o.Kind != Binary {
			continue
		}
		for i, v := range outcomes[o.Name] {
			if !math.IsNaN(v) && v != 0 && v != 1 {
				bad("binary outcome %q has value %v for unit %q (want 0, 1 or missing)", o.Name, v, p.IDs[i])
				break
			}
		}
	}
	if len(problems) > 0 {
		return nil, nil, &DataError{Problems: problems}
	}

	keep := make([]bool, n)
	for i := range keep {
		keep[i] = true
	}
	var exclusions []Exclusion
	if p.Strata != nil {
		armsIn := map[string]map[string]bool{}
		for i, s := range p.Strata {
			if armsIn[s] == nil {
				armsIn[s] = map[string]bool{}
			}
			armsIn[s][p.Arms[i]] = true
		}
		for _, s := range sortedKeys(armsIn) {
			if armsIn[s][plan.Control] && len(armsIn[s]) >= 2 {
				continue
			}
			ex := Exclusion{Reason: fmt.Sprintf("stratum %q does not hold the control arm and a treatment arm", s), ByArm: map[string]int{}}
			for i := range p.Strata {
				if p.Strata[i] == s {
					keep[i] = false
					ex.Units++
					ex.ByArm[p.Arms[i]]++
				}
			}
			exclusions = append(exclusions, ex)
		}
	}
	d := &unitData{outcomes: map[string][]float64{}, covs: map[string][]float64{}, attrs: map[string][]string{}, assigned: map[string]int{}}
	for i := range n {
		d.assigned[p.Arms[i]]++
		if !keep[i] {
			continue
		}
		d.n++
		d.arms = append(d.arms, p.Arms[i])
		if p.Clusters != nil {
			d.clusters = append(d.clusters, p.Clusters[i])
		}
		if p.Strata != nil {
			d.strata = append(d.strata, p.Strata[i])
		}
		if p.Received != nil {
			d.received = append(d.received, p.Received[i])
		}
		for name, v := range outcomes {
			d.outcomes[name] = append(d.outcomes[name], v[i])
		}
		for name, v := range covs {
			d.covs[name] = append(d.covs[name], v[i])
		}
		for name, v := range attrs {
			d.attrs[name] = append(d.attrs[name], v[i])
		}
	}
	if d.n == 0 {
		return nil, exclusions, &DataError{Problems: []string{"no unit is left after excluding strata without both arms"}}
	}
	return d, exclusions, nil
}

func sortedKeys[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
