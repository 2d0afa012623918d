package harness

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/fairness"
)

const auditSpec = `
[fairness]
attributes = ["gender", "disability"]
intersections = [["gender", "disability"]]
reference = { disability = "N" }
models = ["lr"]
min_group_size = 20
replicates = 200
permutations = 200

[[fairness.thresholds]]
metric = "fnr_difference"
max = %s

[[fairness.thresholds]]
metric = "selection_rate_ratio"
low = 0.8
high = 1.25
attributes = ["gender"]
`

func TestFairnessAuditAndExitCode(t *testing.T) {
	// A bound of 1 cannot fail: every difference of rates lies in [-1, 1].
	// The loose run also sweeps two further thresholds.
	// Only the audit is looked at: the metric bootstrap and explanations
	// are off.
	loose := smallSpec(t, strings.Replace(strings.Replace(auditSpec, "%s", "1.0", 1), "permutations = 200\n", "permutations = 200\nsweep = [0.2, 0.8]\n", 1)+noResampling)
	out := runTo(t, loose, filepath.Join(t.TempDir(), "loose"))
	audits := 0
	for _, e := range out.Results.Evaluations {
		if e.Fairness == nil {
			if e.Model == "lr" {
				t.Errorf("lr at cutoff %d was not audited", *e.Cutoff)
			}
			continue
		}
		audits++
		if e.Model != "lr" {
			t.Errorf("model %s audited; the spec limits the audit to lr", e.Model)
		}
		if len(e.Fairness.Attributes) != 3 || e.Fairness.Attributes[2].Name != "gender|disability" {
			t.Errorf("audited %d attributes, want gender, disability and gender|disability", len(e.Fairness.Attributes))
		}
		if e.Fairness.Attributes[1].Reference != "N" || e.Fairness.MinGroupSize != 20 || e.Fairness.BootstrapReplicates != 200 {
			t.Errorf("audit options not applied: reference %q, min group %d, replicates %d", e.Fairness.Attributes[1].Reference, e.Fairness.MinGroupSize, e.Fairness.BootstrapReplicates)
		}
		if e.Fairness.Threshold != e.Threshold {
			t.Errorf("audit threshold %v, evaluation threshold %v: want the same flags", e.Fairness.Threshold, e.Threshold)
		}
		for _, v := range e.Fairness.Verdicts {
			if v.Metric == "fnr_difference" && v.Outcome == fairness.Fail {
				t.Errorf("a |gap| <= 1 bound failed: %+v", v)
			}
		}
		if len(e.FairnessSweep) != 2 || e.FairnessSweep[0].Threshold != 0.2 || e.FairnessSweep[1].Threshold != 0.8 {
			t.Errorf("sweep audits %d, want thresholds 0.2 and 0.8", len(e.FairnessSweep))
			continue
		}
		lo, hi := e.FairnessSweep[0], e.FairnessSweep[1]
		if len(lo.Verdicts) != len(e.Fairness.Verdicts) {
			t.Errorf("sweep audit has %d verdicts, the main audit %d", len(lo.Verdicts), len(e.Fairness.Verdicts))
		}
		// A lower threshold flags at least as many students of each group.
		for i, g := range lo.Attributes[0].Groups {
			h := hi.Attributes[0].Groups[i]
			if !g.Suppressed && g.SelectionRate.Value < h.SelectionRate.Value {
				t.Errorf("group %s: selection rate %g at 0.2 below %g at 0.8", g.Group, g.SelectionRate.Value, h.SelectionRate.Value)
			}
		}
	}
	if audits != 2 {
		t.Errorf("%d audits, want lr at 2 cutoffs", audits)
	}
	if out.ExitCode == fairness.ExitFail {
		t.Errorf("exit code %d with a bound that cannot fail", out.ExitCode)
	}
	// A bound of 0 fails wherever the interval excludes 0: the synthetic
	// data plants a disability gap, so the run must gate with ExitFail.
	strict := smallSpec(t, strings.Replace(auditSpec, "%s", "0.0", 1)+noResampling)
	out = runTo(t, strict, filepath.Join(t.TempDir(), "strict"))
	if out.Results.FairnessStatus != fairness.Fail || out.ExitCode != fairness.ExitFail {
		t.Errorf("status %s, exit %d; want FAIL and exit %d", out.Results.FairnessStatus, out.ExitCode, fairness.ExitFail)
	}
}

func TestFairnessSpecProblems(t *testing.T) {
	src := csvSource() + `
[fairness]
attributes = ["first_gen", "major"]
intersections = [["first_gen", "term"]]
reference = { nationality = "X" }
models = ["svm"]
metrics = ["happiness"]
adjust = "sidak"
sweep = [0.5, 0.5]

[[fairness.thresholds]]
metric = "tpr_ratio"
max = 0.1

[[fairness.thresholds]]
metric = "tpr_difference"
low = 0.8
high = 1.2

[[fairness.thresholds]]
metric = "flag_rate_ratio"
low = 0.8
high = 1.25
`
	_, err := ParseSpec("f.toml", ".", []byte(src))
	for _, want := range []string{
		`f.toml:27: fairness.attributes: "major" is not among the groups of dataset "students"`,
		`f.toml:28: fairness.intersections: "term" is not in fairness.attributes`,
		`fairness.reference.nationality: no attribute or intersection "nationality" in the audit`,
		`f.toml:30: fairness.models: no model named "svm"`,
		`f.toml:31: fairness.metrics: unknown metric "happiness"`,
		`f.toml:32: fairness.adjust: must be "holm", "BH" or "none", got "sidak"`,
		`f.toml:33: fairness.sweep: 0.5 appears twice`,
		`f.toml:35: fairness.thresholds[0]: a ratio threshold sets low and high`,
		`f.toml:39: fairness.thresholds[1]: a difference threshold sets max`,
		`f.toml:45: fairness.thresholds[2].metric: unknown gap metric "flag_rate_ratio" (one of selection_rate_difference, selection_rate_ratio,`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error does not contain %q; got:\n%v", want, err)
		}
	}
}
