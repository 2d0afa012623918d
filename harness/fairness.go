package harness

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/evalrun/evalrun/fairness"
	"github.com/evalrun/evalrun/results"
)

// FairnessSpec is the [fairness] table: a subgroup audit of every evaluated
// model, with verdicts against governance thresholds.
type FairnessSpec struct {
	// Attributes are group columns of the datasets (each must be in the
	// dataset's groups).
	Attributes []string `toml:"attributes"`
	// Intersections cross attributes, e.g. [["gender", "age_band"]].
	Intersections [][]string `toml:"intersections"`
	// Reference maps an attribute (or "a|b" intersection) to its
	// comparator: a group name, "largest" (default) or "between" (max −
	// min and min / max across groups).
	Reference map[string]string `toml:"reference"`
	// Models to audit (default: every model except base-rate models).
	Models []string `toml:"models"`
	// MinGroupSize suppresses smaller groups (default privacy.min_group_size).
	MinGroupSize int `toml:"min_group_size"`
	// Metrics are the metric families to audit (default all).
	Metrics []string `toml:"metrics"`
	// Replicates and Permutations size the bootstrap intervals and the
	// permutation tests (default 1000 each; 0 turns either off).
	Replicates   *int `toml:"replicates"`
	Permutations *int `toml:"permutations"`
	// Adjust is the p-value adjustment across the audit: "holm" (default),
	// "BH" or "none".
	Adjust string `toml:"adjust"`
	// Rule decides verdicts on the interval (default) or the point estimate.
	Rule string `toml:"rule"`
	// FailOnInconclusive makes INCONCLUSIVE verdicts fail the run too.
	FailOnInconclusive bool `toml:"fail_on_inconclusive"`
	// Gate (default true) makes a FAIL verdict end `evalrun run` with
	// fairness.ExitFail; false reports verdicts without gating (the demo).
	Gate       *bool               `toml:"gate"`
	Thresholds []FairnessThreshold `toml:"thresholds"`
	// Sweep lists further score thresholds at which each audited model
	// is audited again, as TFMA's Fairness Indicators evaluate several
	// thresholds; verdicts there are reported but do not gate the run.
	Sweep []float64 `toml:"sweep"`
}

// FairnessThreshold is one [[fairness.thresholds]] bound: `max` for a
// difference (|gap| <= max), `low` and `high` for a ratio band.
type FairnessThreshold struct {
	Metric     string   `toml:"metric"`
	Max        *float64 `toml:"max"`
	Low        *float64 `toml:"low"`
	High       *float64 `toml:"high"`
	Attributes []string `toml:"attributes"`
}

// gates reports whether verdicts set the exit code.
func (f FairnessSpec) gates() bool { return f.Gate == nil || *f.Gate }

// enabled reports whether the spec asks for an audit.
func (f FairnessSpec) enabled() bool { return len(f.Attributes) > 0 }

func intOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

func (s *Spec) checkFairness(ps *problems) {
	f := s.Fairness
	if !f.enabled() {
		if len(f.Thresholds) > 0 || len(f.Intersections) > 0 {
			ps.add("fairness.attributes", "missing: thresholds and intersections need the attributes to audit")
		}
		return
	}
	attrs := map[string]bool{}
	for _, a := range f.Attributes {
		attrs[a] = true
		for i, d := range s.Datasets {
			if d.Kind == "events" {
				continue // audited through the student table it joins
			}
			if !slices.Contains(d.Groups, a) {
				ps.add("fairness.attributes", "%q is not among the groups of dataset %q (datasets[%d].groups)", a, d.Name, i)
			}
		}
	}
	names := map[string]bool{}
	for _, a := range f.Attributes {
		names[a] = true
	}
	for _, x := range f.Intersections {
		if len(x) < 2 {
			ps.add("fairness.intersections", "an intersection crosses at least two attributes, got %q", x)
		}
		for _, a := range x {
			if !attrs[a] {
				ps.add("fairness.intersections", "%q is not in fairness.attributes", a)
			}
		}
		names[strings.Join(x, "|")] = true
	}
	for name, ref := range f.Reference {
		if !names[name] {
			ps.add("fairness.reference."+name, "no attribute or intersection %q in the audit", name)
		}
		if ref == "" {
			ps.add("fairness.reference."+name, "empty reference: name a group, or \"largest\" or \"between\"")
		}
	}
	models := map[string]bool{}
	for _, m := range s.Models {
		models[m.Name] = true
	}
	for _, m := range f.Models {
		if !models[m] {
			ps.add("fairness.models", "no model named %q", m)
		}
	}
	for _, m := range f.Metrics {
		if !slices.Contains(fairness.AllMetrics, m) {
			ps.add("fairness.metrics", "unknown metric %q (one of %s)", m, strings.Join(fairness.AllMetrics, ", "))
		}
	}
	if f.MinGroupSize < 0 {
		ps.add("fairness.min_group_size", "must be at least 1")
	}
	if r := intOr(f.Replicates, 1000); r < 0 {
		ps.add("fairness.replicates", "must be 0 (off) or positive")
	}
	if r := intOr(f.Permutations, 1000); r < 0 {
		ps.add("fairness.permutations", "must be 0 (off) or positive")
	}
	switch fairness.Adjustment(f.Adjust) {
	case "", fairness.AdjustHolm, fairness.AdjustBH, fairness.AdjustNone:
	default:
		ps.add("fairness.adjust", "must be \"holm\", \"BH\" or \"none\", got %q", f.Adjust)
	}
	switch fairness.VerdictRule(f.Rule) {
	case "", fairness.RuleInterval:
		if intOr(f.Replicates, 1000) == 0 && len(f.Thresholds) > 0 {
			ps.add("fairness.rule", "interval verdicts need bootstrap replicates; set replicates or rule = \"point\"")
		}
	case fairness.RulePoint:
	default:
		ps.add("fairness.rule", "must be \"interval\" or \"point\", got %q", f.Rule)
	}
	seenSweep := map[float64]bool{}
	for _, v := range f.Sweep {
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			ps.add("fairness.sweep", "%g is not a finite number", v)
		case seenSweep[v]:
			ps.add("fairness.sweep", "%g appears twice", v)
		}
		seenSweep[v] = true
	}
	for i, t := range f.Thresholds {
		key := fmt.Sprintf("fairness.thresholds[%d]", i)
		isRatio := strings.HasSuffix(t.Metric, "_ratio")
		switch {
		case t.Metric == "":
			ps.add(key+".metric", "missing, e.g. \"fnr_difference\" or \"selection_rate_ratio\"")
		case !slices.Contains(fairness.GapMetrics(), t.Metric):
			ps.add(key+".metric", "unknown gap metric %q (one of %s)", t.Metric, strings.Join(fairness.GapMetrics(), ", "))
		case isRatio && (t.Low == nil || t.High == nil || t.Max != nil):
			ps.add(key, "a ratio threshold sets low and high (e.g. low = 0.8, high = 1.25), not max")
		case isRatio && !(*t.Low > 0 && *t.Low <= 1 && *t.High >= 1):
			ps.add(key, "the ratio band must hold 1: 0 < low <= 1 <= high")
		case !isRatio && (t.Max == nil || t.Low != nil || t.High != nil):
			ps.add(key, "a difference threshold sets max (|gap| <= max), not low or high")
		case !isRatio && *t.Max < 0:
			ps.add(key+".max", "must not be negative")
		}
		for _, a := range t.Attributes {
			if !names[a] {
				ps.add(key+".attributes", "%q is not an audited attribute or intersection", a)
			}
		}
	}
}

// auditOptions turns the spec into the fairness library's options.
func (s *Spec) auditOptions(task string, threshold float64) fairness.AuditOptions {
	f := s.Fairness
	o := fairness.DefaultAuditOptions()
	o.Threshold = threshold
	o.MinGroupSize = f.MinGroupSize
	if o.MinGroupSize == 0 {
		o.MinGroupSize = s.Privacy.MinGroupSize
	}
	for _, x := range f.Intersections {
		o.Intersections = append(o.Intersections, fairness.Intersection{Attributes: x})
	}
	o.References = map[string]fairness.Reference{}
	for name, ref := range f.Reference {
		switch ref {
		case "largest":
			o.References[name] = fairness.Reference{Mode: fairness.ReferenceLargest}
		case "between":
			o.References[name] = fairness.Reference{Mode: fairness.ReferenceBetween}
		default:
			o.References[name] = fairness.Reference{Mode: fairness.ReferenceGroup, Group: ref}
		}
	}
	o.Metrics = f.Metrics
	o.CalibrationBins = s.Metrics.CalibrationBins
	o.BootstrapReplicates = intOr(f.Replicates, 1000)
	o.Permutations = intOr(f.Permutations, 1000)
	o.ConfidenceLevel = s.Metrics.Level
	o.Seed = TaskRand(s.Experiment.Seed, task).Uint64()
	if f.Adjust != "" {
		o.PValueAdjustment = fairness.Adjustment(f.Adjust)
	}
	if f.Rule != "" {
		o.VerdictRule = fairness.VerdictRule(f.Rule)
	}
	for _, t := range f.Thresholds {
		g := fairness.GapThreshold{Metric: t.Metric, Attributes: t.Attributes}
		if t.Max != nil {
			g.Max = *t.Max
		}
		if t.Low != nil {
			g.Low, g.High = *t.Low, *t.High
		}
		o.Thresholds = append(o.Thresholds, g)
	}
	return o
}

// audited reports whether the spec audits this model.
func (s *Spec) audited(m ModelSpec) bool {
	if !s.Fairness.enabled() {
		return false
	}
	if len(s.Fairness.Models) > 0 {
		return slices.Contains(s.Fairness.Models, m.Name)
	}
	return m.Kind != "prior"
}

// audit runs the fairness audit of one evaluation's test scores.
func (e *evaluation) audit() error {
	s := e.spec
	var attrs []fairness.Attribute
	for _, name := range s.Fairness.Attributes {
		values, err := rowLabels(e.frame, name, e.prep.testKept)
		if err != nil {
			return err
		}
		attrs = append(attrs, fairness.Attribute{Name: name, Values: values})
	}
	res, err := fairness.Audit(e.prep.testY, e.scores, attrs, s.auditOptions("fairness/"+e.taskName(), e.result.Threshold))
	if err != nil {
		return fmt.Errorf("fairness audit: %w", err)
	}
	e.result.Fairness = &res
	for _, thr := range s.Fairness.Sweep {
		task := "fairness-sweep/" + strconv.FormatFloat(thr, 'g', -1, 64) + "/" + e.taskName()
		res, err := fairness.Audit(e.prep.testY, e.scores, attrs, s.auditOptions(task, thr))
		if err != nil {
			return fmt.Errorf("fairness audit at sweep threshold %g: %w", thr, err)
		}
		e.result.FairnessSweep = append(e.result.FairnessSweep, res)
	}
	return nil
}

// fairnessStatus summarises every audit of a run: FAIL if any verdict
// failed, else INCONCLUSIVE if any was, else PASS (NOT_EVALUATED without
// thresholds or audits).
func fairnessStatus(run *results.Run) fairness.Outcome {
	status := fairness.NotEvaluated
	for _, e := range run.Evaluations {
		if e.Fairness == nil {
			continue
		}
		switch st := e.Fairness.Status; {
		case st == fairness.Fail:
			return fairness.Fail
		case st == fairness.Inconclusive:
			status = fairness.Inconclusive
		case st == fairness.Pass && status == fairness.NotEvaluated:
			status = fairness.Pass
		}
	}
	return status
}
