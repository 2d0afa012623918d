package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
)

// TestRunTasksOrder: one worker takes the ready task of highest priority
// (the earliest on ties) and an evaluation only after its candidates; two
// workers run every task once and never an evaluation before its
// candidates are done.
func TestRunTasksOrder(t *testing.T) {
	tasks := []runTask{
		{eval: 0, grid: 0, priority: 5}, // candidates of evaluation 0
		{eval: 0, grid: 1, priority: 5},
		{eval: 0, grid: -1, priority: 9}, // highest, but waits for its candidates
		{eval: 1, grid: -1, priority: 6},
		{eval: 2, grid: -1, priority: 1},
		{eval: 3, grid: 0, priority: 2},
		{eval: 3, grid: -1, priority: 7},
	}
	pending := []int{2, 0, 0, 1}
	name := func(t runTask) string { return fmt.Sprintf("%d/%d", t.eval, t.grid) }
	var got []string
	runTasks(1, tasks, pending, func(t runTask) { got = append(got, name(t)) })
	want := []string{"1/-1", "0/0", "0/1", "0/-1", "3/0", "3/-1", "2/-1"}
	if !slices.Equal(got, want) {
		t.Errorf("one worker ran %v, want %v", got, want)
	}
	if !slices.Equal(pending, []int{2, 0, 0, 1}) {
		t.Errorf("runTasks changed its pending argument: %v", pending)
	}

	for rep := 0; rep < 20; rep++ {
		var mu sync.Mutex
		left := slices.Clone(pending)
		runs := map[string]int{}
		runTasks(2, tasks, pending, func(tk runTask) {
			mu.Lock()
			defer mu.Unlock()
			runs[name(tk)]++
			if tk.grid >= 0 {
				left[tk.eval]--
			} else if left[tk.eval] != 0 {
				t.Errorf("evaluation %d started with %d candidates left", tk.eval, left[tk.eval])
			}
		})
		for _, tk := range tasks {
			if runs[name(tk)] != 1 {
				t.Fatalf("two workers ran %s %d times", name(tk), runs[name(tk)])
			}
		}
	}
}

// TestGridCandidatesInThePool: the grid candidates a run computes as tasks
// of its pool (forest and boosting grids run beside the other evaluations)
// are the ones selectParams computes alone, candidate for candidate to the
// bit, and the run's results are the same with one worker and two.
func TestGridCandidatesInThePool(t *testing.T) {
	const models = `
[[models]]
name = "rf-tuned"
kind = "random_forest"
n_trees = 8
[models.grid]
min_samples_leaf = [5, 20]

[[models]]
name = "gbm-tuned"
kind = "gbm"
early_stopping = "off"
[models.grid]
max_iter = [5, 10]
`
	var outs []string
	var selections map[string]any
	for _, workers := range []int{2, 1} {
		s := smallSpec(t, models+noResampling)
		s.Datasets[0].CutoffDays = []int{28}
		s.Experiment.Workers = workers
		out := runTo(t, s, filepath.Join(t.TempDir(), "run"))
		sel := map[string]any{}
		for _, e := range out.Results.Evaluations {
			if e.Selection != nil {
				sel[fmt.Sprintf("%s/%v/%s", e.Model, *e.Cutoff, e.Split)] = e.Selection
			}
		}
		b, err := json.Marshal(out.Results.Evaluations)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, string(b))
		selections = sel
	}
	if outs[0] != outs[1] {
		t.Errorf("results differ between two workers and one")
	}

	s := smallSpec(t, models+noResampling)
	s.Datasets[0].CutoffDays = []int{28}
	data, err := loadAndValidate(s)
	if err != nil {
		t.Fatal(err)
	}
	evals, preps, _ := enumerate(s, data)
	for _, p := range preps {
		p()
	}
	n := 0
	for _, e := range evals {
		if len(e.model.candidates) == 0 {
			continue
		}
		_, sel, err := e.selectParams(context.Background(), s.Experiment.Seed)
		if err != nil {
			t.Fatal(err)
		}
		key := fmt.Sprintf("%s/%s/%s", e.model.Name, cutoffLabel(e.frame), e.fold.split)
		got, ok := selections[key]
		if !ok {
			t.Fatalf("the run has no selection for %s", key)
		}
		if !reflect.DeepEqual(got, sel) {
			t.Errorf("%s: the run selected %+v, selectParams alone %+v", key, got, sel)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no tuned evaluation")
	}
}

// TestCostEstimates: the scheduling estimates follow the work: boosting
// that stops early, and forests with larger leaves (fewer of them to
// explain), cost less; more reason rows cost more; a tuned evaluation costs
// its candidates plus the rest.
func TestCostEstimates(t *testing.T) {
	mk := func(p any, candidates []any) *evaluation {
		kind := "random_forest"
		if _, ok := p.(*gbmParams); ok {
			kind = "gbm"
		}
		return &evaluation{model: ModelSpec{Kind: kind, Params: p, candidates: candidates},
			fold: fold{train: make([]int, 20000), test: make([]int, 5000), trainTerms: []string{"a", "b"}}}
	}
	if on, off := mk(&gbmParams{MaxIter: 300, EarlyStopping: "on"}, nil), mk(&gbmParams{MaxIter: 300, EarlyStopping: "off"}, nil); on.cost() >= off.cost() {
		t.Errorf("boosting with early stopping %v, without %v", on.cost(), off.cost())
	}
	small, large := mk(&forestParams{NTrees: 100, MinSamplesLeaf: 1}, nil), mk(&forestParams{NTrees: 100, MinSamplesLeaf: 20}, nil)
	if small.cost() <= large.cost() {
		t.Errorf("forest with leaves of 1 row %v, of 20 %v", small.cost(), large.cost())
	}
	fewer := mk(&forestParams{NTrees: 100, MinSamplesLeaf: 1}, nil)
	one := 100
	fewer.spec = &Spec{Explain: ExplainSpec{ReasonRows: &one}}
	if fewer.cost() >= small.cost() {
		t.Errorf("100 reason rows %v, the default 1000 %v", fewer.cost(), small.cost())
	}
	tuned := mk(&forestParams{}, []any{&forestParams{NTrees: 100, MinSamplesLeaf: 1}, &forestParams{NTrees: 100, MinSamplesLeaf: 20}})
	if got, want := tuned.cost(), tuned.restCost()+tuned.candidateCost(0)+tuned.candidateCost(1); got != want {
		t.Errorf("tuned cost %v, want rest + candidates %v", got, want)
	}
	if !(tuned.candidateCost(0) > 0 && tuned.restCost() > large.restCost() && tuned.restCost() < small.restCost()) {
		t.Errorf("tuned rest %v: want between its candidates' %v and %v", tuned.restCost(), large.restCost(), small.restCost())
	}
}
