package harness

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestGridSelection(t *testing.T) {
	s := smallSpec(t, `
[[models]]
name = "tuned"
kind = "logistic"
[models.grid]
C = [0.001, 1.0]
class_weight = ["", "balanced"]

[explain]
reasons = 0
permutation_repeats = 0

[metrics.bootstrap]
replicates = 0
`)
	out := runTo(t, s, filepath.Join(t.TempDir(), "run"))
	n := 0
	for _, e := range out.Results.Evaluations {
		if e.Model != "tuned" {
			if e.Selection != nil {
				t.Errorf("%s has a selection without a grid", e.Model)
			}
			continue
		}
		n++
		sel := e.Selection
		if sel == nil || len(sel.Candidates) != 4 || sel.ValidationTerm != "2013J" || strings.Join(sel.TrainTerms, ",") != "2013B" {
			t.Fatalf("selection %+v: want 4 candidates validated on 2013J after training on 2013B", sel)
		}
		// The chosen candidate has the best validation AUC (first on ties)
		// and is the one fitted on all training terms.
		best := sel.Candidates[0]
		for _, c := range sel.Candidates[1:] {
			if c.AUC > best.AUC {
				best = c
			}
		}
		if best.Params["C"] != sel.Chosen["C"] || best.Params["class_weight"] != sel.Chosen["class_weight"] {
			t.Errorf("chosen %v, best candidate %v", sel.Chosen, best)
		}
		if e.Fit.Params["C"] != sel.Chosen["C"] {
			t.Errorf("fitted C %v, chosen %v", e.Fit.Params["C"], sel.Chosen["C"])
		}
	}
	if n != 2 {
		t.Errorf("%d tuned evaluations, want 2", n)
	}
}

func TestGridProblems(t *testing.T) {
	cases := []struct{ grid, want string }{
		{"[models.grid]\nC = [1.0, -2.0]\n", "models[1].grid.C: must be positive, got -2 (grid candidate map[C:-2])"},
		{"[models.grid]\ndepth = [1, 2]\n", "models[1].grid.depth: not a hyperparameter of this model kind"},
		{"[models.grid]\nC = []\n", "models[1].grid.C: must be a non-empty array of values"},
		{"[models.grid]\nC = [\"big\"]\n", "models[1].grid: C: want a number, got big"},
	}
	for _, c := range cases {
		src := csvSource() + "\n[[models]]\nname = \"tuned\"\nkind = \"logistic\"\n" + c.grid
		_, err := ParseSpec("g.toml", ".", []byte(src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("grid %q: err = %v, want %q", c.grid, err, c.want)
		}
	}
	// A grid needs two training terms for its inner validation.
	s := csvSpec(t, "\n[[models]]\nname = \"tuned\"\nkind = \"logistic\"\n[models.grid]\nC = [0.1, 1.0]\n")
	s.Splits[0].MinTrain = 1
	_, err := runOrErr(s, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), `trains on one term (2021F): the inner temporal validation needs at least two`) {
		t.Errorf("grid on a one-term fold: err = %v", err)
	}
}

// TestEvaluationCostOrdersLongestFirst: the scheduling cost ranks a grid
// search over forests above a single forest, a forest above boosting of as
// many iterations, and any ensemble above logistic regression; it grows
// with the fold's rows.
func TestEvaluationCostOrdersLongestFirst(t *testing.T) {
	mk := func(kind string, p any, candidates []any, rows int) *evaluation {
		return &evaluation{model: ModelSpec{Kind: kind, Params: p, candidates: candidates}, fold: fold{train: make([]int, rows), test: make([]int, rows/2)}}
	}
	forest := &forestParams{NTrees: 300}
	grid := mk("random_forest", forest, []any{&forestParams{NTrees: 300}, &forestParams{NTrees: 300}}, 1000)
	single := mk("random_forest", forest, nil, 1000)
	gbm := mk("gbm", &gbmParams{MaxIter: 300}, nil, 1000)
	lr := mk("logistic", &logisticParams{}, nil, 1000)
	defaults := mk("random_forest", &forestParams{}, nil, 1000)
	if !(grid.cost() > single.cost() && single.cost() > gbm.cost() && gbm.cost() > lr.cost() && defaults.cost() > lr.cost()) {
		t.Errorf("costs grid %v, forest %v, gbm %v, logistic %v, default forest %v: want decreasing", grid.cost(), single.cost(), gbm.cost(), lr.cost(), defaults.cost())
	}
	if bigger := mk("gbm", &gbmParams{MaxIter: 300}, nil, 2000); bigger.cost() <= gbm.cost() {
		t.Errorf("cost %v with twice the rows, %v before", bigger.cost(), gbm.cost())
	}
}
