package pilot

import (
	"fmt"
	"math"
	"strings"

	"github.com/evalrun/evalrun/abtest"
)

// Spec is one `[[abtests]]` table of an experiment spec: the data of an
// intervention pilot and its pre-declared analysis. docs/pilots.md
// documents every key. Column keys name CSV columns.
type Spec struct {
	// Name names the pilot in reports and keys the assignment hash.
	Name string `toml:"name" json:"name"`
	// MinGroupSize is the small-cell rule the caller applies to subgroup
	// levels (harness: privacy.min_group_size); 0 keeps every level.
	MinGroupSize int `toml:"-" json:"-"`
	// Data is the pilot CSV (plain or gzip); a relative path is resolved
	// against the base directory the caller gives (the spec's directory).
	Data string `toml:"data" json:"data"`
	// Unit is the unit id column and Arm the assigned-arm column.
	Unit string `toml:"unit" json:"unit"`
	Arm  string `toml:"arm" json:"arm"`
	// Arms lists every arm label, the control included.
	Arms    []string `toml:"arms" json:"arms"`
	Control string   `toml:"control" json:"control"`
	// Allocation holds the planned weight of each arm of Arms (empty:
	// equal allocation).
	Allocation []float64 `toml:"allocation" json:"allocation,omitempty"`
	// Cluster is the cluster column (section, advisor); ClusterRandomized
	// says whole clusters were assigned.
	Cluster           string `toml:"cluster" json:"cluster,omitempty"`
	ClusterRandomized bool   `toml:"cluster_randomized" json:"cluster_randomized"`
	// Strata is the randomization stratum column (course).
	Strata string `toml:"strata" json:"strata,omitempty"`
	// Covariates are pre-period numeric columns (empty cell: missing);
	// Attributes are categorical columns for subgroups and balance.
	Covariates []string `toml:"covariates" json:"covariates,omitempty"`
	Attributes []string `toml:"attributes" json:"attributes,omitempty"`
	// Received is the compliance column: treatment actually received
	// (1 yes, 0 no, fractions for partial dose; empty: unknown).
	Received string `toml:"received" json:"received,omitempty"`
	// Alpha is the significance level (default 0.05) and Level the
	// confidence level of intervals (default 1 − Alpha).
	Alpha *float64 `toml:"alpha" json:"alpha,omitempty"`
	Level *float64 `toml:"level" json:"level,omitempty"`
	// Multiplicity controls the error rate across arms and outcomes.
	Multiplicity MultiplicitySpec `toml:"multiplicity" json:"multiplicity"`
	// Outcomes lists the outcomes in declared order.
	Outcomes []OutcomeSpec `toml:"outcomes" json:"outcomes"`
	// AdjustFor names covariates (each in Covariates) for regression
	// adjustment.
	AdjustFor []string `toml:"adjust_for" json:"adjust_for,omitempty"`
	// Subgroups lists subgroup analyses by attributes (each in
	// Attributes); SubgroupScale is "difference" (default) or "log-odds".
	Subgroups     []SubgroupSpec `toml:"subgroups" json:"subgroups,omitempty"`
	SubgroupScale string         `toml:"subgroup_scale" json:"subgroup_scale,omitempty"`
	// Target is the effect the pilot was planned to detect.
	Target *TargetSpec `toml:"target" json:"target,omitempty"`
	// Sequential declares group-sequential monitoring of one comparison.
	Sequential *SequentialSpec `toml:"sequential" json:"sequential,omitempty"`
	// Assignment configures `evalrun assign`.
	Assignment *AssignmentSpec `toml:"assignment" json:"assignment,omitempty"`
	// Design configures `evalrun power --spec`.
	Design *DesignSpec `toml:"design" json:"design,omitempty"`
	// PlanLock names the pre-registered plan (`evalrun abtest lock`); Run
	// reports every deviation from it.
	PlanLock string `toml:"plan_lock" json:"plan_lock,omitempty"`
}

// MultiplicitySpec is the `[abtests.multiplicity]` table.
type MultiplicitySpec struct {
	// Method is holm (default), hochberg, BH, BY, bonferroni or none.
	Method string `toml:"method" json:"method,omitempty"`
	// Strategy is pooled (default), gatekeeping or fixed_sequence.
	Strategy string `toml:"strategy" json:"strategy,omitempty"`
}

// OutcomeSpec is one `[[abtests.outcomes]]` table.
type OutcomeSpec struct {
	Name string `toml:"name" json:"name"`
	// Kind is "binary" (0/1, 1 = the event such as DFW) or "continuous".
	Kind    string `toml:"kind" json:"kind"`
	Primary bool   `toml:"primary" json:"primary"`
	// PrePeriod names a covariate holding the same measure before the
	// pilot (CUPED when no regression adjustment is declared).
	PrePeriod string `toml:"pre_period" json:"pre_period,omitempty"`
	// Better says which direction of the outcome is good: "lower" (a DFW
	// or withdrawal rate) or "higher" (completion, a score). Binary
	// outcomes default to "lower"; continuous outcomes have no default
	// and are then described without calling a change better or worse.
	Better string `toml:"better" json:"better,omitempty"`
}

// Directions of an outcome (OutcomeSpec.Better).
const (
	BetterLower  = "lower"
	BetterHigher = "higher"
)

// BetterDirection returns the outcome's good direction: Better, else
// "lower" for a binary outcome, else "" (no direction).
func (o OutcomeSpec) BetterDirection() string {
	if o.Better != "" {
		return o.Better
	}
	if abtest.OutcomeKind(o.Kind) == abtest.Binary {
		return BetterLower
	}
	return ""
}

// SubgroupSpec is one `[[abtests.subgroups]]` table.
type SubgroupSpec struct {
	Attribute   string `toml:"attribute" json:"attribute"`
	PreDeclared bool   `toml:"pre_declared" json:"pre_declared"`
}

// TargetSpec is the `[abtests.target]` table: set RelativeReduction for a
// binary outcome (0.15 for 15%) or Difference for a continuous one.
type TargetSpec struct {
	Outcome           string   `toml:"outcome" json:"outcome"`
	Arm               string   `toml:"arm" json:"arm,omitempty"`
	RelativeReduction *float64 `toml:"relative_reduction" json:"relative_reduction,omitempty"`
	Difference        *float64 `toml:"difference" json:"difference,omitempty"`
	Label             string   `toml:"label" json:"label,omitempty"`
}

// SequentialSpec is the `[abtests.sequential]` table: Looks planned
// analyses with Lan-DeMets boundaries, and the z statistics observed so far
// (Z) or a column of the data holding each unit's look (LookColumn, values
// 1..Looks: the analysis at look k uses the units of looks 1..k).
type SequentialSpec struct {
	Looks int `toml:"looks" json:"looks"`
	// Spending is "obrien_fleming" (default) or "pocock".
	Spending string `toml:"spending" json:"spending,omitempty"`
	// Information holds the information fraction of each look (default
	// k/Looks).
	Information []float64 `toml:"information" json:"information,omitempty"`
	Z           []float64 `toml:"z" json:"z,omitempty"`
	LookColumn  string    `toml:"look_column" json:"look_column,omitempty"`
	// Outcome (default: the first primary) and Arm (default: the first
	// arm that is not control) select the monitored comparison.
	Outcome string `toml:"outcome" json:"outcome,omitempty"`
	Arm     string `toml:"arm" json:"arm,omitempty"`
}

// AssignmentSpec is the `[abtests.assignment]` table of `evalrun assign`.
type AssignmentSpec struct {
	// Method is complete, stratified (needs Strata) or cluster (needs
	// Cluster).
	Method string `toml:"method" json:"method"`
	Seed   uint64 `toml:"seed" json:"seed"`
	// Experiment keys the hash (default: the pilot's name).
	Experiment string `toml:"experiment" json:"experiment,omitempty"`
}

// DesignSpec is the `[abtests.design]` table of `evalrun power --spec`:
// BaselineRate with RelativeReduction or TreatmentRate for proportions,
// MeanDifference and SD for means. Without an effect (only the baseline
// rate or SD) and with N, the minimum detectable effect is computed.
type DesignSpec struct {
	BaselineRate      float64 `toml:"baseline_rate" json:"baseline_rate,omitempty"`
	RelativeReduction float64 `toml:"relative_reduction" json:"relative_reduction,omitempty"`
	TreatmentRate     float64 `toml:"treatment_rate" json:"treatment_rate,omitempty"`
	MeanDifference    float64 `toml:"mean_difference" json:"mean_difference,omitempty"`
	SD                float64 `toml:"sd" json:"sd,omitempty"`
	// Power is the target power (default 0.8).
	Power float64 `toml:"power" json:"power,omitempty"`
	// ICC and ClusterSize describe cluster randomization.
	ICC         float64 `toml:"icc" json:"icc,omitempty"`
	ClusterSize float64 `toml:"cluster_size" json:"cluster_size,omitempty"`
	// Ratio is treatment units per control unit (default: from the spec's
	// allocation, else 1).
	Ratio float64 `toml:"ratio" json:"ratio,omitempty"`
	// N is a control-arm size in units: power and MDE are computed at it.
	N float64 `toml:"n" json:"n,omitempty"`
}

// DefaultAlpha is the significance level when the spec sets none.
const DefaultAlpha = 0.05

// AlphaValue returns the significance level (default DefaultAlpha).
func (s *Spec) AlphaValue() float64 {
	if s.Alpha == nil {
		return DefaultAlpha
	}
	return *s.Alpha
}

// LevelValue returns the confidence level (default 1 − alpha).
func (s *Spec) LevelValue() float64 {
	if s.Level == nil {
		return 1 - s.AlphaValue()
	}
	return *s.Level
}

func joinKey(key, sub string) string {
	switch {
	case key == "":
		return sub
	case sub == "":
		return key
	case strings.HasPrefix(sub, "["):
		return key + sub
	}
	return key + "." + sub
}

// Check reports every problem that the spec alone shows, each with its
// TOML key below key (key "abtests[0]" gives "abtests[0].outcomes[1].kind";
// key "" gives "outcomes[1].kind") and a message. Problems that need the
// data (a column missing from the CSV, an unknown arm label in it) are
// found by ReadPilot.
func (s *Spec) Check(key string, add func(key, msg string)) {
	bad := func(sub, format string, args ...any) { add(joinKey(key, sub), fmt.Sprintf(format, args...)) }
	if s.Name == "" {
		bad("name", "missing: every pilot needs a name")
	} else if strings.ContainsAny(s.Name, "/\\\n\"") {
		bad("name", "%q must not contain slashes, quotes or newlines", s.Name)
	}
	if s.Data == "" {
		bad("data", "missing: the pilot CSV file")
	}
	if s.Unit == "" {
		bad("unit", "missing: the unit id column")
	}
	if s.Arm == "" {
		bad("arm", "missing: the assigned-arm column")
	}
	s.checkArms(bad)
	if s.ClusterRandomized && s.Cluster == "" {
		bad("cluster_randomized", "needs the cluster column (cluster = \"...\")")
	}
	if s.Alpha != nil && !(*s.Alpha > 0 && *s.Alpha < 1) {
		bad("alpha", "must lie in (0, 1), got %v", *s.Alpha)
	}
	if s.Level != nil && !(*s.Level > 0 && *s.Level < 1) {
		bad("level", "must lie in (0, 1), got %v", *s.Level)
	}
	if s.Multiplicity.Method != "" {
		if _, err := abtest.ParseAdjustMethod(s.Multiplicity.Method); err != nil {
			bad("multiplicity.method", "must be holm, hochberg, BH, BY, bonferroni or none, got %q", s.Multiplicity.Method)
		}
	}
	if _, err := parseStrategy(s.Multiplicity.Strategy); err != nil {
		bad("multiplicity.strategy", "%v", err)
	}
	switch s.SubgroupScale {
	case "", string(abtest.ScaleDifference), string(abtest.ScaleLogOdds):
	default:
		bad("subgroup_scale", "must be \"difference\" or \"log-odds\", got %q", s.SubgroupScale)
	}
	s.checkColumns(bad)
	s.checkOutcomes(bad)
	if s.Target != nil {
		s.checkTarget(bad)
	}
	if s.Sequential != nil {
		s.checkSequential(bad)
	}
	if s.Assignment != nil {
		s.checkAssignment(bad)
	}
	if s.Design != nil {
		checkDesign(s.Design, bad)
	}
}

type badFunc func(sub, format string, args ...any)

func (s *Spec) checkArms(bad badFunc) {
	if len(s.Arms) < 2 {
		bad("arms", "declare at least two arms, the control included, got %d", len(s.Arms))
	}
	seen := map[string]bool{}
	for _, a := range s.Arms {
		if strings.TrimSpace(a) == "" {
			bad("arms", "an arm label is empty")
			continue
		}
		if seen[a] {
			bad("arms", "arm %q is listed twice", a)
		}
		seen[a] = true
	}
	switch {
	case s.Control == "":
		bad("control", "missing: the control arm label")
	case len(s.Arms) > 0 && !seen[s.Control]:
		bad("control", "%q is not among the arms %q", s.Control, s.Arms)
	}
	if len(s.Allocation) > 0 {
		if len(s.Allocation) != len(s.Arms) {
			bad("allocation", "%d weights for %d arms: give one weight per arm, in the order of arms", len(s.Allocation), len(s.Arms))
		}
		for _, w := range s.Allocation {
			if !(w > 0) || math.IsInf(w, 0) {
				bad("allocation", "weights must be positive and finite, got %v", w)
				break
			}
		}
	}
}

// checkColumns reports a column declared in two roles that exclude each
// other (a unit id that is also an outcome) and duplicate declarations.
func (s *Spec) checkColumns(bad badFunc) {
	role := map[string]string{}
	claim := func(sub, col, what string) {
		if col == "" {
			return
		}
		if prev, ok := role[col]; ok {
			bad(sub, "column %q is already the %s", col, prev)
			return
		}
		role[col] = what
	}
	claim("unit", s.Unit, "unit id column")
	claim("arm", s.Arm, "arm column")
	claim("received", s.Received, "treatment-received column")
	for i, o := range s.Outcomes {
		claim(fmt.Sprintf("outcomes[%d].name", i), o.Name, "outcome "+o.Name)
	}
	for _, c := range s.Covariates {
		claim("covariates", c, "covariate "+c)
	}
	for _, a := range s.Attributes {
		claim("attributes", a, "attribute "+a)
	}
	if s.Sequential != nil {
		claim("sequential.look_column", s.Sequential.LookColumn, "look column")
	}
	for _, c := range []struct{ sub, col string }{{"cluster", s.Cluster}, {"strata", s.Strata}} {
		if c.col != "" && (c.col == s.Unit || c.col == s.Arm) {
			bad(c.sub, "column %q is already the %s", c.col, role[c.col])
		}
	}
	covs := map[string]bool{}
	for _, c := range s.Covariates {
		covs[c] = true
	}
	for _, c := range s.AdjustFor {
		if !covs[c] {
			bad("adjust_for", "%q is not among the covariates %q", c, s.Covariates)
		}
	}
	attrs := map[string]bool{}
	for _, a := range s.Attributes {
		attrs[a] = true
	}
	seen := map[string]bool{}
	for i, g := range s.Subgroups {
		sub := fmt.Sprintf("subgroups[%d].attribute", i)
		switch {
		case g.Attribute == "":
			bad(sub, "missing: the attribute column that defines the subgroups")
		case !attrs[g.Attribute]:
			bad(sub, "%q is not among the attributes %q", g.Attribute, s.Attributes)
		case seen[g.Attribute]:
			bad(sub, "subgroups by %q are declared twice", g.Attribute)
		}
		seen[g.Attribute] = true
	}
}

func (s *Spec) checkOutcomes(bad badFunc) {
	if len(s.Outcomes) == 0 {
		bad("outcomes", "missing: declare at least one [[abtests.outcomes]]")
		return
	}
	covs := map[string]bool{}
	for _, c := range s.Covariates {
		covs[c] = true
	}
	primary := 0
	for i, o := range s.Outcomes {
		k := fmt.Sprintf("outcomes[%d]", i)
		if o.Name == "" {
			bad(k+".name", "missing: the outcome column")
		}
		switch o.Better {
		case "", BetterLower, BetterHigher:
		default:
			bad(k+".better", "must be \"higher\" or \"lower\" (the good direction of the outcome), got %q", o.Better)
		}
		switch abtest.OutcomeKind(o.Kind) {
		case abtest.Binary, abtest.Continuous:
		case "":
			bad(k+".kind", "missing: \"binary\" or \"continuous\"")
		default:
			bad(k+".kind", "must be \"binary\" or \"continuous\", got %q", o.Kind)
		}
		if o.Primary {
			primary++
		}
		if o.PrePeriod != "" && !covs[o.PrePeriod] {
			bad(k+".pre_period", "%q is not among the covariates %q", o.PrePeriod, s.Covariates)
		}
	}
	if primary == 0 {
		bad("outcomes", "no primary outcome: mark one with primary = true")
	}
	strategy, _ := parseStrategy(s.Multiplicity.Strategy)
	if strategy == abtest.StrategyFixedSequence && (len(s.Outcomes) == 0 || !s.Outcomes[0].Primary) {
		bad("multiplicity.strategy", "a fixed sequence tests outcomes in declared order: declare the primary outcome first")
	}
}

func (s *Spec) outcome(name string) (OutcomeSpec, bool) {
	for _, o := range s.Outcomes {
		if o.Name == name {
			return o, true
		}
	}
	return OutcomeSpec{}, false
}

// checkTreatmentArm reports an arm key that is not a treatment arm.
func (s *Spec) checkTreatmentArm(bad badFunc, sub, arm string) {
	if arm == "" {
		return
	}
	for _, a := range s.Arms {
		if a == arm {
			if arm == s.Control {
				bad(sub, "%q is the control arm: name a treatment arm", arm)
			}
			return
		}
	}
	bad(sub, "%q is not among the arms %q", arm, s.Arms)
}

func (s *Spec) checkTarget(bad badFunc) {
	t := s.Target
	s.checkTreatmentArm(bad, "target.arm", t.Arm)
	o, ok := s.outcome(t.Outcome)
	if t.Outcome == "" {
		bad("target.outcome", "missing: the outcome the target is about")
	} else if !ok {
		bad("target.outcome", "%q is not among the outcomes", t.Outcome)
	}
	switch {
	case t.RelativeReduction != nil && t.Difference != nil:
		bad("target", "set relative_reduction (binary outcome) or difference (continuous outcome), not both")
	case t.RelativeReduction == nil && t.Difference == nil:
		bad("target", "missing: relative_reduction (binary outcome, 0.15 for 15%%) or difference (continuous outcome)")
	case t.RelativeReduction != nil:
		if r := *t.RelativeReduction; !(r < 1) || r == 0 || math.IsInf(r, 0) {
			bad("target.relative_reduction", "must be non-zero and below 1 (0.15 for a 15%% reduction), got %v", r)
		}
		if ok && o.Kind == string(abtest.Continuous) {
			bad("target.relative_reduction", "outcome %q is continuous: set difference instead", t.Outcome)
		}
	default:
		if d := *t.Difference; math.IsNaN(d) || math.IsInf(d, 0) {
			bad("target.difference", "must be finite, got %v", d)
		}
		if ok && o.Kind == string(abtest.Binary) {
			bad("target.difference", "outcome %q is binary: set relative_reduction instead", t.Outcome)
		}
	}
}

func (s *Spec) checkSequential(bad badFunc) {
	q := s.Sequential
	if q.Looks < 1 {
		bad("sequential.looks", "must be at least 1 (the number of planned analyses, the final one included), got %d", q.Looks)
	}
	if _, err := parseSpending(q.Spending); err != nil {
		bad("sequential.spending", "%v", err)
	}
	if len(q.Information) > 0 {
		if len(q.Information) != q.Looks {
			bad("sequential.information", "%d information fractions for %d looks", len(q.Information), q.Looks)
		}
		prev := 0.0
		for _, t := range q.Information {
			if !(t > prev && t <= 1) {
				bad("sequential.information", "fractions must increase strictly within (0, 1], got %v", q.Information)
				break
			}
			prev = t
		}
	}
	if len(q.Z) > 0 && q.LookColumn != "" {
		bad("sequential", "give the observed z statistics or a look column, not both")
	}
	if len(q.Z) > q.Looks && q.Looks >= 1 {
		bad("sequential.z", "%d statistics for %d planned looks", len(q.Z), q.Looks)
	}
	for _, z := range q.Z {
		if math.IsNaN(z) || math.IsInf(z, 0) {
			bad("sequential.z", "statistics must be finite, got %v", z)
			break
		}
	}
	if q.Outcome != "" {
		if _, ok := s.outcome(q.Outcome); !ok {
			bad("sequential.outcome", "%q is not among the outcomes", q.Outcome)
		}
	}
	s.checkTreatmentArm(bad, "sequential.arm", q.Arm)
}

func (s *Spec) checkAssignment(bad badFunc) {
	a := s.Assignment
	switch abtest.AssignmentMethod(a.Method) {
	case abtest.AssignComplete:
	case abtest.AssignStratified:
		if s.Strata == "" {
			bad("assignment.method", "stratified assignment needs the strata column (strata = \"...\")")
		}
	case abtest.AssignCluster:
		if s.Cluster == "" {
			bad("assignment.method", "cluster assignment needs the cluster column (cluster = \"...\")")
		}
	case "":
		bad("assignment.method", "missing: \"complete\", \"stratified\" or \"cluster\"")
	default:
		bad("assignment.method", "must be \"complete\", \"stratified\" or \"cluster\", got %q", a.Method)
	}
	if a.Method == string(abtest.AssignCluster) && !s.ClusterRandomized {
		bad("cluster_randomized", "assignment.method is \"cluster\": set cluster_randomized = true so the analysis accounts for it")
	}
}

func checkDesign(d *DesignSpec, bad badFunc) {
	prop := d.BaselineRate != 0 || d.RelativeReduction != 0 || d.TreatmentRate != 0
	means := d.MeanDifference != 0 || d.SD != 0
	switch {
	case prop && means:
		bad("design", "give a proportions design (baseline_rate, relative_reduction or treatment_rate) or a means design (mean_difference, sd), not both")
	case !prop && !means:
		bad("design", "missing: baseline_rate (proportions) or sd (means)")
	case prop:
		if !(d.BaselineRate > 0 && d.BaselineRate < 1) {
			bad("design.baseline_rate", "must lie in (0, 1), got %v", d.BaselineRate)
		}
		if d.RelativeReduction != 0 && d.TreatmentRate != 0 {
			bad("design", "set relative_reduction or treatment_rate, not both")
		}
		if d.RelativeReduction != 0 && !(d.RelativeReduction < 1) {
			bad("design.relative_reduction", "must be below 1 (0.15 for 15%%), got %v", d.RelativeReduction)
		}
		if d.TreatmentRate != 0 && !(d.TreatmentRate > 0 && d.TreatmentRate < 1) {
			bad("design.treatment_rate", "must lie in (0, 1), got %v", d.TreatmentRate)
		}
		if d.RelativeReduction == 0 && d.TreatmentRate == 0 && d.N == 0 {
			bad("design", "without an effect (relative_reduction or treatment_rate) give n to compute the minimum detectable effect")
		}
	default:
		if !(d.SD > 0) || math.IsInf(d.SD, 0) {
			bad("design.sd", "must be positive and finite, got %v", d.SD)
		}
		if d.MeanDifference == 0 && d.N == 0 {
			bad("design", "without mean_difference give n to compute the minimum detectable difference")
		}
	}
	if d.Power != 0 && !(d.Power > 0 && d.Power < 1) {
		bad("design.power", "must lie in (0, 1), got %v", d.Power)
	}
	if !(d.ICC >= 0 && d.ICC < 1) {
		bad("design.icc", "must lie in [0, 1), got %v", d.ICC)
	}
	if d.ICC > 0 && !(d.ClusterSize > 1) {
		bad("design.cluster_size", "an ICC needs the mean cluster size (above 1), got %v", d.ClusterSize)
	}
	if d.ClusterSize < 0 || math.IsInf(d.ClusterSize, 0) {
		bad("design.cluster_size", "must be positive and finite, got %v", d.ClusterSize)
	}
	if d.Ratio < 0 || math.IsInf(d.Ratio, 0) {
		bad("design.ratio", "must be positive and finite, got %v", d.Ratio)
	}
	if d.N < 0 || math.IsInf(d.N, 0) {
		bad("design.n", "must be positive and finite, got %v", d.N)
	}
}

// parseStrategy maps a TOML strategy name to abtest's ("" is pooled).
func parseStrategy(name string) (abtest.MultiplicityStrategy, error) {
	switch name {
	case "", "pooled":
		return abtest.StrategyPooled, nil
	case "gatekeeping":
		return abtest.StrategyGatekeeping, nil
	case "fixed_sequence", "fixed-sequence":
		return abtest.StrategyFixedSequence, nil
	}
	return "", fmt.Errorf("must be \"pooled\", \"gatekeeping\" or \"fixed_sequence\", got %q", name)
}

// parseSpending maps a TOML spending name to abtest's ("" is
// O'Brien-Fleming).
func parseSpending(name string) (abtest.SpendingFunction, error) {
	switch name {
	case "", "obrien_fleming", "obrien-fleming":
		return abtest.SpendingOBrienFleming, nil
	case "pocock":
		return abtest.SpendingPocock, nil
	}
	return "", fmt.Errorf("must be \"obrien_fleming\" or \"pocock\", got %q", name)
}

// SpecError lists the problems Check found, for callers without TOML line
// numbers (Run, Assign and the command's own parsing).
type SpecError struct {
	Problems []string
}

func (e *SpecError) Error() string {
	if len(e.Problems) == 1 {
		return "pilot spec: " + e.Problems[0]
	}
	return fmt.Sprintf("pilot spec: %d problems:\n  %s", len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// checkErr runs Check and returns its problems as a *SpecError (nil when
// there are none).
func (s *Spec) checkErr(key string) error {
	var problems []string
	s.Check(key, func(k, msg string) { problems = append(problems, k+": "+msg) })
	if len(problems) == 0 {
		return nil
	}
	return &SpecError{Problems: problems}
}

// Plan returns the abtest analysis plan the spec declares. The spec must
// pass Check.
func (s *Spec) Plan() abtest.Plan {
	plan := abtest.Plan{
		Arms:              append([]string(nil), s.Arms...),
		Control:           s.Control,
		ClusterRandomized: s.ClusterRandomized,
		AdjustFor:         append([]string(nil), s.AdjustFor...),
		SubgroupScale:     abtest.EffectScale(s.SubgroupScale),
		Level:             s.LevelValue(),
		MinGroupSize:      s.MinGroupSize,
	}
	if len(s.Allocation) > 0 {
		plan.Allocation = append([]float64(nil), s.Allocation...)
	}
	for _, o := range s.Outcomes {
		plan.Outcomes = append(plan.Outcomes, abtest.OutcomePlan{Name: o.Name, Kind: abtest.OutcomeKind(o.Kind), Primary: o.Primary, PrePeriod: o.PrePeriod})
	}
	for _, g := range s.Subgroups {
		plan.Subgroups = append(plan.Subgroups, abtest.SubgroupPlan{Attribute: g.Attribute, PreDeclared: g.PreDeclared})
	}
	method := abtest.AdjustHolm
	if s.Multiplicity.Method != "" {
		method, _ = abtest.ParseAdjustMethod(s.Multiplicity.Method)
	}
	strategy, _ := parseStrategy(s.Multiplicity.Strategy)
	plan.Multiplicity = abtest.MultiplicityPlan{Method: method, Strategy: strategy, Alpha: s.AlphaValue()}
	if t := s.Target; t != nil {
		tp := abtest.TargetPlan{Outcome: t.Outcome, Arm: t.Arm, Label: t.Label}
		if t.RelativeReduction != nil {
			tp.RelativeReduction = *t.RelativeReduction
		}
		if t.Difference != nil {
			tp.Difference = *t.Difference
		}
		plan.Target = &tp
	}
	return plan
}

// firstTreatment returns the first arm that is not control.
func (s *Spec) firstTreatment() string {
	for _, a := range s.Arms {
		if a != s.Control {
			return a
		}
	}
	return ""
}

// firstPrimary returns the first primary outcome's name.
func (s *Spec) firstPrimary() string {
	for _, o := range s.Outcomes {
		if o.Primary {
			return o.Name
		}
	}
	return ""
}
