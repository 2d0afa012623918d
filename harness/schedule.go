package harness

import (
	"cmp"
	"math"
	"sync"

	"github.com/evalrun/evalrun/models"
)

// runTask is one unit of a run's work on its worker pool: grid candidate
// grid of evaluation eval, or (grid -1) the evaluation itself, which waits
// until its candidates are done.
type runTask struct {
	eval, grid int
	// priority orders the ready tasks, highest first: the estimated
	// seconds of the task and of the work waiting on it (a candidate's
	// evaluation), so the longest chain of work starts first.
	priority float64
}

// runTasks runs every task on up to workers goroutines, each time taking
// the ready task of highest priority (the earliest on ties); evaluation k
// is ready once its pending[k] candidates are done. A task's outcome must
// not depend on the order: fn writes only to its own task's slots.
func runTasks(workers int, tasks []runTask, pending []int, fn func(t runTask)) {
	pending = append([]int(nil), pending...)
	var mu sync.Mutex
	ready := sync.NewCond(&mu)
	taken := make([]bool, len(tasks))
	left := len(tasks)
	next := func() (int, bool) {
		for {
			if left == 0 {
				return 0, false
			}
			best := -1
			for i, t := range tasks {
				if taken[i] || (t.grid < 0 && pending[t.eval] > 0) {
					continue
				}
				if best < 0 || t.priority > tasks[best].priority {
					best = i
				}
			}
			if best >= 0 {
				taken[best] = true
				left--
				return best, true
			}
			ready.Wait()
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < min(workers, len(tasks)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i, ok := next()
				mu.Unlock()
				if !ok {
					return
				}
				fn(tasks[i])
				if t := tasks[i]; t.grid >= 0 {
					mu.Lock()
					if pending[t.eval]--; pending[t.eval] == 0 {
						ready.Broadcast()
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
}

// Scheduling costs are estimates of CPU-seconds, with coefficients measured
// on a profile of experiments/oulad-models.toml (11,800 training and 15,720
// test rows, 34 columns): only their order and rough ratios matter.
const (
	costPerTestRow      = 55e-6    // bootstraps, calibration, ROC band: per test row
	costPerFittedRow    = 10e-6    // a linear or single-tree model: per training row
	costForestTreeRow   = 0.2e-6   // growing a forest: per tree and training row
	costBoostIterRow    = 0.08e-6  // growing a boosting tree: per iteration and training row
	costPredictTreeRow  = 0.03e-6  // prediction: per tree and row
	costReasonLeaf      = 0.027e-6 // TreeSHAP: per tree, reason row and leaf
	costRescoreDepthRow = 0.07e-6  // permutation rescoring: per tree, row, repeat and level
)

// ensembleShape estimates the trees and leaves per tree of a model fitted
// on n rows (zero trees for a model that is not a tree ensemble).
func ensembleShape(p any, n float64) (trees, leaves float64) {
	switch p := p.(type) {
	case *forestParams:
		// A bootstrap sample keeps about 63% of the rows, and leaves hold
		// at least min_samples_leaf rows (about twice that on average).
		return float64(cmp.Or(p.NTrees, 100)), max(2, n/float64(2*max(1, p.MinSamplesLeaf)+8))
	case *gbmParams:
		trees = float64(cmp.Or(p.MaxIter, 100))
		if p.EarlyStopping == "on" || (p.EarlyStopping != "off" && n > 10000) {
			trees /= 3 // early stopping usually ends well before max_iter
		}
		return trees, float64(cmp.Or(p.MaxLeaves, 31))
	}
	return 0, 0
}

// forestFeatureFactor is how many times the features drawn per node
// exceed the default square root of d.
func forestFeatureFactor(spec string, d int) float64 {
	mf, err := models.MaxFeaturesCount(spec, d)
	if err != nil {
		return 1
	}
	return max(1, float64(mf)/math.Sqrt(float64(d)))
}

// fitCost estimates the seconds of fitting a model of parameters p on n
// rows with d columns, then scoring m rows.
func fitCost(p any, n, m float64, d int) float64 {
	trees, _ := ensembleShape(p, n)
	predict := trees * m * costPredictTreeRow
	switch p := p.(type) {
	case *forestParams:
		return trees*n*costForestTreeRow*forestFeatureFactor(p.MaxFeatures, d) + predict
	case *gbmParams:
		return trees*n*costBoostIterRow + predict
	}
	return n * costPerFittedRow
}

// explainCost estimates the seconds of a fitted tree ensemble's reasons
// and permutation importance on m test rows, for a model fitted on n rows.
func explainCost(p any, ex ExplainSpec, kind string, n, m float64) float64 {
	trees, leaves := ensembleShape(p, n)
	reasonRows := min(m, float64(ex.reasonRows(kind)))
	if ex.reasons() <= 0 {
		reasonRows = 0
	}
	permRows := min(m, float64(ex.permutationRows())) * float64(max(0, ex.repeats()))
	return trees * (reasonRows*leaves*costReasonLeaf + permRows*math.Log2(max(2, leaves))*costRescoreDepthRow)
}

// columns is the number of encoded feature columns of the evaluation's fold
// (25 before its fold is prepared).
func (e *evaluation) columns() int {
	if e.prep != nil && e.prep.train.X != nil {
		return e.prep.train.X.Cols
	}
	return 25
}

// innerRows estimates the training and validation rows of a grid's inner
// validation: the fold's training terms but the last, and the last.
func (e *evaluation) innerRows() (train, validation float64) {
	n := float64(len(e.fold.train))
	if k := len(e.fold.trainTerms); k >= 2 {
		return n * float64(k-1) / float64(k), n / float64(k)
	}
	return n, 0
}

// candidateCost estimates the seconds of grid candidate i: its fit on the
// inner training rows and its validation scores.
func (e *evaluation) candidateCost(i int) float64 {
	n, m := e.innerRows()
	return fitCost(e.model.candidates[i], n, m, e.columns())
}

// gridCost is the estimated seconds of all the evaluation's grid candidates.
func (e *evaluation) gridCost() float64 {
	var c float64
	for i := range e.model.candidates {
		c += e.candidateCost(i)
	}
	return c
}

// restCost estimates the seconds of the evaluation once its grid
// candidates are done: the final fit, reasons, permutation importance and
// bootstraps. A tuned model's final parameters are not known yet: the mean
// over its candidates stands for them.
func (e *evaluation) restCost() float64 {
	n, m, d := float64(len(e.fold.train)), float64(len(e.fold.test)), e.columns()
	var ex ExplainSpec
	if e.spec != nil {
		ex = e.spec.Explain
	}
	params := []any{e.model.Params}
	if len(e.model.candidates) > 0 {
		params = e.model.candidates
	}
	var work float64
	for _, p := range params {
		work += fitCost(p, n, m, d) + explainCost(p, ex, e.model.Kind, n, m)
	}
	return m*costPerTestRow + work/float64(len(params))
}

// cost is the estimated seconds of the whole evaluation, grid included.
func (e *evaluation) cost() float64 { return e.restCost() + e.gridCost() }
