package harness

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestMixedLogisticRun: a mixed_logistic model with a grid over n_agq runs
// beside the others; its results carry the random intercept (per-module
// modes, SD, ICC), the count of test rows scored at the population level
// (their module was not in training)
// and reasons for every test student, whose base includes the module's
// conditional mode.
func TestMixedLogisticRun(t *testing.T) {
	s := smallSpec(t, `
[[models]]
name = "glmm"
kind = "mixed_logistic"
group = "code_module"
[models.grid]
n_agq = [1, 3]

[explain]
permutation_repeats = 1

[metrics]
bootstrap = { replicates = 0 }
`)
	out := runTo(t, s, filepath.Join(t.TempDir(), "run"))
	data, err := loadAndValidate(s)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range out.Results.Evaluations {
		if e.Model != "glmm" {
			if e.PopulationLevelRows != nil || e.Fit.RandomIntercept != nil {
				t.Errorf("%s reports a random intercept", e.Model)
			}
			continue
		}
		n++
		ri := e.Fit.RandomIntercept
		if ri == nil || ri.Group != "code_module" || ri.Groups < 2 || len(ri.Modes) != ri.Groups || ri.SD <= 0 || ri.ICC <= 0 {
			t.Fatalf("random intercept %+v", ri)
		}
		// Test rows of modules without a mode (not in training) are the
		// population-level ones.
		unseen := 0
		for _, f := range data[0].frames {
			if f.Cutoff != *e.Cutoff {
				continue
			}
			for _, i := range rowsOf(f, e.TestTerms) {
				if _, ok := ri.Modes[f.Courses[i]]; !ok {
					unseen++
				}
			}
		}
		if e.PopulationLevelRows == nil || *e.PopulationLevelRows != unseen {
			t.Errorf("population-level rows %v, want %d", e.PopulationLevelRows, unseen)
		}
		if e.Selection == nil || len(e.Selection.Candidates) != 2 {
			t.Errorf("grid selection %+v", e.Selection)
		}
		if e.ReasonRows != e.Test.Rows || len(e.Importance) == 0 {
			t.Errorf("reasons for %d of %d test rows, %d importances", e.ReasonRows, e.Test.Rows, len(e.Importance))
		}
		if e.Metrics.AUC == nil || *e.Metrics.AUC < 0.6 {
			t.Errorf("AUC %v", e.Metrics.AUC)
		}
	}
	if n != 2 {
		t.Fatalf("%d mixed_logistic evaluations, want 2 (one per cutoff)", n)
	}
}

// TestMixedLogisticSpecProblems: a missing or unknown grouping column and
// n_agq out of range are spec errors with their key.
func TestMixedLogisticSpecProblems(t *testing.T) {
	cases := []struct{ model, want string }{
		{"kind = \"mixed_logistic\"\n", "models[1].group: missing"},
		{"kind = \"mixed_logistic\"\ngroup = \"major\"\nn_agq = 30\n", "models[1].n_agq: must lie between 1 and 25, got 30"},
	}
	for _, c := range cases {
		src := csvSource() + "\n[[models]]\nname = \"glmm\"\n" + c.model
		_, err := ParseSpec("m.toml", ".", []byte(src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.model, err, c.want)
		}
	}
	s := csvSpec(t, "\n[[models]]\nname = \"glmm\"\nkind = \"mixed_logistic\"\ngroup = \"section\"\n")
	err := Validate(s)
	if err == nil || !strings.Contains(err.Error(), `models[1].group: no categorical column "section" in dataset "students"`) {
		t.Errorf("unknown grouping column: err = %v", err)
	}
	s = csvSpec(t, "\n[[models]]\nname = \"glmm\"\nkind = \"mixed_logistic\"\ngroup = \"course\"\n")
	err = Validate(s)
	if err == nil || !strings.Contains(err.Error(), `models[1].group: dataset "students" has no course column`) {
		t.Errorf("course without a course column: err = %v", err)
	}
}
