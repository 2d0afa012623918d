package pilot

import (
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

// validSpec is a small complete spec that passes Check.
func validSpec() Spec {
	return Spec{
		Name: "p", Data: "pilot.csv", Unit: "id", Arm: "arm",
		Arms: []string{"treat", "control"}, Control: "control",
		Covariates: []string{"gpa"}, Attributes: []string{"first_gen"},
		Outcomes: []OutcomeSpec{{Name: "dfw", Kind: "binary", Primary: true}, {Name: "grade", Kind: "continuous", PrePeriod: "gpa"}},
	}
}

func checkProblems(s Spec, key string) []string {
	var out []string
	s.Check(key, func(k, msg string) { out = append(out, k+": "+msg) })
	return out
}

func TestCheckValidSpec(t *testing.T) {
	if p := checkProblems(validSpec(), "abtests[0]"); len(p) > 0 {
		t.Errorf("valid spec has problems: %q", p)
	}
}

// TestCheckProblems lists one broken spec per case and the exact problem
// Check must report (key below "abtests[0]" and message).
func TestCheckProblems(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Spec)
		want string
	}{
		{"no name", func(s *Spec) { s.Name = "" }, "abtests[0].name: missing: every pilot needs a name"},
		{"slash in name", func(s *Spec) { s.Name = "a/b" }, `abtests[0].name: "a/b" must not contain slashes`},
		{"no data", func(s *Spec) { s.Data = "" }, "abtests[0].data: missing: the pilot CSV file"},
		{"no unit", func(s *Spec) { s.Unit = "" }, "abtests[0].unit: missing: the unit id column"},
		{"no arm column", func(s *Spec) { s.Arm = "" }, "abtests[0].arm: missing: the assigned-arm column"},
		{"one arm", func(s *Spec) { s.Arms = []string{"control"} }, "abtests[0].arms: declare at least two arms, the control included, got 1"},
		{"duplicate arm", func(s *Spec) { s.Arms = []string{"treat", "treat", "control"} }, `abtests[0].arms: arm "treat" is listed twice`},
		{"control not an arm", func(s *Spec) { s.Control = "ctrl" }, `abtests[0].control: "ctrl" is not among the arms ["treat" "control"]`},
		{"allocation length", func(s *Spec) { s.Allocation = []float64{1} }, "abtests[0].allocation: 1 weights for 2 arms"},
		{"allocation negative", func(s *Spec) { s.Allocation = []float64{1, -1} }, "abtests[0].allocation: weights must be positive and finite, got -1"},
		{"cluster randomized without cluster", func(s *Spec) { s.ClusterRandomized = true }, "abtests[0].cluster_randomized: needs the cluster column"},
		{"alpha", func(s *Spec) { s.Alpha = ptr(1.5) }, "abtests[0].alpha: must lie in (0, 1), got 1.5"},
		{"level", func(s *Spec) { s.Level = ptr(0.0) }, "abtests[0].level: must lie in (0, 1), got 0"},
		{"method", func(s *Spec) { s.Multiplicity.Method = "sidak" }, `abtests[0].multiplicity.method: must be holm, hochberg, BH, BY, bonferroni or none, got "sidak"`},
		{"strategy", func(s *Spec) { s.Multiplicity.Strategy = "serial" }, `abtests[0].multiplicity.strategy: must be "pooled", "gatekeeping" or "fixed_sequence", got "serial"`},
		{"fixed sequence primary last", func(s *Spec) {
			s.Multiplicity.Strategy = "fixed_sequence"
			s.Outcomes[0], s.Outcomes[1] = s.Outcomes[1], s.Outcomes[0]
		}, "abtests[0].multiplicity.strategy: a fixed sequence tests outcomes in declared order: declare the primary outcome first"},
		{"scale", func(s *Spec) { s.SubgroupScale = "ratio" }, `abtests[0].subgroup_scale: must be "difference" or "log-odds", got "ratio"`},
		{"no outcomes", func(s *Spec) { s.Outcomes = nil }, "abtests[0].outcomes: missing: declare at least one [[abtests.outcomes]]"},
		{"bad kind", func(s *Spec) { s.Outcomes[1].Kind = "x" }, `abtests[0].outcomes[1].kind: must be "binary" or "continuous", got "x"`},
		{"missing kind", func(s *Spec) { s.Outcomes[1].Kind = "" }, `abtests[0].outcomes[1].kind: missing: "binary" or "continuous"`},
		{"no primary", func(s *Spec) { s.Outcomes[0].Primary = false }, "abtests[0].outcomes: no primary outcome: mark one with primary = true"},
		{"pre-period not a covariate", func(s *Spec) { s.Outcomes[1].PrePeriod = "sat" }, `abtests[0].outcomes[1].pre_period: "sat" is not among the covariates ["gpa"]`},
		{"outcome is the unit column", func(s *Spec) { s.Outcomes[1].Name = "id" }, `abtests[0].outcomes[1].name: column "id" is already the unit id column`},
		{"covariate is an outcome", func(s *Spec) { s.Covariates = []string{"gpa", "dfw"} }, `abtests[0].covariates: column "dfw" is already the outcome dfw`},
		{"strata is the arm column", func(s *Spec) { s.Strata = "arm" }, `abtests[0].strata: column "arm" is already the arm column`},
		{"adjust_for not a covariate", func(s *Spec) { s.AdjustFor = []string{"sat"} }, `abtests[0].adjust_for: "sat" is not among the covariates ["gpa"]`},
		{"subgroup not an attribute", func(s *Spec) { s.Subgroups = []SubgroupSpec{{Attribute: "pell"}} }, `abtests[0].subgroups[0].attribute: "pell" is not among the attributes ["first_gen"]`},
		{"subgroup twice", func(s *Spec) { s.Subgroups = []SubgroupSpec{{Attribute: "first_gen"}, {Attribute: "first_gen"}} }, `abtests[0].subgroups[1].attribute: subgroups by "first_gen" are declared twice`},
		{"target outcome", func(s *Spec) { s.Target = &TargetSpec{Outcome: "gpa", RelativeReduction: ptr(0.15)} }, `abtests[0].target.outcome: "gpa" is not among the outcomes`},
		{"target control arm", func(s *Spec) { s.Target = &TargetSpec{Outcome: "dfw", Arm: "control", RelativeReduction: ptr(0.15)} }, `abtests[0].target.arm: "control" is the control arm: name a treatment arm`},
		{"target both", func(s *Spec) {
			s.Target = &TargetSpec{Outcome: "dfw", RelativeReduction: ptr(0.15), Difference: ptr(0.1)}
		}, "abtests[0].target: set relative_reduction (binary outcome) or difference (continuous outcome), not both"},
		{"target neither", func(s *Spec) { s.Target = &TargetSpec{Outcome: "dfw"} }, "abtests[0].target: missing: relative_reduction"},
		{"target reduction for continuous", func(s *Spec) { s.Target = &TargetSpec{Outcome: "grade", RelativeReduction: ptr(0.15)} }, `abtests[0].target.relative_reduction: outcome "grade" is continuous: set difference instead`},
		{"target difference for binary", func(s *Spec) { s.Target = &TargetSpec{Outcome: "dfw", Difference: ptr(-0.05)} }, `abtests[0].target.difference: outcome "dfw" is binary: set relative_reduction instead`},
		{"target reduction 1", func(s *Spec) { s.Target = &TargetSpec{Outcome: "dfw", RelativeReduction: ptr(1.0)} }, "abtests[0].target.relative_reduction: must be non-zero and below 1"},
		{"looks", func(s *Spec) { s.Sequential = &SequentialSpec{} }, "abtests[0].sequential.looks: must be at least 1"},
		{"spending", func(s *Spec) { s.Sequential = &SequentialSpec{Looks: 2, Spending: "haybittle"} }, `abtests[0].sequential.spending: must be "obrien_fleming" or "pocock", got "haybittle"`},
		{"information length", func(s *Spec) { s.Sequential = &SequentialSpec{Looks: 3, Information: []float64{0.5, 1}} }, "abtests[0].sequential.information: 2 information fractions for 3 looks"},
		{"information order", func(s *Spec) { s.Sequential = &SequentialSpec{Looks: 2, Information: []float64{0.6, 0.5}} }, "abtests[0].sequential.information: fractions must increase strictly within (0, 1]"},
		{"z and look column", func(s *Spec) { s.Sequential = &SequentialSpec{Looks: 2, Z: []float64{1}, LookColumn: "look"} }, "abtests[0].sequential: give the observed z statistics or a look column, not both"},
		{"too many z", func(s *Spec) { s.Sequential = &SequentialSpec{Looks: 1, Z: []float64{1, 2}} }, "abtests[0].sequential.z: 2 statistics for 1 planned looks"},
		{"sequential outcome", func(s *Spec) { s.Sequential = &SequentialSpec{Looks: 2, Outcome: "x"} }, `abtests[0].sequential.outcome: "x" is not among the outcomes`},
		{"assignment method", func(s *Spec) { s.Assignment = &AssignmentSpec{Method: "blocked"} }, `abtests[0].assignment.method: must be "complete", "stratified" or "cluster", got "blocked"`},
		{"stratified without strata", func(s *Spec) { s.Assignment = &AssignmentSpec{Method: "stratified"} }, "abtests[0].assignment.method: stratified assignment needs the strata column"},
		{"cluster without cluster", func(s *Spec) { s.Assignment = &AssignmentSpec{Method: "cluster"} }, "abtests[0].assignment.method: cluster assignment needs the cluster column"},
		{"cluster assignment, individual analysis", func(s *Spec) { s.Cluster = "section"; s.Assignment = &AssignmentSpec{Method: "cluster"} }, `abtests[0].cluster_randomized: assignment.method is "cluster": set cluster_randomized = true`},
		{"design empty", func(s *Spec) { s.Design = &DesignSpec{} }, "abtests[0].design: missing: baseline_rate (proportions) or sd (means)"},
		{"design both kinds", func(s *Spec) { s.Design = &DesignSpec{BaselineRate: 0.3, SD: 1} }, "abtests[0].design: give a proportions design"},
		{"design rate", func(s *Spec) { s.Design = &DesignSpec{BaselineRate: 1.2, RelativeReduction: 0.1} }, "abtests[0].design.baseline_rate: must lie in (0, 1), got 1.2"},
		{"design no effect no n", func(s *Spec) { s.Design = &DesignSpec{BaselineRate: 0.3} }, "abtests[0].design: without an effect (relative_reduction or treatment_rate) give n"},
		{"design icc without size", func(s *Spec) { s.Design = &DesignSpec{BaselineRate: 0.3, RelativeReduction: 0.15, ICC: 0.02} }, "abtests[0].design.cluster_size: an ICC needs the mean cluster size (above 1), got 0"},
		{"design power", func(s *Spec) { s.Design = &DesignSpec{SD: 1, MeanDifference: 0.2, Power: 80} }, "abtests[0].design.power: must lie in (0, 1), got 80"},
	}
	for _, c := range cases {
		s := validSpec()
		c.edit(&s)
		got := checkProblems(s, "abtests[0]")
		found := false
		for _, p := range got {
			found = found || strings.HasPrefix(p, c.want)
		}
		if !found {
			t.Errorf("%s: problems %q lack %q", c.name, got, c.want)
		}
	}
}

func TestCheckEmptyKey(t *testing.T) {
	s := validSpec()
	s.Outcomes[0].Kind = "x"
	got := checkProblems(s, "")
	if len(got) != 1 || got[0] != `outcomes[0].kind: must be "binary" or "continuous", got "x"` {
		t.Errorf("problems with an empty key: %q", got)
	}
}

func TestPlanDefaults(t *testing.T) {
	s := validSpec()
	p := s.Plan()
	if p.Level != 0.95 || p.Multiplicity.Alpha != 0.05 || p.Multiplicity.Method != "holm" || p.Multiplicity.Strategy != "pooled" {
		t.Errorf("defaults: level %v, multiplicity %+v", p.Level, p.Multiplicity)
	}
	s.Alpha = ptr(0.1)
	s.Multiplicity = MultiplicitySpec{Method: "bh", Strategy: "fixed_sequence"}
	p = s.Plan()
	if p.Level != 0.9 || p.Multiplicity.Method != "BH" || p.Multiplicity.Strategy != "fixed-sequence" {
		t.Errorf("alpha 0.1, bh, fixed_sequence: level %v, multiplicity %+v", p.Level, p.Multiplicity)
	}
}
