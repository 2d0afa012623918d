package harness

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
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
	// A module's random intercept is a reason of its own in
	// predictions.csv, worth exactly its conditional mode.
	modes := map[string]float64{}
	for _, e := range out.Results.Evaluations {
		if e.Model == "glmm" {
			for g, m := range e.Fit.RandomIntercept.Modes {
				modes[fmt.Sprintf("%d/%s", *e.Cutoff, g)] = m
			}
		}
	}
	f, err := os.Open(filepath.Join(out.Dir, "predictions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for j, h := range recs[0] {
		col[h] = j
	}
	named := 0
	for _, rec := range recs[1:] {
		for j, h := range recs[0] {
			var g string
			var c float64
			if !strings.HasPrefix(h, "reason_") || !strings.HasSuffix(rec[j], "(random intercept)") {
				continue
			}
			if rec[col["model"]] != "glmm" {
				t.Fatalf("%s names a random intercept: %q", rec[col["model"]], rec[j])
			}
			if _, err := fmt.Sscanf(rec[j], "code_module %s %f (random intercept)", &g, &c); err != nil {
				t.Fatalf("reason %q: %v", rec[j], err)
			}
			g = strings.TrimSuffix(g, ":")
			mode, ok := modes[rec[col["cutoff"]]+"/"+g]
			if !ok || mode <= 0 || math.Abs(mode-c) > 5e-4 {
				t.Errorf("reason %q: module %s has mode %g (known %v)", rec[j], g, mode, ok)
			}
			named++
		}
	}
	if named == 0 {
		t.Errorf("no student's reasons name a module's random intercept (modes %v)", modes)
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
